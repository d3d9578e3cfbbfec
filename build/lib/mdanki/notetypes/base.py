"""What a note type is: frozen fields and templates with fixed ids, the sections that fill them, CSS.

Anki clones a note type on import when its fields differ from the one already in the
collection, so a note type's field list never changes once shipped; reserved fields
leave room to grow. Fixed field and template ids let a later rename update in place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """One card of each note: its name, fixed id and the front and back templates."""

    name: str
    id: int
    front: str
    back: str


@dataclass(frozen=True)
class SectionField:
    """A card file's ``## Section`` and the field its HTML goes into."""

    section: str  # lower case, as matched against the heading
    field: str
    required: bool


@dataclass(frozen=True)
class NoteType:
    """Everything of a note type that goes into the package, and how card files fill it."""

    kind: str  # what a card's front matter names it by
    id: int  # fixed forever: the note type's identity in every user's collection
    name: str
    fields: tuple[tuple[str, int], ...]  # (name, fixed id), in order; frozen
    templates: tuple[Template, ...]
    sections: tuple[SectionField, ...]
    css: str
    id_field: str = "CardId"  # holds the card's id, for searching in Anki
    lock_key: str = "@note-type"  # its line in deck.lock

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    @property
    def section_names(self) -> tuple[str, ...]:
        return tuple(s.section for s in self.sections)

    @property
    def digest(self) -> str:
        """Changes exactly when something Anki would need to update changes."""
        parts = [part for t in self.templates for part in (t.id, t.front, t.back)]
        blob = json.dumps([self.id, self.name, self.fields, *parts, self.css])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def field_values(self, fields: dict[str, str], card_id: str) -> tuple[str, ...]:
        """Every field's value in order: the rendered ones, the card id, empty for the rest."""
        values = {**fields, self.id_field: card_id}
        return tuple(values.get(name, "") for name in self.field_names)
