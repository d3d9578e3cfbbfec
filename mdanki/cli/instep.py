"""Keeping a collection in step: ``mdanki removed`` and ``mdanki sync``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..builder import removed_cards, removed_search, sync_deck
from ..errors import BuildError
from ..progress import Progress
from .messages import EXIT_CARD_ERRORS, EXIT_OK, failed, one_line, shown, warn
from .parsers import Request


def run_removed(cards: Path) -> int:
    """Every card deck.lock keeps as removed, and an Anki search that finds their notes."""
    try:
        entries = removed_cards(cards)
    except BuildError as failure:
        return failed(failure.errors)
    if not entries:
        print("no removed cards: every card deck.lock knows is in the source")
        return EXIT_OK
    for card_id, entry in sorted(entries.items()):
        when = time.strftime("%Y-%m-%d", time.gmtime(entry.removed))
        print(one_line(f"{card_id}\tremoved {when}\t{entry.question or '(question not known)'}"))  # deck.lock's text, escaped
    print(f"\nIn Anki's browser, this search finds their notes (select them and delete):\n  {removed_search(sorted(entries))}")
    return EXIT_OK


def run_sync(request: Request, *, collection: Path, delete_removed: bool, dry_run: bool) -> int:
    try:
        result, report = sync_deck(
            collection=collection.absolute(), delete_removed=delete_removed, dry_run=dry_run,
            root=request.root, cards_dir=request.cards, media_dir=request.media, deck_name=request.deck_name,
            jobs=request.jobs, warn=warn,
            progress=Progress(sys.stderr) if sys.stderr.isatty() and not request.quiet else None,
        )
    except BuildError as failure:
        failed(failure.errors)
        print("nothing synced; the collection is as it was", file=sys.stderr)
        return EXIT_CARD_ERRORS
    if request.verbose:
        for label, ids in (("added", report.added), ("updated", report.updated), ("moved", report.moved), ("deleted", report.deleted)):
            for card_id in ids:
                print(f"{label}: {card_id}")
    if not request.quiet:
        verb = "would sync" if report.dry_run else "synced"
        print(
            f"{verb} {result.notes} notes into {shown(collection)}: {len(report.added)} added, "
            f"{len(report.updated)} updated, {len(report.moved)} moved to their new sub-deck, {len(report.deleted)} deleted"
        )
        if report.removed:
            print(f"{len(report.removed)} removed from the source stay in the collection; --delete-removed deletes them")
    return EXIT_OK
