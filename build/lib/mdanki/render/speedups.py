"""Markdown extensions that make rendering faster without changing a byte of its output.

A paragraph of plain prose (``plain_paragraph``) needs no Markdown at all.

Python-Markdown tries every inline pattern's regex at every position of every piece of
text. Several of those regexes begin with a lookbehind, which stops Python's regex engine
from skipping ahead to a possible first character: on a paragraph of plain prose,
arithmatex's pattern alone costs more than the rest of the paragraph's rendering. Every
match of those patterns starts with one of a few characters, so the guard jumps straight
to those characters and tries the real regex only there: the same matches, found at a
fraction of the cost. ``tests/test_speedups.py`` checks this against the real regexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import markdown
from markdown.extensions import Extension
from pygments.style import Style, StyleMeta
from pymdownx.highlight import Highlight, HighlightExtension

# A paragraph of plain prose: every line starts with a letter and holds only letters,
# digits, spaces and punctuation that no Markdown construct or enabled extension reacts to
# (no list or heading marker can start a line, no trailing spaces make a line break).
# Python-Markdown would only wrap it in <p>; most questions are like this.
_PLAIN_LINE = r"[A-Za-z\u00C0-\u024F](?:[A-Za-z0-9\u00C0-\u024F ,.;:?!'\"%/()\u2013\u2014\u2018\u2019\u201c\u201d\u2026-]*[A-Za-z0-9\u00C0-\u024F,.;:?!'\"%/()\u2013\u2014\u2018\u2019\u201c\u201d\u2026-])?"
_PLAIN_PARAGRAPH = re.compile(rf"{_PLAIN_LINE}(?:\n{_PLAIN_LINE})*\n?")


def plain_paragraph(text: str) -> str | None:
    """The HTML of ``text`` when it is one paragraph of plain prose, else None (render it)."""
    return f"<p>{text.rstrip(chr(10))}</p>" if _PLAIN_PARAGRAPH.fullmatch(text) else None


# inline pattern name -> the characters every match of it starts with
MATCHES_START_WITH: dict[str, str] = {
    "backtick": "`\\",  # a backtick, or escaped backslashes before one
    "arithmatex-inline": "$\\",  # $...$, \(...\), or escaped backslashes before a $
    "reference": "[",
    "link": "[",
    "short_reference": "[",
}


class _Guarded:
    """A compiled regex whose ``finditer`` tries to match only where a match could start.

    The same matches as the regex's own ``finditer``: that tries every position in turn,
    and a match cannot start anywhere else. Lookbehinds still see the text before ``pos``.
    """

    def __init__(self, regex: re.Pattern[str], starts: str):
        self.regex = regex
        self._starts = re.compile(f"[{re.escape(starts)}]")

    def finditer(self, data: str, pos: int = 0) -> Iterator[re.Match[str]]:
        search, match = self._starts.search, self.regex.match
        while (start := search(data, pos)) is not None:
            found = match(data, start.start())
            if found is None:
                pos = start.start() + 1
            else:
                yield found
                pos = max(found.end(), start.start() + 1)

    def __getattr__(self, name: str):  # anything else is the regex's own
        return getattr(self.regex, name)


class SkipHopelessPatterns(Extension):
    """Guards the inline patterns of ``MATCHES_START_WITH``; register it after the extensions adding them."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        for name, starts in MATCHES_START_WITH.items():
            if name in md.inlinePatterns:
                pattern = md.inlinePatterns[name]
                if isinstance(pattern, markdown.inlinepatterns.InlineProcessor) and isinstance(pattern.compiled_re, re.Pattern):
                    pattern.compiled_re = _Guarded(pattern.compiled_re, starts)


class _NoTokenStyles(StyleMeta):
    def __iter__(cls):
        return iter(())


class ClassesOnly(Style, metaclass=_NoTokenStyles):
    """A Pygments style without colours, for code marked up with CSS classes.

    The note type's CSS colours the classes (light and night), so a formatter has nothing
    to turn into styles; Pygments' StyleMeta would still list every token type, and
    pymdownx builds a formatter per code block: this makes building one 20 times cheaper.
    """

    styles: dict = {}


class _ReusingHighlight(Highlight):
    """pymdownx's highlighter, looking each language's Pygments lexer up once per process,
    and, when it writes CSS classes, with the colourless style (see ``ClassesOnly``)."""

    _lexers: dict[tuple, tuple] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.noclasses:  # with inline styles the style's colours are the output
            self.pygments_style = ClassesOnly

    def get_lexer(self, src, language, inline, stripnl):
        if self.guess_lang:  # a guess depends on the code itself
            return super().get_lexer(src, language, inline, stripnl)
        key = (language, inline, stripnl, self.default_lang, repr(self.extend_pygments_lang))
        if key not in self._lexers:
            self._lexers[key] = super().get_lexer(src, language, inline, stripnl)
        return self._lexers[key]


class ReusingHighlightExtension(HighlightExtension):
    """``pymdownx.highlight`` with the same options and output, built for many code blocks."""

    def get_pymdownx_highlighter(self):
        return _ReusingHighlight
