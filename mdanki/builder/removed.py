"""Cards that left the source: their last question, for deck.lock, and a hint when one was renamed.

The question of a card just removed comes from the render cache, which still holds the
last rendering of its file; a card removed before any build on this machine has none.
"""

from __future__ import annotations

import difflib

from ..model import CardRecord, LockEntry
from ..text import plain_text
from .cache import RenderCache

_SAME = 0.8  # similarity of two questions above which a remove-and-add looks like a rename


def question_of(fields: dict[str, str]) -> str:
    """What a note asks, as plain text (a cloze's text, deletions shown)."""
    return plain_text(fields.get("Question") or fields.get("Text") or "").replace("{{c", "{{ c")


def last_questions(cache: RenderCache, ids: set[str]) -> dict[str, str]:
    """The last question of each of these card ids the cache still knows."""
    return {card_id: question_of(fields) for card_id, fields in cache.fields_by_card_id(ids).items()} if ids else {}


def rename_hints(
    questions: dict[str, str], previous: dict[str, LockEntry], records: list[CardRecord], cache: RenderCache
) -> list[str]:
    """'did you rename x to y?' for each card just removed whose question a card just added nearly repeats."""
    added = [record for record in records if record.id not in previous or previous[record.id].removed]
    if not questions or not added:
        return []
    fields = cache.fields_in_order(record.key for record in added)
    new = {record.id: question_of(found) for record, found in zip(added, fields) if found is not None}
    hints = []
    for old, old_question in sorted(questions.items()):
        ratios = {card_id: difflib.SequenceMatcher(None, old_question, q).ratio() for card_id, q in new.items()}
        best = max(ratios, key=ratios.get, default=None)
        if old_question and best is not None and ratios[best] >= _SAME:
            hints.append(f"did you rename {old} to {best}? keep the old id to keep its history")
    return hints
