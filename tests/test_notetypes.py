"""notetypes: frozen note types. The basic type is exactly the one users of the shipped deck have."""

from __future__ import annotations

from mdanki.notetypes import BASIC, DEFAULT_KIND, NOTE_TYPES


def test_the_basic_type_keeps_every_id_users_have():
    assert (BASIC.id, BASIC.name) == (1732611215, "Markdown Q&A (mdanki)")
    assert BASIC.fields == (
        ("Question", 4_173_206_001), ("Answer", 4_173_206_002), ("Notes", 4_173_206_003),
        ("CardId", 4_173_206_004), ("Reserved1", 4_173_206_005), ("Reserved2", 4_173_206_006),
    )
    assert [(t.name, t.id) for t in BASIC.templates] == [("Card 1", 4_173_206_101)]
    assert (BASIC.lock_key, DEFAULT_KIND, NOTE_TYPES["basic"]) == ("@note-type", "basic", BASIC)


def test_the_digest_is_the_one_deck_lock_already_holds():
    # a changed digest would move the note type's mod and update it in every user's collection
    assert BASIC.digest == "dcb082bee928e5b2"


def test_field_values_fill_the_frozen_field_order():
    values = BASIC.field_values({"Question": "<p>Q</p>", "Answer": "<p>A</p>", "Notes": ""}, "card-1")
    assert values == ("<p>Q</p>", "<p>A</p>", "", "card-1", "", "")


def test_every_colour_has_a_night_mode_rule_for_desktop_and_ankidroid():
    assert ".nightMode .highlight" in BASIC.css and ".night_mode .highlight" in BASIC.css
    assert BASIC.css.count(".nightMode") == BASIC.css.count(".night_mode")
