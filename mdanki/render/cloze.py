"""Cloze deletions through Markdown untouched: ``{{c1::text::hint}}`` in, the same markers out.

A deletion becomes an element while Markdown works, so emphasis, links and ``::`` can
neither cross its edges nor break its markers; its text is still Markdown. Math keeps its
deletions verbatim (arithmatex stashes it first), and the last step writes every deletion
the way Anki reads it (``cloze.anki_safe``: no TeX ``}}`` inside one).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .. import cloze

_TAG = "mdanki-cloze"
_START = re.compile(rf'<{_TAG} n="(\d+)">')


class _Deletion(InlineProcessor):
    """``{{cN::`` up to its own ``}}`` (TeX braces counted) -> an element holding the text."""

    def handleMatch(self, m: re.Match[str], data: str):  # noqa: N802 - Python-Markdown's name
        try:
            found = cloze.deletions(data[m.start():])
        except cloze.ClozeProblem:
            return None, None, None  # the source check reports it with its line
        first = found[0]
        element = etree.Element(_TAG, {"n": str(first.number)})
        element.text = first.text
        if first.hint is not None:
            element.set("hint", first.hint)
        return element, m.start(), m.start() + first.end


class _Hints(Treeprocessor):
    """Each deletion's hint goes back after its text, as plain text."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter(_TAG):
            hint = element.attrib.pop("hint", None)
            if hint is None:
                continue
            if len(element):
                element[-1].tail = AtomicString((element[-1].tail or "") + "::" + hint)
            else:
                element.text = AtomicString((element.text or "") + "::" + hint)


class _Markers(Postprocessor):
    def run(self, text: str) -> str:
        if _TAG not in text and "{{c" not in text:
            return text
        text = _START.sub(lambda m: "{{c" + m.group(1) + "::", text).replace(f"</{_TAG}>", "}}")
        return cloze.anki_safe(text)


class ClozeExtension(Extension):
    """Register once in the renderer's EXTENSIONS table."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        # after code spans, math and escapes (so their text is kept), before links and emphasis
        md.inlinePatterns.register(_Deletion(r"\{\{c\d+::", md), "mdanki-cloze", 175)
        md.treeprocessors.register(_Hints(md), "mdanki-cloze-hints", 19)
        md.postprocessors.register(_Markers(md), "mdanki-cloze-markers", 5)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's entry point
    return ClozeExtension(**kwargs)
