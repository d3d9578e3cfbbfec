"""The one error type a user's mistake becomes: a message tied to a file and line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CardError:
    """One problem in the user's input, reported as ``path:line: message``."""

    path: str
    line: int  # 1-based; 0 when the problem is about the whole file or folder
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class BuildError(Exception):
    """Raised with every problem of a run, so the user sees them all at once."""

    def __init__(self, errors: list[CardError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(map(str, self.errors)))
