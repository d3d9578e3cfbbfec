"""Rendered cards -> a static HTML site to look at every card before importing.

Each card's front and back are the note type's own templates (``notetype.FRONT``/``BACK``)
filled with the note's fields, styled by the note type's own CSS, with the packaged images
and MathJax 3.2.2 configured like Anki (``mathcheck.ANKI_TEX``). As in Anki's reviewer the
page's ``<body>`` is the ``.card`` and night mode is the ``nightMode`` class on it; a phone
switch narrows the body to 375 px. Everything is local files, so ``index.html`` opened from
the file system works offline.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .mathcheck import ANKI_TEX, MATHJAX_VERSION, mathjax_package
from .media import MediaFile
from .notes import field_values
from .notetype import FIELD_NAMES, NoteType

MARKER = ".mdanki-preview"  # proves a folder is ours to empty before writing it again
PHONE_WIDTH = 375
_MATHJAX_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2")
_SECTION = re.compile(r"\{\{([#^])([^}]+)\}\}(.*?)\{\{/\2\}\}", re.S)
_FIELD = re.compile(r"\{\{([^#^/}][^}]*)\}\}")


@dataclass(frozen=True)
class PreviewCard:
    """One note as the preview shows it."""

    id: str
    path: str  # the card file, as shown in messages
    deck: str  # full deck name, '::' between levels
    tags: tuple[str, ...]
    fields: dict[str, str]  # every note type field by name, HTML


@dataclass(frozen=True)
class PreviewSite:
    index: Path
    pages: int
    mathjax: bool  # False when MathJax is not installed: formulas show as TeX


class PreviewProblem(Exception):
    """The preview cannot be written where asked; the message says why."""


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


def faces(note_type: NoteType, fields: dict[str, str]) -> tuple[str, str]:
    """The front and the back of a card, as Anki's reviewer puts them into the page."""
    front = fill(note_type.front, fields)
    back = fill(note_type.back, {**fields, "FrontSide": front})
    return front, back


def write_preview(
    folder: Path,
    *,
    cards: Iterable[PreviewCard],
    note_type: NoteType,
    media: Iterable[MediaFile],
    main_deck: str,
    description: str = "",
    mathjax_root: Path | None = None,
) -> PreviewSite:
    """Write the site into ``folder`` (emptied first if an earlier preview is there)."""
    cards = list(cards)
    _prepare(folder)
    assets = folder / "assets"
    assets.mkdir()
    (assets / "card.css").write_text(note_type.css, encoding="utf-8")  # the note type's CSS, unchanged
    (assets / "preview.css").write_text(_PREVIEW_CSS, encoding="utf-8")
    (assets / "preview.js").write_text(_PREVIEW_JS, encoding="utf-8")
    for item in media:  # Anki refers to media by bare name, relative to the page
        shutil.copyfile(item.path, folder / item.name)
    has_mathjax = _copy_mathjax(folder / "mathjax", mathjax_package(mathjax_root))

    by_deck: dict[str, list[PreviewCard]] = defaultdict(list)
    for card in cards:
        by_deck[card.deck].append(card)
    deck_names = sorted(by_deck, key=lambda name: name.split("::"))
    pages = _page_names(deck_names, main_deck)
    card_page = {card.id: pages[card.deck] for card in cards}

    for position, deck in enumerate(deck_names):
        neighbours = (
            deck_names[position - 1] if position > 0 else None,
            deck_names[position + 1] if position + 1 < len(deck_names) else None,
        )
        body = _deck_page(deck, main_deck, by_deck[deck], note_type, pages, neighbours)
        title = _deck_label(deck, main_deck)
        (folder / pages[deck]).write_text(_page(title, body, mathjax=has_mathjax), encoding="utf-8")
    index = folder / "index.html"
    body = _index_page(main_deck, description, cards, deck_names, pages, card_page)
    index.write_text(_page(main_deck, body, mathjax=has_mathjax), encoding="utf-8")
    return PreviewSite(index=index, pages=len(deck_names), mathjax=has_mathjax)


def _prepare(folder: Path) -> None:
    """An empty folder to write into; refuses to empty one it did not write."""
    if folder.exists():
        if not folder.is_dir():
            raise PreviewProblem(f"{folder} is a file, not a folder")
        if any(folder.iterdir()) and not (folder / MARKER).exists():
            raise PreviewProblem(f"{folder} is not empty and holds no earlier preview; choose an empty or new folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("written by build_deck.py --preview; emptied on the next run\n", encoding="utf-8")


def _copy_mathjax(target: Path, package: Path | None) -> bool:
    """The one component Anki loads, and the fonts it fetches relative to itself."""
    if package is None:
        return False
    for name in _MATHJAX_FILES:
        source = package / "es5" / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    return True


def _page_names(deck_names: list[str], main_deck: str) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: set[str] = {"index"}
    for deck in deck_names:
        relative = deck.removeprefix(main_deck + "::") if deck != main_deck else "top"
        stem = "deck-" + (re.sub(r"[^a-z0-9]+", "-", relative.lower()).strip("-") or "deck")
        candidate, number = stem, 2
        while candidate in taken:
            candidate, number = f"{stem}-{number}", number + 1
        taken.add(candidate)
        names[deck] = f"{candidate}.html"
    return names


def _deck_label(deck: str, main_deck: str) -> str:
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


def _deck_page(
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
        front, back = faces(note_type, card.fields)
        tags = " ".join(f'<a class="pv-tag" href="index.html#{_tag_anchor(t)}">{_e(t)}</a>' for t in card.tags)
        parts.append(
            f'<article class="pv-card" id="card-{_e(card.id)}">'
            f'<header class="pv-card-head"><a class="pv-id" href="#card-{_e(card.id)}">{_e(card.id)}</a>'
            f'<span class="pv-path">{_e(card.path)}</span><span class="pv-tags">{tags}</span></header>'
            f'<div class="pv-label">Front</div><div class="pv-face pv-front">{front}</div>'
            f'<div class="pv-label">Back</div><div class="pv-face pv-back">{back}</div>'
            "</article>"
        )
    parts.append("</main>")
    return "\n".join(parts)


def _index_page(
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
            f'<li style="--depth:{max(depth, 0)}"><a href="{pages[deck]}">{_e(_deck_label(deck, main_deck))}</a>'
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


def _page(title: str, body: str, *, mathjax: bool) -> str:
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


# The preview's own chrome. It never styles what is inside .pv-face: that is the note type's CSS alone.
_PREVIEW_CSS = f"""\
/* phone: the body (Anki's .card) is exactly as wide as a {PHONE_WIDTH} px screen */
html.pv-phone body.card {{ max-width: {PHONE_WIDTH}px; box-sizing: border-box; }}
html {{ background: #e9e9ec; }}
html:has(body.nightMode) {{ background: #111111; }}
body.card {{ min-height: 100vh; padding-bottom: 3em; }}
.pv-bar {{
  position: sticky; top: 0; z-index: 10; display: flex; flex-wrap: wrap; align-items: center; gap: 0.3em 0.9em;
  margin: 0 -0.6em 0.8em; padding: 0.45em 0.6em; font: 13px/1.4 -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  background: #f6f6f8; border-bottom: 1px solid #d8d8dc;
}}
.nightMode .pv-bar {{ background: #262626; border-bottom-color: #3a3a3a; }}
.pv-home {{ font-weight: 600; text-decoration: none; }}
.pv-title {{ color: #6b6b70; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 22em; }}
.nightMode .pv-title {{ color: #a0a0a5; }}
.pv-step {{ text-decoration: none; }}
.pv-switches {{ margin-left: auto; display: flex; gap: 0.9em; }}
.pv-switches label {{ cursor: pointer; white-space: nowrap; }}
.pv-heading {{ font-size: 1.35em; margin: 0.4em 0 0.1em; }}
.pv-meta {{ margin: 0 0 1em; font-size: 0.75em; color: #77777c; }}
.pv-card {{ margin: 0 0 2.2em; scroll-margin-top: 3.2em; /* clear of the sticky bar when linked to */ }}
.pv-card-head {{
  display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.2em 0.7em; margin-bottom: 0.3em;
  font: 12px/1.5 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #77777c;
}}
.pv-id {{ font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; color: #77777c; }}
a.pv-id {{ font-weight: 600; color: inherit; text-decoration: none; }}
.pv-path {{ overflow-wrap: anywhere; }}
.pv-tags {{ display: inline-flex; flex-wrap: wrap; gap: 0.3em; }}
.pv-tag {{
  display: inline-block; padding: 0 0.55em; border-radius: 999px; font-size: 12px; line-height: 1.7;
  text-decoration: none; background: #eef1f6; color: #3b4a63;
}}
.nightMode .pv-tag {{ background: #2f3440; color: #c4cde0; }}
.pv-label {{
  margin: 0.5em 0 0.15em; font: 600 10px/1.4 -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  letter-spacing: 0.08em; text-transform: uppercase; color: #9a9aa0;
}}
/* a face fills the card's width exactly as in Anki: the frame sits in the body's padding */
.pv-face {{
  margin: 0 -0.6em; padding: 0.7em 0.6em; border-radius: 8px; background: inherit;
  box-shadow: 0 0 0 1px #dcdce0, 0 1px 3px rgba(0, 0, 0, 0.06);
}}
.nightMode .pv-face {{ box-shadow: 0 0 0 1px #3a3a3a; }}
.pv-index h2 {{ font-size: 1.05em; margin: 1.4em 0 0.5em; }}
.pv-description {{ font-size: 0.85em; }}
.pv-decks {{ list-style: none; padding: 0; margin: 0; columns: 2 14em; column-gap: 2em; }}
.pv-decks li {{ padding: 0.2em 0 0.2em calc((var(--depth) - 1) * 1.1em); break-inside: avoid; }}
.pv-decks a {{ text-decoration: none; font-weight: 500; }}
.pv-decks a:hover {{ text-decoration: underline; }}
.pv-count {{ font-size: 0.72em; color: #8a8a8f; }}
.pv-tag-cloud {{ display: flex; flex-wrap: wrap; gap: 0.45em 0.4em; }}
.pv-tag-list {{ margin: 0.2em 0; font-size: 0.85em; scroll-margin-top: 3.2em; }}
.pv-tag-list summary {{ cursor: pointer; font-weight: 600; }}
.pv-tag-list ul {{ margin: 0.3em 0 0.8em; padding-left: 1.2em; }}
.pv-tag-list li {{ margin: 0.2em 0; }}
"""

_PREVIEW_JS = """\
// Night mode and phone width for the preview, kept across pages (localStorage works on file://).
(function () {
  'use strict';
  var KEY = 'mdanki-preview';
  var state = {};
  try { state = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { state = {}; }

  function apply() {
    // as Anki's reviewer: <body class="card nightMode">
    document.body.classList.toggle('nightMode', !!state.night);
    document.documentElement.classList.toggle('pv-phone', !!state.phone);
    var boxes = document.querySelectorAll('input[data-switch]');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = !!state[boxes[i].dataset.switch]; }
  }

  function set(name, on) {
    state[name] = !!on;
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: no memory */ }
    apply();
  }

  document.addEventListener('change', function (event) {
    var box = event.target;
    if (box && box.dataset && box.dataset.switch) { set(box.dataset.switch, box.checked); }
  });
  // a tag link opens that tag's list on the index
  function openTarget() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openTarget);
  document.addEventListener('DOMContentLoaded', function () { apply(); openTarget(); });
  window.mdankiPreview = { restore: apply, set: set };
})();
"""


def preview_cards(
    records: Iterable, *, fields_of: Callable[[object], dict[str, str]], deck_of: Callable[[object], str]
) -> list[PreviewCard]:
    """PreviewCards from the build's records (anything with id, path and tags), fields as in the note."""
    return [
        PreviewCard(
            id=record.id,
            path=record.path,
            deck=deck_of(record),
            tags=tuple(record.tags),
            fields=dict(zip(FIELD_NAMES, field_values(fields_of(record), record.id))),
        )
        for record in records
    ]
