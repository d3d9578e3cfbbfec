"""Rendered cards -> a static HTML site to look at every card before importing.

Each card's front and back are the note type's own templates filled with the note's
fields, styled by the note type's own CSS, with the packaged images and MathJax 3.2.2
configured like Anki (``anki_math.ANKI_TEX``). As in Anki's reviewer the page's ``<body>``
is the ``.card`` and night mode is the ``nightMode`` class on it; a phone switch narrows
the body to 375 px. Everything is local files, so ``index.html`` opened from the file
system works offline.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..anki_math import mathjax_package
from ..model import MediaFile
from ..notetypes import NoteType
from .pages import PreviewCard, deck_label, deck_page, index_page, page

ASSETS = Path(__file__).with_name("assets")  # the preview's own CSS and script (package data)
MARKER = ".mdanki-preview"  # proves a folder is ours to empty before writing it again
_MATHJAX_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2")


@dataclass(frozen=True)
class PreviewSite:
    index: Path
    pages: int
    mathjax: bool  # False when MathJax is not installed: formulas show as TeX


class PreviewProblem(Exception):
    """The preview cannot be written where asked; the message says why."""

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
    for name in ("preview.css", "preview.js"):
        shutil.copyfile(ASSETS / name, assets / name)
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
        body = deck_page(deck, main_deck, by_deck[deck], note_type, pages, neighbours)
        title = deck_label(deck, main_deck)
        (folder / pages[deck]).write_text(page(title, body, mathjax=has_mathjax), encoding="utf-8")
    index = folder / "index.html"
    body = index_page(main_deck, description, cards, deck_names, pages, card_page)
    index.write_text(page(main_deck, body, mathjax=has_mathjax), encoding="utf-8")
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
