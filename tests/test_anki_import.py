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


def note_of(col, card_id: str):
    return col.get_note(col.find_notes(f"CardId:{card_id}")[0])


def test_tags_of_an_updated_note_are_replaced_and_unchanged_notes_keep_the_users(project, collection):
    project.card("a.md", answer="First.", tags=["deck-tag"])
    project.card("b.md", answer="Stays.", tags=["deck-tag"])
    project.build()
    import_package(collection, project.output)
    for card_id in ("a", "b"):
        note = note_of(collection, card_id)
        note.add_tag("mine")
        collection.update_note(note)
    project.card("a.md", answer="Second.", tags=["new-tag"])
    # the users' tag edits are newer than the package: pin the clock past them, as real time would be
    log = import_package(collection, rebuilt_later(project))
    assert guids(log.updated, collection) == {guid_for("test-deck", "a")}
    assert note_of(collection, "a").tags == ["new-tag"]
    assert sorted(note_of(collection, "b").tags) == ["deck-tag", "mine"]


def test_edits_made_in_anki_stay_until_the_card_changes_upstream(project, collection):
    project.card("a.md", answer="Upstream one.")
    project.build()
    import_package(collection, project.output)
    note = note_of(collection, "a")
    note["Answer"] = "My own wording."
    collection.update_note(note)
    project.build()  # nothing changed upstream: the user's edit is newer and stays
    assert len(import_package(collection, project.output).updated) == 0
    assert note_of(collection, "a")["Answer"] == "My own wording."
    project.card("a.md", answer="Upstream two.")
    log = import_package(collection, rebuilt_later(project))
    assert len(log.updated) == 1
    assert note_of(collection, "a")["Answer"] == "<p>Upstream two.</p>"


def test_cards_moved_to_another_deck_in_anki_stay_there(project, collection):
    project.card("topic/a.md", answer="One.")
    project.build()
    import_package(collection, project.output)
    mine = collection.decks.id("My own deck")
    card = note_of(collection, "a").cards()[0]
    collection.set_deck([card.id], mine)
    project.card("topic/a.md", answer="Two.")
    log = import_package(collection, rebuilt_later(project))
    assert len(log.updated) == 1
    assert note_of(collection, "a").cards()[0].did == mine
    assert note_of(collection, "a")["Answer"] == "<p>Two.</p>"


def rebuilt_later(project):
    """Build with the clock a minute past now: what a real rebuild after the user's edits does."""
    import os
    import time

    os.environ["SOURCE_DATE_EPOCH"] = str(int(time.time()) + 60)
    try:
        project.build()
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    return project.output


# --- cloze, reversed and type-in notes ------------------------------------------------------

CLOZE = (
    "---\nid: {id}\ntype: cloze\n---\n## Text\n"
    "The {{{{c1::mean_squared_error}}}} loss has a *{{{{c2::convex::shape}}}}* surface,\n"
    "with gradient $\\nabla L = {{{{c1::\\frac{{2}}{{n}} X^\\top (Xw - y)}}}}$.\n\n"
    "$$\nw^* = {{{{c2::(X^\\top X)^{{-1}} X^\\top y}}}}\n$${extra}\n\n## Notes\nOrdinary least squares.\n"
)


def four_types(project, *, cloze_extra="", reversed_answer="A reversible answer."):
    project.card("basic.md", answer="Plain.")
    project.write("cloze.md", CLOZE.format(id="cloze", extra=cloze_extra))
    project.write("reversed.md", f"---\nid: reversed\ntype: reversed\n---\n## Question\nTerm\n\n## Answer\n{reversed_answer}\n")
    project.write("typein.md", "---\nid: typein\ntype: type-in\n---\n## Question\nThe default k in k-fold CV?\n\n## Answer\n5\n")


def test_each_card_type_imports_with_its_cards_and_renders_like_anki(project, collection):
    from mdanki.anki_math import ANKI_TEX, mathjax_package
    from mdanki.math import find_formulas, run_mathjax

    four_types(project)
    project.build()
    log = import_package(collection, project.output)
    assert len(log.new) == 4
    counts = {card_id: len(note_of(collection, card_id).cards()) for card_id in ("basic", "cloze", "reversed", "typein")}
    assert counts == {"basic": 1, "cloze": 2, "reversed": 2, "typein": 1}
    faces = [side for note_id in collection.find_notes("") for card in collection.get_note(note_id).cards()
             for side in (card.question(), card.answer())]
    assert all("{{c" not in side and "::" not in side.split("</style>")[-1] for side in faces)
    typein = note_of(collection, "typein").cards()[0]
    assert "[[type:Answer]]" in typein.question()  # the backend's mark for the box the reviewer draws
    assert note_of(collection, "typein")["Answer"] == "5"
    reverse = sorted(note_of(collection, "reversed").cards(), key=lambda c: c.ord)[1]
    assert "A reversible answer." in reverse.question().split("</style>")[-1]
    formulas = [f for side in faces for f in find_formulas(side.split("</style>")[-1])]
    assert any("[...]" in f.tex for f in formulas) and any("\\frac{2}{n}" in f.tex for f in formulas)
    if mathjax_package() is not None and shutil.which("node"):
        assert run_mathjax(formulas, tex=ANKI_TEX) == [None] * len(formulas)


def test_cloze_and_reversed_edits_update_in_place_and_a_new_deletion_adds_one_card(project, collection):
    four_types(project)
    project.build()
    import_package(collection, project.output)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        card.start_timer()
        collection.sched.answerCard(card, 3)
    before = {row[0]: row for row in card_rows(collection)}
    revlog = collection.db.all("select * from revlog order by id")
    note_ids = {card_id: note_of(collection, card_id).id for card_id in ("cloze", "reversed")}
    models = {m.id for m in collection.models.all_names_and_ids()}

    four_types(project, cloze_extra="\n\nAnd {{c3::a third}} deletion.", reversed_answer="An edited answer.")
    log = import_package(collection, rebuilt_later(project))
    assert guids(log.updated, collection) == {guid_for("test-deck", "cloze"), guid_for("test-deck", "reversed")}
    assert {card_id: note_of(collection, card_id).id for card_id in ("cloze", "reversed")} == note_ids
    after = {row[0]: row for row in card_rows(collection)}
    assert {k: after[k] for k in before} == before  # every old card, with its review state
    assert len(after) == len(before) + 1 and len(note_of(collection, "cloze").cards()) == 3
    assert collection.db.all("select * from revlog order by id") == revlog
    assert {m.id for m in collection.models.all_names_and_ids()} == models  # no "+" clone


def test_a_removed_card_that_comes_back_updates_the_note_anki_kept(project, collection):
    project.card("a.md", answer="One.")
    project.card("b.md")
    project.build()
    import_package(collection, project.output)
    note_id = note_of(collection, "a").id
    (project.cards / "a.md").unlink()
    project.build()
    import_package(collection, project.output)
    project.card("a.md", answer="Back again.")
    log = import_package(collection, rebuilt_later(project))
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert note_of(collection, "a").id == note_id and note_of(collection, "a")["Answer"] == "<p>Back again.</p>"
    assert collection.note_count() == 2


def test_adding_a_deck_yaml_renaming_and_deck_name_never_duplicate_a_note(project, collection):
    project.card("a.md")
    project.card("topic/b.md")
    project.build(deck_name=None)  # no deck.yaml: the id the GUIDs had ('markdown-deck') is written into one
    assert len(import_package(collection, project.output).new) == 2
    deck_yaml = project.cards / "deck.yaml"

    steps = [
        ("a deck.yaml of one's own", lambda: deck_yaml.write_text("name: Statistics\ndescription: Mine.\n" + deck_yaml.read_text())),
        ("the deck renamed", lambda: deck_yaml.write_text(deck_yaml.read_text().replace("Statistics", "Stats 101"))),
        ("--deck-name", lambda: None),
    ]
    for step, change in steps:
        change()
        result = project.build(deck_name="From The Command Line" if step == "--deck-name" else None)
        log = import_package(collection, project.output)
        assert (step, len(log.new)) == (step, 0)
        assert collection.note_count() == 2 and result.namespace == "markdown-deck"
    guids = {collection.get_note(nid).guid for nid in collection.find_notes("")}
    assert guids == {guid_for("markdown-deck", "a"), guid_for("markdown-deck", "b")}
    assert collection.decks.name(note_of(collection, "b").cards()[0].did) == "Markdown Deck::Topic"  # Anki never moves cards


def test_a_deck_yaml_without_id_keeps_the_guids_users_have_through_a_rename(project, collection):
    project.write("deck.yaml", "name: Old Name\n")
    project.card("a.md")
    project.build(deck_name=None)  # writes id: old-name, the namespace the name always gave
    assert len(import_package(collection, project.output).new) == 1
    project.write("deck.yaml", (project.cards / "deck.yaml").read_text().replace("Old Name", "New Name"))
    project.build(deck_name=None)
    assert len(import_package(collection, project.output).new) == 0 and collection.note_count() == 1


def test_raw_html_and_sound_arrive_and_anki_finds_every_file(project, collection):
    (project.media / "plot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (project.media / "word.mp3").write_bytes(b"ID3 not really a sound")
    project.write("clip.ogg", b"OggS not really a sound")  # next to the card
    project.card("a.md", answer='<img src="plot.svg" width="40">\n\nSay [sound:word.mp3]\n\n<audio controls src="clip.ogg"></audio>')
    project.build()
    import_package(collection, project.output)
    answer = note_of(collection, "a")["Answer"]
    names = sorted(p.name for p in (project.root / "anki-profile" / "collection.media").iterdir())
    assert [n.split("-")[0] for n in names] == ["clip", "plot", "word"]
    for name in names:
        assert (f'src="{name}"' if name.endswith(".svg") else f"[sound:{name}]") in answer
    check = collection.media.check()
    assert (list(check.missing), list(check.unused)) == ([], [])
