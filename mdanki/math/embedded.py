"""The default ``Checker``: MathJax in the embedded V8 (``v8.MathJaxV8``), on a thread of its own.

Formulas are handed over as cards render; the thread checks them in batches while the
build goes on (calls into V8 release the GIL), and ``verdicts`` waits for the last batch.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Iterable

from ..anki_math import MATHJAX_VERSION
from ..model import Formula
from .protocol import MathUnavailable
from .v8 import MathJaxV8, bundle_source

_BATCH = 256  # formulas per call into V8 while the deck renders


class EmbeddedMathJax:
    """A ``Checker`` that needs nothing but Python (and the mini-racer wheel)."""

    def __init__(self, *, tex: dict):
        self._tex = tex
        self._sent: set[str] = set()
        self._pending: list[Formula] = []
        self._verdicts: dict[str, str | None] = {}
        self._problem: MathUnavailable | None = None
        self._inbox: queue.SimpleQueue[list[Formula] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._mathjax: MathJaxV8 | None = None

    @property
    def key(self) -> str:
        """Changes whenever a verdict could: MathJax's version, the TeX options, the bundle."""
        try:
            source = bundle_source().encode()
        except MathUnavailable:
            source = b""
        return hashlib.sha256(json.dumps([MATHJAX_VERSION, self._tex]).encode() + source).hexdigest()[:16]

    @property
    def submitted(self) -> bool:
        return bool(self._sent)

    def submit(self, formulas: Iterable[Formula]) -> None:
        for formula in formulas:
            if formula.key not in self._sent:
                self._sent.add(formula.key)
                self._pending.append(formula)
        if len(self._pending) >= _BATCH:
            self._hand_over()

    def verdicts(self) -> dict[str, str | None]:
        self._hand_over()
        if self._thread is not None:
            self._inbox.put(None)
            self._thread.join()
            self._thread = None
        if self._problem is not None:
            raise self._problem
        return self._verdicts

    def close(self) -> None:
        if self._thread is not None:
            self._inbox.put(None)
            self._thread.join()
            self._thread = None
        if self._mathjax is not None:
            self._mathjax.close()
            self._mathjax = None

    def _hand_over(self) -> None:
        if not self._pending:
            return
        if self._thread is None:
            self._mathjax = self._mathjax or MathJaxV8(tex=self._tex)
            self._thread = threading.Thread(target=self._work, name="mdanki-math", daemon=True)
            self._thread.start()
        self._inbox.put(self._pending)
        self._pending = []

    def _work(self) -> None:
        while (batch := self._inbox.get()) is not None:
            if self._problem is not None:
                continue
            try:
                answers = self._mathjax.verdicts((f.tex, f.display) for f in batch)
            except MathUnavailable as problem:
                self._problem = problem
                continue
            self._verdicts.update(zip((f.key for f in batch), answers))
