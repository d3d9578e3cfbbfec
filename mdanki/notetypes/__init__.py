"""The note types cards become, by the kind a card's front matter names (``basic`` by default)."""

from __future__ import annotations

from .base import NoteType, SectionField, Template
from .basic import BASIC
from .more import CLOZE, REVERSED, TYPE_IN

NOTE_TYPES: dict[str, NoteType] = {note_type.kind: note_type for note_type in (BASIC, REVERSED, TYPE_IN, CLOZE)}
DEFAULT_KIND = BASIC.kind

__all__ = ["BASIC", "CLOZE", "DEFAULT_KIND", "NOTE_TYPES", "REVERSED", "TYPE_IN", "NoteType", "SectionField", "Template"]
