"""Anki's cloze syntax: ``{{c1::answer}}`` and ``{{c1::answer::hint}}``, found the way Anki finds them.

Anki ends a deletion at the first ``}}``, so TeX inside a deletion must never hold two closing
braces in a row: ``{{c1::\\frac{a}{b}}}`` would end after ``\\frac{a}{b``. ``deletions`` finds a
deletion's end by counting TeX braces instead, and ``anki_safe`` writes the text so that Anki's
rule and the brace count agree (``} }`` is the same TeX). ``reveal`` is what Anki's
``{{cloze:...}}`` filter does to one side of one card, for the math check and the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"\{\{c(\d+)::")
_MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[)\]])", re.S)  # Anki's own test for math in a field
_ANY_OPEN = re.compile(r"\{\{c[^:{}]*::")  # also {{c0::, {{cx:: : mistakes to report
MAX_NESTING = 50  # deletions inside deletions, deeper than any card needs: the scan stays bounded


@dataclass(frozen=True)
class Deletion:
    """One ``{{cN::text::hint}}``: where it is in the string it was found in."""

    number: int
    start: int  # the first '{'
    end: int  # just past the closing '}}'
    text: str
    hint: str | None


class ClozeProblem(Exception):
    """Cloze syntax Anki would not read as meant; ``offset`` is where, in the text given."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def deletions(text: str) -> list[Deletion]:
    """Every deletion in ``text``, in order (nested ones too). Raises ClozeProblem."""
    found: list[Deletion] = []
    position = 0
    while (match := _ANY_OPEN.search(text, position)) is not None:
        number = match.group()[3:-2]
        if not number.isdigit() or int(number) < 1:
            raise ClozeProblem(f"'{match.group()}' is not a cloze deletion: numbers start at c1", match.start())
        end, body = _close(text, match.end())
        if end is None:
            raise ClozeProblem(f"'{match.group()}' is never closed with '}}}}'", match.start())
        inner, hint = _split_hint(body)
        found.append(Deletion(int(number), match.start(), end, inner, hint))
        found += [
            Deletion(d.number, d.start + match.end(), d.end + match.end(), d.text, d.hint) for d in deletions(inner)
        ]
        position = end
    return found


def _close(text: str, start: int, level: int = 1) -> tuple[int | None, str]:
    """The end of the deletion whose body starts at ``start``: the first ``}}`` outside braces."""
    if level > MAX_NESTING:
        raise ClozeProblem(f"cloze deletions are nested more than {MAX_NESTING} deep", start)
    depth, index = 0, start
    while index < len(text):
        if text.startswith("{{c", index) and _OPEN.match(text, index):
            inner_end, _ = _close(text, _OPEN.match(text, index).end(), level + 1)
            if inner_end is None:
                return None, ""
            index = inner_end
            continue
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and text.startswith("}}", index):
                return index + 2, text[start:index]
            depth = max(depth - 1, 0)
        index += 1
    return None, ""


def _split_hint(body: str) -> tuple[str, str | None]:
    """``answer::hint`` -> (answer, hint): the first ``::`` outside nested deletions and braces, as Anki reads it."""
    depth, split = 0, None
    index = 0
    while index < len(body):
        if body.startswith("{{", index):
            depth += 2
            index += 2
            continue
        if body.startswith("}}", index) and depth >= 2:
            depth -= 2
            index += 2
            continue
        if body[index] == "{":
            depth += 1
        elif body[index] == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and body.startswith("::", index):
            split = index
            break
        index += 1
    if split is None:
        return body, None
    return body[:split], body[split + 2:]


def numbers(text: str) -> list[int]:
    """The deletion numbers of ``text``, each once, in order: one card each."""
    return sorted({d.number for d in deletions(text)})


def anki_safe(text: str, *, inside: bool = False) -> str:
    """``text`` with no ``}}`` inside a deletion's TeX, so Anki ends each deletion where we do.

    ``inside``: ``text`` is itself a deletion's body (its own braces are rewritten too).
    """
    out, position = [], 0
    for deletion in deletions(text):
        if deletion.start < position:
            continue  # nested: rewritten with its outer deletion
        out.append(_spaced(text[position:deletion.start]) if inside else text[position:deletion.start])
        opener = _OPEN.match(text, deletion.start).group()
        body = anki_safe(deletion.text, inside=True)
        if body.endswith("}"):
            body += " "  # the deletion's own '}}' must not follow a TeX '}'
        out.append(f"{opener}{body}{'' if deletion.hint is None else '::' + deletion.hint}}}}}")
        position = deletion.end
    rest = text[position:]
    out.append(_spaced(rest) if inside else rest)
    return "".join(out)


def _spaced(tex: str) -> str:
    return re.sub(r"\}(?=\})", "} ", tex)


def reveal(text: str, number: int, *, question: bool, math: bool = False) -> str:
    """One side of card ``number``, as Anki's cloze filter shows ``text``.

    In ``math`` (text inside MathJax delimiters) the hidden deletion becomes ``[...]`` or
    ``[hint]`` and revealed ones are bare; elsewhere they get Anki's ``cloze`` spans.
    """
    out, position = [], 0
    for deletion in deletions(text):
        if deletion.start < position:
            continue
        out.append(text[position:deletion.start])
        inner = reveal(deletion.text, number, question=question, math=math)
        if deletion.number != number:
            out.append(inner if math else f'<span class="cloze-inactive" data-ordinal="{deletion.number}">{inner}</span>')
        elif question:
            shown = f"[{deletion.hint}]" if deletion.hint is not None else "[...]"
            out.append(shown if math else f'<span class="cloze" data-ordinal="{number}">{shown}</span>')
        else:
            out.append(inner if math else f'<span class="cloze" data-ordinal="{number}">{inner}</span>')
        position = deletion.end
    out.append(text[position:])
    return "".join(out)


def reveal_field(html: str, number: int, *, question: bool) -> str:
    """A rendered field as Anki's ``{{cloze:...}}`` shows card ``number``: a deletion that starts
    inside MathJax delimiters is shown the math way, any other with Anki's spans."""
    regions = [match.span(2) for match in _MATHJAX.finditer(html)]
    out, position = [], 0
    for deletion in deletions(html):
        if deletion.start < position:
            continue  # nested: revealed with its outer deletion
        out.append(html[position:deletion.start])
        in_math = any(start <= deletion.start < end for start, end in regions)
        out.append(reveal(html[deletion.start:deletion.end], number, question=question, math=in_math))
        position = deletion.end
    out.append(html[position:])
    return "".join(out)
