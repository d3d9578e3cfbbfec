"""Strings the stages together: card files -> cards -> rendered fields -> notes -> package.

The only place that calls more than one stage. Each stage is handed values and returns
values; nothing here is called back by a stage.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..anki_math import ANKI_TEX
from ..atomic import Commit
from ..errors import BuildError, CardError
from ..math import EmbeddedMathJax, MathSession
from ..model import CardRecord, Changes, MediaFile
from ..notes import deck_for, lock, make_notes
from ..notetypes import DEFAULT_KIND, NOTE_TYPES
from ..package import write_package
from ..preview import PreviewCard, PreviewProblem, write_preview
from ..progress import Progress
from ..render import fingerprint
from ..source import find_card_files, relative_name
from . import settings as clock
from .places import open_cache, render_context, verdict_cache
from .records import render_records, streamed_fields
from .removed import last_questions, rename_hints
from .decknames import deck_list
from .guard import exclusive, lock_folder, sweep_leftovers
from .settings import DeckSettings, default_output, load_settings, write_namespace
from .worker import RenderJob, default_jobs

_log = logging.getLogger("mdanki")


@dataclass(frozen=True)
class BuildResult:
    output: Path | None  # None with check=True or preview
    notes: int
    media: int
    subdecks: int
    seconds: float
    changes: Changes  # since the last build, from deck.lock
    preview: Path | None = None  # index.html of the preview site, with preview=...
    removed: tuple[str, ...] = ()  # ids of cards removed from the source (deck.lock keeps them; Anki too)
    wrote_id: Path | None = None  # the deck.yaml this build wrote the deck's id into (its first build)
    namespace: str = ""  # the deck's id: the namespace of every note's GUID


def build(
    *,
    cards_dir: Path,
    media_dir: Path | None,
    output: Path | None = None,
    deck_name: str | None = None,
    check: bool = False,
    jobs: int | None = None,
    cache_dir: Path | None | bool = True,
    progress: Progress | None = None,
    warn: Callable[[str], None] = _log.warning,
    preview: Path | None = None,
    root: Path | None = None,
    write_lock: bool = True,
) -> BuildResult:
    """Build the package (or, with ``check``, only validate; with ``preview``, write the site).

    Raises BuildError for bad input. ``root``: the deck root, where the default output and the
    caches go (default: the folder holding the cards folder). ``cache_dir``: True for the
    default folder in the root, a path, or False for no cache on disk. ``write_lock``: False
    leaves deck.lock (and deck.yaml) as they were (a dry run).
    """
    started, wall = time.perf_counter(), time.time()
    cards_dir = cards_dir.absolute()
    root = (root or cards_dir.parent).absolute()
    with exclusive(lock_folder(root, cache_dir)):  # a second build of the deck waits for this one
        deck = load_settings(cards_dir, deck_name=deck_name)
        output = output or default_output(deck, root)
        sweep_leftovers(wall, cards_dir, output, verdict_cache(root, cache_dir))
        return _build(
            cards_dir=cards_dir, media_dir=media_dir, output=output, deck=deck, check=check, jobs=jobs,
            cache_dir=cache_dir, progress=progress, warn=warn, preview=preview, root=root, write_lock=write_lock, started=started,
        )


def _build(*, cards_dir, media_dir, output, deck, check, jobs, cache_dir, progress, warn, preview, root, write_lock, started):
    files, skipped = _card_files(cards_dir)
    job = _render_job(root, cards_dir, media_dir, deck)
    cache = open_cache(root, cards_dir, cache_dir, fingerprint(), warn)
    jobs = jobs or default_jobs()
    # MathJax (in the embedded V8) checks each new card's formulas while the other cards render
    # and the package is written; the package only replaces the old one once the math has passed
    math = MathSession(checker=EmbeddedMathJax(tex=ANKI_TEX), cache=verdict_cache(root, cache_dir), cards_dir=cards_dir)
    background = ThreadPoolExecutor(1)
    try:
        names = [relative_name(path, cards_dir) for path in files]
        records, errors = render_records(files, names, job, cache, jobs, progress, math)
        errors += skipped + _duplicate_ids(records, cards_dir)
        if errors:
            raise BuildError(errors)
        verdicts = background.submit(_math_errors, math, records, warn)
        written = _outputs(
            records, files, verdicts, deck=deck, job=job, cache=cache, write_lock=write_lock,
            output=output, check=check, preview=preview, progress=progress, warn=warn,
        )
        cache.keep_only({record.key for record in records}, set(names))
    finally:
        background.shutdown(wait=True)
        math.close()
        cache.close()
        if progress:
            progress.done()
    return BuildResult(
        output=written.output, notes=len(records), media=written.media, subdecks=written.decks - 1,
        seconds=time.perf_counter() - started, changes=written.changes, preview=written.preview,
        removed=written.removed, wrote_id=written.wrote_id, namespace=deck.namespace,
    )


def _render_job(root: Path, cards_dir: Path, media_dir: Path | None, deck: DeckSettings) -> RenderJob:
    """What every worker needs; its cache keys start with the renderer and every folder that matters."""
    media_dir = media_dir.absolute() if media_dir is not None and media_dir.is_dir() else None
    context = render_context(
        fingerprint(), root=root, cards_dir=cards_dir, media_dir=media_dir, ignore_keys=deck.ignore_keys, strict_html=deck.strict_html,
    )
    roots = tuple(p for p in (cards_dir, media_dir) if p is not None)
    return RenderJob(cards_dir, media_dir, roots, context, frozenset(deck.ignore_keys), deck.strict_html)


@dataclass(frozen=True)
class _Written:
    output: Path | None
    preview: Path | None
    media: int
    decks: int
    changes: Changes
    removed: tuple[str, ...]  # cards deck.lock lists as removed from the source (their notes stay in Anki)
    wrote_id: Path | None = None


def _outputs(records, files, verdicts: Future, *, deck, job, cache, output, check, preview, progress, warn, write_lock) -> _Written:
    """The package and deck.lock, the preview site, or (with ``check``) nothing: once the math passed."""
    cards_dir = job.cards_dir
    previous = lock.read(cards_dir / lock.LOCK_NAME)
    clock.refuse_stale_clock(previous, output, cards_dir / lock.LOCK_NAME)
    _no_type_changes(records, previous, cards_dir)
    present = {record.kind for record in records}
    used = [note_type for kind, note_type in NOTE_TYPES.items() if kind in present]
    digests = {record.id: record.digest for record in records} | {t.lock_key: t.digest for t in used}
    kinds = {record.id: record.kind for record in records if record.kind != DEFAULT_KIND}
    gone = {key for key, entry in previous.items() if not key.startswith("@") and not entry.removed} - digests.keys()
    questions = last_questions(cache, gone)
    current = lock.advance(previous, digests, clock.now(), kinds, questions)
    for hint in rename_hints(questions, previous, records, cache):
        warn(hint)
    description, description_media = _description(deck, job, cards_dir)
    decks = deck_list(records, deck.name, description, cards_dir)
    media = _media(records, description_media)
    fields = streamed_fields(records, files, job, cache, warn)
    index = wrote_id = None
    if preview is not None or check:
        _passed(verdicts)
    if preview is not None:  # the site instead of the package; deck.lock untouched
        index = _write_preview(preview, records, fields, deck, description, media, warn)
    elif not check:
        note_types = [(note_type, current[note_type.lock_key].mod) for note_type in used]
        commit = Commit()  # deck.yaml's id, deck.lock and the package: all three, or none (README, "Safety")
        try:
            if not deck.namespace_in_file and write_lock:  # no package has GUIDs the file does not pin
                wrote_id = write_namespace(cards_dir, deck, commit)
            if write_lock:
                lock.write(cards_dir / lock.LOCK_NAME, current, commit)
            _write_package(output, note_types, records, fields, deck, current, decks, media, verdicts, progress, commit)
            commit.apply()
        finally:
            commit.discard()
    packaged = not check and preview is None
    changes = lock.changes(previous, current)
    return _Written(output if packaged else None, index, len(media), len(decks), changes, tuple(sorted(lock.removed(current))), wrote_id)


def _no_type_changes(records: list[CardRecord], previous: dict, cards_dir: Path) -> None:
    """Anki cannot move a note to another note type through an import: a new type needs a new id."""
    errors = [
        CardError(
            os.path.join(cards_dir, record.name), record.id_line,
            f"card '{record.id}' was built as a {previous[record.id].kind} card and is now {record.kind}: Anki cannot "
            "change an imported note's type, so give it a new id (the old note stays in Anki with its reviews)",
        )
        for record in records
        if record.id in previous and previous[record.id].kind != record.kind
    ]
    if errors:
        raise BuildError(errors)


def _card_files(cards_dir: Path) -> tuple[list[str], list[CardError]]:
    """The card files, and every folder that could not be walked (an error: its cards would be missing)."""
    if not cards_dir.is_dir():
        raise BuildError([CardError(str(cards_dir), 0, "cards folder not found")])
    files, skipped = find_card_files(cards_dir)
    if not files:
        raise BuildError([*skipped, CardError(str(cards_dir), 0, "no card files (*.md) in the cards folder")])
    return files, skipped


def _duplicate_ids(records: list[CardRecord], cards_dir: Path) -> list[CardError]:
    """Both files of every id used twice."""
    errors = []
    first_seen: dict[str, CardRecord] = {}
    for record in records:
        other = first_seen.setdefault(record.id, record)
        if other is not record:
            here, there = os.path.join(cards_dir, record.name), os.path.join(cards_dir, other.name)
            errors.append(CardError(here, record.id_line, f"duplicate id '{record.id}': also used by {there}"))
            errors.append(CardError(there, other.id_line, f"duplicate id '{record.id}': also used by {here}"))
    return errors


def _math_errors(math: MathSession, records: list[CardRecord], warn: Callable[[str], None]) -> list[CardError]:
    result = math.finish(records)
    if result.warning:
        warn(result.warning)
    return list(result.errors)


def _passed(verdicts: Future) -> None:
    """Wait for the math check; its errors stop the build."""
    problems = verdicts.result()
    if problems:
        raise BuildError(problems)


def _description(deck: DeckSettings, job: RenderJob, cards_dir: Path) -> tuple[str, tuple[MediaFile, ...]]:
    """The deck's description as HTML, rendered like every card."""
    if not deck.description:
        return "", ()
    rendered, errors = job.renderer().render_text(deck.description, source=cards_dir / "deck.yaml")
    if rendered is None:
        raise BuildError(errors)
    return rendered.fields["html"], rendered.media


def _media(records: list[CardRecord], extra: Iterable[MediaFile]) -> list[MediaFile]:
    every = {m.name: m for record in records for m in record.media}
    every.update((m.name, m) for m in extra)
    return sorted(every.values(), key=lambda m: m.name)


def _write_package(output, note_types, records, fields, deck, current, decks, media, verdicts, progress, commit) -> None:
    """The package replaces ``output`` only once it is whole and the math has passed."""
    output.parent.mkdir(parents=True, exist_ok=True)
    notes = make_notes(records, note_types=NOTE_TYPES, main_deck=deck.name, namespace=deck.namespace, lock=current, fields=fields())
    if progress:
        progress.stage("packaging", len(records))
        notes = _counted(notes, progress)
    with commit.file(output) as out:
        write_package(
            out,
            scratch=output.parent,
            notes=notes,
            note_types=note_types,
            decks=decks,
            media=media,
            zip_time=clock.zip_time(),
        )
        _passed(verdicts)


def _counted(notes, progress):
    for note in notes:
        progress.advance(1)
        yield note


def _write_preview(folder: Path, records, fields, deck: DeckSettings, description: str, media, warn) -> Path:
    cards = [
        PreviewCard(
            id=record.id,
            name=record.name,
            deck=deck_for(record.deck, record.folder, deck.name),
            tags=tuple(record.tags),
            fields=dict(zip(NOTE_TYPES[record.kind].field_names, NOTE_TYPES[record.kind].field_values(rendered, record.id))),
            kind=record.kind,
        )
        for record, rendered in zip(records, fields())
    ]
    try:
        site = write_preview(folder, cards=cards, note_types=NOTE_TYPES, media=media, main_deck=deck.name, description=description)
    except PreviewProblem as problem:
        raise BuildError([CardError(str(folder), 0, str(problem))]) from None
    if not site.mathjax:
        warn("preview without MathJax: formulas show as TeX; reinstall mdanki (its MathJax files are missing)")
    return site.index
