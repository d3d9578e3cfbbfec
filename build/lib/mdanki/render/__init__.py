"""Card -> rendered fields and the media they use (every Markdown extension in one table)."""

from .media import MediaCollector, media_file
from .renderer import EXTENSIONS, Renderer, fingerprint

__all__ = ["EXTENSIONS", "MediaCollector", "Renderer", "fingerprint", "media_file"]
