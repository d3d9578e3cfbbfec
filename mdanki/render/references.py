"""Local files a card's HTML refers to, packaged under content-hash names: images, sound and video.

Markdown images and raw HTML ``<img>``, ``<video>`` and ``<source>`` get the packaged name in
their ``src``; ``<audio>``, ``[sound:...]`` and an image of a sound or video file
(``![](x.mp3)``) become Anki's ``[sound:name]``. A reference that cannot be packaged is an
error at its line (``MediaCollector``), never a broken file in Anki. This runs last, on the
finished HTML, so a reference is found exactly where Anki will look for it; code and math
are escaped by then (``&lt;img``), so what they show is never taken for a reference.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import PurePosixPath

import markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

from .media import MediaCollector, is_remote

# files Anki plays with [sound:...] (its player takes video too)
PLAYED_SUFFIXES = frozenset({
    ".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac", ".spx",
    ".mp4", ".webm", ".mkv", ".mov", ".ogv",
})
SOUND_TAG = re.compile(r"\[sound:(.+?)\]")  # as Anki's reviewer finds them
_MARKERS = ("<img", "<audio", "<video", "<source", "[sound:")
_TAG_NAME = re.compile(r"<[A-Za-z][^\s/>]*")
_ATTRIBUTE = re.compile(r"""\s*([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]*))?""")


class _Tags(HTMLParser):
    """The start tags of elements that refer to files, and the ends of ``<audio>``, with their offsets."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self._text = text
        self._lines = [0, *(match.end() for match in re.finditer("\n", text))]
        self.found: list[tuple[str, int, int, dict[str, str | None]]] = []  # (tag or '/audio', start, end, attributes)
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "audio", "video", "source"):
            start = self._offset()
            self.found.append((tag, start, start + len(self.get_starttag_text() or ""), dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "audio":
            start = self._offset()
            self.found.append(("/audio", start, self._text.find(">", start) + 1 or len(self._text), {}))


def _src_span(tag: str) -> tuple[int, int] | None:
    """Where the value of a start tag's ``src`` attribute is, quotes left out."""
    position = _TAG_NAME.match(tag).end()
    while (attribute := _ATTRIBUTE.match(tag, position)) is not None and attribute.end() > position:
        if attribute.group(1).lower() == "src" and attribute.group(2) is not None:
            start, end = attribute.span(2)
            return (start + 1, end - 1) if attribute.group(2)[:1] in "\"'" else (start, end)
        position = attribute.end()
    return None


class _References(Postprocessor):
    def __init__(self, md: markdown.Markdown, media: MediaCollector):
        super().__init__(md)
        self.media = media

    def run(self, text: str) -> str:
        if not any(marker in text for marker in _MARKERS):
            return text
        edits = self._tag_edits(text) if "<" in text else []
        for match in SOUND_TAG.finditer(text):
            if not any(start <= match.start() < end for start, end, _ in edits):
                src = html.unescape(match.group(1))
                name = None if is_remote(src) else self.media.package(src, "sound")
                if name is not None:
                    edits.append((match.start(), match.end(), f"[sound:{name}]"))
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        return text

    def _tag_edits(self, text: str) -> list[tuple[int, int, str]]:
        edits: list[tuple[int, int, str]] = []
        audio: tuple[int, int, list[str | None]] | None = None  # an open <audio>: start, end of its tag, sources
        for tag, start, end, attributes in _Tags(text).found:
            if tag == "audio" and audio is None:
                audio = (start, end, [attributes.get("src")])
            elif tag == "source" and audio is not None:
                audio[2].append(attributes.get("src"))
            elif tag == "/audio" and audio is not None:
                edits += self._played(audio[0], end, audio[2])
                audio = None
            elif tag in ("img", "video", "source") and audio is None:  # inside <audio>: its fallback, dropped
                edits += self._src(text, tag, start, end, attributes.get("src"))
        if audio is not None:  # never closed: its own tag only
            edits += self._played(audio[0], audio[1], audio[2][:1])
        return edits

    def _played(self, start: int, end: int, sources: list[str | None]) -> list[tuple[int, int, str]]:
        """An ``<audio>`` element (or an image of a sound file) -> ``[sound:name]`` of its first local file."""
        local = [src for src in sources if src is not None and not is_remote(src)]
        name = self.media.package(local[0], "sound") if local else None
        return [(start, end, f"[sound:{name}]")] if name is not None else []

    def _src(self, text: str, tag: str, start: int, end: int, src: str | None) -> list[tuple[int, int, str]]:
        if src is None or is_remote(src):
            return []
        if tag == "img" and PurePosixPath(src.split("#", 1)[0].split("?", 1)[0]).suffix.lower() in PLAYED_SUFFIXES:
            return self._played(start, end, [src])
        name = self.media.package(src, "image" if tag == "img" else "video")
        span = _src_span(text[start:end])
        return [(start + span[0], start + span[1], name)] if name is not None and span is not None else []


class MediaReferences(Extension):
    """Packages every local file a card refers to; register it with the card's ``MediaCollector``."""

    def __init__(self, media: MediaCollector):
        super().__init__()
        self.media = media

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # last of all: after raw HTML is put back (30) and '&' handled (20)
        md.postprocessors.register(_References(md, self.media), "mdanki-media", 5)
