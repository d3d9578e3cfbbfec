"""The shipped ML interview deck: complete, indexed, short answers, code that runs, figures used."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import pytest

from conftest import REPO
from mdanki.builder import build
from mdanki.source import read_cards

CARDS = REPO / "cards"
MEDIA = REPO / "media"
INDEX = CARDS / "README.md"
SEED = REPO.parent / "shared" / "seed" / "ml-interview-questions.txt"
COPYCHECK = REPO.parent / "shared" / "tools" / "copycheck.py"
SOURCE_KEYS = (
    ["INTRO-1", "INTRO-2"]
    + [f"F{i}" for i in range(1, 13)]
    + [f"A{i}" for i in range(1, 21)]
    + [f"I{i}" for i in range(1, 9)]
    + [f"P{i}" for i in range(1, 8)]
)
MAX_ANSWER_WORDS = 60
MAX_LIST_ITEMS = 4

_FENCED = re.compile(r"^(`{3,}|~{3,})([^\n]*)\n(.*?)^\1[ \t]*$", re.S | re.M)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$(?!\s)(?:\\.|[^\\$])+?(?<!\s)\$|\\\(.*?\\\)", re.S)
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+", re.M)


def cards():
    found, errors = read_cards(CARDS)
    assert errors == []
    return found


def index_rows() -> list[list[str]]:
    rows = []
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def index_ids(cell: str) -> list[str]:
    return re.findall(r"`([a-z0-9-]+)`", cell)


def prose_words(markdown_text: str) -> int:
    text = _FENCED.sub(" ", markdown_text)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _INLINE_MATH.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", text))


def python_blocks():
    for card in cards():
        for section in (card.section("answer"), card.section("notes")):
            if section is None:
                continue
            for match in _FENCED.finditer(section.text):
                info = match.group(2).strip()
                if info == "python":
                    yield pytest.param(match.group(3), id=card.id)
                elif "python" in info:
                    assert ".illustrative" in info, f"{card.name}: unknown fence {info!r}"


def test_the_deck_builds_cleanly(tmp_path):
    result = build(cards_dir=CARDS, media_dir=MEDIA, check=True)
    assert result.notes >= 150


def test_index_lists_every_source_question_in_order():
    keys = [row[0] for row in index_rows() if re.fullmatch(r"INTRO-\d|[FAIP]\d+", row[0])]
    assert keys == SOURCE_KEYS


def test_index_ids_exist_and_every_card_is_indexed():
    ids = {card.id for card in cards()}
    covering, beyond = set(), set()
    for row in index_rows():
        if re.fullmatch(r"INTRO-\d|[FAIP]\d+", row[0]):
            assert index_ids(row[-1]), f"source question {row[0]} has no card"
            covering.update(index_ids(row[-1]))
        elif row[0].lower().startswith("beyond"):
            beyond.update(index_ids(row[-1]))
    assert (covering | beyond) - ids == set(), "index names cards that do not exist"
    assert ids - covering - beyond == set(), "cards listed under no source key and not marked beyond the source"
    assert len(beyond - covering) >= 30


def test_tags_come_from_the_documented_vocabulary():
    text = INDEX.read_text(encoding="utf-8")
    vocabulary = set(re.findall(r"^\|\s*`([a-z0-9-]+)`\s*\|", text.split("## Tags", 1)[1].split("\n## ", 1)[0], re.M))
    assert vocabulary
    for card in cards():
        assert set(card.tags) <= vocabulary, f"{card.name}: tags {set(card.tags) - vocabulary} not in cards/README.md"
        assert 1 <= len(card.tags) <= 4


def answered_cards():
    """Cards with an `## Answer` (every type but cloze, which has `## Text` instead)."""
    found = cards()
    assert all(c.kind == "cloze" for c in found if c.section("answer") is None)
    return [c for c in found if c.section("answer") is not None]


def test_answers_are_short():
    too_long = [f"{c.name}: {prose_words(c.sections['answer'].text)} words" for c in answered_cards() if prose_words(c.sections['answer'].text) > MAX_ANSWER_WORDS]
    assert too_long == []


def test_answer_lists_have_at_most_four_items():
    for card in answered_cards():
        text = _FENCED.sub(" ", card.sections["answer"].text)
        assert len(_LIST_ITEM.findall(text)) <= MAX_LIST_ITEMS, card.name


def test_ids_match_file_names():
    for card in cards():
        assert card.file.stem == card.id


@pytest.mark.slow
@pytest.mark.parametrize("code", list(python_blocks()))
def test_code_block_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        exec(compile(code, "<card>", "exec"), {"__name__": "__card__"})


def test_every_figure_exists_and_every_figure_is_used():
    referenced = set()
    for card in cards():
        for section in card.sections.values():
            if section is not None:
                referenced.update(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", section.text))
    assert referenced, "the deck uses no figures"
    assert {name for name in referenced if not (MEDIA / name).is_file()} == set()
    assert {p.name for p in MEDIA.iterdir() if p.is_file()} == referenced


def test_figures_are_svg():
    assert all(p.suffix == ".svg" for p in MEDIA.iterdir())


@pytest.mark.skipif(not SEED.exists() or not COPYCHECK.exists(), reason="shared/ (seed and copycheck) not beside the repo")
def test_no_sentence_is_copied_from_the_source():
    result = subprocess.run([sys.executable, str(COPYCHECK), str(SEED), str(CARDS)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "copied runs: 0", result.stdout[-3000:]


def test_code_lines_fit_a_phone():
    """40 characters of code fill a 375 px card: longer lines would scroll sideways."""
    too_long = []
    for card in cards():
        for section in card.sections.values():
            for match in _FENCED.finditer(section.text):
                too_long += [f"{card.name}: {line}" for line in match.group(3).split("\n") if len(line) > 40]
    assert too_long == []


@pytest.mark.slow
def test_the_shipped_deck_imports_into_anki_without_duplicates(tmp_path, collection):
    from conftest import import_package

    output = tmp_path / "deck.apkg"
    result = build(cards_dir=CARDS, media_dir=MEDIA, output=output, cache_dir=False)
    assert result.notes >= 350
    log = import_package(collection, output)
    assert len(log.new) == result.notes and collection.note_count() == result.notes
    again = import_package(collection, output)
    # Anki logs an existing note that is not newer as a "duplicate": it is skipped, not added
    assert (len(again.new), len(again.updated), len(again.duplicate)) == (0, 0, result.notes)
    assert len(again.conflicting) == len(again.first_field_match) == 0
    assert collection.note_count() == result.notes


def test_the_deck_uses_cloze_and_reversed_notes():
    kinds = [card.kind for card in cards()]
    assert kinds.count("cloze") >= 40 and kinds.count("reversed") >= 20


def test_cloze_texts_are_short():
    long = [c.name for c in cards() if c.kind == "cloze" and prose_words(c.sections["text"].text) > MAX_ANSWER_WORDS]
    assert long == []
