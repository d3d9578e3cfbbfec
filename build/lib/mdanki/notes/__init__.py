"""Rendered cards + deck.lock -> notes: identity, deck, fields and ``mod`` of each Anki note."""

from . import lock
from .decks import deck_for, with_parents
from .identity import guid_for
from .notes import make_notes, note_digest

__all__ = ["deck_for", "guid_for", "lock", "make_notes", "note_digest", "with_parents"]
