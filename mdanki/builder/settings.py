"""What a build is told: the deck root, ``deck.yaml`` beside the cards, and the one clock every stamp comes from.

Every problem of ``deck.yaml`` names its own line. A deck whose ``deck.yaml`` has no ``id`` (or
that has no ``deck.yaml``) gets one written into it by the first package build, derived from the
deck's name exactly as before, so notes users already have keep their GUIDs; from then on no
new name, ``--deck-name`` or edit to the name can change a GUID.
"""

from __future__ import annotations

import difflib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..atomic import Commit, replacing
from ..errors import BuildError, CardError
from ..model import slug
from ..source import FRONT_MATTER_KEYS, Unreadable, read_regular
from ..source.yamlsafe import Loader, YamlProblem, load_yaml
from ..package import newest_mod

SETTINGS_NAME = "deck.yaml"
SETTINGS_KEYS = ("name", "id", "description", "ignore_keys", "strict_html")
DEFAULT_DECK_NAME = "Markdown Deck"
_ZIP_MINIMUM = 315532800  # 1980-01-01: zip cannot hold an earlier time
_ID_COMMENT = "written by mdanki: every note's GUID comes from it; never change it"
_NEW_FILE = "# The deck: name (its top deck in Anki), id (never change it) and description (Markdown).\n"


@dataclass(frozen=True)
class DeckSettings:
    """From ``deck.yaml`` beside the cards: the deck's name, GUID namespace and description."""

    name: str
    namespace: str  # fixes every note's GUID; changing it orphans the notes users have
    description: str  # Markdown
    ignore_keys: tuple[str, ...] = ()  # front-matter keys of other tools, read past
    namespace_in_file: bool = True  # False: derived from the name, to be written into deck.yaml
    strict_html: bool = False  # refuse card HTML that runs code (scripts, event handlers, javascript: links)


def find_root(start: Path) -> Path:
    """The deck root: the nearest folder at or above ``start`` holding ``cards/deck.yaml``, else ``start``."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / "cards" / SETTINGS_NAME).is_file():
            return folder
    return start


def load_settings(cards_dir: Path, *, deck_name: str | None = None) -> DeckSettings:
    """Read ``deck.yaml`` if there is one; ``deck_name`` overrides its name (never its namespace)."""
    path = cards_dir / SETTINGS_NAME
    data, lines = _read(path) if path.exists() else ({}, {})
    errors = _problems(data, lines, str(path))
    if errors:
        raise BuildError(errors)
    name = deck_name or str(data.get("name") or DEFAULT_DECK_NAME)
    pinned = data.get("id") not in (None, "")
    return DeckSettings(
        name=name,
        namespace=str(data["id"]) if pinned else deck_slug(name),  # the fallback GUIDs always had
        description=str(data.get("description") or ""),
        ignore_keys=tuple(data.get("ignore_keys") or ()),
        namespace_in_file=pinned,
        strict_html=data.get("strict_html") is True,
    )


def _read(path: Path) -> tuple[dict, dict[str, int]]:
    """deck.yaml's mapping and the file line of each of its keys."""
    where = str(path)
    try:
        source = read_regular(path)[0]
    except Unreadable as unreadable:  # a FIFO, a device, over 1 MiB: refused, never waited on
        raise BuildError([unreadable.error]) from None
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        raise BuildError([CardError(where, line, "file is not UTF-8 text; save it as UTF-8")]) from None
    try:
        data, node = load_yaml(text)
    except YamlProblem as exc:  # an alias, a key given twice, a line break only YAML sees
        raise BuildError([CardError(where, exc.line, exc.message)]) from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BuildError([CardError(where, _error_line(exc, text), f"not valid YAML: {problem}")]) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise BuildError([CardError(where, node.start_mark.line + 1, "must be a mapping with name, id and description")])
    return data, {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    """The line a YAML error is on; one noticed at the end points at where the construct began."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None and mark.line >= len(text.rstrip("\n").split("\n")):
        mark = getattr(exc, "context_mark", None) or mark
    return mark.line + 1 if mark is not None else 1


def _problems(data: dict, lines: dict[str, int], where: str) -> list[CardError]:
    errors = []
    for key in data:
        if key not in SETTINGS_KEYS:
            close = difflib.get_close_matches(str(key), SETTINGS_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(SETTINGS_KEYS)})"
            errors.append(CardError(where, lines.get(str(key), 1), f"unknown key '{key}'{hint}"))
    if isinstance(data.get("id"), (dict, list)):
        errors.append(CardError(where, lines["id"], "id must be a text, for example 'id: my-deck'"))
    if data.get("strict_html") not in (None, True, False):
        errors.append(CardError(where, lines["strict_html"], "strict_html must be true or false"))
    ignored = data.get("ignore_keys")
    if ignored is not None:
        line = lines["ignore_keys"]
        if not isinstance(ignored, list) or not all(isinstance(key, str) and key for key in ignored):
            errors.append(CardError(where, line, "ignore_keys must be a list of front-matter keys, for example 'ignore_keys: [title, aliases]'"))
        else:
            errors += [
                CardError(where, line, f"ignore_keys cannot hold '{key}': mdanki reads that front-matter key")
                for key in ignored
                if key in FRONT_MATTER_KEYS
            ]
    return errors


def write_namespace(cards_dir: Path, settings: DeckSettings, commit: Commit | None = None) -> Path:
    """Pin the namespace in ``deck.yaml`` (made if missing), leaving the rest of its text as it was."""
    path = cards_dir / SETTINGS_NAME
    data, lines = _read(path) if path.exists() else ({}, {})
    text = path.read_bytes().decode("utf-8") if path.exists() else _NEW_FILE  # as it is, \r\n and all
    newline = "\r\n" if "\r\n" in text else "\n"
    entry = f"id: {yaml_text(settings.namespace)}  # {_ID_COMMENT}{newline}"
    if "id" in lines:  # an empty 'id:' line: fill it in
        rows = text.split("\n")  # line breaks are \n (or \r\n) only, as YAML's line numbers count them
        rows = [row + "\n" for row in rows[:-1]] + ([rows[-1]] if rows[-1] else [])
        rows[lines["id"] - 1] = entry
        new_text = "".join(rows)
    else:
        new_text = text + ("" if not text or text.endswith("\n") else newline) + entry
    if _loaded(new_text) != {**data, "id": settings.namespace}:  # a flow mapping, say: no line can be added
        raise BuildError([CardError(str(path), 0, f"cannot add the deck's id to this file; add the line 'id: {settings.namespace}' yourself")])
    if commit is not None:  # put in place with the package
        commit.add(path, new_text.encode("utf-8"))
        return path
    with replacing(path) as out:
        out.write(new_text.encode("utf-8"))
    return path


def _loaded(text: str) -> object:
    try:
        return yaml.load(text, Loader=Loader)  # the C loader: nesting is limited, never a RecursionError
    except (yaml.YAMLError, RecursionError):
        return None


def yaml_text(text: str) -> str:
    """``text`` as a YAML value: plain when YAML reads it back as the same text, quoted otherwise."""
    return text if _loaded(f"k: {text}") == {"k": text} else json.dumps(text, ensure_ascii=False)


def deck_slug(name: str) -> str:
    """A deck's name as a file name: its package in dist/, and the namespace deck.yaml's id starts as."""
    return slug(name, "deck")


def default_output(settings: DeckSettings, root: Path) -> Path:
    return root / "dist" / f"{deck_slug(settings.name)}.apkg"


def _fixed_time() -> int | None:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), when set."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not (fixed.isascii() and fixed.isdigit()):
        return None
    if int(fixed) >= 2**31:  # Anki keeps mod in 32 bits: it would refuse the package
        raise BuildError([CardError("SOURCE_DATE_EPOCH", 0, f"must be Unix seconds below {2**31} (Anki cannot hold later times)")])
    return int(fixed)


def now() -> int:
    """The build's clock for deck.lock: ``SOURCE_DATE_EPOCH`` when set, else the wall clock."""
    fixed = _fixed_time()
    return fixed if fixed is not None else int(time.time())


def zip_time() -> tuple[int, int, int, int, int, int] | None:
    """Zip entry time from ``SOURCE_DATE_EPOCH`` when set; None for the zip format's earliest."""
    fixed = _fixed_time()
    return None if fixed is None else time.gmtime(max(fixed, _ZIP_MINIMUM))[:6]


def refuse_stale_clock(previous: dict, output: Path, lock_path: Path) -> None:
    """Without deck.lock every note gets the build's clock as its ``mod``: refuse it when the package
    being replaced already has newer notes, which Anki would keep over these (edits would never arrive)."""
    if previous or not output.is_file():
        return
    newest, clock = newest_mod(output), now()
    if newest >= clock:
        raise BuildError([CardError(
            str(lock_path), 0,
            f"deck.lock is missing and this build's time ({clock}, SOURCE_DATE_EPOCH if set) is not after the notes of "
            f"{output} ({newest}), so Anki would keep those and never show these edits: restore deck.lock from git, "
            f"or set SOURCE_DATE_EPOCH after {newest}",
        )])
