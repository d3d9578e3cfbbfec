"""Rendered cards -> notes: identity from the id alone, decks from folders, mod from deck.lock."""

from __future__ import annotations

import shutil

from conftest import card_text

from mdanki.model import LockEntry
from mdanki.notes import lock
from mdanki.notes import guid_for


def test_guid_depends_only_on_namespace_and_id():
    # pinned: a different GUID for the same id would orphan every note users have reviewed
    assert [guid_for("ml-interview", c) for c in ("f1-score", "bias-variance", "a")] == ["Hd[wnYXaHf", "k$BP@m|MX1", "s5m<0?HMUB"]
    assert guid_for("deck", "f1-score") == guid_for("deck", "f1-score")
    assert guid_for("deck", "f1-score") != guid_for("other-deck", "f1-score")
    assert guid_for("deck", "f1-score") != guid_for("deck", "f2-score")


def test_editing_renaming_and_moving_keep_the_guid(project, collection):
    from conftest import import_package

    project.card("a.md", card_id="kept")
    project.build()
    import_package(collection, project.output)
    (guid_before,) = [collection.get_note(n).guid for n in collection.find_notes("")]
    (project.cards / "a.md").unlink()
    project.write("elsewhere/renamed.md", card_text("kept", answer="Edited text."))
    project.build()
    log = import_package(collection, project.output)
    assert len(log.updated) == 1 and len(log.new) == 0
    assert [collection.get_note(n).guid for n in collection.find_notes("")] == [guid_before]


def test_folders_become_sub_decks_unless_the_card_sets_one(project, collection):
    from conftest import import_package

    project.card("deep-learning/attention.md")
    project.write("misc/x.md", card_text("x", extra_meta="deck: Models::Trees"))
    project.card("top.md")
    project.build()
    import_package(collection, project.output)
    decks = {collection.get_note(n)["CardId"]: collection.decks.name(collection.get_note(n).cards()[0].did)
             for n in collection.find_notes("")}
    assert decks == {"attention": "Test Deck::Deep learning", "x": "Test Deck::Models::Trees", "top": "Test Deck"}


def test_deck_yaml_sets_name_namespace_and_description(project, collection):
    from conftest import import_package
    from mdanki.builder import build

    project.write("deck.yaml", "name: My Deck\nid: my-namespace\ndescription: Study *daily*.\n")
    project.card("a.md")
    build(cards_dir=project.cards, media_dir=project.media, output=project.output)
    import_package(collection, project.output)
    note = collection.get_note(collection.find_notes("")[0])
    assert note.guid == guid_for("my-namespace", "a")
    deck = collection.decks.by_name("My Deck")
    assert deck["desc"] == "<p>Study <em>daily</em>.</p>"


def test_lock_moves_mod_forward_only_on_change():
    before = {"a": LockEntry("h1", 100, 50), "b": LockEntry("h2", 100, 50)}
    after = lock.advance(before, {"a": "h1", "b": "changed", "c": "new"}, clock=90)
    assert after["a"] == before["a"]  # unchanged: same mod
    assert after["b"] == LockEntry("changed", 101, 50)  # changed: newer even if the clock is behind
    assert after["c"] == LockEntry("new", 90, 90)
    assert "gone" not in after


def test_lock_file_round_trips_and_is_sorted(tmp_path):
    entries = {"z": LockEntry("h", 3, 1), "a": LockEntry("g", 2, 1)}
    path = tmp_path / "deck.lock"
    lock.write(path, entries)
    assert lock.read(path) == entries
    body = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert body == ["a\tg\t2\t1", "z\th\t3\t1"]


def test_fresh_clone_without_changes_keeps_every_mod(project):
    project.card("a.md")
    project.build()
    first = project.output.read_bytes()
    clone = project.root / "clone"
    shutil.copytree(project.cards, clone / "cards")
    (clone / "media").mkdir()
    from mdanki.builder import build

    build(cards_dir=clone / "cards", media_dir=clone / "media", output=clone / "deck.apkg", deck_name="Test Deck")
    assert (clone / "deck.apkg").read_bytes() == first


def test_a_card_type_other_than_basic_is_a_fifth_column_of_its_line(tmp_path):
    path = tmp_path / "deck.lock"
    entries = lock.advance({}, {"a": "h1", "b": "h2"}, 100, {"b": "cloze"})
    lock.write(path, entries)
    assert [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("#")] == [
        ["a", "h1", "100", "100"], ["b", "h2", "100", "100", "cloze"]
    ]
    assert lock.read(path) == entries and lock.read(path)["b"].kind == "cloze"


def test_a_removed_card_keeps_its_line_with_when_and_its_last_question(tmp_path):
    path = tmp_path / "deck.lock"
    first = lock.advance({}, {"a": "h1", "b": "h2"}, 100)
    removed = lock.advance(first, {"a": "h1"}, 200, questions={"b": "What is   B?"})
    assert removed["b"] == LockEntry("h2", 100, 100, "basic", 200, "What is B?")
    lock.write(path, removed)
    assert "-b\th2\t100\t100\tbasic\t200\tWhat is B?\n" in path.read_text()
    again = lock.advance(lock.read(path), {"a": "h1"}, 300)
    assert again["b"].removed == 200 and lock.removed(again) == {"b": again["b"]}  # kept, not re-dated
    back = lock.advance(again, {"a": "h1", "b": "h3"}, 400)
    assert back["b"] == LockEntry("h3", 400, 100, "basic")  # the old identity, a newer mod
    assert lock.changes(again, back).added == ("b",) and lock.changes(first, removed).removed == ("b",)


def test_a_notes_further_cards_get_ids_in_the_past_below_every_note_id():
    from mdanki.notes.identity import MAX_ORDS, card_id

    notes = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000]  # sorted: rank is the position
    ids = [card_id(n, o, lowest_note_id=notes[0], rank=r) for r, n in enumerate(notes) for o in range(3)]
    assert [ids[0], ids[3], ids[6]] == notes  # ord 0: the note's own id, as basic cards always had
    extra = [i for i in ids if i not in notes]
    assert len(set(extra)) == len(extra) == 6 and max(extra) < min(notes) and min(extra) > 0
    assert card_id(notes[0], MAX_ORDS - 1, lowest_note_id=notes[0], rank=0) > card_id(notes[1], 1, lowest_note_id=notes[0], rank=1)
