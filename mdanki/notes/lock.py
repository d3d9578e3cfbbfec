"""deck.lock: what each note looked like when it was last built, and since when.

Anki's importer updates a note only when the incoming ``mod`` is strictly newer
than the one in the collection. So each note carries its own ``mod``, which moves
forward exactly when the note's content hash changes, and stays put otherwise:
rebuilding unchanged sources gives the same bytes, and an edit always arrives.

The file is plain text, one line per note sorted by id, so it diffs and merges
well in git. Commit it with the cards: a fresh clone then builds the same deck.
A card removed from the source keeps its line, marked with a leading ``-``, when it
left and its last question: its note stays in users' collections, so it is never
forgotten, and if the id comes back the note updates instead of being duplicated.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..atomic import Commit, replacing
from ..errors import BuildError, CardError
from ..model import Changes, LockEntry
from ..notetypes import NOTE_TYPES

LOCK_NAME = "deck.lock"
KINDS = frozenset(NOTE_TYPES)
_HEADER = (
    "# deck.lock: written by build_deck.py; commit it with the cards.\n"
    "# One line per note: id, content hash, mod (Unix seconds, moves forward when the hash changes),"
    " created (Unix seconds), and its card type unless basic.\n"
    "# A line starting with '-' is a removed card: ... its type, when it was removed, its last question.\n"
)


_MOST = 2**31  # Anki keeps mod and created in seconds as 32-bit numbers: it refuses a package past them
_CONFLICT = ("<<<<<<<", "|||||||", "=======", ">>>>>>>")
_KEY = re.compile(r"(@[a-z0-9:-]+|[a-z0-9-]+)\Z")  # a note type's line, or a card id
_RESTORE = "restore deck.lock from git, then rebuild"
MERGE_ADVICE = (
    "git merge conflict in deck.lock: keep, for each id, the line with the newer mod (the third column), "
    "delete the marker lines, then rebuild"
)


def read(path: Path) -> dict[str, LockEntry]:
    """The entries of a lock file; a missing file is an empty lock. Every problem is an error at its line."""
    if not path.exists():
        return {}
    where = str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BuildError([CardError(where, line, f"deck.lock is not UTF-8 text; {_RESTORE}")]) from None
    lines = text.split("\n")
    conflicts = [CardError(where, n, MERGE_ADVICE) for n, line in enumerate(lines, 1) if line.startswith(_CONFLICT[0])]
    if conflicts:
        raise BuildError(conflicts)
    if text and not text.endswith("\n"):
        raise BuildError([CardError(where, len(lines), f"deck.lock ends in the middle of a line (cut off?); {_RESTORE}")])
    entries: dict[str, LockEntry] = {}
    first: dict[str, int] = {}
    errors = []
    for number, line in enumerate(lines[:-1], 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(_CONFLICT):
            errors.append(CardError(where, number, MERGE_ADVICE))
            continue
        try:
            key, entry = _entry(line.rstrip("\r"))
        except ValueError as problem:
            errors.append(CardError(where, number, f"damaged deck.lock line ({problem}); {_RESTORE}"))
            continue
        if key in first:
            errors.append(CardError(
                where, number, f"'{key}' has a second line (also line {first[key]}"
                "): keep the one with the newer mod (the third column), delete the other, then rebuild",
            ))
        first.setdefault(key, number)
        entries[key] = entry
    if errors:
        raise BuildError(errors)
    return entries


def _entry(line: str) -> tuple[str, LockEntry]:
    if line.startswith("-"):  # a removed card: its question may hold spaces
        parts = line[1:].split("\t", 6)
        if len(parts) != 7:
            raise ValueError("a removed card's line has 7 columns")
        key, digest, mod, created, kind, removed, question = parts
        entry = LockEntry(digest, _seconds(mod, "mod"), _seconds(created, "created"), kind, _seconds(removed, "removed"), question)
    else:
        columns = line.split()
        if not 4 <= len(columns) <= 5:  # a fifth column names a card type other than basic
            raise ValueError("a line has 4 or 5 columns: id, content hash, mod, created and a card type")
        key, digest, mod, created, *kind = columns
        entry = LockEntry(digest, _seconds(mod, "mod"), _seconds(created, "created"), *kind)
    if not _KEY.match(key):
        raise ValueError(f"'{key}' is not a card id")
    if entry.kind not in KINDS:
        raise ValueError(f"unknown card type '{entry.kind}'")
    return key, entry


def _seconds(text: str, column: str) -> int:
    """A time in Unix seconds that Anki can hold: 0 < x < 2**31."""
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < _MOST:
        raise ValueError(f"{column} must be Unix seconds between 1 and {_MOST - 1}")
    return int(text)


def advance(
    previous: dict[str, LockEntry],
    digests: dict[str, str],
    clock: int,
    kinds: dict[str, str] | None = None,
    questions: dict[str, str] | None = None,
) -> dict[str, LockEntry]:
    """The new lock: unchanged keys keep their entry, changed or new ones get a newer ``mod``.

    ``kinds``: the card type of each key that is not basic. Cards no longer in ``digests`` stay,
    marked removed, with their last question from ``questions`` (plain text). A removed card
    that comes back keeps its identity, so Anki updates the note users still have.
    """
    kinds, questions = kinds or {}, questions or {}
    updated = {}
    for key, digest in digests.items():
        old = previous.get(key)
        kind = kinds.get(key, "basic")
        if old is not None and old.digest == digest and old.kind == kind:
            updated[key] = LockEntry(old.digest, old.mod, old.created, kind)
        elif old is not None:
            updated[key] = LockEntry(digest, max(clock, old.mod + 1), old.created, kind)
        else:
            updated[key] = LockEntry(digest, clock, clock, kind)
    for key, old in previous.items():
        if key not in updated and not key.startswith("@"):  # a note type no deck card uses is dropped
            question = old.question or " ".join(questions.get(key, "").split())
            updated[key] = LockEntry(old.digest, old.mod, old.created, old.kind, old.removed or clock, question)
    return updated


def removed(entries: dict[str, LockEntry]) -> dict[str, LockEntry]:
    """The cards that left the source, by id."""
    return {key: entry for key, entry in entries.items() if entry.removed}


def render(entries: dict[str, LockEntry]) -> str:
    lines = []
    for key, e in sorted(entries.items()):
        if e.removed:
            lines.append(f"-{key}\t{e.digest}\t{e.mod}\t{e.created}\t{e.kind}\t{e.removed}\t{e.question}\n")
        else:
            lines.append(f"{key}\t{e.digest}\t{e.mod}\t{e.created}{'' if e.kind == 'basic' else chr(9) + e.kind}\n")
    return _HEADER + "".join(lines)


def write(path: Path, entries: dict[str, LockEntry], commit: Commit | None = None) -> None:
    """Replace the lock file in one step (with ``commit``: when it applies), only when its text changes."""
    data = render(entries).encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return
    if commit is not None:
        commit.add(path, data)
        return
    with replacing(path) as out:
        out.write(data)


def changes(previous: dict[str, LockEntry], current: dict[str, LockEntry]) -> Changes:
    """The cards added, changed and removed by this build (note-type lines start with '@')."""
    old = {key for key, e in previous.items() if not key.startswith("@") and not e.removed}
    new = {key for key, e in current.items() if not key.startswith("@") and not e.removed}
    return Changes(
        added=tuple(sorted(new - old)) if previous else (),
        changed=tuple(sorted(key for key in new & old if previous[key].digest != current[key].digest)),
        removed=tuple(sorted(old - new)),
    )
