"""The command line, apart from everything else: options in, messages and an exit code out."""

from .commands import main, mdanki, run, run_build_deck
from .messages import EXIT_CARD_ERRORS, EXIT_OK, EXIT_USAGE, message, shown
from .parsers import mdanki_parser, parser

__all__ = [
    "EXIT_CARD_ERRORS", "EXIT_OK", "EXIT_USAGE", "main", "mdanki", "mdanki_parser", "message", "parser",
    "run", "run_build_deck", "shown",
]
