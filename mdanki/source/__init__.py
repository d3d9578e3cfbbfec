"""Card files -> Card: which files are cards, their front matter and sections, math the Markdown would mangle."""

from .cardfile import read_card, read_cards
from .files import find_card_files, relative_name
from .mathlint import lint_math

__all__ = ["find_card_files", "lint_math", "read_card", "read_cards", "relative_name"]
