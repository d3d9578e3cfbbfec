"""The command line on input nobody should have to trust: one escaped line per problem, never a hang."""

from __future__ import annotations

import os
import signal
import time

import pytest
from conftest import card_text
from test_source_limits import BOMB

from mdanki.builder.settings import load_settings, write_namespace
from mdanki.cli import main
from mdanki.cli.messages import one_line, warn


@pytest.fixture(autouse=True)
def no_hang():
    def timeout(*_):
        raise AssertionError("hung")
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run(capsys):
    code = main(["--cards", "cards", "--media", "media", "-o", "dist/deck.apkg", "-j", "1"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, err


def test_control_characters_from_a_card_reach_the_terminal_escaped_on_one_line(project, capsys):
    project.write("a.md", card_text("x", extra_meta='id: "bad\\e[31m\\rid"').replace("id: x\n", ""))
    project.write("b.md", card_text("b", tags=['"ok\\e]0;t\\x07\\rtag"']))
    project.write("c.md", "---\nid: c\n---\n## Question\nq\n## Ans\x1b[2Jwer\x0c\u2028\n a\n")
    code, err = run(capsys)
    assert code == 1
    lines = err.splitlines()
    assert "cards/a.md:2: id 'bad\\x1b[31m\\x0did' must be lowercase letters, digits and single hyphens, for example 'a'" in lines
    assert "cards/b.md:3: tag 'ok\\x1b]0;t\\x07\\x0dtag' contains a space; Anki tags cannot (use '-' or '::')" in lines
    assert "cards/c.md:6: unknown section '## Ans\\x1b[2Jwer' (expected Question, Answer, Notes); did you mean '## Answer'?" in lines
    assert not any(char in err for char in "\x1b\r\x07\x0c\u2028")


def test_one_line_escapes_controls_and_separators_but_keeps_text_and_tabs(capsys):
    assert one_line("a\x00b\x1bc\x7fd\x9be\u2028f\u2029g\u202eh\ti é ∑") == "a\\x00b\\x1bc\\x7fd\\x9be\\u2028f\\u2029g\\u202eh\ti é ∑"
    warn("render cache: a\nb\x1b")
    assert capsys.readouterr().err == "warning: render cache: a\\x0ab\\x1b\n"


def test_a_yaml_alias_bomb_fails_fast_with_one_short_line(project, capsys):
    project.write("bomb.md", "---\n" + BOMB + "id: *a8\n---\n## Question\nq\n\n## Answer\na\n")
    started = time.perf_counter()
    code, err = run(capsys)
    assert time.perf_counter() - started < 10 and code == 1
    assert err == "cards/bomb.md:3: front matter YAML alias '*a1' is not allowed; write the value out\n1 error; no package written\n"


@pytest.mark.parametrize("cached", [False, True], ids=["first build", "with a render cache"])
def test_a_fifo_or_a_link_to_dev_zero_is_an_error_at_that_file(project, capsys, cached):
    project.card("a.md")
    if cached:
        assert run(capsys)[0] == 0
    os.mkfifo(project.cards / "pipe.md")
    (project.cards / "zero.md").symlink_to("/dev/zero")
    code, err = run(capsys)
    assert code == 1
    assert err.splitlines()[:2] == [
        "cards/pipe.md: is a named pipe (FIFO), not a regular file; only regular files are read",
        "cards/zero.md: is a device, not a regular file; only regular files are read",
    ]


def test_cards_in_a_symlinked_folder_fail_the_build_naming_the_folder(project, capsys, tmp_path_factory):
    project.card("a.md")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "b.md").write_text(card_text("b"), encoding="utf-8")
    (project.cards / "more").symlink_to(elsewhere, target_is_directory=True)
    code, err = run(capsys)
    assert code == 1 and err.startswith("cards/more: folder is a symbolic link, which is not followed")
    assert not (project.root / "dist" / "deck.apkg").exists()


DECK_YAML = {
    "an alias": ("name: &n X\ndescription: *n\n", "cards/deck.yaml:2: YAML alias '*n' is not allowed; write the value out"),
    "a key twice": ("name: X\ndescription: a\nname: Y\n", "cards/deck.yaml:3: key 'name' is given twice (first on line 1); keep one"),
    "a line separator": ("name: X\u2028Y\n", "cards/deck.yaml:1: contains U+2028, which YAML reads as a line break and mdanki does not; remove it"),
    "a form feed": ("name: X\ndescription: a\x0cb\n", "cards/deck.yaml:2: contains U+000C, a control character YAML does not allow; remove it"),
    "deep nesting": ("name: X\ndescription: " + "[" * 5000 + "]" * 5000 + "\n", "cards/deck.yaml:2: not valid YAML: "),
}


@pytest.mark.parametrize("case", DECK_YAML, ids=list(DECK_YAML))
def test_deck_yaml_costs_no_more_than_its_size(project, capsys, case):
    text, expected = DECK_YAML[case]
    project.card("a.md")
    project.write("deck.yaml", text)
    code, err = run(capsys)
    assert code == 1 and err.startswith(expected) and len(err.splitlines()) == 2, err


def test_a_fifo_deck_yaml_is_refused(project, capsys):
    project.card("a.md")
    os.mkfifo(project.cards / "deck.yaml")
    code, err = run(capsys)
    assert code == 1 and err.startswith("cards/deck.yaml: is a named pipe (FIFO), not a regular file")



def test_the_deck_id_fills_its_empty_line_when_the_file_has_crlf_line_breaks(project):
    project.write("deck.yaml", "name: X\r\ndescription: a b\r\nid:\r\nignore_keys: [t]\r\n")
    write_namespace(project.cards, load_settings(project.cards))
    text = (project.cards / "deck.yaml").read_bytes().decode("utf-8")
    assert text.startswith("name: X\r\ndescription: a b\r\nid: x  # ") and text.endswith("\r\nignore_keys: [t]\r\n")


def test_a_deeply_nested_deck_yaml_still_gets_its_id_written(project, capsys):
    project.card("a.md")
    project.write("deck.yaml", "name: X\ndescription: " + "[" * 600 + "]" * 600 + "\n")
    code, err = run(capsys)
    assert code == 0 and (project.cards / "deck.yaml").read_text(encoding="utf-8").endswith("\nid: x  # written by mdanki: every note's GUID comes from it; never change it\n")


def test_removed_prints_a_question_from_deck_lock_escaped(tmp_path, monkeypatch, capsys):
    from mdanki.cli import mdanki

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert mdanki(["init", "d", "--name", "Deck"]) == 0
    (tmp_path / "d" / "cards" / "extra.md").write_text(card_text("extra", question="What \x1b[31mleaves\x0c?"))
    assert mdanki(["build", "d", "-q"]) == 0
    (tmp_path / "d" / "cards" / "extra.md").unlink()
    assert mdanki(["build", "d", "-q"]) == 0
    capsys.readouterr()
    assert mdanki(["removed", "d"]) == 0
    out = capsys.readouterr().out
    assert "extra\tremoved 2023-11-14\tWhat \\x1b[31mleaves ?" in out and "\x1b" not in out
