"""``strict_html: true`` in deck.yaml: card HTML that would run code in Anki is refused.

Card HTML reaches Anki as written, and Anki's reviewer runs scripts in it. For decks built from
cards that others wrote, this postprocessor (last in Python-Markdown's chain, after raw HTML is put
back) finds ``<script>`` elements, ``on...`` event handler attributes and ``javascript:`` links in
the finished HTML; the renderer turns each into an error at its line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

# attributes that hold an address a browser may follow or load
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"})
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")  # browsers drop these inside 'java script:'


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (problem, text to look for in the source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append(("<script> runs code in Anki; strict_html refuses it: remove the script", "<script"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((f"event handler '{name}' runs code in Anki; strict_html refuses it: remove the attribute", name))
            elif name in _URL_ATTRIBUTES and value and _IGNORED_IN_SCHEME.sub("", value).lower().startswith(("javascript:", "vbscript:")):
                self.found.append(("a javascript: link runs code in Anki; strict_html refuses it: link to a page instead", "script:"))

    handle_startendtag = handle_starttag


class _Refuse(Postprocessor):
    def __init__(self, md, enabled: bool):
        super().__init__(md)
        self.enabled = enabled
        self.found: list[tuple[str, str]] = []

    def run(self, text: str) -> str:
        if self.enabled and "<" in text:
            finder = _Finder()
            finder.feed(text)
            finder.close()
            self.found += finder.found
        return text


class StrictHtmlExtension(Extension):
    """Registered in the renderer's table, off; the renderer turns it on for ``strict_html: true``."""

    def __init__(self, **kwargs):
        self.config = {"enabled": [False, "refuse scripts, event handlers and javascript: links"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md) -> None:
        md.postprocessors.register(_Refuse(md, bool(self.getConfig("enabled"))), "strict_html", 1)


def refused(md) -> list[tuple[str, str]]:
    """What the last conversions found (and forget it): (problem, text to find its line by)."""
    if "strict_html" not in md.postprocessors:
        return []
    processor = md.postprocessors["strict_html"]
    found, processor.found = processor.found, []
    return found
