"""``mdanki init``: the files of a new deck, with an example card showing math, code and an image.

Nothing is ever overwritten: if any of the files exists, nothing is written at all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError, CardError
from ..notes.decks import deck_title
from .settings import DEFAULT_DECK_NAME, SETTINGS_NAME, deck_slug, yaml_text

EXAMPLE_CARD = r"""---
id: example
tags: [example]
---
## Question
What does a card of this deck look like?

## Answer
Markdown, with inline math like $a^2 + b^2 = c^2$ and display math:

$$
\bar{x} = \frac{1}{n} \sum_{i=1}^{n} x_i
$$

Code is highlighted:

```python
def mean(xs):
    return sum(xs) / len(xs)
```

Images are found next to the card or in `media/`:

![Three bars of growing height](example.svg)

## Notes
Edit this card or delete it and write your own: one Markdown file per card anywhere under
`cards/` (folders become sub-decks), each with an `id` of its own that never changes. Then run
`mdanki build` and import the package from `dist/` into Anki.
"""

EXAMPLE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="160" height="100" viewBox="0 0 160 100">
  <rect x="20" y="60" width="30" height="30" fill="#4c78a8"/>
  <rect x="65" y="40" width="30" height="50" fill="#f58518"/>
  <rect x="110" y="10" width="30" height="80" fill="#54a24b"/>
</svg>
"""

GITIGNORE = "# mdanki's build output and caches\n/dist/\n/.cache/\n/preview/\n"


@dataclass(frozen=True)
class NewDeck:
    folder: Path
    name: str
    id: str
    files: tuple[Path, ...]


def deck_yaml(name: str, deck_id: str) -> str:
    return (
        "# The deck: the name of its top deck in Anki, its id and a description (Markdown).\n"
        f"name: {yaml_text(name)}\n"
        "# every note's GUID is made from this id and the card's id: never change it\n"
        f"id: {yaml_text(deck_id)}\n"
        "description: |\n"
        "  Cards written in Markdown, built with mdanki.\n"
        "# front-matter keys of other tools to read past, e.g. ignore_keys: [title, aliases]\n"
    )


def new_deck(folder: Path, name: str | None = None) -> NewDeck:
    """Write a new deck into ``folder``; BuildError if any of its files is already there."""
    folder = folder.absolute()
    name = name or deck_title(folder.name) or DEFAULT_DECK_NAME
    deck_id = f"{deck_slug(name)}-{secrets.token_hex(4)}"  # no other deck will have it
    files = {
        folder / "cards" / SETTINGS_NAME: deck_yaml(name, deck_id),
        folder / "cards" / "example.md": EXAMPLE_CARD,
        folder / "media" / "example.svg": EXAMPLE_SVG,
        folder / ".gitignore": GITIGNORE,
    }
    existing = [path for path in files if path.exists() or path.is_symlink()]
    if existing:
        raise BuildError([CardError(str(existing[0]), 0, "already exists; mdanki init never overwrites a file")])
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as out:  # "x": fails rather than overwrite
            out.write(text)
    return NewDeck(folder, name, deck_id, tuple(files))
