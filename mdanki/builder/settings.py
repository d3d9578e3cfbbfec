"""What a build is told: ``deck.yaml`` beside the cards, and the one clock every stamp comes from."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import BuildError, CardError
from ..model import slug

SETTINGS_NAME = "deck.yaml"
SETTINGS_KEYS = ("name", "id", "description")
DEFAULT_DECK_NAME = "Markdown Deck"
_ZIP_MINIMUM = 315532800  # 1980-01-01: zip cannot hold an earlier time


@dataclass(frozen=True)
class DeckSettings:
    """From ``deck.yaml`` beside the cards: the deck's name, GUID namespace and description."""

    name: str
    namespace: str  # fixes every note's GUID; changing it orphans the notes users have
    description: str  # Markdown


def load_settings(cards_dir: Path, *, deck_name: str | None = None) -> DeckSettings:
    """Read ``deck.yaml`` if there is one; ``deck_name`` overrides its name (not its namespace)."""
    path = cards_dir / SETTINGS_NAME
    data: dict = {}
    if path.exists():
        where = str(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            raise BuildError([CardError(where, mark.line + 1 if mark else 1, "not valid YAML")]) from None
        if not isinstance(data, dict):
            raise BuildError([CardError(where, 1, "must be a mapping with name, id and description")])
        unknown = [key for key in data if key not in SETTINGS_KEYS]
        if unknown:
            raise BuildError([CardError(where, 1, f"unknown key '{unknown[0]}' (known: {', '.join(SETTINGS_KEYS)})")])
    name = deck_name or str(data.get("name") or DEFAULT_DECK_NAME)
    namespace = str(data.get("id") or deck_slug(name))
    return DeckSettings(name=name, namespace=namespace, description=str(data.get("description") or ""))


def deck_slug(name: str) -> str:
    """A deck's name as a file name: its package in dist/, its GUID namespace when deck.yaml has no id."""
    return slug(name, "deck")


def default_output(settings: DeckSettings, base: Path) -> Path:
    return base / "dist" / f"{deck_slug(settings.name)}.apkg"


def _fixed_time() -> int | None:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), when set."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(fixed) if fixed.isdigit() else None


def now() -> int:
    """The build's clock for deck.lock: ``SOURCE_DATE_EPOCH`` when set, else the wall clock."""
    fixed = _fixed_time()
    return fixed if fixed is not None else int(time.time())


def zip_time() -> tuple[int, int, int, int, int, int] | None:
    """Zip entry time from ``SOURCE_DATE_EPOCH`` when set; None for the zip format's earliest."""
    fixed = _fixed_time()
    return None if fixed is None else time.gmtime(max(fixed, _ZIP_MINIMUM))[:6]
