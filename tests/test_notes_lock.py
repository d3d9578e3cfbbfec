"""deck.lock: every way it can be damaged is an error at its line that says how to fix it; the merge
advice (keep the newer mod for each id) is checked in a real Anki collection."""

from __future__ import annotations

import shutil

import pytest
from conftest import import_package

from mdanki.errors import BuildError
from mdanki.notes import lock

GOOD = "a\t3a9c1d0e2b4f5a6c\t1700000000\t1700000000\n"
RESTORE = "restore deck.lock from git, then rebuild"

BAD = {
    "not UTF-8": (GOOD.encode() + b"b\t3a\t17\xff\t1\n", f"deck.lock:2: deck.lock is not UTF-8 text; {RESTORE}"),
    "cut off": (GOOD + "b\t3a9c1d0e2b4f5a6c\t17000", f"deck.lock:2: deck.lock ends in the middle of a line (cut off?); {RESTORE}"),
    "too few columns": ("a\tnot-enough-columns\n", "deck.lock:1: damaged deck.lock line (a line has 4 or 5 columns: id, content hash, mod, created and a card type)"),
    "a mod of 2^63": ("a\tff\t9223372036854775808\t1\n", f"deck.lock:1: damaged deck.lock line (mod must be Unix seconds between 1 and 2147483647); {RESTORE}"),
    "a huge note-type mod": ("@note-type\tff\t4102444800\t1\n", "deck.lock:1: damaged deck.lock line (mod must be Unix seconds between 1 and 2147483647)"),
    "a zero created": ("a\tff\t1\t0\n", "deck.lock:1: damaged deck.lock line (created must be Unix seconds"),
    "a negative mod": ("a\tff\t-5\t1\n", "(mod must be Unix seconds"),
    "a removed card's time": ("-a\tff\t1\t1\tbasic\t99999999999\tWhat?\n", "(removed must be Unix seconds"),
    "a removed card's columns": ("-a\tff\t1\t1\n", "damaged deck.lock line (a removed card's line has 7 columns)"),
    "too many columns": ("a\tff\t1\t1\tcloze\textra\n", "damaged deck.lock line (a line has 4 or 5 columns"),
    "not a card id": ("A_B\tff\t1\t1\n", "damaged deck.lock line ('A_B' is not a card id)"),
    "an unknown type": ("a\tff\t1\t1\tmystery\n", "damaged deck.lock line (unknown card type 'mystery')"),
    "a duplicate id": (GOOD + "a\tff\t1700000001\t1\n", "deck.lock:2: 'a' has a second line (also line 1"
                       "): keep the one with the newer mod (the third column), delete the other, then rebuild"),
    "conflict markers": (
        "<<<<<<< HEAD\na\tff\t1700000005\t1\n=======\na\tee\t1700000003\t1\n>>>>>>> other\n",
        "deck.lock:1: git merge conflict in deck.lock: keep, for each id, the line with the newer mod (the third column), "
        "delete the marker lines, then rebuild",
    ),
    "a stray marker": (GOOD + "=======\n", "deck.lock:2: git merge conflict in deck.lock"),
}


@pytest.mark.parametrize("text, expected", BAD.values(), ids=BAD.keys())
def test_a_damaged_deck_lock_is_an_error_at_its_line_that_says_how_to_fix_it(project, text, expected):
    project.card("a.md")
    path = project.cards / "deck.lock"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(BuildError) as caught:
        project.build()
    assert expected in str(caught.value) and str(caught.value).startswith(str(path) + ":")
    assert path.read_bytes() == (text if isinstance(text, bytes) else text.encode())  # untouched
    assert not project.output.exists()


def test_the_lock_accepts_what_it_writes(tmp_path):
    entries = lock.advance({}, {"a": "ab12", "@note-type": "cd34"}, 1700000000, {"a": "type-in"})
    entries = lock.advance(entries, {"@note-type": "cd34"}, 1700000100, questions={"a": "What  is\ta?"})
    lock.write(tmp_path / "deck.lock", entries)
    assert lock.read(tmp_path / "deck.lock") == entries


def test_without_deck_lock_a_build_older_than_the_package_it_replaces_is_refused(project, monkeypatch):
    project.card("a.md", answer="First.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700005000")
    project.build()
    (project.cards / "deck.lock").unlink()
    project.card("a.md", answer="Edited.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    shipped = project.output.read_bytes()
    with pytest.raises(BuildError) as caught:
        project.build()
    assert str(caught.value) == (
        f"{project.cards / 'deck.lock'}: deck.lock is missing and this build's time (1700000000, SOURCE_DATE_EPOCH if set) "
        f"is not after the notes of {project.output} (1700005000"
        "), so Anki would keep those and never show these edits: restore deck.lock from git, or set SOURCE_DATE_EPOCH after"
        " 1700005000"
    )
    assert project.output.read_bytes() == shipped
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700005001")
    project.build()  # after what users have: the edit arrives


def test_keeping_the_newer_mod_of_a_merge_conflict_delivers_the_edit_in_anki(project, collection, monkeypatch, tmp_path):
    lock_file = project.cards / "deck.lock"
    project.card("x.md", answer="Base.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project.build()
    base = lock_file.read_text()
    # branch A edits x and ships it: users have its note, mod 1700002000
    project.card("x.md", answer="Edit A.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700002000")
    project.build()
    newer_line = lock_file.read_text()
    import_package(collection, project.output)
    # branch B, from the base, edits x too and builds earlier: its line has mod 1700001000
    lock_file.write_text(base)
    project.card("x.md", answer="Edit B.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700001000")
    project.build()
    older_line = lock_file.read_text()
    assert newer_line != older_line  # the two sides of the conflict in deck.lock

    def answer_in_anki():
        return collection.get_note(collection.find_notes("CardId:x")[0])["Answer"]

    # the merge keeps B's card text; the lock line decides whether users see it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700001500")
    lock_file.write_text(older_line)
    project.build()
    import_package(collection, project.output)
    assert answer_in_anki() == "<p>Edit A.</p>"  # the older mod: Anki keeps A's note, the edit never arrives
    lock_file.write_text(newer_line)
    project.build()
    shutil.copy(project.output, tmp_path / "merged.apkg")
    import_package(collection, tmp_path / "merged.apkg")
    assert answer_in_anki() == "<p>Edit B.</p>"  # the newer mod: the merged text arrives


def test_a_source_date_epoch_anki_cannot_hold_is_refused(project, monkeypatch):
    project.card("a.md")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999")
    with pytest.raises(BuildError) as caught:
        project.build()
    assert str(caught.value) == "SOURCE_DATE_EPOCH: must be Unix seconds below 2147483648 (Anki cannot hold later times)"
    assert not project.output.exists() and not (project.cards / "deck.lock").exists()
