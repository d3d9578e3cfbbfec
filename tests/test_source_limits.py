"""source: what a card file may cost. Aliases refused, duplicate keys, size limits, linear scans,
only regular files read, line breaks that are \\n or \\r\\n only."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest
from conftest import card_text
from hypothesis import given, settings
from hypothesis import strategies as st

from mdanki.errors import CardError
from mdanki.model import Section
from mdanki.source import MAX_FILE_BYTES, find_card_files, lint_math, read_card, read_regular
from mdanki.source.cardfile import _sections
from mdanki.source.lines import LONE_CR_MESSAGE, LONG_LINE_MESSAGE, MAX_LINE_CHARS, split_lines
from mdanki.source.mathlint import _blank_code_spans, _blank_parens

BOMB = "".join(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n" for n in range(1, 9)).replace("*a0", "lol")


@pytest.fixture
def no_hang():
    """Fail instead of hanging: a read that blocks is a bug, and the test says so within 10 s."""
    def timeout(*_):
        raise AssertionError("hung")
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def errors_of(project, text: str | bytes, name: str = "c.md") -> list[str]:
    card, errors = read_card(project.write(name, text), project.cards)
    assert card is None or errors == []
    return [str(error).removeprefix(str(project.cards / name)) for error in errors]


@pytest.mark.parametrize("where", ["id", "tags"])
def test_a_yaml_alias_bomb_is_refused_at_its_line_without_being_expanded(project, where):
    text = "---\n" + BOMB + f"{where}: *a8\n---\n## Question\nq\n\n## Answer\na\n"
    started = time.perf_counter()
    errors = errors_of(project, text)
    assert time.perf_counter() - started < 5  # a guard against blow-ups (the old scans took seconds to minutes), not a speed target
    assert errors == [":3: front matter YAML alias '*a1' is not allowed; write the value out"]


def test_an_anchor_no_alias_uses_is_harmless(project):
    assert errors_of(project, card_text("c", extra_meta="deck: &d Statistics")) == []


def test_a_key_given_twice_is_an_error_at_its_second_line(project):
    assert errors_of(project, "---\nid: a\ntags: [x]\nid: b\n---\n## Question\nq\n## Answer\na\n") == [
        ":4: front matter key 'id' is given twice (first on line 2); keep one"
    ]
    nested = "---\nid: a\nextra:\n  k: 1\n  k: 2\n---\n## Question\nq\n## Answer\na\n"
    card, errors = read_card(project.write("n.md", nested), project.cards, ignore_keys={"extra"})
    assert [error.line for error in errors] == [5] and "key 'k' is given twice" in errors[0].message


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_a_character_only_yaml_reads_as_a_line_break_is_refused_in_front_matter(project, char):
    errors = errors_of(project, card_text("c", extra_meta=f"deck: A{char}B"))
    assert errors == [f":3: front matter contains U+{ord(char):04X}, which YAML reads as a line break and mdanki does not; remove it"]


@pytest.mark.parametrize("char", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_only_newlines_break_lines(project, char):
    """A mid-line form feed (and the like) before '## Answer' starts no section; error lines stay in the file."""
    text = f"---\nid: c\n---\n## Question\nq{char}## Answer\nstill the question{char}x\n"
    errors = errors_of(project, text)
    assert errors == [":6: missing '## Answer' section"]
    assert len(text.split("\n")) - 1 == 6
    card, _ = read_card(project.write("ok.md", f"---\nid: c\n---\n## Question\nq{char}x\n\n## Answer\na\n"), project.cards)
    assert card.sections["question"].text == f"q{char}x\n" and card.sections["answer"].heading_line == 7


def test_crlf_is_a_line_break_and_a_lone_carriage_return_is_refused(project):
    card, errors = read_card(project.write("c.md", card_text("c").replace("\n", "\r\n")), project.cards)
    assert errors == [] and card.sections["answer"].text == "The answer.\n" and card.sections["answer"].heading_line == 7
    assert errors_of(project, "---\nid: c\n---\n## Question\nq\rr\n## Answer\na\n") == [f":5: {LONE_CR_MESSAGE}"]
    assert LONE_CR_MESSAGE == "carriage return (\\r) without a line feed; line breaks are \\n or \\r\\n: save the file with Unix or Windows line endings"


def test_split_lines_is_newlines_only():
    assert split_lines("a\r\nb\x0cc\u2028d\n\ne\n") == ["a", "b\x0cc\u2028d", "", "e"]
    assert split_lines("a") == ["a"] and split_lines("a\n\n") == ["a", ""]


def test_a_line_over_the_limit_is_refused_at_its_line(project):
    long_line = "x" * (MAX_LINE_CHARS + 1)
    assert errors_of(project, card_text("c", answer=f"a\n{long_line}")) == [f":9: {LONG_LINE_MESSAGE}"]
    assert LONG_LINE_MESSAGE == "line is longer than 100,000 characters; break it up (or move large content into a media file)"
    assert errors_of(project, card_text("c", answer="x" * MAX_LINE_CHARS)) == []


def test_a_file_over_the_limit_is_refused(project):
    path = project.write("big.md", card_text("big", answer="\n".join(["x" * 1000] * 1100)))
    card, errors = read_card(path, project.cards)
    assert card is None and errors == [CardError(str(path), 0, "file is larger than 1 MiB; split it (or move large content into media files)")]
    assert MAX_FILE_BYTES == 1 << 20


def test_the_heading_scan_is_linear():
    """'(.*?)[ \\t#]*$' took seconds on a long run of spaces; 400 KB now takes well under a second."""
    for line in ("## a" + " " * 400_000 + "b", "## " + "#" * 400_000 + "x", "##" + " \t" * 200_000):
        started = time.perf_counter()
        sections, errors = _sections(["## Question", "q", line], 0, "c.md", ("question", "answer"))
        assert time.perf_counter() - started < 5  # a guard against blow-ups (the old scans took seconds to minutes), not a speed target
    sections, errors = _sections(["## Question  ##", "q", "##\tAnswer #  # ", "a"], 0, "c.md", ("question", "answer"))
    assert errors == [] and set(sections) == {"question", "answer"}


def test_a_long_heading_in_a_card_reads_in_milliseconds(project):
    line = "## Answer" + " " * 99_000 + "x"
    started = time.perf_counter()
    errors = errors_of(project, card_text("c", question=f"q\n{line}"))
    assert time.perf_counter() - started < 5  # a guard against blow-ups (the old scans took seconds to minutes), not a speed target
    assert len(errors) == 1 and errors[0].startswith(":6: unknown section '## Answer   ") and errors[0].endswith("x' (expected Question, Answer, Notes)")


@pytest.mark.parametrize("text", [
    "a $" + "`" * 200_000 + "x" * 200_000,   # a run of backticks never closed: was cubic
    "$x " + "\\(" * 200_000,                   # openers never closed: was quadratic
    "$x " + "\\(" * 200_000 + "\\\\)",         # a closer out of step with every opener
    "\n".join(["$a"] * 100_000),              # an error on every line of one paragraph
    "$a `" * 100_000,
])
def test_the_math_lint_is_linear(text):
    started = time.perf_counter()
    lint_math(Section(text + "\n", 1, 0), "c.md")
    assert time.perf_counter() - started < 5  # a guard against blow-ups (the old scans took seconds to minutes), not a speed target


_OLD_PAREN = re.compile(r"(?<!\\)\\\(((?:\\[^)]|[^\\])+?)\\\)")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="\\()a$\n", max_size=24))
def test_the_linear_inline_paren_scan_pairs_as_arithmatex_does(text):
    assert _blank_parens(text) == _OLD_PAREN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def test_code_spans_pair_runs_of_the_same_length():
    assert _blank_code_spans("a `$x` b ``$ ` $`` c") == "a " + " " * 4 + " b " + " " * 9 + " c"
    assert _blank_code_spans("a ``$x` b") == "a ``$x` b"


def test_a_fifo_named_like_a_card_is_refused_never_waited_on(project, no_hang):
    fifo = project.cards / "x.md"
    os.mkfifo(fifo)
    card, errors = read_card(fifo, project.cards)
    assert card is None and errors == [CardError(str(fifo), 0, "is a named pipe (FIFO), not a regular file; only regular files are read")]


def test_a_link_to_a_device_or_to_nothing_is_refused(project, no_hang):
    (project.cards / "zero.md").symlink_to("/dev/zero")
    (project.cards / "gone.md").symlink_to(project.cards / "nowhere.md")
    assert read_card(project.cards / "zero.md", project.cards)[1][0].message == "is a device, not a regular file; only regular files are read"
    assert read_card(project.cards / "gone.md", project.cards)[1][0].message == "is a symbolic link to a file that does not exist"
    with pytest.raises(Exception, match="cannot be read: No such file or directory"):
        read_regular(project.cards / "missing.md")


def test_a_symlinked_folder_is_reported_never_silently_skipped(project, tmp_path_factory):
    project.card("a.md")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "b.md").write_text(card_text("b"), encoding="utf-8")
    (project.cards / "linked").symlink_to(elsewhere, target_is_directory=True)
    (project.cards / ".hidden-link").symlink_to(elsewhere, target_is_directory=True)
    files, problems = find_card_files(project.cards)
    assert [Path(f).name for f in files] == ["a.md"]
    assert problems == [CardError(
        str(project.cards / "linked"), 0,
        "folder is a symbolic link, which is not followed, so its cards would be left out; put the folder itself here, or start the link's name with '.' to skip it",
    )]


def test_an_unreadable_folder_is_reported(project, monkeypatch):
    project.card("a.md")
    project.card("locked/b.md")
    locked = str(project.cards / "locked")
    real = os.scandir

    def scandir(path):
        if str(path) == locked:  # what chmod 000 does for anyone but root
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = find_card_files(project.cards)
    assert [Path(f).name for f in files] == ["a.md"]
    assert problems == [CardError(locked, 0, "folder cannot be read (Permission denied), so its cards would be left out; fix its permissions")]


def test_a_control_character_yaml_does_not_allow_is_an_error_at_its_line(project):
    assert errors_of(project, card_text("c", extra_meta="deck: A\x0cB")) == [
        ":3: front matter contains U+000C, a control character YAML does not allow; remove it"
    ]


def test_deletions_nested_past_the_limit_are_an_error_not_a_recursion(project):
    deep = "{{c1::" * 12_000 + "x" + "}}" * 12_000
    started = time.perf_counter()
    errors = errors_of(project, f"---\nid: c\ntype: cloze\n---\n## Text\nfine\n{deep}\n")
    assert time.perf_counter() - started < 5  # a guard against blow-ups (the old scans took seconds to minutes), not a speed target
    assert errors == [":7: cloze deletions are nested more than 50 deep"]
    nested = "{{c1::" * 50 + "x" + "}}" * 50
    assert errors_of(project, f"---\nid: d\ntype: cloze\n---\n## Text\n{nested}\n", "d.md") == []
