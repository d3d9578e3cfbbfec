"""Deck names, in one place: the main deck, sub-decks from folders or front matter, their parents."""

from __future__ import annotations


def deck_for(deck: str | None, folder: tuple[str, ...], main_deck: str) -> str:
    """``deck`` from the front matter, else the card's folders as sub-decks of the main deck."""
    if deck:
        return f"{main_deck}::{deck}"
    return "::".join([main_deck, *(deck_title(name) for name in folder)])


def deck_title(folder: str) -> str:
    """``deep-learning`` -> ``Deep learning``."""
    title = " ".join(folder.replace("_", " ").replace("-", " ").split())
    return title[:1].upper() + title[1:]


def with_parents(names: set[str]) -> list[str]:
    """Each deck with every parent deck, parents first."""
    every = set()
    for name in names:
        parts = name.split("::")
        every.update("::".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(every, key=lambda n: (n.count("::"), n))
