"""A progress bar for long builds: on a terminal only, redrawn at most ten times a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Receives ``stage``/``advance``/``done`` from the build and draws one line on ``stream``."""

    def __init__(self, stream: TextIO = sys.stderr, *, minimum: int = 500):
        self.stream = stream
        self.minimum = minimum  # smaller stages finish too fast to be worth a bar
        self._label = ""
        self._total = 0
        self._count = 0
        self._drawn_at = 0.0
        self._visible = False

    def stage(self, label: str, total: int) -> None:
        self._label, self._total, self._count = label, total, 0
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self._count += count
        self._draw(force=self._count >= self._total)

    def done(self) -> None:
        if self._visible:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._visible = False

    def _draw(self, *, force: bool) -> None:
        if self._total < self.minimum:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < 0.1:
            return
        self._drawn_at = now
        width = 30
        filled = width * self._count // max(self._total, 1)
        self.stream.write(f"\r{self._label:<10} [{'#' * filled}{'.' * (width - filled)}] {self._count}/{self._total}")
        self.stream.flush()
        self._visible = True
