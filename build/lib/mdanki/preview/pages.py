"""The preview's pages as HTML: a page per deck with every card's faces, and an index."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass

from ..anki_math import ANKI_TEX, MATHJAX_VERSION
from ..notetypes import NoteType, Template

PHONE_WIDTH = 375  # preview.css narrows the body to the same width
_SECTION = re.compile(r"\{\{([#^])([^}]+)\}\}(.*?)\{\{/\2\}\}", re.S)
_FIELD = re.compile(r"\{\{([^#^/}][^}]*)\}\}")


@dataclass(frozen=True)
class PreviewCard:
    """One note as the preview shows it."""

    id: str
    name: str  # the card file below the cards folder
    deck: str  # full deck name, '::' between levels
    tags: tuple[str, ...]
    fields: dict[str, str]  # every note type field by name, HTML


def fill(template: str, fields: dict[str, str]) -> str:
    """Anki's template substitution for what the note type uses: {{Field}}, {{#Field}}..{{/Field}}, {{^..}}.

    Sections do not nest in our templates, so one pass is enough.
    """

    def section(match: re.Match[str]) -> str:
        present = bool(fields.get(match.group(2).strip(), "").strip())
        return match.group(3) if present == (match.group(1) == "#") else ""

    def field(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name not in fields:
            raise KeyError(f"template field {{{{{name}}}}} has no value")
        return fields[name]

    return _FIELD.sub(field, _SECTION.sub(section, template))


def faces(template: Template, fields: dict[str, str]) -> tuple[str, str]:
    """The front and the back of a card, as Anki's reviewer puts them into the page."""
    front = fill(template.front, fields)
    back = fill(template.back, {**fields, "FrontSide": front})
    return front, back

def deck_label(deck: str, main_deck: str) -> str:
    if deck == main_deck:
        return main_deck
    return deck.removeprefix(main_deck + "::").replace("::", " › ")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _tag_anchor(tag: str) -> str:
    return "tag-" + re.sub(r"[^A-Za-z0-9_-]+", "-", tag)


def _plain(fragment: str) -> str:
    """A field's text without tags, for the index (math stays TeX, typeset on the page)."""
    text = re.sub(r"<pre\b.*?</pre>", " … ", fragment, flags=re.S)  # code blocks; inline code stays
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def _bar(title: str, links: str = "") -> str:
    return (
        '<nav class="pv-bar">'
        f'<a class="pv-home" href="index.html">Deck preview</a><span class="pv-title">{_e(title)}</span>{links}'
        '<span class="pv-switches">'
        '<label><input type="checkbox" data-switch="night"> Night mode</label>'
        f'<label><input type="checkbox" data-switch="phone"> Phone ({PHONE_WIDTH} px)</label>'
        "</span></nav>"
    )


def deck_page(
    deck: str,
    main_deck: str,
    cards: list[PreviewCard],
    note_type: NoteType,
    pages: dict[str, str],
    neighbours: tuple[str | None, str | None],
) -> str:
    previous, following = neighbours
    links = "".join(
        f'<a class="pv-step" href="{pages[name]}" title="{_e(name)}">{arrow}</a>'
        for name, arrow in ((previous, "‹ previous deck"), (following, "next deck ›"))
        if name is not None
    )
    parts = [_bar(main_deck, links), f'<main class="pv-deck"><h1 class="pv-heading">{_e(deck.replace("::", " › "))}</h1>']
    parts.append(f'<p class="pv-meta">{len(cards)} card{"s" if len(cards) != 1 else ""}</p>')
    for card in cards:
        front, back = faces(note_type.templates[0], card.fields)
        tags = " ".join(f'<a class="pv-tag" href="index.html#{_tag_anchor(t)}">{_e(t)}</a>' for t in card.tags)
        parts.append(
            f'<article class="pv-card" id="card-{_e(card.id)}">'
            f'<header class="pv-card-head"><a class="pv-id" href="#card-{_e(card.id)}">{_e(card.id)}</a>'
            f'<span class="pv-path">{_e(card.name)}</span><span class="pv-tags">{tags}</span></header>'
            f'<div class="pv-label">Front</div><div class="pv-face pv-front">{front}</div>'
            f'<div class="pv-label">Back</div><div class="pv-face pv-back">{back}</div>'
            "</article>"
        )
    parts.append("</main>")
    return "\n".join(parts)


def index_page(
    main_deck: str,
    description: str,
    cards: list[PreviewCard],
    deck_names: list[str],
    pages: dict[str, str],
    card_page: dict[str, str],
) -> str:
    counts = {deck: sum(1 for c in cards if c.deck == deck) for deck in deck_names}
    parts = [_bar(main_deck), '<main class="pv-index">', f'<h1 class="pv-heading">{_e(main_deck)}</h1>']
    if description:
        parts.append(f'<div class="pv-description">{description}</div>')
    parts.append(f'<p class="pv-meta">{len(cards)} cards in {len(deck_names)} decks · MathJax {MATHJAX_VERSION}</p>')
    parts.append('<h2>Decks</h2><ul class="pv-decks">')
    for deck in deck_names:
        depth = deck.count("::") - main_deck.count("::")
        parts.append(
            f'<li style="--depth:{max(depth, 0)}"><a href="{pages[deck]}">{_e(deck_label(deck, main_deck))}</a>'
            f' <span class="pv-count">{counts[deck]}</span></li>'
        )
    parts.append("</ul>")

    by_tag: dict[str, list[PreviewCard]] = defaultdict(list)
    for card in cards:
        for tag in card.tags:
            by_tag[tag].append(card)
    parts.append('<h2>Tags</h2><p class="pv-tag-cloud">')
    parts += [
        f'<a class="pv-tag" href="#{_tag_anchor(tag)}">{_e(tag)} <span class="pv-count">{len(by_tag[tag])}</span></a>'
        for tag in sorted(by_tag)
    ]
    parts.append("</p>")
    for tag in sorted(by_tag):
        parts.append(f'<details class="pv-tag-list" id="{_tag_anchor(tag)}"><summary>{_e(tag)} '
                     f'<span class="pv-count">{len(by_tag[tag])}</span></summary><ul>')
        for card in by_tag[tag]:
            question = _plain(card.fields.get("Question", ""))
            parts.append(
                f'<li><a href="{card_page[card.id]}#card-{_e(card.id)}">{_e(question) or _e(card.id)}</a>'
                f' <span class="pv-id">{_e(card.id)}</span></li>'
            )
        parts.append("</ul></details>")
    parts.append("</main>")
    return "\n".join(parts)


def page(title: str, body: str, *, mathjax: bool) -> str:
    # Anki also lists noerrors and mathtools under loader.load; tex-chtml-full has both built in,
    # and listing them again only makes MathJax warn on the console
    config = {"tex": ANKI_TEX}
    script = ""
    if mathjax:
        script = (
            f"<script>window.MathJax = {json.dumps(config)};\n"
            "MathJax.startup = {pageReady: function () {\n"
            "  return MathJax.startup.defaultPageReady().then(function () {\n"
            "    document.documentElement.dataset.mathjax = 'ready';  /* tests and screenshots wait for this */\n"
            "  });\n"
            "}};</script>\n"
            '<script id="MathJax-script" async src="mathjax/tex-chtml-full.js"></script>\n'
        )
    else:
        script = "<script>document.documentElement.dataset.mathjax = 'missing';</script>\n"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        '<link rel="stylesheet" href="assets/card.css">\n'
        '<link rel="stylesheet" href="assets/preview.css">\n'
        '<script src="assets/preview.js"></script>\n'
        f"{script}"
        "</head>\n"
        # as in Anki's reviewer the body is the card; preview.js restores the switches before paint
        '<body class="card">\n<script>mdankiPreview.restore();</script>\n'
        f"{body}\n</body>\n</html>\n"
    )
