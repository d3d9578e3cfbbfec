"""source: card files -> cards: front matter, sections, fences and where each piece is in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import card_text

from mdanki.source import cardfile, find_card_files, read_card, yamlsafe
from mdanki.source.fences import fenced_lines


def test_sections_and_lines(project):
    path = project.write("topic/sub/c.md", card_text("c", tags=["a", "b::c"], question="Q?", answer="A.", notes="N."))
    card, errors = read_card(path, project.cards)
    assert errors == []
    assert (card.id, card.tags, card.folder) == ("c", ("a", "b::c"), ("topic", "sub"))
    assert (card.sections['question'].text, card.sections['question'].line) == ("Q?\n", 6)
    assert (card.sections['answer'].text, card.sections['answer'].line) == ("A.\n", 9)
    assert (card.sections['notes'].text, card.sections['notes'].line) == ("N.\n", 12)


def test_headings_inside_code_fences_are_code(project):
    answer = "```python\n## Question\nx = 1\n```"
    card, errors = read_card(project.write("c.md", card_text("c", answer=answer)), project.cards)
    assert errors == [] and card.sections['answer'].text == answer + "\n"


def test_notes_are_optional_and_sections_case_insensitive(project):
    path = project.write("c.md", "---\nid: c\n---\n## question\nQ\n\n## ANSWER\nA\n")
    card, errors = read_card(path, project.cards)
    assert errors == [] and card.section('notes') is None


def test_readme_and_hidden_files_are_not_cards(project):
    project.card("a.md")
    project.write("README.md", "# index")
    project.write(".drafts/b.md", "draft")
    project.write("sub/README.md", "# index")
    assert [Path(p).name for p in find_card_files(project.cards)[0]] == ["a.md"]


def test_byte_order_mark_is_accepted(project):
    path = project.write("c.md", ("\ufeff" + card_text("c")).encode("utf-8"))
    card, errors = read_card(path, project.cards)
    assert errors == [] and card.id == "c"


def test_front_matter_uses_pyyaml_c_loader_when_built_with_it():
    import yaml

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML has no C extension")
    assert yamlsafe.Loader is yaml.CSafeLoader


class TestOneFenceRule:
    """The section splitter and the math lint share one fence rule, the renderer's (CommonMark)."""

    def test_three_backticks_or_tildes_open_and_the_same_kind_closes(self):
        lines = ["a", "```python", "x", "~~~", "```", "b", "~~~~", "```", "~~~~", "c"]
        assert list(fenced_lines(lines)) == [False, True, True, True, True, False, True, True, True, False]

    def test_a_closing_fence_is_at_least_as_long_and_has_nothing_after_it(self):
        lines = ["````", "```", "```` not a close", "````", "after"]
        assert list(fenced_lines(lines)) == [True, True, True, True, False]

    def test_inline_code_of_three_backticks_is_not_a_fence(self):
        assert list(fenced_lines(["```ls``` lists files", "## Answer"])) == [False, False]

    def test_fences_in_block_quotes_and_lists_count(self):
        assert list(fenced_lines(["> ```", "> ## x", "> ```", "y"])) == [True, True, True, False]

    def test_an_inline_code_span_at_a_line_start_does_not_swallow_the_next_section(self, project):
        text = "---\nid: c\n---\n## Question\n```ls``` lists what?\n\n## Answer\nFiles.\n"
        card, errors = read_card(project.write("c.md", text), project.cards)
        assert errors == [] and card.sections["answer"].text == "Files.\n"


def test_a_missing_section_names_the_line_where_it_was_expected(project):
    path = project.write("c.md", "---\nid: c\n---\n## Question\nQ?\n")
    card, errors = read_card(path, project.cards)
    assert card is None and [(e.line, e.message) for e in errors] == [(5, "missing '## Answer' section")]


def test_keys_of_other_tools_are_read_past_when_deck_yaml_lists_them(project):
    path = project.write("c.md", card_text("c", extra_meta="title: From Obsidian\naliases: [x]\ntag: typo"))
    card, errors = read_card(path, project.cards, ignore_keys=("title", "aliases"))
    assert card is None and [(e.line, e.message) for e in errors] == [(5, "unknown front-matter key 'tag'; did you mean 'tags'?")]
    path = project.write("c.md", card_text("c", extra_meta="title: From Obsidian\naliases: [x]"))
    card, errors = read_card(path, project.cards, ignore_keys=("title", "aliases"))
    assert errors == [] and card.id == "c"


def test_an_unknown_key_names_the_option_that_allows_it(project):
    path = project.write("c.md", card_text("c", extra_meta="created: 2024-01-01"))
    _, errors = read_card(path, project.cards)
    known = ", ".join(cardfile.FRONT_MATTER_KEYS)
    assert [(e.line, e.message) for e in errors] == [(3, (
        f"unknown front-matter key 'created' (known keys: {known}; "
        "to keep another tool's key, list it under ignore_keys in deck.yaml)"
    ))]


def test_ignore_keys_from_deck_yaml_reach_every_card(project):
    project.write("deck.yaml", "name: Vault\nid: vault\nignore_keys: [title]\n")
    project.write("a.md", card_text("a", extra_meta="title: A"))
    assert project.build(deck_name=None).notes == 1
