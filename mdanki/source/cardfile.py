"""Card file -> Card: read its front matter and split its body into sections.

A card file is YAML front matter between ``---`` lines, then the sections of its note
type (for the basic type ``## Question``, ``## Answer`` and optionally ``## Notes``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from pathlib import Path

import yaml

from ..errors import CardError
from ..model import Card, Section, slug
from ..notetypes import DEFAULT_KIND, NOTE_TYPES, NoteType
from .kinds import check_kind
from .fences import FenceScanner
from .files import Unreadable, find_card_files, read_regular, relative_name
from .lines import line_problem, split_lines
from .yamlsafe import YamlProblem, load_yaml

FRONT_MATTER_KEYS = ("id", "tags", "deck", "type")
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HEADING = re.compile(r"##[ \t]+(.*)")  # the title, less any closing #s: .rstrip(" \t#"), linear
_KEY = re.compile(r"([^\s#:][^:]*):")
_SPACE = re.compile(r"\s")
_IGNORE_HINT = "to keep another tool's key, list it under ignore_keys in deck.yaml"


def suggest_id(path: Path) -> str:
    """An id derived from the file name, for the message about a missing id."""
    return slug(path.stem, "my-card")


def read_card(
    path: Path | str, cards_dir: Path, source: bytes | None = None, *,
    note_types: dict[str, NoteType] = NOTE_TYPES, ignore_keys: Collection[str] = (),
) -> tuple[Card | None, list[CardError]]:
    """Parse one card file (or its bytes, already read). Returns the card (None if unusable) and every problem.

    Messages name the file as ``path`` was given; only the command line shortens it for people.
    Front-matter keys in ``ignore_keys`` (deck.yaml's, for notes shared with other tools) are read past.
    """
    path = Path(path)
    where = str(path)
    if source is None:
        try:
            source = read_regular(path)[0]
        except Unreadable as unreadable:
            return None, [unreadable.error]
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        return None, [CardError(where, line, "file is not UTF-8 text; save it as UTF-8")]
    text = text.removeprefix("\ufeff")
    if "\x1f" in text:  # it would split the note's fields in two
        line = text.count("\n", 0, text.index("\x1f")) + 1
        return None, [CardError(where, line, "contains the control character U+001F, which Anki uses between fields; remove it")]
    lines = split_lines(text)
    problem = line_problem(text, lines)
    if problem is not None:
        return None, [CardError(where, *problem)]

    meta, body_start, errors, key_lines = _front_matter(lines, where, path, ignore_keys)
    kind = meta.get("type", DEFAULT_KIND) if meta is not None else DEFAULT_KIND
    if not isinstance(kind, str) or kind not in note_types:
        close = difflib.get_close_matches(str(kind), note_types, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        errors.append(CardError(where, key_lines.get("type", 2), f"unknown card type '{kind}' (known: {', '.join(note_types)}){hint}"))
        kind = DEFAULT_KIND
    note_type = note_types[kind]
    sections, section_errors = _sections(lines, body_start, where, note_type.section_names)
    errors += section_errors
    if meta is None or errors:
        return None, errors
    errors += _section_problems(sections, note_type, where, max(len(lines), 1))
    if errors:
        return None, errors
    errors += check_kind(sections, note_type, where)
    if errors:
        return None, errors
    card = Card(
        id=meta["id"],
        id_line=key_lines.get("id", 2),
        name=relative_name(path, cards_dir),
        file=path,
        folder=tuple(relative_name(path, cards_dir).split("/")[:-1]),
        tags=tuple(meta.get("tags", ())),
        deck=meta.get("deck"),
        sections=sections,
        kind=kind,
    )
    return card, []


def _section_problems(sections: dict[str, Section], note_type: NoteType, where: str, end_line: int) -> list[CardError]:
    """Required sections missing or empty; an empty optional section is dropped."""
    errors = []
    for spec in note_type.sections:
        section = sections.get(spec.section)
        if section is None and spec.required:
            errors.append(CardError(where, end_line, f"missing '## {spec.section.title()}' section"))
        elif section is not None and not section.text.strip():
            if spec.required:
                errors.append(CardError(where, section.heading_line, f"empty '## {spec.section.title()}' section"))
            else:
                del sections[spec.section]
    return errors


def read_cards(cards_dir: Path) -> tuple[list[Card], list[CardError]]:
    """Every well-formed card under ``cards_dir``, and every problem found in the others."""
    cards_dir = cards_dir.absolute()
    cards = []
    files, errors = find_card_files(cards_dir)
    for path in files:
        card, problems = read_card(path, cards_dir)
        errors += problems
        if card is not None:
            cards.append(card)
    return cards, errors


def _front_matter(lines: list[str], where: str, path: Path, ignore_keys: Collection[str] = ()):
    """Parse and check the YAML front matter.

    Returns (meta, None when unreadable; first body line index; errors; file line of each key).
    """
    if not lines or lines[0].strip() != "---":
        return None, 0, [
            CardError(where, 1, f"missing front matter: start the file with '---', 'id: {suggest_id(path)}', '---'")
        ], {}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, 1, [CardError(where, 1, "front matter is not closed: add a '---' line after it")], {}
    key_lines = _key_lines(lines[1:end])
    try:
        meta = load_yaml("\n".join(lines[1:end]), first_line=2)[0]
    except YamlProblem as exc:  # an alias, a key given twice, a line break only YAML sees
        return None, end + 1, [CardError(where, exc.line, f"front matter {exc.message}")], key_lines
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and mark.line >= end - 1:  # noticed at the end: point at where the construct began
            mark = getattr(exc, "context_mark", None) or mark
        line = min(mark.line + 2, end) if mark is not None else 2
        problem = getattr(exc, "problem", None) or "not valid YAML"
        return None, end + 1, [CardError(where, line, f"front matter is not valid YAML: {problem}")], key_lines
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, end + 1, [CardError(where, 2, "front matter must be a mapping of keys to values (id: ..., tags: [...])")], key_lines

    return meta, end + 1, _check_meta(meta, where, path, key_lines, ignore_keys), key_lines


def _check_meta(meta: dict, where: str, path: Path, key_lines: dict[str, int], ignore_keys: Collection[str] = ()) -> list[CardError]:
    """Every problem of the front matter's keys and values; tags and deck are normalised in place."""
    errors = []

    def problem(key: str, message: str) -> None:
        errors.append(CardError(where, key_lines.get(key, 2), message))

    for key in meta:
        if key not in FRONT_MATTER_KEYS and key not in ignore_keys:
            close = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(FRONT_MATTER_KEYS)}; {_IGNORE_HINT})"
            problem(str(key), f"unknown front-matter key '{key}'{hint}")

    card_id = meta.get("id")
    if card_id is None or card_id == "":
        errors.append(CardError(where, 1, f"missing 'id' in front matter; add for example 'id: {suggest_id(path)}'"))
    elif not isinstance(card_id, str) or not ID_PATTERN.fullmatch(card_id):
        problem("id", f"id '{card_id}' must be lowercase letters, digits and single hyphens, for example '{suggest_id(path)}'")

    tags = meta.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if tags is None:
        tags = []
    if not isinstance(tags, list):
        problem("tags", "tags must be a list, for example 'tags: [metrics, evaluation]'")
        tags = []
    for tag in tags:
        if not isinstance(tag, str) or not tag:
            problem("tags", f"tag {tag!r} must be a non-empty text")
        elif _SPACE.search(tag):
            problem("tags", f"tag '{tag}' contains a space; Anki tags cannot (use '-' or '::')")
    meta["tags"] = tuple(dict.fromkeys(tag for tag in tags if isinstance(tag, str)))

    deck = meta.get("deck")
    if deck is not None and (not isinstance(deck, str) or not all(part.strip() for part in deck.split("::"))):
        problem("deck", "deck must be a name like 'Statistics' or 'Models::Trees'")
    elif deck is not None:
        meta["deck"] = "::".join(part.strip() for part in deck.split("::"))
    return errors


def _key_lines(meta_lines: list[str]) -> dict[str, int]:
    """File line of each top-level front-matter key (front matter starts at file line 2)."""
    found = {}
    for offset, line in enumerate(meta_lines):
        match = _KEY.match(line)
        if match:
            found.setdefault(match.group(1).strip(), offset + 2)
    return found


def _sections(
    lines: list[str], start: int, where: str, known: tuple[str, ...]
) -> tuple[dict[str, Section], list[CardError]]:
    """Split the body into its ``##`` sections, ignoring headings inside fenced code."""
    sections: dict[str, Section] = {}
    errors: list[CardError] = []
    current: str | None = None
    current_line = 0
    buffer: list[str] = []
    fences = FenceScanner()
    expected = ", ".join(name.title() for name in known)

    def close() -> None:
        if current is not None:
            text = "\n".join(buffer).strip("\n")
            sections[current] = Section(text + "\n" if text else "", current_line + 1 + _leading_blank(buffer), current_line)

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        fenced = fences.fenced(line)
        heading = _HEADING.match(line) if not fenced and line.startswith("##") else None
        if heading:
            title = heading.group(1).rstrip(" \t#")
            name = title.strip().lower()
            if name not in known:
                close_match = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean '## {close_match[0].title()}'?" if close_match else ""
                errors.append(
                    CardError(where, number, f"unknown section '## {title.strip()}' (expected {expected}){hint}")
                )
                buffer.append(line)
                continue
            if name in sections or name == current:
                errors.append(CardError(where, number, f"duplicate '## {name.title()}' section"))
                buffer.append(line)
                continue
            close()
            current, current_line, buffer = name, number, []
            continue
        if current is None:
            if line.strip():
                errors.append(CardError(where, number, f"text before the first section; start with '## {known[0].title()}'"))
                current, current_line, buffer = "", number, []  # swallow the rest until a heading
            continue
        buffer.append(line)
    close()
    sections.pop("", None)
    return sections, errors


def _leading_blank(buffer: list[str]) -> int:
    count = 0
    for line in buffer:
        if line.strip():
            break
        count += 1
    return count
