"""Rendered cards -> notes: the identity, deck, fields and timestamps of each Anki note.

A note's GUID comes from the deck's namespace and the card's ``id`` only, never
from its text, file name or folder, so editing, renaming or moving a card file
keeps the note, and with it the user's review history.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .lock import Entry
from .notetype import FIELD_NAMES
from .render import RenderedCard

# Anki's own GUID alphabet (base91 without characters that need escaping)
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


@dataclass(frozen=True)
class Note:
    """One note, ready to be written: plain data, no genanki."""

    card_id: str  # the card's `id`, also the CardId field
    guid: str
    note_id: int  # also the card id: one card per note
    deck: str  # full deck name, '::' between levels
    fields: tuple[str, ...]  # in FIELD_NAMES order
    tags: tuple[str, ...]
    mod: int  # Unix seconds; Anki updates the note only when this is newer
    position: int  # place in the new-card queue


def guid_for(namespace: str, card_id: str) -> str:
    """A short, stable GUID: 64 bits of sha256(namespace, id) in Anki's base91 alphabet."""
    number = int.from_bytes(hashlib.sha256(f"{namespace}\x1f{card_id}".encode()).digest()[:8], "big")
    digits = []
    while number:
        number, rest = divmod(number, len(_BASE91))
        digits.append(_BASE91[rest])
    return "".join(reversed(digits)) or _BASE91[0]


def deck_for(rendered: RenderedCard, main_deck: str) -> str:
    """``deck`` from the front matter, else the card's folders as sub-decks of the main deck."""
    card = rendered.card
    if card.deck:
        return f"{main_deck}::{card.deck}"
    parts = [_deck_title(folder) for folder in card.folder]
    return "::".join([main_deck, *parts])


def _deck_title(folder: str) -> str:
    """``deep-learning`` -> ``Deep learning``."""
    words = folder.replace("_", " ").replace("-", " ").split()
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def field_values(rendered: RenderedCard) -> tuple[str, ...]:
    values = {**rendered.fields, "CardId": rendered.card.id}
    return tuple(values.get(name, "") for name in FIELD_NAMES)


def content_digest(rendered: RenderedCard) -> str:
    """Changes exactly when what Anki stores for the note changes: its fields or its tags."""
    blob = json.dumps([field_values(rendered), sorted(rendered.card.tags)])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def make_notes(
    rendered: list[RenderedCard], *, main_deck: str, namespace: str, lock: dict[str, Entry]
) -> list[Note]:
    """Notes in the order of ``rendered``, which is also their order in the new-card queue."""
    note_ids = _note_ids([item.card.id for item in rendered], namespace, lock)
    notes = []
    for position, item in enumerate(rendered, 1):
        card_id = item.card.id
        entry = lock[card_id]
        notes.append(
            Note(
                card_id=card_id,
                guid=guid_for(namespace, card_id),
                note_id=note_ids[card_id],
                deck=deck_for(item, main_deck),
                fields=field_values(item),
                tags=tuple(sorted(item.card.tags)),
                mod=entry.mod,
                position=position,
            )
        )
    return notes


def _note_ids(card_ids: list[str], namespace: str, lock: dict[str, Entry]) -> dict[str, int]:
    """Anki reads a note id as its creation time in milliseconds; keep that meaning, stay unique.

    Older notes pick first, so a new card can never shift the id of an existing one.
    """
    taken: set[int] = set()
    ids = {}
    for card_id in sorted(card_ids, key=lambda c: (lock[c].created, c)):
        salt = int.from_bytes(hashlib.sha256(f"{namespace}\x1f{card_id}".encode()).digest()[:4], "big")
        candidate = lock[card_id].created * 1000 + salt % 1000
        while candidate in taken:
            candidate += 1
        taken.add(candidate)
        ids[card_id] = candidate
    return ids
