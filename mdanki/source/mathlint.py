"""Math that Markdown would mangle, caught in the source before rendering.

Python-Markdown with arithmatex renders display math only when it stands as a
block of its own (blank lines around it, none inside), and inline math only
when its ``$`` delimiters pair up. Anything else comes out as literal dollar
signs and broken TeX on the card, so it is an error here, not silent garbage.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..errors import CardError
from ..model import Section
from .fences import FenceScanner

# arithmatex's own inline patterns (smart dollar and \( \)), so the lint agrees with the renderer
_INLINE_DOLLAR = re.compile(r"(?<!\\)((?:\\{2})+)(?=\$)|(?<!\\)(\$)(?!\s)((?:\\.|[^\\$])+?)(?<!\s)(?:\$)")
_ESCAPED = re.compile(r"\\[\\$]")
_TICKS = re.compile(r"`+")
_OPENS_MATH = re.compile(r"\$(?=[A-Za-z\\{(^_|])")
_CONTAINER = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?")


def lint_math(section: Section, where: str) -> list[CardError]:
    """Every math delimiter problem in one section, with the file line it is on."""
    if "$" not in section.text and "\\" not in section.text:
        return []  # no delimiter, no problem: most questions and notes
    lint = _SectionLint(where)
    for offset, raw in enumerate(section.text.split("\n")):
        lint.line(section.line + offset, raw)
    return lint.finish()


_CLOSER = {"$$": "$$", "\\[": "\\]"}


class _SectionLint:
    """Reads a section line by line, as Markdown's block parser would, noting each problem once."""

    def __init__(self, where: str):
        self.where = where
        self.errors: list[CardError] = []
        self.fences = FenceScanner()
        self.display: tuple[int, str] | None = None  # (line it opened on, closing delimiter)
        self.just_closed = 0  # line a display block closed on; the next line must be blank
        self.broken: set[int] = set()  # display blocks already reported, so one mistake gives one error
        self.block_start = True
        self.paragraph: list[tuple[int, str]] = []

    def error(self, number: int, message: str) -> None:
        self.errors.append(CardError(self.where, number, message))

    def flush(self) -> None:
        self.errors.extend(_lint_inline(self.paragraph, self.where))
        self.paragraph.clear()

    def line(self, number: int, raw: str) -> None:
        was_open = self.fences.open
        if self.fences.fenced(raw):
            if not was_open:
                self.flush()
            self.block_start = True
            return
        line = _blank_code_spans(raw) if "`" in raw else raw
        content = _CONTAINER.sub("", line, count=1)
        if self.display is not None:
            self._inside_display(number, content)
            return
        if not content.strip():
            self.flush()
            self.block_start, self.just_closed = True, 0
            return
        if self.just_closed:
            self.error(self.just_closed, "display math must be followed by a blank line")
            self.just_closed = 0
        stripped = content.strip()
        opener = "$$" if stripped.startswith("$$") else "\\[" if stripped.startswith("\\[") else None
        if opener:
            self._display_opens(number, stripped, opener)
            return
        if "$$" in line or "\\" in line:
            unescaped = _ESCAPED.sub("  ", line)
            token = next((token for token in ("$$", "\\[", "\\]") if token in unescaped), None)
            if token:
                self.error(number, f"display math {token} inside a paragraph; put the formula between lines of its own")
        self.paragraph.append((number, line))
        self.block_start = False

    def _inside_display(self, number: int, content: str) -> None:
        opened, closer = self.display
        if not content.strip():
            if opened not in self.broken:
                self.error(number, "blank line inside display math; remove it (Markdown splits the formula there)")
                self.broken.add(opened)
        elif closer in content:
            if content[content.index(closer) + len(closer):].strip():
                self.error(number, f"text after the closing {closer} of display math; put it on a new paragraph")
            self.display, self.just_closed = None, number
            self.block_start = False

    def _display_opens(self, number: int, stripped: str, opener: str) -> None:
        closer, rest = _CLOSER[opener], stripped[2:]
        if not self.block_start:
            self.error(number, f"display math {opener} must start a paragraph of its own: add a blank line before it")
            if closer not in rest:
                self.display = (number, closer)
                self.broken.add(number)
            return
        if closer in rest:
            if rest[rest.index(closer) + 2:].strip():
                self.error(number, f"text after the closing {closer} of display math; put it on a new paragraph")
            self.just_closed = number
        else:
            self.display = (number, closer)
        self.block_start = False

    def finish(self) -> list[CardError]:
        if self.display is not None:
            opened, closer = self.display
            self.error(opened, f"display math opened here is never closed with {closer}")
        self.flush()
        return self.errors


def _lint_inline(paragraph: list[tuple[int, str]], where: str) -> list[CardError]:
    """Unpaired inline delimiters in one paragraph (inline math may span its lines)."""
    if not paragraph:
        return []
    text = "\n".join(line for _, line in paragraph)
    if "$" not in text and "\\" not in text:
        return []  # no delimiter at all: most paragraphs
    starts, numbers = [], []
    position = 0
    for number, line in paragraph:
        starts.append(position)
        numbers.append(number)
        position += len(line) + 1

    def line_at(index: int) -> int:
        return numbers[bisect_right(starts, index) - 1]

    blanked = _blank_parens(text) if "\\(" in text else text
    blanked = _blank(blanked, _INLINE_DOLLAR)
    blanked = _ESCAPED.sub("  ", blanked)
    errors = []
    for match in _OPENS_MATH.finditer(blanked):
        if blanked[match.start():match.start() + 2] == "$$":
            continue
        errors.append(
            CardError(where, line_at(match.start()), "unbalanced $: inline math is never closed (write \\$ for a dollar sign)")
        )
    for token in ("\\(", "\\)"):
        index = blanked.find(token)
        if index >= 0:
            errors.append(CardError(where, line_at(index), f"unbalanced {token} in inline math"))
    return errors


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """Replace every match with spaces, keeping offsets (and so line numbers) intact."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _blank_code_spans(line: str) -> str:
    """Code spans (a run of backticks to the next run of the same length, CommonMark's rule) as spaces; linear."""
    runs = [match.span() for match in _TICKS.finditer(line)]
    following: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index], last[length] = last.get(length), index
    pieces, done, index = [], 0, 0
    while index < len(runs):
        closer = following[index]
        if closer is None:
            index += 1
            continue
        start, end = runs[index][0], runs[closer][1]
        pieces += (line[done:start], " " * (end - start))
        done, index = end, closer + 1
    return "".join(pieces) + line[done:] if pieces else line


def _blank_parens(text: str) -> str:
    """Every ``\\( ... \\)`` as arithmatex pairs them, replaced by spaces (newlines kept); linear.

    Content is tokens, a backslash and any character but ``)``, or any other character; the
    first ``\\)`` after at least one token closes. A scan that fails marks the backslashes it
    passed: any later scan that reaches one fails the same way, so no text is scanned twice.
    """
    dead = bytearray(len(text) + 1)
    pieces, done = [], 0
    opener = text.find("\\(")
    while opener >= 0:
        end = -1 if opener and text[opener - 1] == "\\" else _paren_end(text, opener + 2, dead)
        if end < 0:
            opener = text.find("\\(", opener + 1)
            continue
        pieces += (text[done:opener], re.sub(r"[^\n]", " ", text[opener:end]))
        done, opener = end, text.find("\\(", end)
    return "".join(pieces) + text[done:]


def _paren_end(text: str, start: int, dead: bytearray) -> int:
    """Where the inline math whose content starts at ``start`` ends (after its ``\\)``), or -1."""
    position, passed = start, []
    while True:
        slash = text.find("\\", position)
        if slash < 0 or dead[slash]:
            break
        after = text[slash + 1:slash + 2]
        if after == ")":
            if slash > start:
                return slash + 2
            break  # empty math: no token yet, and none can follow
        passed.append(slash)
        if not after:
            break
        position = slash + 2
    for slash in passed:
        dead[slash] = 1
    return -1
