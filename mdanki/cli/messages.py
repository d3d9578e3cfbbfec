"""What people read: paths relative to where they stand, one line per problem."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import CardError

EXIT_OK, EXIT_CARD_ERRORS, EXIT_USAGE = 0, 1, 2


def shown(path: Path | str) -> str:
    """How a path appears to people: relative to the working folder when inside it."""
    text, here = str(path), os.getcwd().rstrip(os.sep)
    if text == here:
        return "."
    return text[len(here) + 1:] if text.startswith(here + os.sep) else text


def message(error: CardError) -> str:
    """``path:line: message``, the path as people read it (no line for a whole file or folder)."""
    where = f"{shown(error.path)}:{error.line}" if error.line else shown(error.path)
    return f"{where}: {shown_paths(error.message)}"


def shown_paths(text: str) -> str:
    """Absolute paths below the working folder, inside a message, made relative too."""
    return text.replace(os.getcwd().rstrip(os.sep) + os.sep, "")


def warn(message: str) -> None:
    print(f"warning: {shown_paths(message)}", file=sys.stderr)



def failed(errors: list[CardError]) -> int:
    for error in errors:
        print(message(error), file=sys.stderr)
    return EXIT_CARD_ERRORS
