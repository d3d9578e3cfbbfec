"""Math that Markdown would mangle, caught in the source before rendering.

Python-Markdown with arithmatex renders display math only when it stands as a
block of its own (blank lines around it, none inside), and inline math only
when its ``$`` delimiters pair up. Anything else comes out as literal dollar
signs and broken TeX on the card, so it is an error here, not silent garbage.
"""

from __future__ import annotations

import re

from ..errors import CardError
from ..model import Section
from .fences import FenceScanner

# arithmatex's own inline patterns (smart dollar and \( \)), so the lint agrees with the renderer
_INLINE_DOLLAR = re.compile(r"(?<!\\)((?:\\{2})+)(?=\$)|(?<!\\)(\$)(?!\s)((?:\\.|[^\\$])+?)(?<!\s)(?:\$)")
_INLINE_PAREN = re.compile(r"(?<!\\)\\\(((?:\\[^)]|[^\\])+?)\\\)")
_ESCAPED = re.compile(r"\\[\\$]")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_OPENS_MATH = re.compile(r"\$(?=[A-Za-z\\{(^_|])")
_CONTAINER = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?")


def lint_math(section: Section, where: str) -> list[CardError]:
    """Every math delimiter problem in one section, with the file line it is on."""
    if "$" not in section.text and "\\" not in section.text:
        return []  # no delimiter, no problem: most questions and notes
    errors: list[CardError] = []
    lines = section.text.split("\n")
    fences = FenceScanner()
    display: tuple[int, str] | None = None  # (line it opened on, closing delimiter)
    just_closed = 0  # line a display block closed on; the next line must be blank
    broken: set[int] = set()  # display blocks already reported, so one mistake gives one error
    block_start = True
    paragraph: list[tuple[int, str]] = []

    def flush() -> None:
        errors.extend(_lint_inline(paragraph, where))
        paragraph.clear()

    for offset, raw in enumerate(lines):
        number = section.line + offset
        was_open = fences.open
        if fences.fenced(raw):
            if not was_open:
                flush()
            block_start = True
            continue
        line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw) if "`" in raw else raw
        content = _CONTAINER.sub("", line, count=1)
        if display is not None:
            opened, closer = display
            if not content.strip():
                if opened not in broken:
                    errors.append(CardError(where, number, "blank line inside display math; remove it (Markdown splits the formula there)"))
                    broken.add(opened)
            elif closer in content:
                after = content[content.index(closer) + len(closer):]
                if after.strip():
                    errors.append(CardError(where, number, f"text after the closing {closer} of display math; put it on a new paragraph"))
                display, just_closed = None, number
                block_start = False
            continue
        if not content.strip():
            flush()
            block_start, just_closed = True, 0
            continue
        if just_closed:
            errors.append(CardError(where, just_closed, "display math must be followed by a blank line"))
            just_closed = 0
        stripped = content.strip()
        opener = "$$" if stripped.startswith("$$") else "\\[" if stripped.startswith("\\[") else None
        if opener and block_start:
            closer = "$$" if opener == "$$" else "\\]"
            rest = stripped[2:]
            if closer in rest:
                if rest[rest.index(closer) + 2:].strip():
                    errors.append(CardError(where, number, f"text after the closing {closer} of display math; put it on a new paragraph"))
                just_closed = number
            else:
                display = (number, closer)
            block_start = False
            continue
        if opener:
            errors.append(CardError(where, number, f"display math {opener} must start a paragraph of its own: add a blank line before it"))
            if ("$$" if opener == "$$" else "\\]") not in stripped[2:]:
                display = (number, "$$" if opener == "$$" else "\\]")
                broken.add(number)
            continue
        elif "$$" in line or "\\" in line:
            unescaped = _ESCAPED.sub("  ", line)
            for token in ("$$", "\\[", "\\]"):
                if token in unescaped:
                    errors.append(
                        CardError(where, number, f"display math {token} inside a paragraph; put the formula between lines of its own")
                    )
                    break
        paragraph.append((number, line))
        block_start = False

    if display is not None:
        opened, closer = display
        errors.append(CardError(where, opened, f"display math opened here is never closed with {closer}"))
    flush()
    return errors


def _lint_inline(paragraph: list[tuple[int, str]], where: str) -> list[CardError]:
    """Unpaired inline delimiters in one paragraph (inline math may span its lines)."""
    if not paragraph:
        return []
    text = "\n".join(line for _, line in paragraph)
    if "$" not in text and "\\" not in text:
        return []  # no delimiter at all: most paragraphs
    starts = []
    position = 0
    for number, line in paragraph:
        starts.append((position, number))
        position += len(line) + 1

    def line_at(index: int) -> int:
        return max(number for start, number in starts if start <= index)

    blanked = _blank(text, _INLINE_PAREN)
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
