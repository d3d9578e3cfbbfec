"""Card -> rendered fields: Markdown to the HTML Anki shows, math kept for MathJax.

Every rendering feature is a Python-Markdown extension listed once in ``EXTENSIONS`` (and
``MediaReferences``, which needs the card's media collector); nothing else in the build
rewrites HTML. The deck's description goes through the same table.
"""

from __future__ import annotations

import hashlib
import html
import json
from importlib.metadata import version
from pathlib import Path

import markdown

from .. import __version__
from ..errors import CardError
from ..model import Card, MediaFile, RenderedFields
from ..notetypes import NoteType
from .media import MediaCollector
from .references import MediaReferences
from .speedups import SkipHopelessPatterns, plain_paragraph
from .strict import refused

# The one configuration table of the renderer.
EXTENSIONS: dict[str, dict] = {
    "tables": {},
    "sane_lists": {},
    "attr_list": {},
    # $..$, $$..$$, \(..\), \[..\] -> \(..\) and \[..\], Anki's MathJax delimiters, content untouched
    "pymdownx.arithmatex": {"generic": True, "smart_dollar": True},
    # pymdownx.highlight (looking up each language's lexer once): Pygments colours as CSS
    # classes, so the note type's CSS can restyle them in night mode
    "mdanki.render.speedups:ReusingHighlightExtension": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.superfences": {},
    # {{c1::...}} kept whole for Anki's cloze filter, also inside math
    "mdanki.render.cloze:ClozeExtension": {},
    # strict_html: true in deck.yaml turns it on: <script>, on... handlers and javascript: links refused
    "mdanki.render.strict:StrictHtmlExtension": {"enabled": False},
}
_STRICT = "mdanki.render.strict:StrictHtmlExtension"


def fingerprint() -> str:
    """Changes whenever the renderer's output could: its configuration or a library version."""
    versions = {name: version(name) for name in ("markdown", "pymdown-extensions", "pygments")}
    blob = json.dumps([__version__, versions, EXTENSIONS], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Renderer:
    """Renders cards one after another, reusing one Markdown instance (building one is slow)."""

    def __init__(self, *, media_dir: Path | None, roots: tuple[Path, ...], strict_html: bool = False):
        self._media = MediaCollector(roots=roots, media_dir=media_dir)
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, MediaReferences(self._media), SkipHopelessPatterns()],
            extension_configs={**EXTENSIONS, _STRICT: {"enabled": strict_html}},
            output_format="html",
        )

    def render(self, card: Card, note_type: NoteType) -> tuple[RenderedFields | None, list[CardError]]:
        """HTML for each field the card's sections fill, or the problems that prevent it."""
        self._media.start(card.file, str(card.file))
        fields = {}
        for spec in note_type.sections:
            section = card.section(spec.section)
            if section is None:
                fields[spec.field] = ""
            elif spec.field in note_type.plain_fields:  # what a learner types: as written, escaped
                fields[spec.field] = html.escape(section.text.strip(), quote=False)
            else:
                self._media.in_section(section)
                fields[spec.field] = self._html(section.text)
                self._refuse_unsafe()
        if self._media.errors:
            return None, self._media.errors
        return RenderedFields(fields=fields, media=self._found_media(), lookups=tuple(sorted(self._media.lookups.items()))), []

    def render_text(self, text: str, *, source: Path) -> tuple[RenderedFields | None, list[CardError]]:
        """Markdown that is not a card (the deck's description); references relative to ``source``."""
        self._media.start(source, str(source))
        html = self._html(text)
        self._refuse_unsafe()
        if self._media.errors:
            return None, self._media.errors
        return RenderedFields({"html": html}, self._found_media()), []

    def _refuse_unsafe(self) -> None:
        """strict_html's findings in the section just rendered, as errors at their lines."""
        for problem, text in refused(self._md):
            self._media.problem(problem, text)

    def _found_media(self) -> tuple[MediaFile, ...]:
        return tuple(sorted(self._media.media.values(), key=lambda m: m.name))

    def _html(self, text: str) -> str:
        return plain_paragraph(text) or self._md.reset().convert(text)
