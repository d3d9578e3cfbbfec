"""Card files -> records, in file order: from the render cache where still valid, rendered otherwise."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import BuildError, CardError
from ..math import MathSession
from ..model import CardRecord, MediaFile
from ..progress import Progress
from ..render import media_file
from ..render.media import MediaProblem, resolve
from ..source import Unreadable
from .cache import FileState, RenderCache, cache_key, read_file
from .sqlite_guard import damaged_message
from .worker import RenderJob, render_file, render_files


def render_records(
    files: list[str], names: list[str], job: RenderJob, cache: RenderCache, jobs: int, progress: Progress | None, math: MathSession
) -> tuple[list[CardRecord], list[CardError]]:
    """Records for every file, in file order: from the cache where still valid, rendered otherwise.

    Each card rendered anew has its formulas handed to ``math`` as soon as it is.
    """
    records: list[CardRecord | None] = [None] * len(files)
    misses = list(range(len(files)))
    read: list[tuple[str, FileState]] = []  # files read now, whose state the next build can trust
    if not cache.empty():  # a first build has nothing to look up: the workers hash what they read
        misses = _lookup(files, names, job, cache, progress, records, read)
    errors: list[CardError] = []
    if misses and progress:
        progress.stage("rendering", len(misses))
    fresh = []
    rendered = render_files([files[index] for index in misses], job, jobs=jobs, progress=progress.advance if progress else None)
    for index, result in zip(misses, rendered):
        errors += result.errors
        if result.state is not None:
            read.append((names[index], result.state))
        if result.record is not None:
            records[index] = result.record
            math.submit(result.record.formulas, card=result.record.key)
            fresh.append((result.record, result.fields))
            if len(fresh) >= 1000:  # store as we go, so memory stays flat on big decks
                cache.store(fresh)
                cache.record_files(read)
                fresh, read = [], []
    cache.store(fresh)
    cache.record_files(read)
    return [record for record in records if record is not None], errors


def _lookup(files, names, job, cache, progress, records, read) -> list[int]:
    """Fill ``records`` from the cache; the indexes of the files it has no valid entry for."""
    if progress:
        progress.stage("reading", len(files))
    states = cache.file_states()
    keys = []
    for path, name in zip(files, names):
        state = states.get(name)
        try:
            if state is None or not state.still(os.stat(path)):  # read only what may have changed
                state = read_file(path)[1]
                read.append((name, state))
        except (OSError, Unreadable):  # a FIFO, say: the worker reports it
            state = None
        keys.append(cache_key(job.fingerprint, name, state.digest) if state is not None else None)
        if progress:
            progress.advance(1)
    del states
    cached = cache.lookup([key for key in keys if key is not None])
    still_valid = _MediaCheck(job)
    misses = []
    for index, key in enumerate(keys):
        record = cached.get(key)
        if record is not None and still_valid(record):
            records[index] = record
        else:
            misses.append(index)
    return misses


class _MediaCheck:
    """Would a cached record's references be rendered the same now? Each lookup made and file hashed once.

    Each reference must still lead to the file it led to (a file newly put in a place probed
    before it, next to the card, takes over; a moved symlink or a removed file is noticed), and
    each file must still have its bytes.
    """

    def __init__(self, job: RenderJob):
        self._job = job
        self._digests: dict[Path, str | None] = {}
        self._found: dict[tuple[str, str], str | None] = {}

    def __call__(self, record: CardRecord) -> bool:
        return all(self._same_file(m) for m in record.media) and all(
            self._same_place(record.name, src, found) for src, found in record.lookups
        )

    def _same_file(self, media: MediaFile) -> bool:
        if media.path not in self._digests:
            try:
                self._digests[media.path] = media_file(media.path).digest
            except OSError:
                self._digests[media.path] = None
        return self._digests[media.path] == media.digest

    def _same_place(self, name: str, src: str, found: str) -> bool:
        card_file = Path(self._job.cards_dir, name)
        key = (str(card_file.parent), src)
        if key not in self._found:
            try:
                self._found[key] = str(resolve(src, card_file, self._job.roots, self._job.media_dir))
            except (MediaProblem, OSError):
                self._found[key] = None
        return self._found[key] == found


def streamed_fields(
    records: list[CardRecord], files: list[str], job: RenderJob, cache: RenderCache, warn: Callable[[str], None]
) -> Callable[[], Iterator[dict[str, str]]]:
    """Each record's fields, in order, streamed from the cache; a damaged entry is rendered again.

    Called only after every file rendered without error, so ``records`` and ``files`` align.
    """
    def fields() -> Iterator[dict[str, str]]:
        renderer, damaged = None, 0
        for index, found in enumerate(cache.fields_in_order(record.key for record in records)):
            if found is None:
                damaged += 1
                renderer = renderer or job.renderer()
                result = render_file(files[index], job, renderer)
                if result.record is None:  # the file changed under the build and is now broken
                    raise BuildError(list(result.errors))
                cache.store([(result.record, result.fields)])
                found = result.fields
            yield found
        if damaged:
            warn(damaged_message(damaged))

    return fields
