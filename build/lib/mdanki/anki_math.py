"""How Anki typesets math: MathJax's version and TeX options, and where a pinned copy is installed.

Anki's reviewer renders math with MathJax 3.2.2 (the ``tex-chtml-full`` component with the
options in ``ANKI_TEX``, from ``ts/mathjax/`` in Anki's sources). The math check and the
preview both follow this module, so they agree with Anki and with each other.
"""

from __future__ import annotations

import json
from pathlib import Path

MATHJAX_VERSION = "3.2.2"  # what Anki ships; package.json pins the same

ANKI_TEX: dict = {
    "inlineMath": [["\\(", "\\)"]],  # MathJax's default, spelled out for the preview
    "displayMath": [["\\[", "\\]"]],
    "processEscapes": False,
    "processEnvironments": False,
    "processRefs": False,
    "packages": {"[+]": ["noerrors", "mathtools"], "[-]": ["textmacros"]},
}

# where `npm ci` installs mathjax-full in a checkout of this repository
DEV_ROOT = Path(__file__).resolve().parent.parent


def installed_version(root: Path = DEV_ROOT) -> str | None:
    """The version of the mathjax-full npm package under ``root``, None when not installed."""
    package = root / "node_modules" / "mathjax-full" / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8")).get("version"))
    except (OSError, ValueError):
        return None


def mathjax_package(root: Path | None = None) -> Path | None:
    """The installed mathjax-full folder, when it is the version Anki uses."""
    root = root or DEV_ROOT
    return root / "node_modules" / "mathjax-full" if installed_version(root) == MATHJAX_VERSION else None
