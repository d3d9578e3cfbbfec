"""``mdanki preview --watch``: the preview served on this machine, following the files being written."""

from __future__ import annotations

import sys

from ..builder import watch_preview
from ..errors import BuildError
from .messages import EXIT_OK, message, shown, warn
from .parsers import Request


def run_watch(request: Request, *, port: int) -> int:
    def report(outcome) -> list[str]:
        if isinstance(outcome, BuildError):
            lines = [message(error) for error in outcome.errors]
            for line in lines:
                print(line, file=sys.stderr)
            print(f"{len(lines)} error{'s' if len(lines) != 1 else ''}; the page shows them until they are fixed", file=sys.stderr)
            return lines
        if not request.quiet:
            print(f"{outcome.notes} notes previewed in {outcome.seconds:.2f} s", flush=True)
        return []

    def ready(address: str) -> None:
        print(f"serving the preview of {shown(request.cards)} at {address} (Ctrl+C stops)", flush=True)

    try:
        watch_preview(
            preview=request.preview, port=port, report=report, ready=ready,
            root=request.root, cards_dir=request.cards, media_dir=request.media, deck_name=request.deck_name,
            jobs=request.jobs, warn=warn,
        )
    except KeyboardInterrupt:
        pass
    return EXIT_OK
