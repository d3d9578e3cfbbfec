"""Rendered HTML -> formulas: every piece of TeX Anki's MathJax will typeset, found the way MathJax finds it."""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser

from ..anki_math import ANKI_TEX
from ..model import Formula, Section

# MathJax's HTMLDomStrings defaults: math is not looked for inside these, nor across other tags
_SKIP_TAGS = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"}
_INCLUDE_TAGS = {"br": "\n", "wbr": ""}
_IGNORE_CLASS = re.compile(r"(?:^| )mathjax_ignore(?: |$)")
_PROCESS_CLASS = re.compile(r"(?:^| )mathjax_process(?: |$)")
_PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S | re.I)
_VOID_TAGS = {"area", "base", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track"}


class _Strings(HTMLParser):
    """The text strings MathJax searches for delimiters: any tag but <br>/<wbr> ends one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        self._current: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, ignoring its content)

    @property
    def _ignoring(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def _push(self) -> None:
        text = "".join(self._current)
        if text.strip():
            self.strings.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INCLUDE_TAGS:
            if not self._ignoring:
                self._current.append(_INCLUDE_TAGS[tag])
            return
        self._push()
        if tag in _VOID_TAGS:
            return
        classes = dict(attrs).get("class") or ""
        process = bool(_PROCESS_CLASS.search(classes))
        skip = tag in _SKIP_TAGS and not process
        ignore = skip or ((self._ignoring or bool(_IGNORE_CLASS.search(classes))) and not process)
        self._stack.append((tag, ignore))

    def handle_endtag(self, tag: str) -> None:
        if tag in _INCLUDE_TAGS or tag in _VOID_TAGS:
            return
        self._push()
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if not self._ignoring:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._push()


# Plain tags only: a lower-case-able name, double-quoted attribute values without < or >
_PLAIN_TAG = re.compile(
    r'<(?:([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>]*")?)*)[ \t\n\r\f]*(/?)'
    r'|/([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*)>'
)
_NOT_PLAIN = re.compile(r"<[!?]|mathjax_|<(?:script|style)", re.I)


def text_strings(html: str) -> list[str]:
    """The strings of ``html`` that MathJax searches, as ``_Strings`` finds them.

    HTML made only of plain tags and text (what Python-Markdown writes) is split with one
    regex, several times faster; anything else (comments, script, mathjax_* classes,
    unusual attributes, a stray <) goes through the full parser.
    """
    if _NOT_PLAIN.search(html):
        return _parsed_strings(html)
    strings: list[str] = []
    current: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, ignoring its content)
    position = 0

    def push() -> None:
        text = "".join(current)
        if text.strip():
            strings.append(text)
        current.clear()

    for match in _PLAIN_TAG.finditer(html):
        text = html[position:match.start()]
        if "<" in text:
            return _parsed_strings(html)
        if text and not (stack and stack[-1][1]):
            current.append(unescape(text) if "&" in text else text)
        position = match.end()
        start, _, self_closing, end = match.groups()
        if start is not None:
            tag = start.lower()
            if tag in _INCLUDE_TAGS:
                if not (stack and stack[-1][1]):
                    current.append(_INCLUDE_TAGS[tag])
                continue
            push()
            if tag in _VOID_TAGS:
                continue
            stack.append((tag, tag in _SKIP_TAGS or bool(stack and stack[-1][1])))
            if not self_closing:
                continue
            end = tag  # <x/> is a start and an end, as for HTMLParser
        tag = end.lower()
        if tag in _INCLUDE_TAGS or tag in _VOID_TAGS:
            continue
        push()
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == tag:
                del stack[depth:]
                break
    text = html[position:]
    if "<" in text:
        return _parsed_strings(html)
    if text and not (stack and stack[-1][1]):
        current.append(unescape(text) if "&" in text else text)
    push()
    return strings


def _parsed_strings(html: str) -> list[str]:
    parser = _Strings()
    parser.feed(html)
    parser.close()
    return parser.strings


def _quote(text: str) -> str:
    return re.escape(text)


def formulas_of(fields: dict[str, str]) -> list[tuple[str, Formula]]:
    """Every formula of a card's rendered fields, with the field it is in."""
    return [(name, f) for name, html in fields.items() if _may_hold_math(html) for f in find_formulas(html)]


@lru_cache(maxsize=8)
def _delimiters(inline: tuple, display: tuple):
    """The start pattern and, per opening delimiter, its closer, kind and end pattern (compiled once)."""
    ends: dict[str, tuple[str, bool]] = {}
    for open_, close in inline:
        ends[open_] = (close, False)
    for open_, close in display:
        ends[open_] = (close, True)
    starts = re.compile("|".join(_quote(o) for o in sorted(ends, key=lambda o: (-len(o), o))))
    end_patterns = {o: re.compile(_quote(c) + r"|\\(?:[a-zA-Z]|.)|[{}]") for o, (c, _) in ends.items()}
    return starts, ends, end_patterns


def find_formulas(html: str, *, tex: dict = ANKI_TEX) -> list[Formula]:
    """Every formula MathJax's FindTeX finds in ``html``, in order (a port of FindTeX.findMath).

    With processEscapes, processEnvironments and processRefs off (Anki), only the delimiter
    pairs count; a closing delimiter inside braces does not close the formula.
    """
    starts, ends, end_patterns = _delimiters(
        tuple(map(tuple, tex["inlineMath"])), tuple(map(tuple, tex["displayMath"]))
    )

    if "mathjax_process" not in html:  # then nothing inside <pre> is searched: skip parsing it
        html = _PRE.sub("<pre></pre>", html)
    found = []
    for text in text_strings(html):
        position = 0
        while (start := starts.search(text, position)) is not None:
            close, display = ends[start.group()]
            braces = 0
            position = start.end()
            for match in end_patterns[start.group()].finditer(text, start.end()):
                token = match.group()
                if token == close and braces == 0:
                    found.append(Formula(text[start.end():match.start()], display))
                    position = match.end()
                    break
                if token == "{":
                    braces += 1
                elif token == "}" and braces:
                    braces -= 1
            else:
                # MathJax skips a formula it cannot close and Anki shows it as text; still a broken
                # formula: up to a closer hidden by an open brace it goes to MathJax ("Missing close brace")
                hidden = text.find(close, start.end())
                found.append(Formula(text[start.end():hidden if hidden >= 0 else len(text)], display, closed=hidden >= 0))
                position = hidden + len(close) if hidden >= 0 else len(text)
    return found


def _may_hold_math(html: str) -> bool:
    """Cheap test before parsing: an opening delimiter, or an entity that could spell one."""
    return "&#" in html or "&bsol;" in html or any(open_ in html for open_, _ in (*ANKI_TEX["inlineMath"], *ANKI_TEX["displayMath"]))


def formula_line(tex: str, section: Section) -> int:
    """The file line a formula starts on, found in the section's source; else its first line."""
    index = section.text.find(tex.strip()) if tex.strip() else -1
    if index < 0:  # Markdown may have re-indented a multi-line formula: look for its first line
        first = next((line.strip() for line in tex.split("\n") if line.strip()), "")
        index = section.text.find(first) if first else -1
    return section.line + section.text.count("\n", 0, index) if index >= 0 else section.line
