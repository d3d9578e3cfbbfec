"""The deck list of a build, refusing names Anki would alter: a folder whose sub-deck name would be
empty (Anki calls it 'blank'), and two decks whose names differ only in case (Anki takes them as one
and renames one of them, not always the same)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import BuildError, CardError
from ..model import CardRecord, Deck
from ..notes import deck_for, with_parents
from ..notes.decks import deck_title


def deck_list(records: list[CardRecord], main: str, description: str, cards_dir: Path) -> list[Deck]:
    """Every deck the cards go to, with their parents; BuildError for names Anki would change."""
    first: dict[str, CardRecord] = {}  # each deck (and parent) name -> the first card that makes it
    for record in records:
        name = deck_for(record.deck, record.folder, main)
        parts = name.split("::")
        for depth in range(1, len(parts) + 1):
            first.setdefault("::".join(parts[:depth]), record)
    errors = _blank_folders(records, cards_dir) or _case_clashes(first, cards_dir)
    if errors:
        raise BuildError(errors)
    names = with_parents(set(first) | {main})
    return [Deck(name, description if name == main else "") for name in names]


def _blank_folders(records: list[CardRecord], cards_dir: Path) -> list[CardError]:
    errors, seen = [], set()
    for record in records:
        for depth, folder in enumerate(record.folder if not record.deck else (), 1):
            if not deck_title(folder) and record.folder[:depth] not in seen:
                seen.add(record.folder[:depth])
                errors.append(CardError(
                    os.path.join(cards_dir, record.name), 1,
                    f"folder '{'/'.join(record.folder[:depth])}' gives an empty sub-deck name, which Anki would "
                    "replace with 'blank': rename the folder, or give its cards a 'deck:' key",
                ))
    return errors


def _case_clashes(first: dict[str, CardRecord], cards_dir: Path) -> list[CardError]:
    by_case: dict[str, str] = {}
    errors = []
    for name in sorted(first):
        other = by_case.setdefault(name.casefold(), name)
        if other != name:
            here, there = (os.path.join(cards_dir, first[n].name) for n in (name, other))
            errors.append(CardError(
                here, 1, f"deck '{name}' and deck '{other}' (of {there}) differ only in case, which Anki takes as one "
                "deck: rename one of the folders (or 'deck:' keys) so they match or differ in more than case",
            ))
    return errors
