"""The render cache: a card file whose bytes have not changed is never rendered twice.

Entries live in one SQLite file under ``.cache/`` beside the cards folder, keyed
by a hash of the renderer's fingerprint (its version and configuration), the
card's path and the card file's bytes. Each entry carries a checksum of its
payload, and the images it uses with their content hashes, so a damaged entry,
a changed renderer or a changed image is noticed and the card rendered again:
the cache can make a build faster, never different.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model import CardRecord, Formula, MediaFile
from ..source import read_regular
from .sqlite_guard import BUSY_SECONDS, busy, damaged_message, guarded, intact, text_factory

SCHEMA_VERSION = 6  # part of the file name: a new layout starts a new file
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,       -- sha256(renderer fingerprint, card path, card bytes)
    meta TEXT NOT NULL,         -- JSON list: the card's id, id line, file name, folder, tags, deck, digest, media, formulas, kind, lookups
    meta_sum TEXT NOT NULL,     -- sha256 of meta, to catch a damaged entry
    fields TEXT NOT NULL,       -- JSON: the rendered HTML of each field
    fields_sum TEXT NOT NULL    -- sha256 of fields, checked when they are read for the package
);
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY,      -- a card file, '/'-separated below the cards folder
    stat TEXT NOT NULL,         -- its device, inode, size, mtime and ctime (ns) just before it was read
    read_at INTEGER NOT NULL,   -- the wall clock (ns) just before it was read
    digest TEXT NOT NULL,       -- sha256 of the bytes read
    sum TEXT NOT NULL           -- sha256 of the four above, to catch a damaged row
)
"""
# A file whose change time is this close to when it was read may have changed again within
# the same timestamp tick (FAT has 2-second ticks): its stat proves nothing, read it again.
_RACY_NS = 2_000_000_000


def record_json(record: CardRecord) -> str:
    # a list, not an object: half the time to write and read back at 100,000 cards
    return json.dumps([
        record.id,
        record.id_line,
        record.name,
        record.folder,
        record.tags,
        record.deck,
        record.digest,
        [[m.name, str(m.path), m.digest] for m in record.media],
        [[f.tex, f.display, f.closed, f.line] for f in record.formulas],
        record.kind,
        record.lookups,
    ])


def record_from_json(key: str, text: str) -> CardRecord:
    card_id, id_line, name, folder, tags, deck, digest, media, formulas, kind, lookups = json.loads(text)
    return CardRecord(
        key=key,
        id=card_id,
        id_line=id_line,
        name=name,
        folder=tuple(map(sys.intern, folder)),  # recurring names: one object each (memory)
        tags=tuple(map(sys.intern, tags)),
        deck=deck,
        digest=digest,
        media=tuple(MediaFile(name, Path(file), file_digest) for name, file, file_digest in media),
        formulas=tuple(Formula(tex, bool(display), bool(closed), int(line)) for tex, display, closed, line in formulas),
        kind=sys.intern(kind),
        lookups=tuple((src, found) for src, found in lookups),
    )


def cache_key(fingerprint: str, relative_path: str, content: str) -> str:
    """The entry of a card file: the renderer, the file's name, and ``file_digest`` of its bytes."""
    digest = hashlib.sha256()
    for part in (fingerprint.encode(), relative_path.encode(), content.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class FileState:
    """What a card file was when it was last read, so an unchanged file need not be read again.

    Like git's index: a file is taken as unchanged when its device, inode, size, mtime and
    ctime are all as they were, and it had not changed within a timestamp tick of that read
    (any write moves ctime, which no tool can set back).
    """

    stat: str
    read_at: int
    digest: str

    @staticmethod
    def signature(st: os.stat_result) -> str:
        return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"

    def still(self, st: os.stat_result) -> bool:
        """True when a file with this stat certainly has the bytes read then."""
        return self.stat == self.signature(st) and max(st.st_mtime_ns, st.st_ctime_ns) < self.read_at - _RACY_NS


def read_file(path: str) -> tuple[bytes, FileState]:
    """A card file's bytes, and its state for the next build (stat taken before the read)."""
    read_at = time.time_ns()  # before the stat: the safe side (raises Unreadable for a FIFO, device, ...)
    data, st = read_regular(path)
    return data, FileState(FileState.signature(st), read_at, file_digest(data))


def _file_sum(name: str, stat: str, read_at: int, digest: str) -> str:
    return _checksum(f"{name}\x1f{stat}\x1f{read_at}\x1f{digest}")


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _connect(path: Path | None) -> sqlite3.Connection:
    """A connection that waits BUSY_SECONDS for another writer, with the tables checked to be readable."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(":memory:" if path is None else path, timeout=BUSY_SECONDS)
    try:
        db.text_factory = text_factory
        db.executescript(_SCHEMA)
        db.execute("SELECT count(*) FROM entries").fetchone()
        return db
    except BaseException:
        db.close()
        raise


class RenderCache:
    """Rendered cards by cache key. ``path=None`` keeps entries in memory only (nothing on disk)."""

    def __init__(self, path: Path | None, *, warn: Callable[[str], None]):
        self.path = path
        self._warn = warn
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        """The file (started again if damaged), or memory when the file cannot be used."""
        if self.path is not None:
            try:
                return _connect(self.path)
            except sqlite3.DatabaseError as problem:
                self._trouble(problem, reopen=False)
        if self.path is not None:
            try:
                return _connect(self.path)
            except sqlite3.DatabaseError as problem:
                self._warn(f"render cache unavailable ({problem}); building without it")
                self.path = None
        return _connect(None)

    def _trouble(self, problem: sqlite3.DatabaseError, *, reopen: bool = True) -> None:
        """A query failed: another program holds the file past BUSY_SECONDS (go on without the file,
        never deleting it), or the file is damaged (start it again)."""
        if busy(problem):
            self._warn(f"render cache {self.path} is locked by another program; building without it")
            self.path = None
        else:
            self._warn(f"render cache {self.path} is damaged; rebuilding it")
            with contextlib.suppress(OSError):  # then _open says it cannot be used
                self.path.unlink(missing_ok=True)
        if reopen:
            self._db.close()
            self._db = self._open()

    def lookup(self, keys: Iterable[str]) -> dict[str, CardRecord]:
        """The usable entries among ``keys``; damaged ones are reported, dropped and treated as missing."""
        found: dict[str, CardRecord] = {}
        damaged = []
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self._db.execute(
                    f"SELECT key, meta, meta_sum FROM entries WHERE key IN ({marks})", chunk
                ).fetchall()
            except sqlite3.DatabaseError as problem:
                self._trouble(problem)
                return {}
            for key, meta, checksum in rows:
                try:
                    if not intact(meta, checksum):
                        raise ValueError("checksum")
                    found[key] = record_from_json(key, meta)
                except (ValueError, KeyError, TypeError):
                    damaged.append(key)
        if damaged:
            self._warn(damaged_message(len(damaged)))
            self._forget_keys(damaged)
        return found

    @guarded(lambda: None)
    def _forget_keys(self, keys: list[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM entries WHERE key = ?", ((k,) for k in keys))

    @guarded(dict)
    def file_states(self) -> dict[str, FileState]:
        """The recorded state of each card file (damaged rows are left out: those files are read)."""
        rows = self._db.execute("SELECT name, stat, read_at, digest, sum FROM files").fetchall()
        return {
            name: FileState(stat, read_at, digest)
            for name, stat, read_at, digest, checksum in rows
            if checksum == _file_sum(name, stat, read_at, digest)
        }

    @guarded(lambda: None)
    def record_files(self, states: Iterable[tuple[str, FileState]]) -> None:
        """Remember these files as just read."""
        rows = [(name, f.stat, f.read_at, f.digest, _file_sum(name, f.stat, f.read_at, f.digest)) for name, f in states]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", rows)

    def empty(self) -> bool:
        try:
            return self._db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError:
            return False  # lookup() reports and rebuilds it

    @guarded(lambda: None)
    def store(self, entries: Iterable[tuple[CardRecord, dict[str, str]]]) -> None:
        rows = []
        for record, fields in entries:
            meta = record_json(record)
            text = json.dumps(fields, sort_keys=True)
            rows.append((record.key, meta, _checksum(meta), text, _checksum(text)))
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)

    def fields_in_order(self, keys: Iterable[str]) -> Iterator[dict[str, str] | None]:
        """The fields of each key, in the order given, read in chunks (the package streams these).

        Fields are verified here, as they are used: a damaged or missing entry gives None.
        """
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self._fields(list(set(chunk)))
            for key in chunk:
                text, checksum = rows.get(key, (None, None))
                yield json.loads(text) if intact(text, checksum) else None

    @guarded(dict)
    def _fields(self, keys: list[str]) -> dict[str, tuple[object, object]]:
        marks = ",".join("?" * len(keys))
        query = f"SELECT key, fields, fields_sum FROM entries WHERE key IN ({marks})"
        return {key: (text, checksum) for key, text, checksum in self._db.execute(query, keys)}

    @guarded(dict)
    def fields_by_card_id(self, ids: set[str]) -> dict[str, dict[str, str]]:
        """The fields of some entry of each of these card ids (any version; damaged ones skipped)."""
        found: dict[str, dict[str, str]] = {}
        for meta, text, checksum in self._db.execute("SELECT meta, fields, fields_sum FROM entries"):
            card_id = meta[2:meta.find('"', 2)] if isinstance(meta, str) and meta.startswith('["') else None
            if card_id in ids and card_id not in found and intact(text, checksum):
                found[card_id] = json.loads(text)
        return found

    @guarded(lambda: None)
    def keep_only(self, keys: set[str], names: set[str]) -> None:
        """Forget the entries and files this build did not use, once there are many of them."""
        entries = self._forget("entries", "key", keys, slack=len(keys) + 100)  # old versions may come back
        self._forget("files", "name", names, slack=0)  # a deleted or renamed card file
        if entries:
            self._db.execute("VACUUM")

    def _forget(self, table: str, column: str, used: set[str], *, slack: int) -> bool:
        if self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] <= len(used) + slack:
            return False
        with self._db:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS used (value TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM used")
            self._db.executemany("INSERT INTO used VALUES (?)", ((value,) for value in used))
            self._db.execute(f"DELETE FROM {table} WHERE {column} NOT IN (SELECT value FROM used)")
        return True

    def close(self) -> None:
        self._db.close()
