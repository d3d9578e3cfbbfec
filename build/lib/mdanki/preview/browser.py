"""Headless Chromium for looking at the preview: the browser tests and tools/screenshots.py.

A development tool like Node: it needs Debian's ``chromium`` package (or ``CHROMIUM`` set to
a Chromium binary) and Playwright for Python, which drives that browser as it is; Playwright's
own browser download is never used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# offline, reproducible and quiet: no sandbox (containers, root), no GPU, no background traffic
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_HINT = "install it with 'sudo apt-get install chromium' (Debian/Ubuntu) or set CHROMIUM to a Chromium binary"


def find_chromium() -> str | None:
    """The Chromium binary to use: $CHROMIUM, else chromium on the PATH."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def why_unavailable() -> str | None:
    """None when a preview can be opened in a browser here, else why not and what to install."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[test]'"
    if find_chromium() is None:
        return f"Chromium not found: {INSTALL_HINT}"
    return None


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (a Playwright Browser); every context opened on it gets a fresh profile."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError(f"Chromium not found: {INSTALL_HINT}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS))
        try:
            yield browser
        finally:
            browser.close()


def wait_for_mathjax(page, *, timeout_ms: int = 60_000) -> None:
    """Until MathJax has typeset the page (preview pages set data-mathjax when done)."""
    page.wait_for_function("document.documentElement.dataset.mathjax !== undefined", timeout=timeout_ms)
