"""Which files are cards, their names below the cards folder, and how a file is read.

Only regular files are read (a FIFO or a link to a device named ``x.md`` is refused at that
file, never waited on), at most ``MAX_FILE_BYTES``; a folder that is not walked (a symbolic
link, or one the system will not list) is a problem naming it, never silently left out.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import CardError

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a card file (or deck.yaml) larger than this is refused
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))
_NONBLOCK = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class Unreadable(Exception):
    """A file that is not read: not a regular file, too large, or refused by the system."""

    def __init__(self, error: CardError):
        super().__init__(str(error))
        self.error = error


def read_regular(path: str | Path, limit: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes and its stat (taken before the read); raises Unreadable for anything else."""
    where = str(path)
    try:
        st = os.stat(where)
        if stat.S_ISREG(st.st_mode):  # never open what is not a file: opening a FIFO waits for a writer
            handle = os.open(where, os.O_RDONLY | _NONBLOCK)
            with os.fdopen(handle, "rb") as file:
                st = os.fstat(handle)  # what was opened, should the path have changed since
                if stat.S_ISREG(st.st_mode) and st.st_size <= limit:
                    data = file.read(limit + 1)
                    if len(data) <= limit:
                        return data, st
                    st = os.fstat(handle)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and os.path.islink(where):
            raise Unreadable(CardError(where, 0, "is a symbolic link to a file that does not exist")) from None
        raise Unreadable(CardError(where, 0, f"cannot be read: {exc.strerror or exc}")) from None
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "a special file")
        raise Unreadable(CardError(where, 0, f"is {kind}, not a regular file; only regular files are read"))
    raise Unreadable(CardError(where, 0, f"file is larger than {limit >> 20} MiB; split it (or move large content into media files)"))


def find_card_files(cards_dir: Path) -> tuple[list[str], list[CardError]]:
    """Every ``*.md`` below ``cards_dir`` in a stable order, skipping README files and hidden paths;
    and a problem for every folder not walked (a symbolic link, or one that cannot be listed).

    Paths as strings: at 100,000 files, making Path objects costs more than hashing the files.
    """
    found, problems = [], []

    def unlisted(exc: OSError) -> None:
        problems.append(CardError(str(exc.filename or cards_dir), 0, f"folder cannot be read ({exc.strerror}), so its cards would be left out; fix its permissions"))

    for folder, subfolders, names in os.walk(cards_dir, onerror=unlisted):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in subfolders:
            if os.path.islink(os.path.join(folder, name)):  # os.walk lists it but does not go in
                problems.append(CardError(
                    os.path.join(folder, name), 0,
                    "folder is a symbolic link, which is not followed, so its cards would be left out; "
                    "put the folder itself here, or start the link's name with '.' to skip it",
                ))
        for name in names:
            if name.endswith(".md") and not name.startswith(".") and name.lower() != "readme.md":
                found.append(os.path.join(folder, name))
    base = len(str(cards_dir).rstrip(os.sep)) + 1
    found.sort(key=lambda text: text[base:].replace(os.sep, "/"))
    return found, sorted(problems, key=lambda error: error.path)


def relative_name(path: Path | str, base: Path) -> str:
    """``path`` below ``base`` as a '/'-separated name (string work: pathlib is slow at 100,000 files)."""
    text, prefix = str(path), str(base).rstrip(os.sep) + os.sep
    return text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else Path(path).as_posix()
