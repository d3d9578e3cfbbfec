"""Rendered cards -> notes: the identity, deck, fields and timestamps of each Anki note."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator

from ..model import CardRecord, LockEntry, Note
from ..notetypes import NoteType
from .decks import deck_for
from .identity import card_id, guid, identity, note_ids


def note_digest(note_type: NoteType, fields: dict[str, str], card_id: str, tags: tuple[str, ...]) -> str:
    """Changes exactly when what Anki stores for the note changes: its fields or its tags."""
    blob = json.dumps([note_type.field_values(fields, card_id), sorted(tags)])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def make_notes(
    records: list[CardRecord],
    *,
    note_types: dict[str, NoteType],
    main_deck: str,
    namespace: str,
    lock: dict[str, LockEntry],
    fields: Iterable[dict[str, str]],
) -> Iterator[Note]:
    """Notes in the order of ``records`` (also their order in the new-card queue).

    ``fields`` gives each record's rendered fields in the same order, so they can stream from the cache.
    """
    identities = {record.id: identity(namespace, record.id) for record in records}
    ids = note_ids(identities, lock)
    lowest = min(ids.values(), default=0)
    rank = {note_id: position for position, note_id in enumerate(sorted(ids.values()))}
    decks: dict[tuple, str] = {}  # many cards share a folder: name each deck once
    for position, (record, rendered) in enumerate(zip(records, fields, strict=True), 1):
        place = (record.deck, record.folder)
        note_type = note_types[record.kind]
        yield Note(
            card_id=record.id,
            guid=guid(identities[record.id]),
            note_id=ids[record.id],
            deck=decks.get(place) or decks.setdefault(place, deck_for(record.deck, record.folder, main_deck)),
            fields=note_type.field_values(rendered, record.id),
            tags=tuple(sorted(record.tags)),
            mod=lock[record.id].mod,
            position=position,
            model_id=note_type.id,
            ords=(ords := note_type.card_ords(rendered)),
            card_ids=tuple(card_id(ids[record.id], o, lowest_note_id=lowest, rank=rank[ids[record.id]]) for o in ords),
        )
