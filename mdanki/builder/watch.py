"""The preview while writing: served on this machine, rebuilt whenever a card file is saved.

Each rebuild is an ordinary build with the render cache, so only the cards whose files changed
are rendered again; the open pages reload themselves, or show the build's errors until fixed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import BuildError
from ..preview.serve import PreviewServer
from .pipeline import BuildResult, build


def watch_preview(
    *,
    preview: Path,
    port: int,
    report: Callable[[BuildResult | BuildError], list[str]],
    ready: Callable[[str], None],
    stop: threading.Event | None = None,
    **options,
) -> None:
    """Serve ``preview`` and rebuild it on every change under the cards and media folders.

    ``report`` hears each outcome and returns the lines the page shows (none when it built);
    ``ready`` hears the address once the first build is served. Runs until ``stop`` is set.
    """
    from watchfiles import watch

    preview.mkdir(parents=True, exist_ok=True)
    server = PreviewServer(preview, port=port)

    def rebuild() -> None:
        try:
            outcome: BuildResult | BuildError = build(preview=preview, **options)
        except BuildError as failure:
            outcome = failure
        server.publish(errors=report(outcome))

    rebuild()
    server.start()
    try:
        ready(server.address)
        folders = [Path(options["cards_dir"])]
        if options.get("media_dir") is not None and Path(options["media_dir"]).is_dir():
            folders.append(Path(options["media_dir"]))
        for _changes in watch(*folders, stop_event=stop, debounce=60, step=20, rust_timeout=200, yield_on_timeout=False):
            rebuild()
    finally:
        server.close()
