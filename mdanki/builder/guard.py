"""What keeps builds from hurting each other or leaving things behind.

- ``exclusive``: one build of a deck at a time (an exclusive ``flock`` on ``.cache/build.lock``);
  a second build waits for the first, then runs as usual, so both succeed with the same output.
- ``die_with_parent``: a render worker is killed by the kernel when the build that started it
  dies, even by SIGKILL (Linux's PR_SET_PDEATHSIG), and elsewhere ends itself when its parent
  is gone (a watchdog thread).
- ``sweep_leftovers``: the temporaries a killed build left (``.<name>.*.tmp`` of a file being
  replaced, ``.mdanki-*.anki2`` scratch databases) are removed by the next build there.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..atomic import TEMPORARY, sweep
from ..notes.lock import LOCK_NAME
from .settings import SETTINGS_NAME

LOCK_FILE = "build.lock"
SCRATCH = ".mdanki-*.anki2"  # package.write_package's scratch database
_PR_SET_PDEATHSIG = 1


@contextmanager
def exclusive(folder: Path | None) -> Iterator[None]:
    """Hold ``folder``/build.lock for the block; without a folder (or fcntl, or a writable one) no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None
    handle = None
    if folder is not None and fcntl is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = open(folder / LOCK_FILE, "a+b")
        except OSError:
            handle = None  # a read-only checkout: nothing to protect there either
    try:
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # waits for the other build
        yield
    finally:
        if handle is not None:
            handle.close()  # closing releases the lock


def die_with_parent(parent: int) -> None:
    """Called in each worker process as it starts: end when the build process ``parent`` is gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0 and os.getppid() == parent:
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def lock_folder(root: Path, cache_dir: Path | None | bool) -> Path | None:
    """Where build.lock goes: the cache folder (without a cache, the default one if it exists)."""
    if cache_dir is True or (not cache_dir and (root / ".cache").is_dir()):
        return root / ".cache"
    return Path(cache_dir) if cache_dir else None


def sweep_leftovers(started: float, cards_dir: Path, output: Path, verdicts: Path | None) -> None:
    """Remove what killed builds left beside deck.lock, deck.yaml, the package and the verdict cache."""
    folders = {
        cards_dir: [TEMPORARY.format(name=LOCK_NAME), TEMPORARY.format(name=SETTINGS_NAME)],
        output.parent: [TEMPORARY.format(name=output.name), SCRATCH],
    }
    if verdicts is not None:
        folders.setdefault(verdicts.parent, []).append(TEMPORARY.format(name=verdicts.name))
    for folder, patterns in folders.items():
        sweep(folder, patterns, before=started)
