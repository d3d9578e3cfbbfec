"""How the render cache meets a damaged or locked SQLite file: never a traceback, never a deleted cache
that another build is using."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections.abc import Callable

# Another build writing the file makes this one wait this long before going on without it.
BUSY_SECONDS = 30.0
# A damaged byte reads as U+FFFD instead of failing the query, so its entry's checksum fails.
text_factory = functools.partial(str, encoding="utf-8", errors="replace")


def damaged_message(count: int) -> str:
    return f"render cache: {count} damaged entr{'y' if count == 1 else 'ies'} rebuilt"


def intact(text: object, checksum: object) -> bool:
    """Text as stored by this cache (a damaged row may hold bytes, a number, anything)."""
    return isinstance(text, str) and checksum == hashlib.sha256(text.encode()).hexdigest()


def busy(problem: sqlite3.DatabaseError) -> bool:
    return getattr(problem, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def guarded(default: Callable[[], object]):
    """A cache method that never fails the build: a damaged or locked file is dealt with, ``default()`` returned."""
    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args):
            try:
                return method(self, *args)
            except sqlite3.DatabaseError as problem:
                self._trouble(problem)
                return default()
        return guarded
    return wrap
