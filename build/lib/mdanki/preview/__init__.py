"""Rendered cards -> an offline HTML site of every card, in light, night and phone views."""

from .pages import PreviewCard, faces, fill
from .site import MARKER, PreviewProblem, PreviewSite, write_preview

__all__ = ["MARKER", "PreviewCard", "PreviewProblem", "PreviewSite", "faces", "fill", "write_preview"]
