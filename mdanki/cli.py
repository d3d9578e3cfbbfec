"""The command line: options in, one summary line (or every error) out, an exit code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .builder import build
from .errors import BuildError, CardError
from .progress import Progress

EXIT_OK, EXIT_CARD_ERRORS, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(  # prog: build_deck.py or build-deck, as the user typed it
        description="Build an Anki package (.apkg) from Markdown question/answer cards.",
    )
    p.add_argument("--cards", metavar="DIR", type=Path, default=Path("cards"), help="folder of card files (default: cards)")
    p.add_argument("--media", metavar="DIR", type=Path, default=Path("media"), help="folder images are also looked up in (default: media)")
    p.add_argument("-o", "--output", metavar="FILE", type=Path, help="package to write (default: dist/<deck name>.apkg)")
    p.add_argument("--deck-name", metavar="NAME", help="name of the top deck (default: from cards/deck.yaml)")
    p.add_argument("--check", action="store_true", help="validate every card and write nothing")
    p.add_argument("--preview", metavar="DIR", type=Path, help="write an HTML preview of every card into DIR instead of the package")
    p.add_argument("-j", "--jobs", metavar="N", type=_positive, help="processes that render changed cards, and at most as many checking their math (default: all cores)")
    noise = p.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    noise.add_argument("-v", "--verbose", action="store_true", help="also list the notes added, changed or removed since the last build")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not '{text}'")
    return int(text)


def shown(path: Path | str) -> str:
    """How a path appears to people: relative to the working folder when inside it."""
    text, prefix = str(path), os.getcwd().rstrip(os.sep) + os.sep
    return text[len(prefix):] if text.startswith(prefix) else text


def message(error: CardError) -> str:
    """``path:line: message``, the path as people read it (no line for a whole file or folder)."""
    where = f"{shown(error.path)}:{error.line}" if error.line else shown(error.path)
    return f"{where}: {shown_paths(error.message)}"


def shown_paths(text: str) -> str:
    """Absolute paths below the working folder, inside a message, made relative too."""
    return text.replace(os.getcwd().rstrip(os.sep) + os.sep, "")


def _warn(message: str) -> None:
    print(f"warning: {shown_paths(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)  # exits with 2 on bad usage
    if args.output is not None and args.output.suffix.lower() != ".apkg":
        parser().error(f"--output must end in .apkg, not '{args.output}'")
    if args.deck_name is not None and not all(part.strip() for part in args.deck_name.split("::")):
        parser().error("--deck-name must not be empty or have an empty part between '::'")
    if args.preview is not None and (args.check or args.output is not None):
        parser().error("--preview writes the site instead of a package: leave out --check and --output")
    try:
        result = build(
            cards_dir=args.cards,
            media_dir=args.media,
            output=args.output,
            deck_name=args.deck_name,
            check=args.check,
            preview=args.preview,
            jobs=args.jobs,
            progress=Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None,
            warn=_warn,
        )
    except BuildError as failure:
        for error in failure.errors:
            print(message(error), file=sys.stderr)
        count = len(failure.errors)
        print(f"{count} error{'s' if count != 1 else ''}; no package written", file=sys.stderr)
        return EXIT_CARD_ERRORS
    except OSError as failure:
        print(f"{shown(failure.filename or '')}: {failure.strerror or failure}", file=sys.stderr)
        return EXIT_CARD_ERRORS

    if args.verbose:
        changes = result.changes
        for label, ids in (("added", changes.added), ("changed", changes.changed), ("removed", changes.removed)):
            for card_id in ids:
                print(f"{label}: {card_id}")
    if not args.quiet:
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
    """Console-script entry point."""
    sys.exit(main())
