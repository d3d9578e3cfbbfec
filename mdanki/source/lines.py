"""Lines as mdanki counts them: a line break is ``\\n`` or ``\\r\\n``, nothing else.

Form feed, vertical tab, U+0085, U+2028 and U+2029 are characters inside a line (``str.splitlines``
would break there, so a message could point past the end of the file). A carriage return
not followed by a line feed is refused: Markdown would break the line there and mdanki would not.
"""

from __future__ import annotations

import re

MAX_LINE_CHARS = 100_000  # a longer line is refused: no card needs one, and it bounds every scan
_LONE_CR = re.compile(r"\r(?!\n)")
LONE_CR_MESSAGE = "carriage return (\\r) without a line feed; line breaks are \\n or \\r\\n: save the file with Unix or Windows line endings"
LONG_LINE_MESSAGE = f"line is longer than {MAX_LINE_CHARS:,} characters; break it up (or move large content into a media file)"


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, split at ``\\n`` only, each without its ``\\r\\n`` or ``\\n``."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # a final line break ends the last line; it does not start another
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def line_at(text: str, index: int) -> int:
    """The 1-based line of ``text`` that holds character ``index``."""
    return text.count("\n", 0, index) + 1


def line_problem(text: str, lines: list[str]) -> tuple[int, str] | None:
    """(line, message) for the first lone carriage return or over-long line (``lines`` are ``text``'s), else None."""
    found = []
    if "\r" in text:
        match = _LONE_CR.search(text)
        if match:
            found.append((line_at(text, match.start()), LONE_CR_MESSAGE))
    if len(text) > MAX_LINE_CHARS and max(map(len, lines)) > MAX_LINE_CHARS:
        found.append((next(n for n, line in enumerate(lines, 1) if len(line) > MAX_LINE_CHARS), LONG_LINE_MESSAGE))
    return min(found) if found else None
