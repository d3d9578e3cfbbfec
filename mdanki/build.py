"""Strings the stages together: card files -> cards -> rendered fields -> notes -> package."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import markdown
import yaml

from . import lock
from .cache import SCHEMA_VERSION, CardRecord, FileState, RenderCache, cache_key, read_file
from .cardfile import Card, find_card_files, read_card, relative_name, shown
from .errors import BuildError, CardError
from .mathcheck import CardMath, EarlyMath, Formula, check_math
from .media import media_file
from .notes import deck_for, make_notes
from .notetype import default_note_type
from .package import Deck, write_package
from .parallel import RenderJob, default_jobs, render_file, render_files
from .preview import PreviewProblem, preview_cards, write_preview
from .progress import Progress
from .render import Renderer, fingerprint

_log = logging.getLogger("mdanki")

SETTINGS_NAME = "deck.yaml"
SETTINGS_KEYS = ("name", "id", "description")
DEFAULT_DECK_NAME = "Markdown Deck"


@dataclass(frozen=True)
class DeckSettings:
    """From ``deck.yaml`` beside the cards: the deck's name, GUID namespace and description."""

    name: str
    namespace: str  # fixes every note's GUID; changing it orphans the notes users have
    description: str  # Markdown


@dataclass(frozen=True)
class BuildResult:
    output: Path | None  # None with check=True
    notes: int
    media: int
    subdecks: int
    seconds: float
    added: tuple[str, ...]  # card ids new since the last build (from deck.lock)
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    preview: Path | None = None  # index.html of the preview site, with preview=...


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "deck"


def load_settings(cards_dir: Path, *, deck_name: str | None = None) -> DeckSettings:
    """Read ``deck.yaml`` if there is one; ``deck_name`` overrides its name (not its namespace)."""
    path = cards_dir / SETTINGS_NAME
    data: dict = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            raise BuildError([CardError(shown(path), mark.line + 1 if mark else 1, "not valid YAML")]) from None
        if not isinstance(data, dict):
            raise BuildError([CardError(shown(path), 1, "must be a mapping with name, id and description")])
        unknown = [key for key in data if key not in SETTINGS_KEYS]
        if unknown:
            raise BuildError([CardError(shown(path), 1, f"unknown key '{unknown[0]}' (known: {', '.join(SETTINGS_KEYS)})")])
    name = deck_name or str(data.get("name") or DEFAULT_DECK_NAME)
    namespace = str(data.get("id") or slug(name))
    return DeckSettings(name=name, namespace=namespace, description=str(data.get("description") or ""))


def default_output(settings: DeckSettings, base: Path) -> Path:
    return base / "dist" / f"{slug(settings.name)}.apkg"


def read_cards(cards_dir: Path) -> tuple[list[Card], list[CardError]]:
    """Every well-formed card under ``cards_dir``, and every problem found in the others."""
    files = _card_files(cards_dir)
    cards, errors = [], []
    for path in files:
        card, problems = read_card(path, cards_dir)
        errors += problems
        if card is not None:
            cards.append(card)
    return cards, errors + _duplicate_ids(cards)


def _card_files(cards_dir: Path) -> list[str]:
    if not cards_dir.is_dir():
        raise BuildError([CardError(shown(cards_dir), 0, "cards folder not found")])
    files = find_card_files(cards_dir)
    if not files:
        raise BuildError([CardError(shown(cards_dir), 0, "no card files (*.md) in the cards folder")])
    return files


def _duplicate_ids(cards) -> list[CardError]:
    """Both files of every id used twice (works on cards and on cached records alike)."""
    errors = []
    first_seen = {}
    for card in cards:
        other = first_seen.setdefault(card.id, card)
        if other is not card:
            errors.append(CardError(card.path, card.id_line, f"duplicate id '{card.id}': also used by {other.path}"))
            errors.append(CardError(other.path, other.id_line, f"duplicate id '{card.id}': also used by {card.path}"))
    return errors


def default_cache_dir(cards_dir: Path) -> Path:
    return cards_dir.absolute().parent / ".cache" / "mdanki"


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
) -> BuildResult:
    """Build the package (or, with ``check``, only validate). Raises BuildError for bad input.

    ``cache_dir``: True for the default folder beside the cards, a path, or False for no cache on disk.
    """
    started = time.perf_counter()
    cards_dir = cards_dir.absolute()
    media_dir = media_dir.absolute() if media_dir is not None and media_dir.is_dir() else None
    settings = load_settings(cards_dir, deck_name=deck_name)
    files = _card_files(cards_dir)
    job = _render_job(cards_dir, media_dir)
    cache = _open_cache(cards_dir, cache_dir, job.fingerprint, warn)
    # MathJax checks each new card's formulas in Node while the other cards render and the
    # package is written; the package only replaces the old one once the math has passed
    jobs = jobs or default_jobs()
    early_math = EarlyMath(cache=_verdict_cache(cards_dir, cache_dir), processes=jobs)
    background = ThreadPoolExecutor(1)
    try:
        names = [relative_name(path, cards_dir) for path in files]
        records, errors = _render(files, names, job, cache, jobs, progress, on_formulas=early_math.submit)
        errors += _duplicate_ids(records)
        if errors:
            raise BuildError(errors)
        math = background.submit(_check_math, records, files, cards_dir, early_math, warn)

        def math_passed() -> None:
            problems = math.result()
            if problems:
                raise BuildError(problems)

        note_type = default_note_type()
        lock_path = cards_dir / lock.LOCK_NAME
        previous = lock.read(lock_path)
        digests = {record.id: record.digest for record in records}
        digests[lock.NOTE_TYPE_KEY] = note_type.digest
        current = lock.advance(previous, digests, lock.now())

        folders = {(record.deck, record.folder): record for record in records}  # name each deck once
        deck_names = _with_parents({settings.name, *(deck_for(record, settings.name) for record in folders.values())})
        description = markdown.markdown(settings.description) if settings.description else ""
        decks = [Deck(name, description if name == settings.name else "") for name in deck_names]
        media = sorted({m.name: m for record in records for m in record.media}.values(), key=lambda m: m.name)

        repair = _repairer(records, files, job, cache)
        preview_index = None
        if preview is not None or check:
            math_passed()
        if preview is not None:  # the site instead of the package; deck.lock untouched
            preview_index = _write_preview(preview, records, cache, repair, settings.name, description, note_type, media, warn)
        elif not check:
            output = output or default_output(settings, Path.cwd())
            output.parent.mkdir(parents=True, exist_ok=True)
            notes = make_notes(
                records,
                main_deck=settings.name,
                namespace=settings.namespace,
                lock=current,
                fields=cache.fields_in_order((record.key for record in records), repair=repair),
            )
            if progress:
                progress.stage("packaging", len(records))
                notes = _counted(notes, progress)
            write_package(
                output,
                notes=notes,
                note_type=note_type,
                note_type_mod=current[lock.NOTE_TYPE_KEY].mod,
                decks=decks,
                media=media,
                zip_time=_zip_time(),
                before_replace=math_passed,
            )
            lock.write(lock_path, current)
        cache.keep_only({record.key for record in records}, set(names))
    finally:
        background.shutdown(wait=True)
        early_math.close()
        cache.close()
        if progress:
            progress.done()

    ids = set(digests) - {lock.NOTE_TYPE_KEY}
    old_ids = set(previous) - {lock.NOTE_TYPE_KEY}
    return BuildResult(
        output=None if check or preview is not None else output,
        notes=len(records),
        media=len(media),
        subdecks=len(deck_names) - 1,
        seconds=time.perf_counter() - started,
        added=tuple(sorted(ids - old_ids)) if previous else (),
        changed=tuple(sorted(i for i in ids & old_ids if previous[i].digest != digests[i])),
        removed=tuple(sorted(old_ids - ids)),
        preview=preview_index,
    )


def _open_cache(cards_dir: Path, cache_dir: Path | None | bool, renderer: str, warn: Callable[[str], None]) -> RenderCache:
    if cache_dir is False or cache_dir is None:
        return RenderCache(None, warn=warn)
    folder = default_cache_dir(cards_dir) if cache_dir is True else Path(cache_dir)
    try:
        return RenderCache(folder / f"render-v{SCHEMA_VERSION}-{renderer}.sqlite", warn=warn)
    except OSError as problem:
        warn(f"render cache unavailable ({problem}); building without it")
        return RenderCache(None, warn=warn)


def _render_job(cards_dir: Path, media_dir: Path | None) -> RenderJob:
    return RenderJob(
        cards_dir=cards_dir,
        media_dir=media_dir,
        roots=tuple(p for p in (cards_dir, media_dir) if p is not None),
        fingerprint=fingerprint(),
    )


def _repairer(records, files, job, cache) -> Callable[[str], dict[str, str]]:
    """Render one card again when its cached fields turn out damaged; the entry is replaced.

    Called only after every file rendered without error, so ``records`` and ``files`` align.
    """
    def repair(key: str) -> dict[str, str]:
        path = next(path for record, path in zip(records, files) if record.key == key)
        result = render_file(path, job, Renderer(media_dir=job.media_dir, roots=job.roots))
        if result.record is None:  # the file changed under the build and is now broken
            raise BuildError(list(result.errors))
        cache.store([(result.record, result.fields)])
        return result.fields

    return repair


def _render(files, names, job, cache, jobs, progress, on_formulas: Callable[..., None]):
    """Records for every file, in file order: from the cache where still valid, rendered otherwise.

    ``on_formulas(formulas, card=key)`` hears the formulas of each card rendered anew, as soon as it is.
    """
    records: list[CardRecord | None] = [None] * len(files)
    misses = list(range(len(files)))
    read: list[tuple[str, FileState]] = []  # files read now, whose state the next build can trust
    if not cache.empty():  # a first build has nothing to look up: the workers hash what they read
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
        del cached, keys  # big decks: keep only what the later stages need

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
            on_formulas([formula for _, formula in _formulas(result.record)], card=result.record.key)
            fresh.append((result.record, result.fields))
            if len(fresh) >= 1000:  # store as we go, so memory stays flat on big decks
                cache.store(fresh)
                cache.record_files(read)
                fresh, read = [], []
    cache.store(fresh)
    cache.record_files(read)
    return [record for record in records if record is not None], errors


class _MediaCheck:
    """Is a cached image reference still the same file with the same bytes? Each file hashed once."""

    def __init__(self):
        self._seen: dict[Path, str | None] = {}

    def __call__(self, media) -> bool:
        if media.path not in self._seen:
            try:
                self._seen[media.path] = media_file(media.path).digest
            except OSError:
                self._seen[media.path] = None
        return self._seen[media.path] == media.digest


def _counted(notes, progress):
    for note in notes:
        progress.advance(1)
        yield note


def _with_parents(names: set[str]) -> list[str]:
    """Each deck with every parent deck, parents first."""
    every = set()
    for name in names:
        parts = name.split("::")
        every.update("::".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(every, key=lambda n: (n.count("::"), n))


def _zip_time() -> tuple[int, int, int, int, int, int] | None:
    """Zip entry time from SOURCE_DATE_EPOCH when set (reproducible-builds convention)."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not fixed.isdigit():
        return None
    stamp = time.gmtime(max(int(fixed), 315532800))  # zip cannot hold times before 1980
    return stamp[:6]


def _verdict_cache(cards_dir: Path, cache_dir: Path | None | bool) -> Path | None:
    """MathJax's verdicts: by default .cache/mathjax.json beside the cards, next to the render caches."""
    if cache_dir is True:
        return default_cache_dir(cards_dir).parent / "mathjax.json"
    return Path(cache_dir) / "mathjax.json" if cache_dir else None


def _check_math(records, files, cards_dir, early: EarlyMath, warn) -> list[CardError]:
    """MathJax's verdict on every formula (see mathcheck); only a warning where Node is missing."""
    @cache
    def path_of() -> dict[str, Path]:  # only needed for the rare card with a broken formula
        return {shown(path): Path(path) for path in files}

    def cards(wanted: set[str] | None):
        return (
            CardMath(r.key, r.path, partial(_file_of, path_of, r.path), partial(_formulas, r))
            for r in records
            if wanted is None or r.key in wanted
        )

    result = check_math(cards, keys=[record.key for record in records], cards_dir=cards_dir, cache=early.cache, early=early)
    if result.warning:
        warn(result.warning)
    return list(result.errors)


def _file_of(path_of: Callable[[], dict[str, Path]], shown_path: str) -> Path:
    return path_of().get(shown_path, Path(shown_path))


def _formulas(record: CardRecord) -> list[tuple[str, Formula]]:
    return [(name, Formula(tex, display, closed)) for name, tex, display, closed in record.formulas]


def _write_preview(folder, records, cache, repair, main_deck, description, note_type, media, warn) -> Path:
    cards = preview_cards(records, fields_of=lambda r: cache.fields(r.key, repair), deck_of=lambda r: deck_for(r, main_deck))
    try:
        site = write_preview(folder, cards=cards, note_type=note_type, media=media, main_deck=main_deck, description=description)
    except PreviewProblem as problem:
        raise BuildError([CardError(shown(folder), 0, str(problem))]) from None
    if not site.mathjax:
        warn("preview without MathJax: formulas show as TeX; run 'npm ci' to install it")
    return site.index
