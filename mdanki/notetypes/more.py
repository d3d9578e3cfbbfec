"""The note types beyond basic: reversed, type-in and cloze. Every id here is fixed forever."""

from __future__ import annotations

from .base import NoteType, SectionField, Template
from .basic import BACK as BASIC_BACK
from .basic import FRONT as BASIC_FRONT
from .css import card_css

_NOTES = '{{#Notes}}<div class="notes">{{Notes}}</div>{{/Notes}}'
_CARD_ID = '<div class="card-id">{{CardId}}</div>'

# the cloze highlight and the type-in box, light and night (basic keeps its CSS byte for byte)
_EXTRA_CSS = """\
.cloze { font-weight: 700; color: #0a58ca; }
.nightMode .cloze, .night_mode .cloze { color: #8ab4f8; }
.cloze-inactive { font-weight: inherit; }
#typeans { width: 100%; box-sizing: border-box; font: inherit; padding: 0.25em 0.4em; }
.typeGood { background: #c8f0c8; } .typeBad { background: #f6c7c7; } .typeMissed { background: #e0e0e0; }
.nightMode .typeGood, .night_mode .typeGood { background: #1f5a2a; }
.nightMode .typeBad, .night_mode .typeBad { background: #6a1f1f; }
.nightMode .typeMissed, .night_mode .typeMissed { background: #444444; }
"""

_QA_FIELDS = ("Question", "Answer", "Notes", "CardId", "Reserved1", "Reserved2")
_QA_SECTIONS = (
    SectionField("question", "Question", required=True),
    SectionField("answer", "Answer", required=True),
    SectionField("notes", "Notes", required=False),
)

REVERSED = NoteType(
    kind="reversed",
    id=1732611216,
    name="Markdown Q&A reversed (mdanki)",
    fields=tuple((name, 4_173_207_001 + index) for index, name in enumerate(_QA_FIELDS)),
    templates=(
        Template("Question -> Answer", 4_173_207_101, BASIC_FRONT, BASIC_BACK),
        Template(
            "Answer -> Question",
            4_173_207_102,
            '<div class="question">{{Answer}}</div>',
            '<div class="question">{{Answer}}</div>\n<hr id="answer">\n<div class="answer">{{Question}}</div>\n'
            f"{_NOTES}\n{_CARD_ID}",
        ),
    ),
    sections=_QA_SECTIONS,
    css=card_css() + _EXTRA_CSS,
    lock_key="@note-type:reversed",
)

TYPE_IN = NoteType(
    kind="type-in",
    id=1732611217,
    name="Markdown type-in answer (mdanki)",
    fields=tuple((name, 4_173_208_001 + index) for index, name in enumerate(_QA_FIELDS)),
    templates=(
        Template(
            "Type the answer",
            4_173_208_101,
            '<div class="question">{{Question}}</div>\n{{type:Answer}}',
            '<div class="question">{{Question}}</div>\n<hr id="answer">\n{{type:Answer}}\n' f"{_NOTES}\n{_CARD_ID}",
        ),
    ),
    sections=_QA_SECTIONS,
    css=card_css() + _EXTRA_CSS,
    plain_fields=frozenset({"Answer"}),
    lock_key="@note-type:type-in",
)

CLOZE = NoteType(
    kind="cloze",
    id=1732611218,
    name="Markdown cloze (mdanki)",
    fields=tuple((name, 4_173_209_001 + index) for index, name in enumerate(("Text", "Notes", "CardId", "Reserved1", "Reserved2"))),
    templates=(
        Template(
            "Cloze",
            4_173_209_101,
            '<div class="cloze-text">{{cloze:Text}}</div>',
            f'<div class="cloze-text">{{{{cloze:Text}}}}</div>\n{_NOTES}\n{_CARD_ID}',
        ),
    ),
    sections=(SectionField("text", "Text", required=True), SectionField("notes", "Notes", required=False)),
    css=card_css() + _EXTRA_CSS,
    is_cloze=True,
    lock_key="@note-type:cloze",
)
