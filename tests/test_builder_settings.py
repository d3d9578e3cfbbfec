"""builder.settings: the deck root, deck.yaml, and the deck's id written once, as it always was derived."""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from mdanki.builder import find_root, load_settings
from mdanki.builder.settings import deck_slug
from mdanki.errors import BuildError
from mdanki.notes import guid_for

COMMENT = "  # written by mdanki: every note's GUID comes from it; never change it"


def package_guids(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        with sqlite3.connect(Path(folder) / "collection.anki2") as db:
            return {guid for (guid,) in db.execute("SELECT guid FROM notes")}


def test_the_root_is_the_nearest_folder_holding_cards_deck_yaml(tmp_path):
    (tmp_path / "outer/cards").mkdir(parents=True)
    (tmp_path / "outer/cards/deck.yaml").write_text("name: Outer\n")
    (tmp_path / "outer/inner/cards").mkdir(parents=True)
    (tmp_path / "outer/inner/cards/deck.yaml").write_text("name: Inner\n")
    (tmp_path / "outer/inner/cards/topic").mkdir()
    assert find_root(tmp_path / "outer/inner/cards/topic") == tmp_path / "outer/inner"
    assert find_root(tmp_path / "outer/cards") == tmp_path / "outer"
    assert find_root(tmp_path) == tmp_path  # none at or above: the folder itself


def test_deck_yaml_keys(project):
    project.write("deck.yaml", "name: N\nid: ns\ndescription: D\nignore_keys: [title, aliases]\n")
    settings = load_settings(project.cards, deck_name="Other")
    assert (settings.name, settings.namespace, settings.description) == ("Other", "ns", "D")
    assert settings.ignore_keys == ("title", "aliases") and settings.namespace_in_file


def test_every_problem_of_deck_yaml_at_once_each_on_its_line(project):
    project.write("deck.yaml", "name: N\ntitel: x\nignore_keys: [id]\nauthor: me\n")
    with pytest.raises(BuildError) as failure:
        load_settings(project.cards)
    assert [(e.line, e.message.split(";")[0].split(" (")[0]) for e in failure.value.errors] == [
        (2, "unknown key 'titel'"),
        (3, "ignore_keys cannot hold 'id': mdanki reads that front-matter key"),
        (4, "unknown key 'author'"),
    ]


def test_a_control_character_yaml_refuses_in_deck_yaml_is_an_error_at_its_line(project):
    # found by tests/test_fuzz.py: PyYAML refused it before parsing began, and that was a traceback
    project.write("deck.yaml", "name: N\ndescription: a\x1fb\n")
    with pytest.raises(BuildError) as failure:
        load_settings(project.cards)
    assert [str(e) for e in failure.value.errors] == [
        f"{project.cards / 'deck.yaml'}:2: contains U+001F, a control character YAML does not allow; remove it"
    ]


def test_a_deck_yaml_without_id_gets_the_id_guids_always_had(project):
    text = "# my deck\nname: Old Notes   # the name\ndescription: |\n  Kept as it is.\n"
    project.write("deck.yaml", text)
    project.card("a.md")
    result = project.build(deck_name=None)
    assert result.wrote_id == project.cards / "deck.yaml" and result.namespace == "old-notes"
    assert (project.cards / "deck.yaml").read_text() == text + "id: old-notes" + COMMENT + "\n"
    assert package_guids(project.output) == {guid_for(deck_slug("Old Notes"), "a")}  # as before the id was written
    # from now on no name changes a GUID
    (project.cards / "deck.yaml").write_text((project.cards / "deck.yaml").read_text().replace("Old Notes", "New"))
    again = project.build(deck_name="Renamed on the command line")
    assert again.wrote_id is None and package_guids(project.output) == {guid_for("old-notes", "a")}


def test_the_id_follows_deck_name_as_the_fallback_did(project):
    project.card("a.md")
    result = project.build(deck_name="Given Name")  # no deck.yaml: one is made to hold the id
    assert result.namespace == "given-name"
    assert (project.cards / "deck.yaml").read_text().splitlines()[-1] == "id: given-name" + COMMENT
    assert project.build(deck_name="Another").namespace == "given-name"


@pytest.mark.parametrize("text, expected", [
    ("name: X\nid:\ndescription: d\n", "name: X\nid: x" + COMMENT + "\ndescription: d\n"),  # an empty id line is filled
    ("name: X\r\ndescription: d", "name: X\r\ndescription: d\r\nid: x" + COMMENT + "\r\n"),  # Windows lines, no last newline
    ("name: 'No'\n", "name: 'No'\nid: \"no\"" + COMMENT + "\n"),  # YAML would read a bare no as false
])
def test_writing_the_id_keeps_the_rest_of_the_text(project, text, expected):
    (project.cards / "deck.yaml").write_bytes(text.encode())
    project.card("a.md")
    project.build(deck_name=None)
    assert (project.cards / "deck.yaml").read_bytes() == expected.encode()
    assert load_settings(project.cards).namespace_in_file


def test_check_and_preview_write_no_id(project):
    project.card("a.md")
    project.build(check=True)
    project.build(preview=project.root / "site")
    assert not (project.cards / "deck.yaml").exists()
