"""The per-card pass, on every core: card file -> record and fields (read, parse, lint, render, find math).

Each worker process builds its own Renderer once. Files go out in chunks and come
back in their original order, so the result is the same with one job or many.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import cloze
from ..errors import CardError
from ..math import formula_line, formulas_of
from ..model import Card, CardRecord, Formula
from ..notes import note_digest
from ..notetypes import NOTE_TYPES, NoteType
from ..render import Renderer
from ..source import Unreadable, lint_math, read_card, relative_name
from .cache import FileState, cache_key, read_file
from .guard import die_with_parent

# Below this many files a process pool costs more than it saves.
_POOL_THRESHOLD = 150
_CHUNK = 64


@dataclass(frozen=True)
class RenderJob:
    """What every worker needs to know; picklable."""

    cards_dir: Path
    media_dir: Path | None
    roots: tuple[Path, ...]
    fingerprint: str  # the first part of every cache key: renderer and folders (places.render_context)
    ignore_keys: frozenset[str] = frozenset()  # deck.yaml's front-matter keys of other tools
    strict_html: bool = False  # deck.yaml's strict_html: card HTML that runs code is refused

    def renderer(self) -> Renderer:
        return Renderer(media_dir=self.media_dir, roots=self.roots, strict_html=self.strict_html)


@dataclass(frozen=True)
class Rendered:
    """One file's outcome: a record and its fields, or the problems found in it."""

    path: str
    record: CardRecord | None
    fields: dict[str, str] | None
    errors: tuple[CardError, ...]
    state: FileState | None = None  # the file as read, for the next build


_worker: tuple[RenderJob, Renderer] | None = None


def _start_worker(job: RenderJob, parent: int) -> None:
    global _worker
    die_with_parent(parent)  # a killed build leaves no worker behind
    _worker = (job, job.renderer())


def _render_chunk(paths: list[str]) -> list[Rendered]:
    assert _worker is not None
    job, renderer = _worker
    return [render_file(path, job, renderer) for path in paths]


def render_file(path: str, job: RenderJob, renderer: Renderer) -> Rendered:
    """Parse, lint and render one card file into a cacheable record."""
    try:
        data, state = read_file(path)
    except Unreadable as unreadable:  # not a regular file, too large, or refused by the system
        return Rendered(path, None, None, (unreadable.error,))
    card, errors = read_card(path, job.cards_dir, data, ignore_keys=job.ignore_keys)
    if card is None:
        return Rendered(path, None, None, tuple(errors))
    note_type = NOTE_TYPES[card.kind]
    errors = [error for section in card.sections.values() for error in lint_math(section, path)]
    if errors:
        return Rendered(path, None, None, tuple(errors))
    rendered, errors = renderer.render(card, note_type)
    if rendered is None:
        return Rendered(path, None, None, tuple(errors))
    record = CardRecord(
        key=cache_key(job.fingerprint, relative_name(path, job.cards_dir), state.digest),
        id=card.id,
        id_line=card.id_line,
        name=card.name,
        # the same folders, tags and field names recur on thousands of cards: one object each,
        # which pickling keeps shared, so a big deck's records take less memory in the build
        folder=_shared(tuple(map(sys.intern, card.folder))),
        tags=_shared(tuple(map(sys.intern, card.tags))),
        deck=sys.intern(card.deck) if card.deck else card.deck,
        digest=note_digest(note_type, rendered.fields, card.id, card.tags),
        media=rendered.media,
        lookups=rendered.lookups,
        formulas=_formulas(card, note_type, rendered.fields),
        kind=card.kind,
    )
    return Rendered(path, record, rendered.fields, (), state)


def _formulas(card: Card, note_type: NoteType, fields: dict[str, str]) -> tuple[Formula, ...]:
    """Every formula Anki will typeset, each with the file line it starts on.

    A cloze's formulas are checked as each card shows them: every deletion hidden on the
    question side and revealed on the answer side, one card per deletion number.
    """
    section_of = {spec.field: spec.section for spec in note_type.sections}
    ords = note_type.card_ords(fields) if note_type.is_cloze else ()
    found: dict[tuple[str, int], Formula] = {}
    for field, formula in formulas_of(fields):
        section = card.section(section_of.get(field, ""))
        line = formula_line(formula.tex, section) if section is not None else card.id_line
        variants = {formula.tex}
        if ords and "{{c" in formula.tex:
            variants = {cloze.reveal(formula.tex, o + 1, question=q, math=True) for o in ords for q in (True, False)}
        for tex in sorted(variants):
            shown = Formula(tex, formula.display, formula.closed, line)
            found.setdefault((shown.key, line), shown)
    return tuple(found.values())


_SHARED: dict[tuple, tuple] = {}


def _shared(value: tuple) -> tuple:
    return _SHARED.setdefault(value, value)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render_files(
    paths: list[str], job: RenderJob, *, jobs: int, progress: Callable[[int], None] | None = None
) -> Iterator[Rendered]:
    """Render ``paths`` in order, on up to ``jobs`` processes; ``progress`` hears each finished file."""
    if jobs <= 1 or len(paths) < _POOL_THRESHOLD:
        renderer = job.renderer()
        for path in paths:
            yield render_file(path, job, renderer)
            if progress:
                progress(1)
        return
    chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(job, os.getpid())) as pool:
        for results in pool.map(_render_chunk, chunks):
            yield from results
            if progress:
                progress(len(results))
