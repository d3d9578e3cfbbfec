"""Card files -> cards: front matter, sections and where each piece is in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import card_text

from mdanki.cardfile import find_card_files, read_card


def test_sections_and_lines(project):
    path = project.write("topic/sub/c.md", card_text("c", tags=["a", "b::c"], question="Q?", answer="A.", notes="N."))
    card, errors = read_card(path, project.cards)
    assert errors == []
    assert (card.id, card.tags, card.folder) == ("c", ("a", "b::c"), ("topic", "sub"))
    assert (card.question.text, card.question.line) == ("Q?\n", 6)
    assert (card.answer.text, card.answer.line) == ("A.\n", 9)
    assert (card.notes.text, card.notes.line) == ("N.\n", 12)


def test_headings_inside_code_fences_are_code(project):
    answer = "```python\n## Question\nx = 1\n```"
    card, errors = read_card(project.write("c.md", card_text("c", answer=answer)), project.cards)
    assert errors == [] and card.answer.text == answer + "\n"


def test_notes_are_optional_and_sections_case_insensitive(project):
    path = project.write("c.md", "---\nid: c\n---\n## question\nQ\n\n## ANSWER\nA\n")
    card, errors = read_card(path, project.cards)
    assert errors == [] and card.notes is None


def test_readme_and_hidden_files_are_not_cards(project):
    project.card("a.md")
    project.write("README.md", "# index")
    project.write(".drafts/b.md", "draft")
    project.write("sub/README.md", "# index")
    assert [Path(p).name for p in find_card_files(project.cards)] == ["a.md"]


def test_byte_order_mark_is_accepted(project):
    path = project.write("c.md", ("\ufeff" + card_text("c")).encode("utf-8"))
    card, errors = read_card(path, project.cards)
    assert errors == [] and card.id == "c"


def test_front_matter_uses_pyyaml_c_loader_when_built_with_it():
    import yaml

    from mdanki import cardfile

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML has no C extension")
    assert cardfile._YamlLoader is yaml.CSafeLoader
