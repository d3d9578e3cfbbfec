"""Writing the deck straight into an Anki collection, through Anki's own backend (``anki``).

Anki imports the package it would import from a file: notes and note types update in place
under the same "if newer" rule, media are copied. Around that, what an import cannot do:
the tags a user added to a note stay, cards whose sub-deck changed in the source (and that
the user did not move) follow it, and removed cards are deleted on request, only ever notes
of this deck. The collection is copied first and put back if anything fails, and a collection
Anki holds open is refused untouched.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError, CardError

_STATE = "mdanki-sync:"  # collection config key, + the deck's namespace: what the last sync wrote


@dataclass(frozen=True)
class SyncNote:
    """What the sync needs to know of each note of the package."""

    guid: str
    card_id: str
    deck: str  # the sub-deck the source puts it in
    tags: tuple[str, ...]  # the deck's own tags for it
    mod: int = 0  # Anki updates the note when this is newer than its own


@dataclass(frozen=True)
class SyncReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()  # cards that followed their note's new sub-deck
    deleted: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()  # removed from the source, still in the collection
    dry_run: bool = False


def package_notes(package: Path) -> list[SyncNote]:
    """The notes of a package as the sync needs them: GUID, card id, sub-deck, the deck's tags."""
    with zipfile.ZipFile(package) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        db = sqlite3.connect(Path(folder) / "collection.anki2")
        try:
            models_json, decks_json = db.execute("SELECT models, decks FROM col").fetchone()
            id_field = {int(mid): [f["name"] for f in m["flds"]].index("CardId") for mid, m in json.loads(models_json).items()}
            decks = {int(did): deck["name"] for did, deck in json.loads(decks_json).items()}
            first_deck = dict(db.execute("SELECT nid, did FROM cards ORDER BY ord DESC"))
            rows = db.execute("SELECT id, guid, mid, tags, flds, mod FROM notes ORDER BY id").fetchall()
        finally:
            db.close()
    return [
        SyncNote(guid, flds.split("\x1f")[id_field[mid]], decks[first_deck[nid]], tuple(tags.split()), mod)
        for nid, guid, mid, tags, flds, mod in rows
    ]


def sync(
    collection: Path,
    *,
    package: Path,
    namespace: str,
    removed: dict[str, str],
    delete_removed: bool = False,
    dry_run: bool = False,
) -> SyncReport:
    """Bring ``collection`` in step with ``package``. ``removed``: GUID -> card id of removed cards.

    Raises BuildError when the collection cannot be used (missing, open in Anki, no backend).
    """
    Collection = _backend(collection)
    if not collection.is_file():
        raise BuildError([CardError(str(collection), 0, "no Anki collection here (open Anki once, or name collection.anki2)")])
    backup = collection.with_name(collection.name + ".mdanki-backup")
    if not dry_run:
        shutil.copy2(collection, backup)
    try:
        col = Collection(str(collection))
    except Exception as problem:  # noqa: BLE001 - anki.errors.DBError and kin: refuse, untouched
        backup.unlink(missing_ok=True)
        reason = " ".join(str(problem).split()) or type(problem).__name__
        raise BuildError([CardError(str(collection), 0, f"cannot open the collection ({reason}): close Anki and sync again")]) from None
    try:
        report = _apply(col, package, namespace, package_notes(package), removed, delete_removed, dry_run)
    except BaseException:
        col.close(downgrade=False)
        if not dry_run:
            shutil.copy2(backup, collection)  # as it was before
            backup.unlink(missing_ok=True)
        raise
    col.close(downgrade=False)
    backup.unlink(missing_ok=True)
    return report


def _backend(collection: Path):
    try:
        from anki.collection import Collection
    except ImportError:
        raise BuildError([CardError(str(collection), 0, "sync needs Anki's backend: pip install 'mdanki[sync]'")]) from None
    return Collection


def _apply(col, package, namespace, notes, removed, delete_removed, dry_run) -> SyncReport:
    state = col.get_config(_STATE + namespace, {}) or {}
    by_guid = {note.guid: note for note in notes}
    existing = _existing(col, set(by_guid) | set(removed))
    added = tuple(sorted(by_guid[g].card_id for g in by_guid if g not in existing))
    own_tags = {tag for note in notes for tag in note.tags} | {t for s in state.values() for t in s.get("tags", ())}
    user_tags = {g: [t for t in tags if t not in own_tags] for g, (_, tags, _, _) in existing.items() if g in by_guid}
    moves = _moves(col, state, by_guid, existing)
    still = tuple(sorted(card_id for g, card_id in removed.items() if g in existing))
    if dry_run:
        newer = tuple(sorted(n.card_id for g, n in by_guid.items() if g in existing and n.mod > existing[g][3]))
        return SyncReport(added=added, updated=newer, moved=tuple(sorted(moves)), removed=still, dry_run=True)
    from anki.collection import ImportAnkiPackageRequest

    options = col._backend.get_import_anki_package_presets()
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options)).log
    updated_guids = {col.get_note(entry.id.nid).guid for entry in log.updated}
    for guid, tags in user_tags.items():
        if guid in updated_guids and tags:  # the import replaced the note's tags with the deck's
            note = col.get_note(existing[guid][0])
            note.tags = sorted(set(note.tags) | set(tags))
            col.update_note(note)
    for card_id, (card_ids, deck) in moves.items():
        col.set_deck(card_ids, col.decks.id(deck))
    deleted = ()
    if delete_removed and still:
        col.remove_notes([existing[g][0] for g in removed if g in existing])
        deleted, still = still, ()
    col.set_config(_STATE + namespace, {g: {"deck": n.deck, "tags": list(n.tags)} for g, n in by_guid.items()})
    updated = tuple(sorted(by_guid[g].card_id for g in updated_guids if g in by_guid))
    return SyncReport(added=added, updated=updated, moved=tuple(sorted(moves)), deleted=deleted, removed=still)


def _existing(col, guids: set[str]) -> dict[str, tuple[int, list[str], list[tuple[int, int]], int]]:
    """GUID -> (note id, tags, [(card id, deck id)], mod) of this deck's notes already in the collection."""
    found = {}
    for note_id, guid, tags, mod in col.db.all("select id, guid, tags, mod from notes"):
        if guid in guids:
            cards = col.db.all("select id, did from cards where nid = ?", note_id)
            found[guid] = (note_id, tags.split(), cards, mod)
    return found


def _moves(col, state, by_guid, existing) -> dict[str, tuple[list[int], str]]:
    """Cards whose sub-deck changed in the source since the last sync and that sit in the old one."""
    moves = {}
    for guid, (_, _, cards, _) in existing.items():
        before = state.get(guid, {}).get("deck")
        note = by_guid.get(guid)
        if note is None or before is None or before == note.deck:
            continue
        old_id = col.decks.id_for_name(before)
        left = [card_id for card_id, deck_id in cards if deck_id == old_id]  # not moved by the user
        if left:
            moves[note.card_id] = (left, note.deck)
    return moves
