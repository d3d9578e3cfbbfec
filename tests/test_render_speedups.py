"""The rendering speedups change nothing: the same matches, the same HTML, byte for byte."""

from __future__ import annotations

import random
import re

import markdown
import pytest
from conftest import REPO

from mdanki.notetypes import BASIC
from mdanki.render import EXTENSIONS, Renderer, speedups
from mdanki.source import read_cards

# what the renderer would be without the speedups: pymdownx.highlight itself, no guards
PLAIN_EXTENSIONS = {
    ("pymdownx.highlight" if name == "mdanki.render.speedups:ReusingHighlightExtension" else name): config
    for name, config in EXTENSIONS.items()
}
ALPHABET = "ab $$\\\\``[]()!_*<>&#:/{}\n\x02\x03"


def plain_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=list(PLAIN_EXTENSIONS), extension_configs=PLAIN_EXTENSIONS, output_format="html")


def random_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("name", list(speedups.MATCHES_START_WITH))
def test_a_guarded_pattern_finds_exactly_what_its_regex_finds(name):
    pattern = plain_markdown().inlinePatterns[name]
    regex = pattern.getCompiledRegExp()
    guarded = speedups._Guarded(regex, speedups.MATCHES_START_WITH[name])
    for text in random_texts(20_000):
        for start in (0, len(text) // 2):
            expected = [(m.span(), m.groups()) for m in regex.finditer(text, start)]
            assert [(m.span(), m.groups()) for m in guarded.finditer(text, start)] == expected, repr(text)


def test_the_guards_are_in_place_and_cover_patterns_that_exist():
    md = Renderer(media_dir=None, roots=())._md
    for name in speedups.MATCHES_START_WITH:
        assert isinstance(md.inlinePatterns[name].compiled_re, speedups._Guarded), name


def test_random_markdown_renders_the_same_with_and_without_the_speedups():
    fast, plain = Renderer(media_dir=None, roots=())._md, plain_markdown()
    for text in random_texts(3_000, seed=11):
        assert fast.reset().convert(text) == plain.reset().convert(text), repr(text)


def test_every_shipped_card_renders_the_same_with_and_without_the_speedups():
    cards, errors = read_cards(REPO / "cards")
    assert errors == [] and len(cards) > 100
    renderer = Renderer(media_dir=REPO / "media", roots=(REPO / "cards", REPO / "media"))
    plain = plain_markdown()
    code_blocks = 0
    for card in cards:
        rendered, problems = renderer.render(card, BASIC)
        assert problems == []
        for spec in BASIC.sections:
            name, section = spec.field, card.section(spec.section)
            if section is None or "<img" in rendered.fields[name]:
                continue  # images get packaged names, which the plain renderer does not give
            assert rendered.fields[name] == plain.reset().convert(section.text), f"{card.name} {name}"
            code_blocks += len(re.findall('<div class="highlight">', rendered.fields[name]))
    assert code_blocks > 50  # the lexer cache was exercised


FENCES = [
    "```python\nx = 1  # a comment\n```",
    '```python hl_lines="2"\nx = 1\ny = "two"\n```',
    '```python linenums="3"\nx = 1\ny = 2\n```',
    '```python title="demo.py"\nimport os\n```',
    "```\nno language\n```",
    "```nosuchlanguage\nstill code\n```",
    "```sql\nSELECT a FROM t WHERE b > 1;\n```",
    "    indented code\n",
    "Inline `code` and `#!python print(1)`.",
]


@pytest.mark.parametrize("source", FENCES)
def test_code_blocks_render_the_same_with_and_without_the_speedups(source):
    fast, plain = Renderer(media_dir=None, roots=())._md, plain_markdown()
    for _ in range(2):  # the second time from the lexer cache
        assert fast.reset().convert(source) == plain.reset().convert(source)


def test_with_inline_styles_the_configured_colours_are_kept():
    configs = {"mdanki.render.speedups:ReusingHighlightExtension": {"noclasses": True, "pygments_style": "monokai"}, "pymdownx.superfences": {}}
    fast = markdown.Markdown(extensions=list(configs), extension_configs=configs)
    plain_configs = {"pymdownx.highlight": configs["mdanki.render.speedups:ReusingHighlightExtension"], "pymdownx.superfences": {}}
    plain = markdown.Markdown(extensions=list(plain_configs), extension_configs=plain_configs)
    source = "```python\nx = 1\n```"
    assert fast.convert(source) == plain.convert(source) and "style=" in fast.convert(source)


PROSE = "aZé1 ,.;:?!'\"%/()–—‘’“”…-\n"


def test_plain_prose_skips_markdown_with_the_same_html():
    plain = plain_markdown()
    rng = random.Random(3)
    shortcuts = 0
    for _ in range(30_000):
        text = rng.choice("aZé") + "".join(
            rng.choice(PROSE if rng.random() < 0.97 else ALPHABET) for _ in range(rng.randint(0, 30))
        )
        html = speedups.plain_paragraph(text)
        if html is not None:
            shortcuts += 1
            assert html == plain.reset().convert(text), repr(text)
    assert shortcuts > 5000


@pytest.mark.parametrize(
    "text",
    ["What is a p-value?\n", "Line one.\nLine two (with brackets): yes!\n", "Naïve Bayes — why “naïve”?", "x\n"],
)
def test_plain_prose_examples(text):
    assert speedups.plain_paragraph(text) == plain_markdown().convert(text)


@pytest.mark.parametrize(
    "text",
    ["1. A list\n", "- item\n", "# Heading\n", "Title\n---\n", "Two spaces  \nbreak\n", "A *word*\n", "a_b_c\n",
     "See [x]\n", "Use `code`\n", "Cost $5\n", "a < b\n", "Q&A\n", " indented\n", "Para\n\nPara\n", "Tab\there\n"],
)
def test_anything_markdown_would_touch_is_rendered(text):
    assert speedups.plain_paragraph(text) is None
