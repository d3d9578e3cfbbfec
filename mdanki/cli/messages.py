"""What people read: paths relative to where they stand, one line per problem."""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

from ..errors import CardError

EXIT_OK, EXIT_CARD_ERRORS, EXIT_USAGE = 0, 1, 2
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # could reorder what is shown


def shown(path: Path | str) -> str:
    """How a path appears to people: relative to the working folder when inside it."""
    text, here = str(path), os.getcwd().rstrip(os.sep)
    if text == here:
        return "."
    return text[len(here) + 1:] if text.startswith(here + os.sep) else text


def message(error: CardError) -> str:
    """``path:line: message`` on one line, the path as people read it (no line for a whole file or folder)."""
    where = f"{shown(error.path)}:{error.line}" if error.line else shown(error.path)
    return one_line(f"{where}: {shown_paths(error.message)}")


def one_line(text: str) -> str:
    """``text`` with every control character, line or paragraph separator and bidi control escaped.

    What a card's id, tag, heading or file name holds reaches the terminal as ``\\x1b`` or
    ``\\u2028``, never as a raw escape sequence or a line break; a tab stays a tab.
    """
    if text.isprintable():
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if char == "\t" or not (code < 0x20 or 0x7F <= code <= 0x9F or unicodedata.category(char) in ("Zl", "Zp") or char in _BIDI):
        return char
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown_paths(text: str) -> str:
    """Absolute paths below the working folder, inside a message, made relative too."""
    return text.replace(os.getcwd().rstrip(os.sep) + os.sep, "")


def warn(message: str) -> None:
    print(one_line(f"warning: {shown_paths(message)}"), file=sys.stderr)



def failed(errors: list[CardError]) -> int:
    for error in errors:
        print(message(error), file=sys.stderr)
    return EXIT_CARD_ERRORS
