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
from .cache import FileState, RenderCache, cache_key, read_file
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
        if state is None or not state.still(os.stat(path)):  # read only what may have changed
            state = read_file(path)[1]
            read.append((name, state))
        keys.append(cache_key(job.fingerprint, name, state.digest))
        if progress:
            progress.advance(1)
    del states
    cached = cache.lookup(keys)
    media_ok = _MediaCheck()
    misses = []
    for index, key in enumerate(keys):
        record = cached.get(key)
        if record is not None and all(media_ok(m) for m in record.media):
            records[index] = record
        else:
            misses.append(index)
    return misses


class _MediaCheck:
    """Is a cached image reference still the same file with the same bytes? Each file hashed once."""

    def __init__(self):
        self._seen: dict[Path, str | None] = {}

    def __call__(self, media: MediaFile) -> bool:
        if media.path not in self._seen:
            try:
                self._seen[media.path] = media_file(media.path).digest
            except OSError:
                self._seen[media.path] = None
        return self._seen[media.path] == media.digest


def streamed_fields(
    records: list[CardRecord], files: list[str], job: RenderJob, cache: RenderCache, warn: Callable[[str], None]
) -> Callable[[], Iterator[dict[str, str]]]:
    """Each record's fields, in order, streamed from the cache; a damaged entry is rendered again.

    Called only after every file rendered without error, so ``records`` and ``files`` align.
    """
    def fields() -> Iterator[dict[str, str]]:
        renderer = None
        for index, found in enumerate(cache.fields_in_order(record.key for record in records)):
            if found is None:
                warn("render cache: 1 damaged entry rebuilt")
                renderer = renderer or job.renderer()
                result = render_file(files[index], job, renderer)
                if result.record is None:  # the file changed under the build and is now broken
                    raise BuildError(list(result.errors))
                cache.store([(result.record, result.fields)])
                found = result.fields
            yield found

    return fields
