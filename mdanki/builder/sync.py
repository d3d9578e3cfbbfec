"""The deck written into an Anki collection: a build, then the package synced into the collection."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..notes import guid_for, lock
from ..sync import SyncReport, sync
from .pipeline import BuildResult, build
from .settings import load_settings


def sync_deck(
    *, collection: Path, delete_removed: bool = False, dry_run: bool = False, **options
) -> tuple[BuildResult, SyncReport]:
    """Build as ``build(**options)`` does, then bring ``collection`` in step with the package.

    ``dry_run``: build into a scratch file, leave deck.lock and the collection untouched, and
    report what a sync would change.
    """
    with tempfile.TemporaryDirectory(prefix="mdanki-sync-") as scratch:
        if dry_run:
            options = {**options, "output": Path(scratch) / "deck.apkg", "write_lock": False}
        result = build(**options)
        cards_dir = Path(options["cards_dir"]).absolute()
        namespace = load_settings(cards_dir, deck_name=options.get("deck_name")).namespace
        removed = {guid_for(namespace, card_id): card_id for card_id in result.removed}
        report = sync(
            collection, package=result.output, namespace=namespace, removed=removed,
            delete_removed=delete_removed, dry_run=dry_run,
        )
    return result, report


def removed_search(ids: list[str] | tuple[str, ...]) -> str:
    """An Anki browser search that finds these cards' notes."""
    return " or ".join(f'"CardId:{card_id}"' for card_id in ids)


def removed_cards(cards_dir: Path) -> dict[str, lock.LockEntry]:
    """The cards deck.lock lists as removed, by id."""
    return lock.removed(lock.read(cards_dir.absolute() / lock.LOCK_NAME))
