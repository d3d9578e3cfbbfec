"""deck.lock: what each note looked like when it was last built, and since when.

Anki's importer updates a note only when the incoming ``mod`` is strictly newer
than the one in the collection. So each note carries its own ``mod``, which moves
forward exactly when the note's content hash changes, and stays put otherwise:
rebuilding unchanged sources gives the same bytes, and an edit always arrives.

The file is plain text, one line per note sorted by id, so it diffs and merges
well in git. Commit it with the cards: a fresh clone then builds the same deck.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import replacing
from ..errors import BuildError, CardError
from ..model import Changes, LockEntry

LOCK_NAME = "deck.lock"
_HEADER = (
    "# deck.lock: written by build_deck.py; commit it with the cards.\n"
    "# One line per note: id, content hash, mod (Unix seconds, moves forward when the hash changes),"
    " created (Unix seconds).\n"
)


def read(path: Path) -> dict[str, LockEntry]:
    """The entries of a lock file; a missing file is an empty lock."""
    if not path.exists():
        return {}
    entries: dict[str, LockEntry] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        try:
            key, digest, mod, created = parts
            entries[key] = LockEntry(digest, int(mod), int(created))
        except ValueError:
            raise BuildError([CardError(str(path), number, "damaged deck.lock line; restore the file from git")]) from None
    return entries


def advance(previous: dict[str, LockEntry], digests: dict[str, str], clock: int) -> dict[str, LockEntry]:
    """The new lock: unchanged keys keep their entry, changed or new ones get a newer ``mod``."""
    updated = {}
    for key, digest in digests.items():
        old = previous.get(key)
        if old is not None and old.digest == digest:
            updated[key] = old
        elif old is not None:
            updated[key] = LockEntry(digest, max(clock, old.mod + 1), old.created)
        else:
            updated[key] = LockEntry(digest, clock, clock)
    return updated


def render(entries: dict[str, LockEntry]) -> str:
    lines = [f"{key}\t{e.digest}\t{e.mod}\t{e.created}\n" for key, e in sorted(entries.items())]
    return _HEADER + "".join(lines)


def write(path: Path, entries: dict[str, LockEntry]) -> None:
    """Replace the lock file in one step, and only when its text changes."""
    text = render(entries)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    with replacing(path) as out:
        out.write(text.encode("utf-8"))


def changes(previous: dict[str, LockEntry], current: dict[str, LockEntry]) -> Changes:
    """The cards added, changed and removed between two locks (note-type lines start with '@')."""
    old = {key for key in previous if not key.startswith("@")}
    new = {key for key in current if not key.startswith("@")}
    return Changes(
        added=tuple(sorted(new - old)) if previous else (),
        changed=tuple(sorted(key for key in new & old if previous[key].digest != current[key].digest)),
        removed=tuple(sorted(old - new)),
    )
