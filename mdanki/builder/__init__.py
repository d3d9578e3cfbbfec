"""The build: the one package that calls the stages, in order, and keeps the render cache."""

from .newdeck import NewDeck, new_deck
from .pipeline import BuildResult, build
from .places import default_cache_dir
from .settings import DeckSettings, find_root, load_settings
from .sync import removed_cards, removed_search, sync_deck
from .watch import watch_preview

__all__ = [
    "BuildResult", "DeckSettings", "NewDeck", "build", "default_cache_dir", "find_root", "load_settings",
    "new_deck", "removed_cards", "removed_search", "sync_deck", "watch_preview",
]
