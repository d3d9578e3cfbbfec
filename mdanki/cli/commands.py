"""The command line: options in, one summary line (or every error) out, an exit code.

``mdanki`` (the installed command) takes a subcommand: ``init``, ``build``, ``check``,
``preview``. ``build_deck.py`` and ``build-deck`` take today's flags and mean ``mdanki build``
(``--check`` is ``mdanki check``, ``--preview DIR`` is ``mdanki preview -o DIR``). Default paths
are relative to the deck root: ROOT, or the nearest folder at or above the working folder
that holds ``cards/deck.yaml``, else the working folder.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..builder import build, find_root, new_deck
from ..errors import BuildError
from ..progress import Progress
from .messages import EXIT_CARD_ERRORS, EXIT_OK, failed, shown, warn
from .instep import run_removed, run_sync
from .parsers import Request, _check_usage, mdanki_parser, parser
from .watching import run_watch


def main(argv: list[str] | None = None) -> int:
    """build_deck.py and build-deck: today's flags."""
    p = parser()
    args = p.parse_args(argv)  # exits with 2 on bad usage
    _check_usage(p, args, package=True)
    if args.preview is not None and (args.check or args.output is not None):
        p.error("--preview writes the site instead of a package: leave out --check and --output")
    root = find_root(Path.cwd())
    return run_build(_request(args, root, output=args.output, preview=args.preview, check=args.check, announce_id=False))


def mdanki(argv: list[str] | None = None) -> int:
    """The ``mdanki`` command: init, build, check, preview, sync, removed."""
    args = mdanki_parser().parse_args(argv)
    command = args.command
    _check_usage(args.parser, args, package=command == "build")
    if command == "init":
        return run_init(args.dir, args.name)
    root = args.root.absolute() if args.root is not None else find_root(Path.cwd())
    if command == "removed":
        return run_removed(args.cards if args.cards is not None else root / "cards")
    if command == "sync":
        return run_sync(_request(args, root), collection=args.collection, delete_removed=args.delete_removed, dry_run=args.dry_run)
    output = getattr(args, "output", None)
    if command == "preview" and args.watch:
        return run_watch(_request(args, root, preview=output or root / "preview"), port=args.port)
    return run_build(_request(
        args, root,
        output=output if command == "build" else None,
        preview=(output or root / "preview") if command == "preview" else None,
        check=command == "check",
    ))


def _request(args: argparse.Namespace, root: Path, **what) -> Request:
    return Request(
        root=root,
        cards=args.cards if args.cards is not None else root / "cards",
        media=args.media if args.media is not None else root / "media",
        deck_name=args.deck_name, jobs=args.jobs, quiet=args.quiet, verbose=args.verbose, **what,
    )


def run_init(folder: Path, name: str | None) -> int:
    try:
        deck = new_deck(folder, name)
    except BuildError as failure:
        return failed(failure.errors)
    except OSError as failure:
        print(f"{shown(failure.filename or '')}: {failure.strerror or failure}", file=sys.stderr)
        return EXIT_CARD_ERRORS
    where = shown(deck.folder)
    made = ", ".join(path.relative_to(deck.folder).as_posix() for path in deck.files)
    print(f"new deck '{deck.name}' (id {deck.id}) in {where}: {made}")
    steps = [f"cd {shlex.quote(where)}", "mdanki build"] if where != "." else ["mdanki build", "mdanki preview"]
    print("next:\n" + "".join(f"  {step}\n" for step in steps), end="")
    return EXIT_OK


def run_build(request: Request) -> int:
    try:
        result = build(
            root=request.root,
            cards_dir=request.cards,
            media_dir=request.media,
            output=request.output,
            deck_name=request.deck_name,
            check=request.check,
            preview=request.preview,
            jobs=request.jobs,
            progress=Progress(sys.stderr) if sys.stderr.isatty() and not request.quiet else None,
            warn=warn,
        )
    except BuildError as failure:
        failed(failure.errors)
        count = len(failure.errors)
        print(f"{count} error{'s' if count != 1 else ''}; no package written", file=sys.stderr)
        return EXIT_CARD_ERRORS
    except OSError as failure:
        print(f"{shown(failure.filename or '')}: {failure.strerror or failure}", file=sys.stderr)
        return EXIT_CARD_ERRORS

    if request.verbose:
        changes = result.changes
        for label, ids in (("added", changes.added), ("changed", changes.changed), ("removed", changes.removed)):
            for card_id in ids:
                print(f"{label}: {card_id}")
    if request.quiet:
        return EXIT_OK
    if result.wrote_id is not None and request.announce_id:
        print(f"{shown(result.wrote_id)}: wrote the deck's id '{result.namespace}', which every note's GUID comes from; commit the file and never change the id")
    target = "checked, nothing written" if result.output is None else f"-> {shown(result.output)}"
    if result.preview is not None:
        target = f"previewed -> {shown(result.preview)}"
    print(
        f"{result.notes} notes, {result.media} media files, {result.subdecks} sub-decks {target} "
        f"in {result.seconds:.2f} s"
    )
    if result.removed:
        cards = "card" if len(result.removed) == 1 else "cards"
        print(f"{len(result.removed)} {cards} removed from the source stay in Anki; 'mdanki removed' lists them")
    return EXIT_OK


def run() -> None:
    """The ``mdanki`` console script."""
    sys.exit(mdanki())


def run_build_deck() -> None:
    """The ``build-deck`` console script: build_deck.py's flags."""
    sys.exit(main())
