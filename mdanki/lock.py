"""deck.lock: what each note looked like when it was last built, and since when.

Anki's importer updates a note only when the incoming ``mod`` is strictly newer
than the one in the collection. So each note carries its own ``mod``, which moves
forward exactly when the note's content hash changes, and stays put otherwise:
rebuilding unchanged sources gives the same bytes, and an edit always arrives.

The file is plain text, one line per note sorted by id, so it diffs and merges
well in git. Commit it with the cards: a fresh clone then builds the same deck.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from .atomic import replacing
from .errors import BuildError, CardError

LOCK_NAME = "deck.lock"
NOTE_TYPE_KEY = "@note-type"
_HEADER = (
    "# deck.lock: written by build_deck.py; commit it with the cards.\n"
    "# One line per note: id, content hash, mod (Unix seconds, moves forward when the hash changes),"
    " created (Unix seconds).\n"
)


@dataclass(frozen=True, slots=True)
class Entry:
    digest: str
    mod: int
    created: int


def now() -> int:
    """The build's clock: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the wall clock."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    if fixed and fixed.strip().isdigit():
        return int(fixed)
    return int(time.time())


def read(path: Path) -> dict[str, Entry]:
    """The entries of a lock file; a missing file is an empty lock."""
    if not path.exists():
        return {}
    entries: dict[str, Entry] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        try:
            key, digest, mod, created = parts
            entries[key] = Entry(digest, int(mod), int(created))
        except ValueError:
            raise BuildError([CardError(str(path), number, "damaged deck.lock line; restore the file from git")]) from None
    return entries


def advance(previous: dict[str, Entry], digests: dict[str, str], clock: int) -> dict[str, Entry]:
    """The new lock: unchanged keys keep their entry, changed or new ones get a newer ``mod``."""
    updated = {}
    for key, digest in digests.items():
        old = previous.get(key)
        if old is not None and old.digest == digest:
            updated[key] = old
        elif old is not None:
            updated[key] = Entry(digest, max(clock, old.mod + 1), old.created)
        else:
            updated[key] = Entry(digest, clock, clock)
    return updated


def render(entries: dict[str, Entry]) -> str:
    lines = [f"{key}\t{e.digest}\t{e.mod}\t{e.created}\n" for key, e in sorted(entries.items())]
    return _HEADER + "".join(lines)


def write(path: Path, entries: dict[str, Entry]) -> None:
    """Replace the lock file in one step, and only when its text changes."""
    text = render(entries)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    with replacing(path) as out:
        out.write(text.encode("utf-8"))
