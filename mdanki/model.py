"""The values that cross stages: plain, frozen data, and nothing that does work.

card files --source--> Card --render--> fields + MediaFile --build--> CardRecord
--notes--> Note --package--> .apkg. Each stage imports this module and never another stage.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


def slug(text: str, fallback: str) -> str:
    """Lowercase letters and digits joined by single hyphens (file names, ids, deck files)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or fallback


@dataclass(frozen=True)
class Section:
    """The Markdown text of one section and the file line its first text line is on."""

    text: str
    line: int
    heading_line: int


@dataclass(frozen=True)
class Card:
    """One card file, parsed and checked, not yet rendered."""

    id: str
    id_line: int
    name: str  # the file below the cards folder, '/'-separated
    file: Path  # absolute
    folder: tuple[str, ...]  # folders between the cards folder and the file
    tags: tuple[str, ...]
    deck: str | None  # sub-deck set in the front matter, relative to the main deck
    sections: dict[str, Section]  # by lower-case name ('question', 'answer', 'notes'); empty ones left out
    kind: str = "basic"  # the note type, from the front matter's `type`

    def section(self, name: str) -> Section | None:
        return self.sections.get(name)


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file to package: its name in Anki's media folder and where it is on disk."""

    name: str
    path: Path
    digest: str  # sha256 of the bytes, to tell whether a cached rendering still matches


@dataclass(frozen=True)
class RenderedFields:
    """A card's sections as HTML, by field name, and the media files that HTML refers to."""

    fields: dict[str, str]
    media: tuple[MediaFile, ...] = ()
    lookups: tuple[tuple[str, str], ...] = ()  # each local reference as written, and the file it was found to be


@dataclass(frozen=True)
class Formula:
    """One piece of TeX as MathJax receives it (HTML entities already decoded)."""

    tex: str
    display: bool
    closed: bool = True  # False: no closing delimiter at all, so Anki shows the TeX as text
    line: int = 0  # the card file's line it starts on (0: not known)

    @cached_property
    def key(self) -> str:
        """What a verdict depends on: the TeX and how it is typeset, not where it stands."""
        return hashlib.sha256(f"{'D' if self.display else 'I'}{self.tex}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class CardRecord:
    """Everything the later stages need of a rendered card, except its (large) HTML fields."""

    key: str  # render-cache key, to fetch the fields when the package is written
    id: str
    id_line: int
    name: str  # the card file below the cards folder, '/'-separated
    folder: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str | None
    digest: str  # of the note's fields and tags: what deck.lock compares
    media: tuple[MediaFile, ...]
    formulas: tuple[Formula, ...] = ()  # for the math check, each with its file line
    kind: str = "basic"  # the note type
    lookups: tuple[tuple[str, str], ...] = ()  # (reference, file found): looked up again before the cache is trusted


@dataclass(frozen=True, slots=True)
class LockEntry:
    """One line of deck.lock: a note's content hash, its ``mod`` and when it was first built."""

    digest: str
    mod: int
    created: int
    kind: str = "basic"  # the note type the card was built as (Anki cannot change it on import)
    removed: int = 0  # when the card left the source (Unix seconds); 0 while it is there
    question: str = ""  # a removed card's last question, as plain text, to find it in Anki


@dataclass(frozen=True, slots=True)
class Note:
    """One note, ready to be written: plain data, no genanki."""

    card_id: str  # the card's `id`, also the CardId field
    guid: str
    note_id: int  # also the id of its first card
    deck: str  # full deck name, '::' between levels
    fields: tuple[str, ...]  # in the note type's field order
    tags: tuple[str, ...]
    mod: int  # Unix seconds; Anki updates the note only when this is newer
    position: int  # place in the new-card queue
    model_id: int = 0  # the note type's id
    ords: tuple[int, ...] = (0,)  # its cards: template numbers, or cloze numbers - 1
    card_ids: tuple[int, ...] = ()  # one per ord; the card of ord 0 has the note's id


@dataclass(frozen=True)
class Deck:
    name: str
    description: str = ""  # HTML, shown on the deck's overview screen


@dataclass(frozen=True)
class Changes:
    """Card ids new, changed and gone since the last build (from deck.lock)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = field(default=())
