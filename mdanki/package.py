"""Notes -> package: the .apkg file Anki imports. The only module that uses genanki.

genanki supplies the collection schema and the JSON of the note type and decks.
The rows are written here rather than through ``genanki.Package``, because it
stamps every note with one build time (so an edit either never arrives or every
note looks changed), numbers notes from the clock, stores the zip uncompressed
with the build time in every entry, and leaves its temporary database behind.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .atomic import replacing
from .media import MediaFile
from .notes import Note
from .notetype import FIELDS, MODEL_ID, MODEL_NAME, TEMPLATE_ID, NoteType

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Deck:
    name: str
    description: str = ""  # HTML, shown on the deck's overview screen


def deck_id(name: str) -> int:
    """A stable id from the deck's name (Anki matches decks by name; the id only has to be fixed)."""
    number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return (1 << 40) + number % ((1 << 53) - (1 << 40))  # stays exact in JavaScript


def write_package(
    path: Path,
    *,
    notes: list[Note],
    note_type: NoteType,
    note_type_mod: int,
    decks: list[Deck],
    media: list[MediaFile],
    zip_time: tuple[int, int, int, int, int, int] | None = None,
) -> None:
    """Write the package in one step: the old file stays until the new one is complete."""
    collection = _collection(notes, note_type, note_type_mod, decks)
    stamp = zip_time or _ZIP_EPOCH
    with replacing(path) as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        _add(archive, "collection.anki2", collection, stamp)
        names = {str(index): item.name for index, item in enumerate(media)}
        _add(archive, "media", json.dumps(names, sort_keys=True).encode(), stamp)
        for index, item in enumerate(media):
            _add(archive, str(index), item.path.read_bytes(), stamp)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stamp) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever machine builds it
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compresslevel=6)


def _collection(notes: list[Note], note_type: NoteType, note_type_mod: int, decks: list[Deck]) -> bytes:
    """The collection database, built in memory: no temporary file to leave behind."""
    model = genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name, "id": field_id} for name, field_id in FIELDS],
        templates=[{"name": "Card 1", "qfmt": note_type.front, "afmt": note_type.back, "id": TEMPLATE_ID}],
        css=note_type.css,
        sort_field_index=0,
    )
    deck_ids = {deck.name: deck_id(deck.name) for deck in decks}
    connection = sqlite3.connect(":memory:")
    try:
        cursor = connection.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        main_deck_id = deck_ids[decks[0].name] if decks else 1
        models = {str(MODEL_ID): model.to_json(note_type_mod, main_deck_id)}
        deck_json = {str(deck_ids[d.name]): genanki.Deck(deck_ids[d.name], d.name, d.description).to_json() for d in decks}
        default_deck = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
        cursor.execute("UPDATE col SET models = ?, decks = ?", (json.dumps(models), json.dumps({**default_deck, **deck_json})))
        cursor.executemany(
            "INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    note.note_id,  # id: creation time in ms, unique
                    note.guid,  # guid: how Anki recognises the note on the next import
                    MODEL_ID,  # mid: the note type
                    note.mod,  # mod: Anki updates an existing note only when this is newer
                    -1,  # usn: -1 = not yet synced
                    f" {' '.join(note.tags)} " if note.tags else "",  # tags: space-separated, padded
                    _FIELD_SEPARATOR.join(note.fields),  # flds: field values, 0x1f between them
                    note.fields[0],  # sfld: sort field (Anki recomputes it on import)
                    0,  # csum: first-field checksum (Anki recomputes it on import)
                    0,  # flags: unused
                    "",  # data: unused
                )
                for note in notes
            ),
        )
        cursor.executemany(
            "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    note.note_id,  # id: one card per note, so the note's id serves
                    note.note_id,  # nid: its note
                    deck_ids[note.deck],  # did: deck for a new card (existing cards keep theirs)
                    0,  # ord: the only template
                    note.mod,  # mod
                    -1,  # usn: not yet synced
                    0,  # type: new
                    0,  # queue: new
                    note.position,  # due: place in the new-card queue
                    0,  # ivl: no interval yet
                    0,  # factor: ease, set at first review
                    0,  # reps
                    0,  # lapses
                    0,  # left: learning steps left
                    0,  # odue: only for filtered decks
                    0,  # odid: only for filtered decks
                    0,  # flags
                    "",  # data
                )
                for note in notes
            ),
        )
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()
