"""Shared helpers: write card files, build decks, import them into real Anki collections."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def card_text(card_id: str | None = "sample", *, question: str = "What is asked?", answer: str = "The answer.",
              notes: str | None = None, tags: list[str] | None = None, extra_meta: str = "") -> str:
    """The text of a well-formed card file; pieces can be swapped for broken ones."""
    meta = []
    if card_id is not None:
        meta.append(f"id: {card_id}")
    if tags is not None:
        meta.append(f"tags: [{', '.join(tags)}]")
    if extra_meta:
        meta.append(extra_meta)
    body = f"## Question\n{question}\n\n## Answer\n{answer}\n"
    if notes is not None:
        body += f"\n## Notes\n{notes}\n"
    return "---\n" + "\n".join(meta) + "\n---\n" + body


class Project:
    """A temporary project: cards/, media/ and dist/ under one folder."""

    def __init__(self, root: Path):
        self.root = root
        self.cards = root / "cards"
        self.media = root / "media"
        self.cards.mkdir()
        self.media.mkdir()

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.cards / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def card(self, relative: str, card_id: str | None = None, **parts) -> Path:
        if card_id is None:
            card_id = Path(relative).stem
        return self.write(relative, card_text(card_id, **parts))

    @property
    def output(self) -> Path:
        return self.root / "dist" / "deck.apkg"

    def build(self, **options):
        from mdanki.builder import build

        options.setdefault("deck_name", "Test Deck")
        return build(cards_dir=self.cards, media_dir=self.media, output=self.output, **options)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return Project(tmp_path)


@pytest.fixture
def collection(tmp_path):
    """A fresh, empty Anki collection (Anki's own backend), closed afterwards."""
    anki_collection = pytest.importorskip("anki.collection")
    folder = tmp_path / "anki-profile"
    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_package(col, path: Path):
    """Import like a fresh Anki desktop does: with the collection's own import presets."""
    from anki.collection import ImportAnkiPackageRequest

    options = col._backend.get_import_anki_package_presets()
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def package_decks(path: Path) -> list[str]:
    """The deck names inside a package, read from its collection (what Anki would create)."""
    import json
    import sqlite3
    import tempfile
    import zipfile

    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        with sqlite3.connect(Path(folder) / "collection.anki2") as db:
            (decks,) = db.execute("SELECT decks FROM col").fetchone()
    return sorted(deck["name"] for deck in json.loads(decks).values())
