"""The command line's options: ``mdanki`` and its subcommands, and build_deck.py's flags."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from .. import __version__

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
            sub.add_argument("--watch", action="store_true", help="serve the preview on this machine and rebuild it as card files change")
            sub.add_argument("--port", metavar="N", type=_positive, default=8765, help="port for --watch (default: 8765)")
        _deck_options(sub)
        sub.set_defaults(parser=sub)
    _root = "the deck root (default: the nearest folder here or above holding cards/deck.yaml, else here)"
    sync = commands.add_parser("sync", help="write the deck into an Anki collection (with Anki closed)",
                               description="Build, then bring an Anki collection in step: new notes added, changed ones updated in place.")
    sync.add_argument("root", metavar="ROOT", nargs="?", type=Path, help=_root)
    sync.add_argument("--collection", metavar="PATH", type=Path, required=True, help="the collection file (collection.anki2 in Anki's profile folder)")
    sync.add_argument("--delete-removed", action="store_true", help="also delete the notes of cards removed from the source")
    sync.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    _deck_options(sync)
    sync.set_defaults(parser=sync)
    removed = commands.add_parser("removed", help="list the cards removed from the source that stay in Anki",
                                  description="List the cards deck.lock keeps as removed, with a search that finds them in Anki's browser.")
    removed.add_argument("root", metavar="ROOT", nargs="?", type=Path, help=_root)
    removed.add_argument("--cards", metavar="DIR", type=Path, help=f"folder of card files (default: cards {_IN_ROOT})")
    removed.set_defaults(parser=removed)
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
