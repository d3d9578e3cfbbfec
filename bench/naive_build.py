"""The reference pipeline the benchmark compares against: the straightforward way to do it.

`yaml.safe_load`, one reused Python-Markdown instance with arithmatex, superfences and
Pygments highlighting, a genanki note per card, `Package.write_to_file`. No cache, one core.
Usage: python bench/naive_build.py CARDS_DIR MEDIA_DIR OUTPUT.apkg
"""

import sys
from pathlib import Path

import genanki
import markdown
import yaml

MODEL = genanki.Model(
    1607392319,
    "Naive Q&A",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Notes"}],
    templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}{{Notes}}"}],
)


def split(text):
    _, meta, body = text.split("---\n", 2)
    sections, current = {}, None
    for line in body.splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            sections[current] = []
        elif current:
            sections[current].append(line)
    return yaml.safe_load(meta), {k: "\n".join(v) for k, v in sections.items()}


def main(cards_dir, media_dir, output):
    md = markdown.Markdown(
        extensions=["tables", "pymdownx.arithmatex", "pymdownx.highlight", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}, "pymdownx.highlight": {"use_pygments": True}},
    )
    deck = genanki.Deck(2059400110, "Naive")
    media = set()
    for path in sorted(Path(cards_dir).rglob("*.md")):
        meta, sections = split(path.read_text(encoding="utf-8"))
        fields = [md.reset().convert(sections.get(name, "")) for name in ("question", "answer", "notes")]
        for name in Path(media_dir).iterdir():
            if name.name in sections.get("answer", ""):
                media.add(str(name))
        deck.add_note(genanki.Note(model=MODEL, fields=fields, tags=meta.get("tags", []), guid=meta["id"]))
    genanki.Package(deck, media_files=sorted(media)).write_to_file(output)


if __name__ == "__main__":
    main(*sys.argv[1:4])
