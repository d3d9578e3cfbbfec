"""Media: find the file a reference (``![alt](path)``, ``<img src>``, ``[sound:...]``) means and give it a content-hash name.

Anki keeps media in one flat folder, and when a package brings a file whose name
already exists there, Anki keeps the old file. Naming each file after a hash of
its bytes makes a changed image a new file, so the change reaches the user.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import CardError
from ..model import MediaFile, Section

_SAFE_STEM = re.compile(r"[^A-Za-z0-9_-]+")


class MediaProblem(Exception):
    """A reference to a file that cannot be packaged; the message is shown to the user."""


def is_remote(src: str) -> bool:
    """URLs with a scheme (https:, data:) are left alone: they are not files to package."""
    return bool(urlsplit(src).scheme) and not re.match(r"^[A-Za-z]:[\\/]", src)


def resolve(src: str, card_file: Path, roots: tuple[Path, ...], media_dir: Path | None, noun: str = "image") -> Path:
    """The file a reference points at: next to the card first, then in the media folder.

    The result must stay inside one of ``roots`` (the cards and media folders), symlinks followed.
    ``noun`` (image, sound, video) is what messages call it.
    """
    raw = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if not raw:
        raise MediaProblem(f"{noun} has an empty path")
    if "\x00" in raw:
        raise MediaProblem(f"{noun} path '{src}' is not a file")
    if os.path.isabs(raw) or raw.startswith(("/", "\\")):
        raise MediaProblem(f"{noun} path '{src}' is absolute; use a path relative to the card or the media folder")
    candidates = [card_file.parent / raw]
    if media_dir is not None:
        candidates.append(media_dir / raw)
    real_roots = tuple(root.resolve() for root in roots)
    for candidate in candidates:
        if not candidate.exists():
            continue
        real = candidate.resolve()
        if not any(real.is_relative_to(root) for root in real_roots):
            raise MediaProblem(f"{noun} path '{src}' leads outside the cards and media folders")
        if not real.is_file():
            raise MediaProblem(f"{noun} path '{src}' is not a file")
        return real
    lexical = [os.path.normpath(c) for c in candidates]
    if not any(Path(p).is_relative_to(os.path.normpath(root)) for p in lexical for root in roots):
        raise MediaProblem(f"{noun} path '{src}' leads outside the cards and media folders")
    where = "next to the card" + (" or in the media folder" if media_dir is not None else "")
    raise MediaProblem(f"{noun} '{src}' not found {where}")


def media_file(path: Path) -> MediaFile:
    """Name a file after its content: ``<stem>-<12 hex digits of sha256>.<ext>``."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    stem = _SAFE_STEM.sub("-", path.stem).strip("-") or "image"
    return MediaFile(name=f"{stem}-{digest[:12]}{path.suffix.lower()}", path=path, digest=digest)


class MediaCollector:
    """The media files one card's rendering refers to, and the references that cannot be packaged."""

    def __init__(self, *, roots: tuple[Path, ...], media_dir: Path | None):
        self.roots, self.media_dir = roots, media_dir
        self.start(Path(), "")

    def start(self, source: Path, where: str) -> None:
        """A new card (or text) whose references are relative to the file ``source``."""
        self._source, self._where = source, where
        self._section: Section | None = None
        self.media: dict[str, MediaFile] = {}
        self.lookups: dict[str, str] = {}  # reference -> the file it resolved to, for the render cache
        self.errors: list[CardError] = []

    def in_section(self, section: Section) -> None:
        self._section = section

    def package(self, src: str, noun: str = "image") -> str | None:
        """The packaged name for a local reference (None, and an error noted, if it has none)."""
        try:
            found = resolve(src, self._source, self.roots, self.media_dir, noun)
        except MediaProblem as problem:
            self.errors.append(CardError(self._where, self._line_of(src), str(problem)))
            return None
        packaged = media_file(found)
        self.media[packaged.name] = packaged
        self.lookups[src] = str(found)
        return packaged.name

    def problem(self, message: str, text: str) -> None:
        """An error at the first line of the current section that mentions ``text`` (in any case)."""
        section, line = self._section, 1
        if section is not None:
            lines = [offset for offset, row in enumerate(section.text.lower().split("\n")) if text.lower() in row]
            line = section.line + (lines[0] if lines else 0)
        self.errors.append(CardError(self._where, line, message))

    def _line_of(self, text: str) -> int:
        """The file line of the first line of the current section that mentions ``text``."""
        section = self._section
        if section is None:
            return 1
        for offset, line in enumerate(section.text.split("\n")):
            if text in line:
                return section.line + offset
        return section.line
