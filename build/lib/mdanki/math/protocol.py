"""What the math check asks of a MathJax: verdicts for formulas, whatever runs it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..model import Formula


class MathUnavailable(Exception):
    """MathJax cannot be run here; the message says why and what to install."""


class Checker(Protocol):
    """Verdicts (None, or MathJax's message) for formulas, keyed by ``formula.key``."""

    @property
    def key(self) -> str:
        """Changes whenever a verdict could: MathJax's version, its options, the checker's code."""

    @property
    def submitted(self) -> bool:
        """Whether any formula was submitted (so MathJax is, or was, needed)."""

    def submit(self, formulas: Iterable[Formula]) -> None:
        """Queue formulas (each key once); a checker may start on them at once."""

    def verdicts(self) -> dict[str, str | None]:
        """Every submitted formula's verdict; waits for them. Raises MathUnavailable."""

    def close(self) -> None:
        """Stop whatever still runs; safe to call twice."""
