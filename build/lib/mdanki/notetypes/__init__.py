"""The note types cards become, by the kind a card's front matter names (``basic`` by default)."""

from __future__ import annotations

from .base import NoteType, SectionField, Template
from .basic import BASIC

NOTE_TYPES: dict[str, NoteType] = {note_type.kind: note_type for note_type in (BASIC,)}
DEFAULT_KIND = BASIC.kind

__all__ = ["BASIC", "DEFAULT_KIND", "NOTE_TYPES", "NoteType", "SectionField", "Template"]
