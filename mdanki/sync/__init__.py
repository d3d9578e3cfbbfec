"""Package -> an Anki collection: the deck written straight into a collection file, kept in step."""

from .collection import SyncNote, SyncReport, sync

__all__ = ["SyncNote", "SyncReport", "sync"]
