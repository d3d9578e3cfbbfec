"""Formulas -> math errors: every formula Anki will typeset, checked by MathJax itself.

With ``noerrors`` loaded, Anki's MathJax draws a broken formula in red instead of failing,
so the only way to know a deck is clean is to ask the same MathJax (a ``Checker``). Each
card's formulas arrive with the file line they start on; the session sends a card's new
formulas to the checker as soon as the card is rendered, and caches verdicts by formula
hash, so an unchanged deck re-checks without starting MathJax at all.

Without a working checker the math is not validated and ``MathResult.warning`` says so;
the build goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..anki_math import ANKI_TEX
from ..atomic import replacing
from ..errors import CardError
from ..model import CardRecord, Formula
from .protocol import Checker, MathUnavailable


@dataclass(frozen=True, slots=True)
class MathResult:
    """The outcome for a deck: an error per broken formula, or why nothing was checked."""

    errors: tuple[CardError, ...]
    warning: str | None = None  # set when the math could not be validated


class _Verdicts:
    """The cache file: MathJax's verdict per formula, and the formulas of each card already checked.

    A card is known by the render cache's key (its file's bytes, path and the renderer), so an
    unchanged card whose formulas all passed costs nothing on the next run.
    """

    def __init__(self, path: Path | None, checker: str):
        self.path, self.checker = path, checker
        self.formulas: dict[str, str | None] = {}
        self.cards: dict[str, list[str]] = {}
        data = None
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None  # a damaged cache only costs a re-check
        if isinstance(data, dict) and data.get("checker") == checker:
            if isinstance(data.get("formulas"), dict) and isinstance(data.get("cards"), dict):
                # a damaged entry (not a verdict, not a list of formula keys) is left out: checked again
                self.formulas = {k: v for k, v in data["formulas"].items() if v is None or isinstance(v, str)}
                self.cards = {
                    k: v for k, v in data["cards"].items() if isinstance(v, list) and all(isinstance(f, str) for f in v)
                }
        self._saved = (dict(self.formulas), dict(self.cards))

    def clean(self, card_key: str) -> bool:
        """Checked before, with these very bytes, and every formula passed."""
        keys = self.cards.get(card_key)
        return keys is not None and all(k in self.formulas and self.formulas[k] is None for k in keys)

    def save(self, cards: dict[str, list[str]], seen: set[str]) -> None:
        """Keep what this run's cards use; write only when something changed."""
        used = seen | {key for keys in cards.values() for key in keys}
        self.cards = cards
        self.formulas = {key: error for key, error in self.formulas.items() if key in used}
        if self.path is None or (self.formulas, self.cards) == self._saved:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(self.path) as out:  # piece by piece: a big deck's verdicts are megabytes of JSON
                for start, part in (('{"cards":', self.cards), (',"checker":', self.checker), (',"formulas":', self.formulas)):
                    out.write(start.encode() + json.dumps(part, sort_keys=True, separators=(",", ":")).encode("utf-8"))
                out.write(b"}")
        except OSError:
            pass  # a read-only checkout still builds; it just re-checks next time


class MathSession:
    """The verdict cache, and a checker for what it lacks: fed while the deck is still rendering.

    ``submit`` hands a just-rendered card's new formulas to the checker at once, so MathJax works
    alongside the renderer; ``finish`` then collects the verdicts. Close it when done.
    """

    def __init__(self, *, checker: Checker, cache: Path | None, cards_dir: Path):
        self.checker, self.cache, self.cards_dir = checker, cache, cards_dir
        self._store: _Verdicts | None = None
        self._submitted: dict[str, list[str]] = {}  # card key -> its formulas' keys, as submitted

    @property
    def store(self) -> _Verdicts:
        if self._store is None:
            self._store = _Verdicts(self.cache, self.checker.key)
        return self._store

    def submit(self, formulas: Sequence[Formula], *, card: str | None = None) -> None:
        """Send the formulas with no verdict yet; with ``card`` (its key), remember that card's formulas."""
        if card is not None and all(f.closed for f in formulas):
            self._submitted[card] = [f.key for f in formulas]
        known = self.store.formulas
        self.checker.submit([f for f in formulas if f.closed and f.key not in known])

    def wait(self) -> bool:
        """A verdict in the store for every formula submitted; True when the checker had to run.

        Raises MathUnavailable."""
        if not self.checker.submitted:
            return False  # all cached: no MathJax needed, not even installed
        self.store.formulas.update(self.checker.verdicts())
        return True

    def finish(self, records: Sequence[CardRecord]) -> MathResult:
        """MathJax's verdict on every formula of ``records``; errors name the card file and line."""
        # fast path: the very same cards passed last time (a small file beside the cache says so)
        clean_file = self.cache.with_name(self.cache.name + ".clean") if self.cache is not None else None
        deck_key = hashlib.sha256("\n".join([self.checker.key, *sorted(r.key for r in records)]).encode()).hexdigest()
        if clean_file is not None and clean_file.exists() and _read(clean_file) == deck_key:
            return MathResult(errors=())
        result = self._check(records)
        if clean_file is not None:
            try:
                if result.errors or result.warning:
                    clean_file.unlink(missing_ok=True)
                else:
                    clean_file.write_text(deck_key, encoding="utf-8")
            except OSError:
                pass  # a read-only checkout re-checks next time
        return result

    def close(self) -> None:
        self.checker.close()

    def _check(self, records: Sequence[CardRecord]) -> MathResult:
        store = self.store
        memo: dict[str, list[str]] = {}  # card key -> its formulas' keys, for the cache
        seen: set[str] = set()  # keys of the formulas checked now
        unclean = []
        for record in records:
            if store.clean(record.key):
                memo[record.key] = store.cards[record.key]
            elif record.key in self._submitted:  # rendered now: known and on their way
                memo[record.key] = self._submitted[record.key]
                seen.update(memo[record.key])
                unclean.append(record)
            else:
                unclean.append(record)
                self.submit(record.formulas)
                seen.update(f.key for f in record.formulas)
                if all(f.closed for f in record.formulas):
                    memo[record.key] = [f.key for f in record.formulas]
        warning = None
        try:
            self.wait()
        except MathUnavailable as why:
            warning = f"math not validated: {why}"
            memo = {key: keys for key, keys in memo.items() if all(k in store.formulas for k in keys)}
        store.save(memo, seen)
        errors = [
            CardError(os.path.join(self.cards_dir, record.name), formula.line, f"math error: {error} in {_shown(formula.tex)}")
            for record in unclean
            for formula in record.formulas
            if (error := _problem(formula, store.formulas)) is not None
        ]
        return MathResult(errors=tuple(errors), warning=warning)


def check_formulas(
    formulas: Iterable[Formula], *, checker: Checker, cache: Path | None = None
) -> tuple[dict[Formula, str | None], bool]:
    """MathJax's verdict on each formula (None when fine), cached ones from ``cache``; and
    whether the checker had to run."""
    wanted = list(dict.fromkeys(formulas))
    session = MathSession(checker=checker, cache=cache, cards_dir=Path())
    try:
        session.submit(wanted)
        started = session.wait()
    finally:
        session.close()
    session.store.save(session.store.cards, {f.key for f in wanted})
    return {f: _problem(f, session.store.formulas) for f in wanted}, started


def _problem(formula: Formula, verdicts: dict[str, str | None]) -> str | None:
    if not formula.closed:
        opener = (ANKI_TEX["displayMath"] if formula.display else ANKI_TEX["inlineMath"])[0][0]
        return f"{opener} is never closed, so Anki shows the formula as text"
    return verdicts.get(formula.key)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # a damaged marker only costs a re-check


def _shown(tex: str, limit: int = 120) -> str:
    """A formula on one line, shortened when long, for a message."""
    flat = " ".join(tex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
