"""Rendered cards -> notes: the identity, deck, fields and timestamps of each Anki note.

A note's GUID comes from the deck's namespace and the card's ``id`` only, never
from its text, file name or folder, so editing, renaming or moving a card file
keeps the note, and with it the user's review history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .cache import CardRecord
from .lock import Entry
from .notetype import FIELD_NAMES

# Anki's own GUID alphabet (base91 without characters that need escaping)
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


@dataclass(frozen=True, slots=True)
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


_PAIRS = [a + b for a in _BASE91 for b in _BASE91]  # two base91 digits at a time: half the divisions


def _identity(namespace: str, card_id: str) -> bytes:
    """sha256(namespace, id): the source of both a note's GUID and its id's tie-breaker."""
    return hashlib.sha256(f"{namespace}\x1f{card_id}".encode()).digest()


def guid_for(namespace: str, card_id: str) -> str:
    """A short, stable GUID: 64 bits of sha256(namespace, id) in Anki's base91 alphabet."""
    return _guid(_identity(namespace, card_id))


def _guid(identity: bytes) -> str:
    number = int.from_bytes(identity[:8], "big")
    pairs = []
    while number:
        number, rest = divmod(number, len(_PAIRS))
        pairs.append(_PAIRS[rest])
    return "".join(reversed(pairs)).lstrip(_BASE91[0]) or _BASE91[0]


def deck_for(record: CardRecord, main_deck: str) -> str:
    """``deck`` from the front matter, else the card's folders as sub-decks of the main deck."""
    if record.deck:
        return f"{main_deck}::{record.deck}"
    return "::".join([main_deck, *(_deck_title(folder) for folder in record.folder)])


def _deck_title(folder: str) -> str:
    """``deep-learning`` -> ``Deep learning``."""
    title = " ".join(folder.replace("_", " ").replace("-", " ").split())
    return title[:1].upper() + title[1:]


def field_values(fields: dict[str, str], card_id: str) -> tuple[str, ...]:
    values = {**fields, "CardId": card_id}
    return tuple(values.get(name, "") for name in FIELD_NAMES)


def content_digest(fields: dict[str, str], card_id: str, tags: tuple[str, ...]) -> str:
    """Changes exactly when what Anki stores for the note changes: its fields or its tags."""
    blob = json.dumps([field_values(fields, card_id), sorted(tags)])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def make_notes(
    records: list[CardRecord],
    *,
    main_deck: str,
    namespace: str,
    lock: dict[str, Entry],
    fields: Iterable[dict[str, str]],
) -> Iterator[Note]:
    """Notes in the order of ``records`` (also their order in the new-card queue).

    ``fields`` gives each record's rendered fields in the same order, so they can stream from the cache.
    """
    identities = {record.id: _identity(namespace, record.id) for record in records}
    note_ids = _note_ids(identities, lock)
    decks: dict[tuple, str] = {}  # many cards share a folder: name each deck once
    for position, (record, rendered) in enumerate(zip(records, fields, strict=True), 1):
        yield Note(
            card_id=record.id,
            guid=_guid(identities[record.id]),
            note_id=note_ids[record.id],
            deck=decks.get((record.deck, record.folder)) or decks.setdefault((record.deck, record.folder), deck_for(record, main_deck)),
            fields=field_values(rendered, record.id),
            tags=tuple(sorted(record.tags)),
            mod=lock[record.id].mod,
            position=position,
        )


def _note_ids(identities: dict[str, bytes], lock: dict[str, Entry]) -> dict[str, int]:
    """Anki reads a note id as its creation time in milliseconds; keep that meaning, stay unique.

    Notes are numbered in order of creation (then of a hash), each at least one past the
    previous, so a new card never shifts an older note's id, in one pass however many notes
    share a creation second.
    """
    salt = {c: int.from_bytes(identity[:4], "big") % 1000 for c, identity in identities.items()}
    ids = {}
    last = -1
    for card_id in sorted(identities, key=lambda c: (lock[c].created, salt[c], c)):
        last = max(lock[card_id].created * 1000 + salt[card_id], last + 1)
        ids[card_id] = last
    return ids
