"""Which files are cards, and their names below the cards folder."""

from __future__ import annotations

import os
from pathlib import Path


def find_card_files(cards_dir: Path) -> list[str]:
    """Every ``*.md`` below ``cards_dir`` in a stable order, skipping README files and hidden paths.

    Paths as strings: at 100,000 files, making Path objects costs more than hashing the files.
    """
    found = []
    for folder, subfolders, names in os.walk(cards_dir):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            if name.endswith(".md") and not name.startswith(".") and name.lower() != "readme.md":
                found.append(os.path.join(folder, name))
    base = len(str(cards_dir).rstrip(os.sep)) + 1
    found.sort(key=lambda text: text[base:].replace(os.sep, "/"))
    return found


def relative_name(path: Path | str, base: Path) -> str:
    """``path`` below ``base`` as a '/'-separated name (string work: pathlib is slow at 100,000 files)."""
    text, prefix = str(path), str(base).rstrip(os.sep) + os.sep
    return text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else Path(path).as_posix()
