"""Where a build keeps its caches, and what, besides a card file's name and bytes, decides its record.

Everything a build writes by default lives in the deck root: ``dist/``, ``.cache/``, ``preview/``
(and ``deck.lock`` and ``deck.yaml`` in the cards folder). Each cards folder has its own render
cache file there, so two decks never share entries or file records.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .cache import SCHEMA_VERSION, RenderCache


def default_cache_dir(root: Path) -> Path:
    """The render caches of the deck at ``root``."""
    return root.absolute() / ".cache" / "mdanki"


def _real(path: Path | None) -> str | None:
    return None if path is None else os.path.realpath(path)


def render_context(
    renderer: str, *, root: Path, cards_dir: Path, media_dir: Path | None, ignore_keys: Iterable[str], strict_html: bool = False
) -> str:
    """The first part of every cache key: the renderer and every folder a card's rendering depends on.

    The cards folder decides where images are looked up and which folders are allowed, the media
    folder where they are looked up next; ``ignore_keys`` and ``strict_html`` whether a card is accepted at all.
    """
    settings = [renderer, _real(root), _real(cards_dir), _real(media_dir), sorted(ignore_keys)]
    blob = json.dumps(settings + ["strict_html"] * strict_html)  # without it, the keys of earlier builds
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def open_cache(root: Path, cards_dir: Path, cache_dir: Path | None | bool, renderer: str, warn: Callable[[str], None]) -> RenderCache:
    """The render cache for this cards folder: in the deck root's ``.cache/``, a path, or none (False)."""
    if cache_dir is False or cache_dir is None:
        return RenderCache(None, warn=warn)
    folder = default_cache_dir(root) if cache_dir is True else Path(cache_dir)
    cards = hashlib.sha256(str(_real(cards_dir)).encode()).hexdigest()[:8]
    try:
        return RenderCache(folder / f"render-v{SCHEMA_VERSION}-{renderer}-{cards}.sqlite", warn=warn)
    except OSError as problem:
        warn(f"render cache unavailable ({problem}); building without it")
        return RenderCache(None, warn=warn)


def verdict_cache(root: Path, cache_dir: Path | None | bool) -> Path | None:
    """MathJax's verdicts: by default .cache/mathjax.json in the deck root, next to the render caches."""
    if cache_dir is True:
        return default_cache_dir(root).parent / "mathjax.json"
    return Path(cache_dir) / "mathjax.json" if cache_dir else None
