"""builder.sync and sync/: the deck written straight into a real Anki collection, kept in step."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from mdanki.builder import removed_search, sync_deck
from mdanki.errors import BuildError
from mdanki.notes import guid_for

anki = pytest.importorskip("anki.collection")


def open_collection(path):
    return anki.Collection(str(path))


def synced(project, path, **options):
    os.environ["SOURCE_DATE_EPOCH"] = str(int(time.time()) + 60)  # later than the user's edits
    try:
        return sync_deck(collection=path, cards_dir=project.cards, media_dir=project.media,
                         output=project.output, deck_name="Test Deck", **options)
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = "1700000000"


def notes_by_card_id(col):
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    return {note["CardId"]: note for note in notes if "CardId" in note.keys()}


@pytest.fixture
def collection_file(tmp_path):
    folder = tmp_path / "profile"
    folder.mkdir()
    path = folder / "collection.anki2"
    col = open_collection(path)
    other = col.new_note(col.models.by_name("Basic"))  # a note of another deck: never touched
    other["Front"], other["Back"] = "Not ours", "Leave me"
    col.add_note(other, col.decks.id("Elsewhere"))
    col.close()
    return path


def test_a_second_sync_keeps_reviews_user_tags_and_moves_and_deletes_only_on_request(project, collection_file):
    project.card("topic/edited.md", answer="First.")
    project.card("topic/moved.md", answer="Moving.")
    project.card("topic/deleted.md")
    project.card("untouched.md")
    _, report = synced(project, collection_file)
    assert len(report.added) == 4

    col = open_collection(collection_file)
    for card_id in col.find_cards("deck:Test*"):
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, 3)
    notes = notes_by_card_id(col)
    notes["edited"].add_tag("mine")
    col.update_note(notes["edited"])
    before = {row[0]: row for row in col.db.all("select id, nid, due, ivl, reps from cards")}
    revlog = col.db.all("select * from revlog order by id")
    schema = col.db.scalar("select scm from col")
    other = col.db.all("select * from notes where guid not in (%s)" % ",".join(f"'{guid_for('test-deck', c)}'" for c in notes))
    col.close()

    project.card("topic/edited.md", answer="Second.")
    project.card("added.md")
    (project.cards / "topic/deleted.md").unlink()
    (project.cards / "other").mkdir()
    shutil.move(project.cards / "topic/moved.md", project.cards / "other/moved.md")
    result, report = synced(project, collection_file)
    assert report.added == ("added",) and report.updated == ("edited",) and report.moved == ("moved",)
    assert report.removed == ("deleted",) == result.removed and report.deleted == ()

    col = open_collection(collection_file)
    notes = notes_by_card_id(col)
    assert notes["edited"]["Answer"] == "<p>Second.</p>" and "mine" in notes["edited"].tags
    after = {row[0]: row for row in col.db.all("select id, nid, due, ivl, reps from cards")}
    assert all(after[card] == row for card, row in before.items())  # same cards, same reviews
    assert col.db.all("select * from revlog order by id") == revlog
    assert col.decks.name(notes["moved"].cards()[0].did) == "Test Deck::Other"
    assert "deleted" in notes  # listed, not deleted
    assert col.db.scalar("select scm from col") == schema  # no full upload to AnkiWeb needed
    col.close()

    _, report = synced(project, collection_file, delete_removed=True)
    assert report.deleted == ("deleted",)
    col = open_collection(collection_file)
    notes = notes_by_card_id(col)
    assert "deleted" not in notes and len(notes) == 4 and col.note_count() == 5  # and the other deck's
    assert col.db.all("select * from notes where guid not in (%s)" % ",".join(
        f"'{guid_for('test-deck', c)}'" for c in list(notes) + ["deleted"])) == other
    col.close()


def test_a_card_the_user_moved_stays_where_the_user_put_it(project, collection_file):
    project.card("topic/a.md")
    synced(project, collection_file)
    col = open_collection(collection_file)
    card = notes_by_card_id(col)["a"].cards()[0]
    col.set_deck([card.id], col.decks.id("Mine"))
    col.close()
    (project.cards / "other").mkdir()
    shutil.move(project.cards / "topic/a.md", project.cards / "other/a.md")
    _, report = synced(project, collection_file)
    assert report.moved == ()
    col = open_collection(collection_file)
    assert col.decks.name(notes_by_card_id(col)["a"].cards()[0].did) == "Mine"
    col.close()


def test_a_dry_run_changes_nothing(project, collection_file):
    project.card("a.md")
    before = collection_file.read_bytes()
    _, report = synced(project, collection_file, dry_run=True)
    assert report.dry_run and report.added == ("a",)
    assert collection_file.read_bytes() == before and not (project.cards / "deck.lock").exists()


def test_a_collection_open_in_anki_is_refused_and_left_as_it_was(project, collection_file):
    project.card("a.md")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from anki.collection import Collection;"
         " c = Collection(sys.argv[1]); print('open', flush=True); time.sleep(60)", str(collection_file)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        before = collection_file.read_bytes()
        with pytest.raises(BuildError) as refused:
            synced(project, collection_file)
        (error,) = refused.value.errors
        assert error.message.startswith("cannot open the collection (") and error.message.endswith("close Anki and sync again")
        assert collection_file.read_bytes() == before
        assert not list(collection_file.parent.glob("*.mdanki-backup"))
    finally:
        holder.kill()
        holder.wait()


def test_a_sync_that_fails_halfway_puts_the_collection_back(project, collection_file, monkeypatch):
    from mdanki.sync import collection as sync_module

    project.card("a.md")
    before = collection_file.read_bytes()

    def broken(col, *args):
        col.decks.id("Half done")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sync_module, "_apply", broken)
    with pytest.raises(RuntimeError):
        synced(project, collection_file)
    assert collection_file.read_bytes() == before


def test_a_missing_collection_and_the_removed_search():
    with pytest.raises(BuildError) as missing:
        from mdanki.sync import sync

        sync(__import__("pathlib").Path("/nonexistent/collection.anki2"), package=None, namespace="x", removed={})
    assert missing.value.errors[0].message == "no Anki collection here (open Anki once, or name collection.anki2)"
    assert removed_search(["a", "b-c"]) == '"CardId:a" or "CardId:b-c"'


def test_without_ankis_backend_sync_says_what_to_install(tmp_path, monkeypatch):
    from mdanki.sync import sync

    monkeypatch.setitem(sys.modules, "anki.collection", None)
    with pytest.raises(BuildError) as missing:
        sync(tmp_path / "collection.anki2", package=None, namespace="x", removed={})
    assert missing.value.errors[0].message == "sync needs Anki's backend: pip install 'mdanki[sync]'"
