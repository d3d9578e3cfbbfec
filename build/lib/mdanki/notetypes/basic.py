"""The Question/Answer note type of every card today; every id here is fixed forever."""

from __future__ import annotations

from .base import NoteType, SectionField, Template
from .css import card_css

FRONT = """<div class="question">{{Question}}</div>"""

BACK = """<div class="question">{{Question}}</div>
<hr id="answer">
<div class="answer">{{Answer}}</div>
{{#Notes}}<div class="notes">{{Notes}}</div>{{/Notes}}
<div class="card-id">{{CardId}}</div>"""

BASIC = NoteType(
    kind="basic",
    id=1732611215,
    name="Markdown Q&A (mdanki)",
    # Frozen: adding, removing or reordering a field makes Anki clone the note type.
    fields=(
        ("Question", 4_173_206_001),
        ("Answer", 4_173_206_002),
        ("Notes", 4_173_206_003),
        ("CardId", 4_173_206_004),
        ("Reserved1", 4_173_206_005),
        ("Reserved2", 4_173_206_006),
    ),
    templates=(Template("Card 1", 4_173_206_101, FRONT, BACK),),
    sections=(
        SectionField("question", "Question", required=True),
        SectionField("answer", "Answer", required=True),
        SectionField("notes", "Notes", required=False),
    ),
    css=card_css(),
)
