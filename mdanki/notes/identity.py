"""A note's identity: its GUID and id, from the deck's namespace and the card's ``id`` only.

Never from its text, file name or folder, so editing, renaming or moving a card file keeps
the note, and with it the user's review history.
"""

from __future__ import annotations

import hashlib

from ..model import LockEntry

# Anki's own GUID alphabet (base91 without characters that need escaping)
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
_PAIRS = [a + b for a in _BASE91 for b in _BASE91]  # two base91 digits at a time: half the divisions


def identity(namespace: str, card_id: str) -> bytes:
    """sha256(namespace, id): the source of both a note's GUID and its id's tie-breaker."""
    return hashlib.sha256(f"{namespace}\x1f{card_id}".encode()).digest()


def guid_for(namespace: str, card_id: str) -> str:
    """A short, stable GUID: 64 bits of sha256(namespace, id) in Anki's base91 alphabet."""
    return guid(identity(namespace, card_id))


def guid(identity: bytes) -> str:
    number = int.from_bytes(identity[:8], "big")
    pairs = []
    while number:
        number, rest = divmod(number, len(_PAIRS))
        pairs.append(_PAIRS[rest])
    return "".join(reversed(pairs)).lstrip(_BASE91[0]) or _BASE91[0]


def note_ids(identities: dict[str, bytes], lock: dict[str, LockEntry]) -> dict[str, int]:
    """Anki reads a note id as its creation time in milliseconds; keep that meaning, stay unique.

    Notes are numbered in order of creation (then of a hash), each at least one past the
    previous, so a new card never shifts an older note's id, in one pass however many notes
    share a creation second.
    """
    salt = {c: int.from_bytes(identity[:4], "big") % 1000 for c, identity in identities.items()}
    ids = {}
    last = -1
    for card_id in sorted(identities, key=lambda c: (lock[c].created, salt[c], c)):
        last = max(lock[card_id].created * 1000 + salt[card_id], last + 1)
        ids[card_id] = last
    return ids


MAX_ORDS = 1000  # cards one note may have (templates, or cloze numbers up to c1000)


def card_id(note_id: int, ord_: int, *, lowest_note_id: int, rank: int) -> int:
    """A card's id. Ord 0 has its note's id, as every basic card always had.

    Anki moves ids that lie in the future to the present on import, where they can meet the
    ids of other cards: so a note's further cards take ids below every note id of the deck,
    a block of MAX_ORDS per note by the note's rank in id order, all in the past and distinct.
    """
    if ord_ == 0:
        return note_id
    return lowest_note_id - 1 - rank * MAX_ORDS - ord_
