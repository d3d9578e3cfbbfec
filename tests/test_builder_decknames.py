"""Deck names Anki would alter are refused: an empty sub-deck name, and names differing only in case."""

from __future__ import annotations

import pytest
from conftest import package_decks

from mdanki.errors import BuildError


def _fails(project) -> str:
    with pytest.raises(BuildError) as caught:
        project.build()
    assert not project.output.exists()
    return str(caught.value)


@pytest.mark.parametrize("folder", ["-", "_", "-_-"])
def test_a_folder_with_an_empty_deck_name_is_refused(project, folder):
    project.card(f"{folder}/a.md")
    project.card(f"{folder}/b.md")
    assert _fails(project) == (
        f"{project.cards / folder / 'a.md'}:1: folder '{folder}"
        "' gives an empty sub-deck name, which Anki would replace with 'blank': rename the folder, or give its cards a 'deck:' key"
    )


def test_a_deck_key_overrides_the_folder_name(project):
    project.write("-/a.md", "---\nid: a\ndeck: Misc\n---\n## Question\nQ?\n\n## Answer\nA.\n")
    project.build()
    assert package_decks(project.output) == ["Default", "Test Deck", "Test Deck::Misc"]


def test_folders_whose_first_letter_differs_in_case_are_one_deck_every_time(project):
    project.card("Models/a.md")
    project.card("models/b.md")
    project.build()
    assert package_decks(project.output) == ["Default", "Test Deck", "Test Deck::Models"]


def test_folders_differing_only_in_case_are_refused_naming_both(project):
    project.card("Deep-Learning/a.md")
    project.card("deep-learning/b.md")
    assert _fails(project) == (
        f"{project.cards / 'deep-learning' / 'b.md'}:1: deck 'Test Deck::Deep learning' and deck 'Test Deck::Deep Learning' "
        f"(of {project.cards / 'Deep-Learning' / 'a.md'}"
        ") differ only in case, which Anki takes as one deck: rename one of the folders (or 'deck:' keys) so they match or differ in more than case"
    )


def test_a_case_clash_between_a_folder_and_a_deck_key_is_refused_too(project):
    project.card("models/trees/a.md")
    project.write("b.md", "---\nid: b\ndeck: models::Linear\n---\n## Question\nQ?\n\n## Answer\nA.\n")
    assert "deck 'Test Deck::models' and deck 'Test Deck::Models'" in _fails(project)


def test_names_that_differ_in_more_than_case_are_kept(project):
    project.card("models/a.md")
    project.card("model-s/b.md")
    project.build()
    assert package_decks(project.output) == ["Default", "Test Deck", "Test Deck::Model s", "Test Deck::Models"]
