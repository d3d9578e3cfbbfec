"""Cards -> rendered fields: Markdown to the HTML Anki shows, math kept for MathJax.

Every rendering feature is a Python-Markdown extension listed once in
``EXTENSIONS``; nothing else in the build rewrites HTML.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from . import __version__
from .cardfile import Card, Section
from .errors import CardError
from .mathlint import lint_math
from .media import MediaFile, MediaProblem, is_remote, media_file, resolve
from .speedups import SkipHopelessPatterns, plain_paragraph

# The one configuration table of the renderer.
EXTENSIONS: dict[str, dict] = {
    "tables": {},
    "sane_lists": {},
    "attr_list": {},
    # $..$, $$..$$, \(..\), \[..\] -> \(..\) and \[..\], Anki's MathJax delimiters, content untouched
    "pymdownx.arithmatex": {"generic": True, "smart_dollar": True},
    # pymdownx.highlight (looking up each language's lexer once): Pygments colours as CSS
    # classes, so the note type's CSS can restyle them in night mode
    "mdanki.speedups:ReusingHighlightExtension": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.superfences": {},
}


def fingerprint() -> str:
    """Changes whenever the renderer's output could: its configuration or a library version."""
    versions = {name: version(name) for name in ("markdown", "pymdown-extensions", "pygments")}
    blob = json.dumps([__version__, versions, EXTENSIONS, sorted(FIELD_SECTIONS)], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


FIELD_SECTIONS = {"Question": "question", "Answer": "answer", "Notes": "notes"}


@dataclass(frozen=True)
class RenderedCard:
    """A card with its sections as HTML, and the media files that HTML refers to."""

    card: Card
    fields: dict[str, str]  # field name -> HTML
    media: tuple[MediaFile, ...] = field(default=())


class _Images(Treeprocessor):
    """Points each ``<img>`` at its packaged, content-hash-named file."""

    def __init__(self, md: markdown.Markdown, renderer: "Renderer"):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        for image in root.iter("img"):
            src = image.get("src", "")
            if is_remote(src):
                continue
            new_name = self.renderer._package_image(src)
            if new_name is not None:
                image.set("src", new_name)


class _ImageExtension(Extension):
    def __init__(self, renderer: "Renderer"):
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # after inline parsing (priority 20) so the <img> elements exist
        md.treeprocessors.register(_Images(md, self.renderer), "mdanki-images", 15)


class Renderer:
    """Renders cards one after another, reusing one Markdown instance (building one is slow)."""

    def __init__(self, *, media_dir: Path | None, roots: tuple[Path, ...]):
        self.media_dir = media_dir
        self.roots = roots
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, _ImageExtension(self), SkipHopelessPatterns()],
            extension_configs=EXTENSIONS,
            output_format="html",
        )
        self._card: Card | None = None
        self._section: Section | None = None
        self._media: dict[str, MediaFile] = {}
        self._errors: list[CardError] = []

    def render(self, card: Card) -> tuple[RenderedCard | None, list[CardError]]:
        """HTML for each section of a card, or the problems that prevent it."""
        errors: list[CardError] = []
        sections = {name: getattr(card, attr) for name, attr in FIELD_SECTIONS.items()}
        for section in sections.values():
            if section is not None:
                errors += lint_math(section, card.path)
        if errors:
            return None, errors
        self._card, self._media, self._errors = card, {}, []
        fields = {}
        for name, section in sections.items():
            self._section = section
            if section is None:
                fields[name] = ""
            else:
                fields[name] = plain_paragraph(section.text) or self._md.reset().convert(section.text)
        if self._errors:
            return None, self._errors
        media = tuple(sorted(self._media.values(), key=lambda m: m.name))
        return RenderedCard(card=card, fields=fields, media=media), []

    def _package_image(self, src: str) -> str | None:
        assert self._card is not None and self._section is not None
        try:
            found = resolve(src, self._card.file, self.roots, self.media_dir)
        except MediaProblem as problem:
            self._errors.append(CardError(self._card.path, self._line_of(src), str(problem)))
            return None
        packaged = media_file(found)
        self._media[packaged.name] = packaged
        return packaged.name

    def _line_of(self, text: str) -> int:
        """The file line of the first line of the current section that mentions ``text``."""
        section = self._section
        assert section is not None
        for offset, line in enumerate(section.text.split("\n")):
            if text in line:
                return section.line + offset
        return section.line
