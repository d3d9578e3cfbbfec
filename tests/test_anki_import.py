"""The promise of the project, checked with Anki's own importer: re-imports update in place."""

from __future__ import annotations

import dataclasses
import shutil

from conftest import import_package

from mdanki.notes import guid_for
from mdanki.notetypes import BASIC, NOTE_TYPES


def card_rows(col):
    return col.db.all("select id, nid, did, due, ivl, reps, lapses, type, queue from cards order by id")


def guids(log_entries, col):
    return {col.get_note(entry.id.nid).guid for entry in log_entries}


def test_edits_update_in_place_keeping_history(project, collection, monkeypatch):
    project.card("basics/edited.md", answer="First answer.")
    project.card("basics/moved.md", answer="Stays the same.")
    project.card("basics/deleted.md")
    project.card("untouched.md", tags=["keep", "topic::sub"])
    project.build()
    first = project.output.read_bytes()

    log = import_package(collection, project.output)
    assert len(log.new) == 4
    # answer every card so there is review history to lose
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        card.start_timer()
        collection.sched.answerCard(card, 4)  # Easy: straight to review, with an interval and a due date
    before_cards = card_rows(collection)
    before_revlog = collection.db.all("select * from revlog order by id")
    assert len(before_revlog) == 4 and all(row[5] == 1 and row[4] > 0 for row in before_cards)  # reps, ivl
    model_ids = {m.id for m in collection.models.all_names_and_ids()}

    # unchanged rebuild: same bytes, nothing updated
    project.build()
    assert project.output.read_bytes() == first
    log = import_package(collection, project.output)
    assert (len(log.new), len(log.updated)) == (0, 0)

    # edit one, move one, add one, delete one, change the CSS; same clock, so mod must still advance
    project.card("basics/edited.md", answer="Second answer.")
    (project.cards / "other").mkdir()
    shutil.move(project.cards / "basics/moved.md", project.cards / "other/moved.md")
    project.card("basics/added.md")
    (project.cards / "basics/deleted.md").unlink()
    new_css = BASIC.css + "\n.question { color: #123456; }\n"
    monkeypatch.setitem(NOTE_TYPES, "basic", dataclasses.replace(BASIC, css=new_css))
    result = project.build()
    assert result.changes.changed == ("edited",) and result.changes.added == ("added",)
    assert result.changes.removed == ("deleted",)

    log = import_package(collection, project.output)
    assert guids(log.updated, collection) == {guid_for("test-deck", "edited")}
    assert guids(log.new, collection) == {guid_for("test-deck", "added")}
    assert len(log.conflicting) == len(log.first_field_match) == 0

    after_cards = {row[0]: row for row in card_rows(collection)}
    for row in before_cards:  # id, note, deck, due, interval, reps: all kept
        assert after_cards[row[0]] == row
    assert collection.db.all("select * from revlog order by id") == before_revlog
    assert collection.note_count() == 5  # the deleted card's note stays with the user
    assert {m.id for m in collection.models.all_names_and_ids()} == model_ids  # no clone
    assert ".question { color: #123456; }" in collection.models.get(BASIC.id)["css"]
    edited = collection.get_note(collection.find_notes("CardId:edited")[0])
    assert edited["Answer"] == "<p>Second answer.</p>"
    added_card = collection.get_note(collection.find_notes("CardId:added")[0]).cards()[0]
    assert collection.decks.name(added_card.did) == "Test Deck::Basics"


def test_math_and_code_arrive_exactly(project, collection):
    project.card(
        "math.md",
        question="Inline $a_i * b_i$ and $x < y$ and $\\{ a \\}$ and `$HOME` cost $5 and $10.",
        answer="$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$\n\n```python\nprint(a_i * b_i < 3)\n```",
    )
    project.build()
    import_package(collection, project.output)
    note = collection.get_note(collection.find_notes("")[0])
    assert note["Question"] == (
        '<p>Inline <span class="arithmatex">\\(a_i * b_i\\)</span> and <span class="arithmatex">\\(x &lt; y\\)</span>'
        ' and <span class="arithmatex">\\(\\{ a \\}\\)</span> and <code>$HOME</code> cost $5 and $10.</p>'
    )
    assert '<div class="arithmatex">\\[\n\\begin{aligned} a &amp;= b \\\\ c &amp;= d \\end{aligned}\n\\]</div>' in note["Answer"]
    assert '<span class="n">a_i</span> <span class="o">*</span> <span class="n">b_i</span>' in note["Answer"]


def test_image_lands_in_media_folder(project, collection):
    (project.media / "figure.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    project.card("pic.md", answer="![a figure](figure.svg)")
    project.build()
    import_package(collection, project.output)
    note = collection.get_note(collection.find_notes("")[0])
    names = [p.name for p in (project.root / "anki-profile" / "collection.media").iterdir()]
    assert len(names) == 1 and names[0].startswith("figure-") and names[0].endswith(".svg")
    assert f'src="{names[0]}"' in note["Answer"]


def test_changed_image_arrives_under_a_new_name(project, collection):
    figure = project.media / "figure.svg"
    figure.write_text('<svg xmlns="http://www.w3.org/2000/svg" id="one"/>')
    project.card("pic.md", answer="![a figure](figure.svg)")
    project.build()
    import_package(collection, project.output)
    figure.write_text('<svg xmlns="http://www.w3.org/2000/svg" id="two"/>')
    project.build()
    log = import_package(collection, project.output)
    assert len(log.updated) == 1
    note = collection.get_note(collection.find_notes("")[0])
    src = note["Answer"].split('src="')[1].split('"')[0]
    assert 'id="two"' in (project.root / "anki-profile" / "collection.media" / src).read_text()
