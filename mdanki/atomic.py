"""Write a file all at once or not at all: a temporary file beside it, renamed over on success.

``Commit`` does the same for several files that belong together (deck.yaml, deck.lock and the
package): each is written whole to a temporary first, and only when all are written are they
renamed into place, in the order staged; if a rename fails, the ones already done are put back.
``sweep`` removes the temporaries a killed build left behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMPORARY = ".{name}.*.tmp"  # the temporaries of ``replacing`` and ``Commit`` beside ``name``


def _temporary(path: Path) -> str:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    return temporary


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """Yield a file to write; it replaces ``path`` only if the block finishes without error."""
    with staged(path) as (out, temporary):
        yield out
    os.replace(temporary, path)


@contextmanager
def staged(path: Path) -> Iterator[tuple[BinaryIO, str]]:
    """A temporary beside ``path`` to write, finished (mode 0644) or removed on error."""
    temporary = _temporary(path)
    try:
        with open(temporary, "wb") as out:
            yield out, temporary
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _keep(path: Path, backup: str) -> None:
    """The old file under ``backup`` too, until every rename is done (a hard link: no copy, no space)."""
    try:
        os.unlink(backup)
        os.link(path, backup)
    except OSError:  # a file system without hard links
        shutil.copyfile(path, backup)


class Commit:
    """Files that are replaced together: all of them, or (on any error before ``apply`` ends) none."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    @contextmanager
    def file(self, path: Path) -> Iterator[BinaryIO]:
        """Yield a file to write; it is put in place by ``apply`` if the block finishes."""
        with staged(path) as (out, temporary):
            self._staged.append((temporary, path))  # removed by discard() if the block fails later
            yield out

    def add(self, path: Path, data: bytes) -> None:
        with self.file(path) as out:
            out.write(data)

    def apply(self) -> None:
        """Rename every staged file into place, in order; on failure put back the ones done."""
        done: list[tuple[Path, str | None]] = []  # each replaced path and a hard link to its old file
        try:
            for temporary, path in self._staged:
                backup = None
                if path.exists():
                    backup = _temporary(path)
                    _keep(path, backup)
                os.replace(temporary, path)
                done.append((path, backup))
        except BaseException:
            for path, backup in reversed(done):
                os.replace(backup, path) if backup else path.unlink(missing_ok=True)
            raise
        finally:
            self.discard()
            for _, backup in done:
                if backup:
                    Path(backup).unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove what is still staged (after ``apply``: nothing but what could not be put in place)."""
        for temporary, _ in self._staged:
            Path(temporary).unlink(missing_ok=True)
        self._staged = []


def sweep(folder: Path, patterns: Iterable[str], *, before: float) -> int:
    """Remove files in ``folder`` matching ``patterns`` last changed before ``before`` (a killed build's)."""
    removed = 0
    for pattern in patterns:
        for path in folder.glob(pattern):
            try:
                if path.is_file() and not path.is_symlink() and path.lstat().st_mtime < before:
                    path.unlink()
                    removed += 1
            except OSError:
                pass  # gone already, or not ours to remove: it only costs space
    return removed
