"""The package file: reproducible bytes, compressed entries with fixed metadata, nothing left behind."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

from conftest import REPO


def test_two_builds_are_byte_identical(project):
    project.card("a/one.md", answer="$x$\n\n```python\nprint(1)\n```")
    (project.media / "f.svg").write_text("<svg/>")
    project.card("b/two.md", answer="![f](f.svg)", tags=["t"])
    project.build()
    first = project.output.read_bytes()
    project.output.unlink()
    project.build()
    assert project.output.read_bytes() == first


def test_build_is_identical_in_a_fresh_process_with_another_hash_seed(project):
    for index in range(20):
        project.card(f"topic{index % 3}/card{index}.md", tags=[f"t{index}", "common"])
    project.build()
    first = project.output.read_bytes()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run(
        [sys.executable, str(REPO / "build_deck.py"), "--cards", "cards", "--media", "media", "-o", "dist/again.apkg",
         "--deck-name", "Test Deck", "-q"],
        cwd=project.root, env=env, check=True,
    )
    assert (project.root / "dist" / "again.apkg").read_bytes() == first


def test_zip_entries_are_deflated_with_fixed_metadata(project):
    (project.media / "f.svg").write_text("<svg/>" * 50)
    project.card("a.md", answer="![f](f.svg)")
    project.build()
    with zipfile.ZipFile(project.output) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media", "0"]
        for info in infos:
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (2023, 11, 14, 22, 13, 20)  # SOURCE_DATE_EPOCH=1700000000
            assert info.external_attr == 0o644 << 16
        names = json.loads(archive.read("media"))
        assert list(names) == ["0"] and names["0"].startswith("f-") and names["0"].endswith(".svg")
        assert archive.read("0") == b"<svg/>" * 50


def test_notes_carry_their_own_mod_and_a_stable_guid(project):
    project.card("a.md")
    project.build()
    with zipfile.ZipFile(project.output) as archive, tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "c.anki2")
        with open(path, "wb") as out:
            out.write(archive.read("collection.anki2"))
        rows = sqlite3.connect(path).execute("select guid, mod, flds from notes").fetchall()
    from mdanki.notes import guid_for

    assert rows == [(guid_for("test-deck", "a"), 1700000000, "<p>What is asked?</p>\x1f<p>The answer.</p>\x1f\x1fa\x1f\x1f")]


def test_no_temporary_files_are_left_behind(project, monkeypatch, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    project.card("a.md")
    project.build()
    project.write("b.md", "not a card")
    try:
        project.build()
    except Exception:
        pass
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in project.output.parent.iterdir()) == ["deck.apkg"]


def test_fields_and_tags_are_stored_as_anki_stores_them_nfc_without_control_characters(project, collection):
    # found by tests/test_fuzz.py: Anki's importer normalises fields to NFC and drops control characters,
    # so a card written with a combining accent (e + U+0301) or a stray NUL or ESC was stored as other text
    from conftest import import_package

    project.card("a.md", question="Caf\u0065\u0301?\x00", answer="A\u030a\x1b[0m\x7f\tx", tags=["cafe\u0301"])
    project.build()
    with zipfile.ZipFile(project.output) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        with sqlite3.connect(os.path.join(folder, "collection.anki2")) as db:
            flds, tags = db.execute("SELECT flds, tags FROM notes").fetchone()
        db.close()
    assert flds.split("\x1f")[:2] == ["<p>Caf\u00e9?</p>", "<p>\u00c5[0m x</p>"] and tags == " caf\u00e9 "
    import_package(collection, project.output)
    (note_id,) = collection.find_notes("")
    note = collection.get_note(note_id)
    assert note.joined_fields() == flds and note.tags == ["caf\u00e9"]
