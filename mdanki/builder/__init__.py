"""The build: the one package that calls the stages, in order, and keeps the render cache."""

from .pipeline import BuildResult, build, default_cache_dir
from .settings import DeckSettings, load_settings
from .sync import removed_cards, removed_search, sync_deck

__all__ = [
    "BuildResult", "DeckSettings", "build", "default_cache_dir", "load_settings",
    "removed_cards", "removed_search", "sync_deck",
]
