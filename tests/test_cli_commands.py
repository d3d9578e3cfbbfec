"""The installed command, ``mdanki init|build|check|preview``: the deck root decides every default path."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import card_text

from mdanki import __version__
from mdanki.cli import main, mdanki


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty working folder, with no deck at or above it."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return folder


def test_init_writes_a_deck_that_builds_checks_and_previews(here, capsys, monkeypatch):
    assert mdanki(["init", "d"]) == 0
    out = capsys.readouterr().out
    deck = yaml.safe_load((here / "d/cards/deck.yaml").read_text())
    assert re.fullmatch(r"d-[0-9a-f]{8}", deck["id"]) and deck["name"] == "D" and deck["description"]
    assert out == (
        f"new deck 'D' (id {deck['id']}) in d: cards/deck.yaml, cards/example.md, media/example.svg, .gitignore\n"
        "next:\n  cd d\n  mdanki build\n"
    )
    example = (here / "d/cards/example.md").read_text()
    assert "$$" in example and "```python" in example and "](example.svg)" in example
    assert (here / "d/media/example.svg").read_text().startswith("<svg")
    assert (here / "d/.gitignore").read_text().splitlines()[1:] == ["/dist/", "/.cache/", "/preview/"]

    monkeypatch.chdir(here / "d")
    assert mdanki(["build"]) == 0
    assert capsys.readouterr().out.startswith("1 notes, 1 media files, 0 sub-decks -> dist/d.apkg in ")
    assert mdanki(["check"]) == 0
    assert "checked, nothing written" in capsys.readouterr().out
    assert mdanki(["preview"]) == 0
    assert "previewed -> preview/index.html" in capsys.readouterr().out
    assert mdanki(["init"]) == 1  # here, where the deck already is
    assert capsys.readouterr().err == "cards/deck.yaml: already exists; mdanki init never overwrites a file\n"


def test_init_never_overwrites_and_writes_nothing_then(here, capsys):
    (here / "d").mkdir()
    (here / "d/.gitignore").write_text("mine\n")
    assert mdanki(["init", "d"]) == 1
    assert capsys.readouterr().err == "d/.gitignore: already exists; mdanki init never overwrites a file\n"
    assert files_under(here) == {"d/.gitignore"} and (here / "d/.gitignore").read_text() == "mine\n"


def test_init_here_with_a_name(here, capsys):
    assert mdanki(["init", "--name", "Linear Algebra::Basics"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("next:\n  mdanki build\n  mdanki preview\n")
    deck = yaml.safe_load((here / "cards/deck.yaml").read_text())
    assert deck["name"] == "Linear Algebra::Basics" and re.fullmatch(r"linear-algebra-basics-[0-9a-f]{8}", deck["id"])
    with pytest.raises(SystemExit) as exit_info:
        mdanki(["init", "other", "--name", "A::"])
    assert exit_info.value.code == 2
    assert "--name must not be empty or have an empty part between '::'" in capsys.readouterr().err


def test_two_inits_give_two_ids(here, capsys):
    assert mdanki(["init", "a", "--name", "Same"]) == 0 and mdanki(["init", "b", "--name", "Same"]) == 0
    ids = {yaml.safe_load((here / f"{d}/cards/deck.yaml").read_text())["id"] for d in "ab"}
    assert len(ids) == 2


def test_build_from_inside_the_deck_uses_the_deck_root(here, capsys, monkeypatch):
    mdanki(["init", "d"])
    (here / "d/cards/topic").mkdir()
    monkeypatch.chdir(here / "d/cards/topic")
    assert mdanki(["build", "-q"]) == 0
    assert (here / "d/dist/d.apkg").exists() and not (here / "d/cards/topic/dist").exists()


def test_build_root_from_elsewhere_writes_only_inside_it(here, capsys, tmp_path):
    mdanki(["init", "d"])
    capsys.readouterr()
    outside = files_under(tmp_path) - {p for p in files_under(tmp_path) if p.startswith("work/d/")}
    for command in (["build", "d"], ["check", "d"], ["preview", "d"]):
        assert mdanki(command) == 0
    out = capsys.readouterr().out
    assert "-> d/dist/d.apkg in " in out and "previewed -> d/preview/index.html" in out
    after = files_under(tmp_path)
    assert {p for p in after if not p.startswith("work/d/")} == outside
    assert {"work/d/dist/d.apkg", "work/d/cards/deck.lock", "work/d/preview/index.html"} <= after
    assert any(p.startswith("work/d/.cache/mdanki/render-") for p in after)


def test_options_name_places_outside_the_root(here, capsys):
    mdanki(["init", "d"])
    assert mdanki(["build", "d", "-o", "elsewhere/x.apkg", "-q"]) == 0
    assert mdanki(["preview", "d", "-o", "site", "-q"]) == 0
    assert (here / "elsewhere/x.apkg").exists() and (here / "site/index.html").exists()


def test_without_a_deck_yaml_the_working_folder_is_the_root(here, capsys):
    (here / "cards").mkdir()
    (here / "cards/a.md").write_text(card_text("a"))
    assert mdanki(["check"]) == 0
    assert mdanki(["build", "nowhere"]) == 1
    assert "nowhere/cards: cards folder not found" in capsys.readouterr().err


def test_the_first_build_says_once_that_it_wrote_the_id(here, capsys):
    (here / "cards").mkdir()
    (here / "cards/a.md").write_text(card_text("a"))
    (here / "cards/deck.yaml").write_text("name: Old Notes\n")
    assert mdanki(["check"]) == 0 and mdanki(["preview"]) == 0  # no package, no GUIDs: nothing pinned
    assert (here / "cards/deck.yaml").read_text() == "name: Old Notes\n"
    capsys.readouterr()
    assert mdanki(["build"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0] == (
        "cards/deck.yaml: wrote the deck's id 'old-notes', which every note's GUID comes from; "
        "commit the file and never change the id"
    )
    assert len(first) == 2
    assert mdanki(["build"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_build_deck_py_prints_what_it_always_did(here, capsys):
    (here / "cards").mkdir()
    (here / "cards/a.md").write_text(card_text("a"))
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 notes, 0 media files, 0 sub-decks -> dist/markdown-deck.apkg in ") and len(out.splitlines()) == 1
    assert "id: markdown-deck  #" in (here / "cards/deck.yaml").read_text()  # pinned all the same


USAGE = {
    "no command": ([], "the following arguments are required: COMMAND"),
    "output not .apkg": (["build", "-o", "deck.zip"], "--output must end in .apkg, not 'deck.zip'"),
    "check has no output": (["check", "-o", "x.apkg"], "unrecognized arguments: -o"),
    "empty deck part": (["preview", "--deck-name", "::A"], "--deck-name must not be empty or have an empty part between '::'"),
    "zero jobs": (["build", "-j", "0"], "expected a whole number of at least 1, not '0'"),
}


@pytest.mark.parametrize("case", USAGE, ids=list(USAGE))
def test_bad_usage_exits_2_and_says_why(here, capsys, case):
    argv, expected = USAGE[case]
    with pytest.raises(SystemExit) as exit_info:
        mdanki(argv)
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--version"], ["build", "--version"]])
def test_version(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        mdanki(argv)
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip().endswith(f" {__version__}")


def test_the_console_scripts():
    import tomllib

    from conftest import REPO

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"mdanki": "mdanki.cli:run", "build-deck": "mdanki.cli:run_build_deck"}
    assert os.path.exists(REPO / "build_deck.py")


def test_removed_lists_removed_cards_with_a_search_that_finds_them(here, capsys):
    assert mdanki(["init", "d", "--name", "Deck"]) == 0
    deck = here / "d"
    (deck / "cards" / "extra.md").write_text(card_text("extra", question="What leaves the deck?"))
    assert mdanki(["build", "d", "-q"]) == 0
    capsys.readouterr()
    assert mdanki(["removed", "d"]) == 0
    assert capsys.readouterr().out == "no removed cards: every card deck.lock knows is in the source\n"
    (deck / "cards" / "extra.md").unlink()
    (deck / "cards" / "example.md").unlink()
    (deck / "cards" / "kept.md").write_text(card_text("kept"))
    assert mdanki(["build", "d"]) == 0
    assert "2 cards removed from the source stay in Anki; 'mdanki removed' lists them" in capsys.readouterr().out
    assert mdanki(["removed", "d"]) == 0
    out = capsys.readouterr().out
    assert "extra\tremoved 2023-11-14\tWhat leaves the deck?" in out
    assert out.endswith('\n  "CardId:example" or "CardId:extra"\n')


def test_sync_writes_into_a_collection_and_a_dry_run_says_what_it_would_do(here, capsys):
    anki = pytest.importorskip("anki.collection")
    assert mdanki(["init", "d"]) == 0
    collection = here / "collection.anki2"
    anki.Collection(str(collection)).close()
    capsys.readouterr()
    assert mdanki(["sync", "d", "--collection", str(collection), "--dry-run"]) == 0
    assert capsys.readouterr().out == "would sync 1 notes into collection.anki2: 1 added, 0 updated, 0 moved to their new sub-deck, 0 deleted\n"
    assert mdanki(["sync", "d", "--collection", str(collection), "-v"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added: example\nsynced 1 notes into collection.anki2: 1 added")
    col = anki.Collection(str(collection))
    assert col.note_count() == 1
    col.close()


def test_sync_into_no_collection_is_an_error_and_nothing_is_synced(here, capsys):
    assert mdanki(["init", "d"]) == 0
    capsys.readouterr()
    assert mdanki(["sync", "d", "--collection", "nowhere.anki2"]) == 1
    err = capsys.readouterr().err
    assert err == "nowhere.anki2: no Anki collection here (open Anki once, or name collection.anki2)\nnothing synced; the collection is as it was\n" or "sync needs Anki's backend" in err


def test_sync_needs_a_collection(here, capsys):
    with pytest.raises(SystemExit) as exit_info:
        mdanki(["sync"])
    assert exit_info.value.code == 2 and "--collection" in capsys.readouterr().err
