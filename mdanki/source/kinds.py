"""What each card type asks of its sections beyond their names: cloze deletions, a type-in answer."""

from __future__ import annotations

import re

from .. import cloze
from ..errors import CardError
from ..model import Section
from ..notetypes import NoteType

MAX_ORDS = 1000  # a note's cards at most; notes.identity gives each note a block of card ids this size
from .fences import fenced_lines

_CLOZE_OPEN = re.compile(r"\{\{c[^:{}]*::")
_MARKUP = re.compile(r"[$`<>\\*\[\]|]")  # Markdown, HTML or math: not what a learner types
_TYPE_IN_LIMIT = 120


def check_kind(sections: dict[str, Section], note_type: NoteType, where: str) -> list[CardError]:
    """Every problem of a card's sections for its note type, with the file line it is on."""
    if note_type.is_cloze:
        return _cloze_problems(sections, note_type, where)
    errors = _stray_clozes(sections, note_type, where)
    for spec in note_type.sections:
        section = sections.get(spec.section)
        if section is not None and spec.field in note_type.plain_fields:
            errors += _plain_answer(section, spec.section, where)
    return errors


def _line(section: Section, offset: int) -> int:
    return section.line + section.text.count("\n", 0, offset)


def _cloze_problems(sections: dict[str, Section], note_type: NoteType, where: str) -> list[CardError]:
    errors = _stray_clozes({k: v for k, v in sections.items() if k != note_type.sections[0].section}, note_type, where)
    name = note_type.sections[0].section
    section = sections[name]
    try:
        found = cloze.deletions(section.text)
    except cloze.ClozeProblem as problem:
        return errors + [CardError(where, _line(section, problem.offset), str(problem))]
    too_high = next((d for d in found if d.number > MAX_ORDS), None)
    if too_high is not None:
        errors.append(CardError(where, _line(section, too_high.start), f"cloze numbers go up to c{MAX_ORDS}, not c{too_high.number}"))
    if not found:
        errors.append(CardError(
            where, section.heading_line, f"a cloze card needs a deletion in '## {name.title()}': mark one like {{{{c1::answer}}}}"
        ))
    lines = section.text.split("\n")
    for offset, fenced in enumerate(fenced_lines(lines)):
        if fenced and _CLOZE_OPEN.search(lines[offset]):
            errors.append(CardError(
                where, section.line + offset, "cloze deletions cannot go inside fenced code (its highlighting splits them); use inline code"
            ))
    return errors


def _stray_clozes(sections: dict[str, Section], note_type: NoteType, where: str) -> list[CardError]:
    """Cloze markup where it would show as text: in a card that is not a cloze, or in its notes."""
    errors = []
    for name, section in sections.items():
        match = _CLOZE_OPEN.search(section.text)
        if match is None:
            continue
        if note_type.is_cloze:
            message = f"cloze deletions belong in '## {note_type.sections[0].section.title()}', not '## {name.title()}'"
        else:
            message = f"cloze syntax in a {note_type.kind} card: add 'type: cloze' to its front matter"
        errors.append(CardError(where, _line(section, match.start()), message))
    return errors


def _plain_answer(section: Section, name: str, where: str) -> list[CardError]:
    """A type-in answer is one short line of plain text: exactly what the learner types."""
    text = section.text.strip()
    if "\n" in text:
        return [CardError(where, section.line, f"a type-in '## {name.title()}' is one line: what the learner types")]
    if _MARKUP.search(text):
        return [CardError(where, section.line, f"a type-in '## {name.title()}' is plain text, without Markdown, HTML or math")]
    if len(text) > _TYPE_IN_LIMIT:
        return [CardError(where, section.line, f"a type-in '## {name.title()}' is at most {_TYPE_IN_LIMIT} characters")]
    return []
