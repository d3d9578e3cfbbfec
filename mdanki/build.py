"""Strings the stages together: card files -> cards -> rendered fields -> notes -> package."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import markdown
import yaml

from . import lock
from .cardfile import Card, find_card_files, read_card, shown
from .errors import BuildError, CardError
from .notes import content_digest, deck_for, make_notes
from .notetype import default_note_type
from .package import Deck, write_package
from .render import Renderer

SETTINGS_NAME = "deck.yaml"
SETTINGS_KEYS = ("name", "id", "description")
DEFAULT_DECK_NAME = "Markdown Deck"


@dataclass(frozen=True)
class DeckSettings:
    """From ``deck.yaml`` beside the cards: the deck's name, GUID namespace and description."""

    name: str
    namespace: str  # fixes every note's GUID; changing it orphans the notes users have
    description: str  # Markdown


@dataclass(frozen=True)
class BuildResult:
    output: Path | None  # None with check=True
    notes: int
    media: int
    subdecks: int
    seconds: float
    added: tuple[str, ...]  # card ids new since the last build (from deck.lock)
    changed: tuple[str, ...]
    removed: tuple[str, ...]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "deck"


def load_settings(cards_dir: Path, *, deck_name: str | None = None) -> DeckSettings:
    """Read ``deck.yaml`` if there is one; ``deck_name`` overrides its name (not its namespace)."""
    path = cards_dir / SETTINGS_NAME
    data: dict = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            raise BuildError([CardError(shown(path), mark.line + 1 if mark else 1, "not valid YAML")]) from None
        if not isinstance(data, dict):
            raise BuildError([CardError(shown(path), 1, "must be a mapping with name, id and description")])
        unknown = [key for key in data if key not in SETTINGS_KEYS]
        if unknown:
            raise BuildError([CardError(shown(path), 1, f"unknown key '{unknown[0]}' (known: {', '.join(SETTINGS_KEYS)})")])
    name = deck_name or str(data.get("name") or DEFAULT_DECK_NAME)
    namespace = str(data.get("id") or slug(name))
    return DeckSettings(name=name, namespace=namespace, description=str(data.get("description") or ""))


def default_output(settings: DeckSettings, base: Path) -> Path:
    return base / "dist" / f"{slug(settings.name)}.apkg"


def read_cards(cards_dir: Path) -> tuple[list[Card], list[CardError]]:
    """Every well-formed card under ``cards_dir``, and every problem found in the others."""
    if not cards_dir.is_dir():
        raise BuildError([CardError(shown(cards_dir), 0, "cards folder not found")])
    files = find_card_files(cards_dir)
    if not files:
        raise BuildError([CardError(shown(cards_dir), 0, "no card files (*.md) in the cards folder")])
    cards, errors = [], []
    for path in files:
        card, problems = read_card(path, cards_dir)
        errors += problems
        if card is not None:
            cards.append(card)
    first_seen: dict[str, Card] = {}
    for card in cards:
        other = first_seen.setdefault(card.id, card)
        if other is not card:
            errors.append(CardError(card.path, card.id_line, f"duplicate id '{card.id}': also used by {other.path}"))
            errors.append(CardError(other.path, other.id_line, f"duplicate id '{card.id}': also used by {card.path}"))
    return cards, errors


def build(
    *,
    cards_dir: Path,
    media_dir: Path | None,
    output: Path | None = None,
    deck_name: str | None = None,
    check: bool = False,
) -> BuildResult:
    """Build the package (or, with ``check``, only validate). Raises BuildError for bad input."""
    started = time.perf_counter()
    cards_dir = cards_dir.absolute()
    media_dir = media_dir.absolute() if media_dir is not None and media_dir.is_dir() else None
    settings = load_settings(cards_dir, deck_name=deck_name)
    cards, errors = read_cards(cards_dir)

    # render even when some files failed to parse, so one run reports every problem
    renderer = Renderer(media_dir=media_dir, roots=tuple(p for p in (cards_dir, media_dir) if p is not None))
    rendered = []
    for card in cards:
        result, problems = renderer.render(card)
        errors += problems
        if result is not None:
            rendered.append(result)
    if errors:
        raise BuildError(errors)

    note_type = default_note_type()
    lock_path = cards_dir / lock.LOCK_NAME
    previous = lock.read(lock_path)
    digests = {item.card.id: content_digest(item) for item in rendered}
    digests[lock.NOTE_TYPE_KEY] = note_type.digest
    current = lock.advance(previous, digests, lock.now())

    notes = make_notes(rendered, main_deck=settings.name, namespace=settings.namespace, lock=current)
    deck_names = _with_parents({settings.name, *(deck_for(item, settings.name) for item in rendered)})
    description = markdown.markdown(settings.description) if settings.description else ""
    decks = [Deck(name, description if name == settings.name else "") for name in deck_names]
    media = sorted({m.name: m for item in rendered for m in item.media}.values(), key=lambda m: m.name)

    if not check:
        output = output or default_output(settings, Path.cwd())
        output.parent.mkdir(parents=True, exist_ok=True)
        write_package(
            output,
            notes=notes,
            note_type=note_type,
            note_type_mod=current[lock.NOTE_TYPE_KEY].mod,
            decks=decks,
            media=media,
            zip_time=_zip_time(),
        )
        lock.write(lock_path, current)

    ids = set(digests) - {lock.NOTE_TYPE_KEY}
    old_ids = set(previous) - {lock.NOTE_TYPE_KEY}
    return BuildResult(
        output=None if check else output,
        notes=len(notes),
        media=len(media),
        subdecks=len(deck_names) - 1,
        seconds=time.perf_counter() - started,
        added=tuple(sorted(ids - old_ids)) if previous else (),
        changed=tuple(sorted(i for i in ids & old_ids if previous[i].digest != digests[i])),
        removed=tuple(sorted(old_ids - ids)),
    )


def _with_parents(names: set[str]) -> list[str]:
    """Each deck with every parent deck, parents first."""
    every = set()
    for name in names:
        parts = name.split("::")
        every.update("::".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(every, key=lambda n: (n.count("::"), n))


def _zip_time() -> tuple[int, int, int, int, int, int] | None:
    """Zip entry time from SOURCE_DATE_EPOCH when set (reproducible-builds convention)."""
    import os

    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not fixed.isdigit():
        return None
    stamp = time.gmtime(max(int(fixed), 315532800))  # zip cannot hold times before 1980
    return stamp[:6]
