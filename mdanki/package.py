"""Notes -> package: the .apkg file Anki imports. The only module that uses genanki.

genanki supplies the collection schema and the JSON of the note type and decks.
The rows are written here rather than through ``genanki.Package``, because it
stamps every note with one build time (so an edit either never arrives or every
note looks changed), numbers notes from the clock, stores the zip uncompressed
with the build time in every entry, leaves its temporary database behind, and
inserts rows one at a time. Notes arrive as an iterator and go straight to disk,
so memory does not grow with the deck.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .model import Deck, MediaFile, Note
from .notetypes import NoteType

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
# Deflate level 1: three times faster than the default 6 on a deck's database, about 30 %
# larger, and still a fifth of genanki's uncompressed packages
_COMPRESS_LEVEL = 1
_FIELD_SEPARATOR = "\x1f"
_INDEXES = "\n".join(re.findall(r"CREATE INDEX[^;]*;", APKG_SCHEMA))
_TABLES = re.sub(r"CREATE INDEX[^;]*;", "", APKG_SCHEMA)


def deck_id(name: str) -> int:
    """A stable id from the deck's name (Anki matches decks by name; the id only has to be fixed)."""
    number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return (1 << 40) + number % ((1 << 53) - (1 << 40))  # stays exact in JavaScript


def write_package(
    out: BinaryIO,
    *,
    scratch: Path,
    notes: Iterable[Note],
    note_types: list[tuple[NoteType, int]],
    decks: list[Deck],
    media: list[MediaFile],
    zip_time: tuple[int, int, int, int, int, int] | None = None,
) -> int:
    """Write the package into ``out``; its database is built in a file in ``scratch``, then deleted.

    ``note_types``: each note type the notes use, with its ``mod``. Returns the number of notes written.
    """
    stamp = zip_time or _ZIP_EPOCH
    handle, database = tempfile.mkstemp(dir=scratch, prefix=".mdanki-", suffix=".anki2")
    os.close(handle)
    try:
        count = _collection(Path(database), notes, note_types, decks)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL) as archive:
            with open(database, "rb") as source:
                _add(archive, "collection.anki2", source, stamp)
            names = {str(index): item.name for index, item in enumerate(media)}
            _add(archive, "media", json.dumps(names, sort_keys=True).encode(), stamp)
            for index, item in enumerate(media):
                with open(item.path, "rb") as source:
                    _add(archive, str(index), source, stamp)
    finally:
        Path(database).unlink(missing_ok=True)
    return count


def _add(archive: zipfile.ZipFile, name: str, data, stamp) -> None:
    """One entry with fixed metadata; ``data`` is bytes or a file, copied in chunks."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    # ZipFile.open(info, "w") takes the level from the entry (named compress_level from Python 3.13)
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", _COMPRESS_LEVEL)
    info.create_system = 3  # Unix, whatever machine builds it
    info.external_attr = 0o644 << 16
    with archive.open(info, "w") as entry:
        if isinstance(data, bytes):
            entry.write(data)
        else:
            while chunk := data.read(1 << 20):
                entry.write(chunk)


def _collection(database: Path, notes: Iterable[Note], note_types: list[tuple[NoteType, int]], decks: list[Deck]) -> int:
    """Fill the collection database, streaming the notes into it. Returns how many were written."""
    deck_ids = {deck.name: deck_id(deck.name) for deck in decks}
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode = OFF")  # a scratch file: no journal to leave behind
        connection.execute("PRAGMA synchronous = OFF")
        cursor = connection.cursor()
        cursor.executescript(_TABLES)
        cursor.executescript(APKG_COL)
        main_deck_id = deck_ids[decks[0].name] if decks else 1
        models = {str(note_type.id): _model(note_type).to_json(mod, main_deck_id) for note_type, mod in note_types}
        deck_json = {str(deck_ids[d.name]): genanki.Deck(deck_ids[d.name], d.name, d.description).to_json() for d in decks}
        default_deck = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
        cursor.execute("UPDATE col SET models = ?, decks = ?", (json.dumps(models), json.dumps({**default_deck, **deck_json})))
        count = 0
        for batch in _batches(notes, 2000):
            cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", map(_note_row, batch))
            cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               (_card_row(note, ord_, card, deck_ids[note.deck]) for note in batch for ord_, card in zip(note.ords, note.card_ids, strict=True)))
            count += len(batch)
        cursor.executescript(_INDEXES)  # indexing once at the end is faster than row by row
        connection.commit()
        return count
    finally:
        connection.close()


def _model(note_type: NoteType) -> genanki.Model:
    return genanki.Model(
        note_type.id,
        note_type.name,
        fields=[{"name": name, "id": field_id} for name, field_id in note_type.fields],
        templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back, "id": t.id} for t in note_type.templates],
        css=note_type.css,
        model_type=genanki.Model.CLOZE if note_type.is_cloze else genanki.Model.FRONT_BACK,
        sort_field_index=0,
    )


def _batches(items: Iterable[Note], size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# the control characters Anki's importer removes from fields and tags (tab and line feed it keeps)
_ANKI_DROPS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _as_anki_stores(text: str) -> str:
    """Text as an import leaves it in the collection: Anki drops most control characters and
    normalises to NFC (``e`` + U+0301 -> ``é``); the package holds exactly that text."""
    return unicodedata.normalize("NFC", _ANKI_DROPS.sub("", text))


def _note_row(note: Note) -> tuple:
    return (
        note.note_id,  # id: creation time in ms, unique
        note.guid,  # guid: how Anki recognises the note on the next import
        note.model_id,  # mid: the note type
        note.mod,  # mod: Anki updates an existing note only when this is newer
        -1,  # usn: -1 = not yet synced
        _as_anki_stores(f" {' '.join(note.tags)} ") if note.tags else "",  # tags: space-separated, padded
        _FIELD_SEPARATOR.join(map(_as_anki_stores, note.fields)),  # flds: field values, 0x1f between them
        _as_anki_stores(note.fields[0]),  # sfld: sort field (Anki recomputes it on import)
        0,  # csum: first-field checksum (Anki recomputes it on import)
        0,  # flags: unused
        "",  # data: unused
    )


def _card_row(note: Note, ord_: int, card_id: int, deck_id: int) -> tuple:
    return (
        card_id,  # id: unique, in the past; a note's first card has the note's id
        note.note_id,  # nid: its note
        deck_id,  # did: deck for a new card (existing cards keep theirs)
        ord_,  # ord: the template, or the cloze number - 1
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


def newest_mod(path: Path) -> int:
    """The newest note or note-type ``mod`` in a package written before; 0 when it cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
            archive.extract("collection.anki2", folder)
            with contextlib.closing(sqlite3.connect(Path(folder) / "collection.anki2")) as db:
                (notes,) = db.execute("SELECT coalesce(max(mod), 0) FROM notes").fetchone()
                (models,) = db.execute("SELECT models FROM col").fetchone()
        return max([int(notes), *(int(model.get("mod", 0)) for model in json.loads(models).values())])
    except (OSError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, sqlite3.Error):
        return 0
