"""Fenced code in a card's Markdown: the one rule the section splitter and the math lint share.

The renderer's rule, as CommonMark has it: a line of three or more backticks or tildes
opens a fence (after any blockquote markers and indentation), a backtick fence's info
string cannot itself contain a backtick (```` ```ls``` lists ```` is inline code, not a
fence), and only a line of the same character, at least as long, with nothing after it
closes the fence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_OPENER = re.compile(r"^[ \t>]*(`{3,}|~{3,})(.*)$")


class FenceScanner:
    """Fed lines in order, tells whether each one is fenced code (its fence lines included)."""

    def __init__(self) -> None:
        self._fence: str | None = None

    def fenced(self, line: str) -> bool:
        if "`" not in line and "~" not in line:
            return self._fence is not None
        match = _OPENER.match(line)
        if self._fence is None:
            if match is None:
                return False
            marker, info = match.groups()
            if marker[0] == "`" and "`" in info:
                return False  # inline code at the start of a line
            self._fence = marker
            return True
        if match is not None:
            marker, rest = match.groups()
            if marker[0] == self._fence[0] and len(marker) >= len(self._fence) and not rest.strip():
                self._fence = None
        return True

    @property
    def open(self) -> bool:
        """Inside a fence that has not closed yet."""
        return self._fence is not None


def fenced_lines(lines: Iterable[str]) -> Iterator[bool]:
    """For each line, whether it is fenced code."""
    scanner = FenceScanner()
    for line in lines:
        yield scanner.fenced(line)
