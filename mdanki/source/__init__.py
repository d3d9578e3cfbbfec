"""Card files -> Card: which files are cards, their front matter and sections, math the Markdown would mangle."""

from .cardfile import FRONT_MATTER_KEYS, read_card, read_cards
from .files import MAX_FILE_BYTES, Unreadable, find_card_files, read_regular, relative_name
from .mathlint import lint_math

__all__ = [
    "FRONT_MATTER_KEYS", "MAX_FILE_BYTES", "Unreadable", "find_card_files", "lint_math", "read_card", "read_cards",
    "read_regular", "relative_name",
]
