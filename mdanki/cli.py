"""The command line: options in, one summary line (or every error) out, an exit code.

``mdanki`` (the installed command) takes a subcommand: ``init``, ``build``, ``check``,
``preview``. ``build_deck.py`` and ``build-deck`` take today's flags and mean ``mdanki build``
(``--check`` is ``mdanki check``, ``--preview DIR`` is ``mdanki preview -o DIR``). Default paths
are relative to the deck root: ROOT, or the nearest folder at or above the working folder
that holds ``cards/deck.yaml``, else the working folder.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .builder import build, find_root, new_deck
from .errors import BuildError, CardError
from .progress import Progress

EXIT_OK, EXIT_CARD_ERRORS, EXIT_USAGE = 0, 1, 2
_IN_ROOT = "in the deck root"


@dataclass(frozen=True)
class Request:
    """One build, check or preview, its paths already resolved."""

    root: Path
    cards: Path
    media: Path
    output: Path | None = None
    preview: Path | None = None
    check: bool = False
    deck_name: str | None = None
    jobs: int | None = None
    quiet: bool = False
    verbose: bool = False
    announce_id: bool = True  # say when the deck's id is written (build_deck.py prints what it always did)


def _deck_options(p: argparse.ArgumentParser) -> None:
    """The options every command that reads the cards takes."""
    p.add_argument("--cards", metavar="DIR", type=Path, help=f"folder of card files (default: cards {_IN_ROOT})")
    p.add_argument("--media", metavar="DIR", type=Path, help=f"folder images are also looked up in (default: media {_IN_ROOT})")
    p.add_argument("--deck-name", metavar="NAME", help="name of the top deck (default: from cards/deck.yaml)")
    p.add_argument("-j", "--jobs", metavar="N", type=_positive, help="processes that render changed cards, and at most as many checking their math (default: all cores)")
    noise = p.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    noise.add_argument("-v", "--verbose", action="store_true", help="also list the notes added, changed or removed since the last build")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")


def parser() -> argparse.ArgumentParser:
    """build_deck.py's (and build-deck's) options: ``mdanki build`` with --check and --preview."""
    p = argparse.ArgumentParser(  # prog: build_deck.py or build-deck, as the user typed it
        description="Build an Anki package (.apkg) from Markdown question/answer cards.",
    )
    p.add_argument("-o", "--output", metavar="FILE", type=Path, help=f"package to write (default: dist/<deck name>.apkg {_IN_ROOT})")
    p.add_argument("--check", action="store_true", help="validate every card and write nothing")
    p.add_argument("--preview", metavar="DIR", type=Path, help="write an HTML preview of every card into DIR instead of the package")
    _deck_options(p)
    return p


def mdanki_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mdanki", description="Markdown question/answer cards in, an Anki deck out that updates in place.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser("init", help="start a new deck in DIR", description="Start a new deck in DIR (default: here); never overwrites a file.")
    init.add_argument("dir", metavar="DIR", nargs="?", type=Path, default=Path("."), help="folder of the new deck (default: here)")
    init.add_argument("--name", metavar="NAME", help="name of the top deck (default: from the folder's name)")
    init.set_defaults(parser=init)
    for command, text in (
        ("build", "build the package, dist/<deck name>.apkg"),
        ("check", "validate every card, write nothing"),
        ("preview", "write an HTML preview of every card, preview/index.html"),
    ):
        sub = commands.add_parser(command, help=text, description=f"{text[0].upper()}{text[1:]} ({_IN_ROOT}).")
        sub.add_argument("root", metavar="ROOT", nargs="?", type=Path, help="the deck root (default: the nearest folder here or above holding cards/deck.yaml, else here)")
        if command == "build":
            sub.add_argument("-o", "--output", metavar="FILE", type=Path, help=f"package to write (default: dist/<deck name>.apkg {_IN_ROOT})")
        if command == "preview":
            sub.add_argument("-o", "--output", metavar="DIR", type=Path, help=f"folder to write the site into (default: preview {_IN_ROOT})")
        _deck_options(sub)
        sub.set_defaults(parser=sub)
    return p


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not '{text}'")
    return int(text)


def _check_usage(p: argparse.ArgumentParser, args: argparse.Namespace, *, package: bool) -> None:
    """Exits with 2 on an output that is no .apkg or a deck name with an empty part."""
    if package and args.output is not None and args.output.suffix.lower() != ".apkg":
        p.error(f"--output must end in .apkg, not '{args.output}'")
    for option, name in (("--deck-name", getattr(args, "deck_name", None)), ("--name", getattr(args, "name", None))):
        if name is not None and not all(part.strip() for part in name.split("::")):
            p.error(f"{option} must not be empty or have an empty part between '::'")


def shown(path: Path | str) -> str:
    """How a path appears to people: relative to the working folder when inside it."""
    text, here = str(path), os.getcwd().rstrip(os.sep)
    if text == here:
        return "."
    return text[len(here) + 1:] if text.startswith(here + os.sep) else text


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
    """build_deck.py and build-deck: today's flags."""
    p = parser()
    args = p.parse_args(argv)  # exits with 2 on bad usage
    _check_usage(p, args, package=True)
    if args.preview is not None and (args.check or args.output is not None):
        p.error("--preview writes the site instead of a package: leave out --check and --output")
    root = find_root(Path.cwd())
    return run_build(_request(args, root, output=args.output, preview=args.preview, check=args.check, announce_id=False))


def mdanki(argv: list[str] | None = None) -> int:
    """The ``mdanki`` command: init, build, check, preview."""
    args = mdanki_parser().parse_args(argv)
    command = args.command
    _check_usage(args.parser, args, package=command == "build")
    if command == "init":
        return run_init(args.dir, args.name)
    root = args.root.absolute() if args.root is not None else find_root(Path.cwd())
    output = getattr(args, "output", None)
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


def _failed(errors: list[CardError]) -> int:
    for error in errors:
        print(message(error), file=sys.stderr)
    return EXIT_CARD_ERRORS


def run_init(folder: Path, name: str | None) -> int:
    try:
        deck = new_deck(folder, name)
    except BuildError as failure:
        return _failed(failure.errors)
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
            warn=_warn,
        )
    except BuildError as failure:
        _failed(failure.errors)
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
