"""The render cache and parallel rendering make builds faster, never different."""

from __future__ import annotations

import os
import sqlite3
import tempfile

from conftest import card_text

from mdanki import render
from mdanki.builder import cache, records, worker
from mdanki.builder import default_cache_dir


def make_deck(project, count=200):
    (project.media / "f.svg").write_text("<svg/>")
    for index in range(count):
        extra = "\n\n![f](f.svg)" if index % 50 == 0 else ""
        code = "\n\n```python\nprint(%d)\n```" % index if index % 3 == 0 else ""
        project.card(f"t{index % 4}/c{index}.md", answer=f"Answer $x_{index}$ number {index}.{code}{extra}", tags=["t"])


def cache_files(project):
    return sorted(default_cache_dir(project.root).glob("render-*.sqlite"))


def test_cached_build_is_byte_identical_to_an_uncached_one(project):
    make_deck(project)
    project.build(cache_dir=False)
    uncached = project.output.read_bytes()
    project.build()  # cold: fills the cache
    assert project.output.read_bytes() == uncached
    project.build()  # warm: everything from the cache
    assert project.output.read_bytes() == uncached
    assert len(cache_files(project)) == 1


def test_one_job_and_two_jobs_give_identical_files(project):
    make_deck(project, 400)
    project.build(jobs=1, cache_dir=False)
    one = project.output.read_bytes()
    project.build(jobs=2, cache_dir=False)
    assert project.output.read_bytes() == one


def test_a_renderer_change_invalidates_the_cache(project, monkeypatch):
    project.card("a.md", answer="```python\nx = 1\n```")
    project.build()
    before = project.output.read_bytes()
    monkeypatch.setitem(render.EXTENSIONS, "mdanki.render.speedups:ReusingHighlightExtension", {"use_pygments": False})
    project.build()
    assert project.output.read_bytes() != before
    assert len(cache_files(project)) == 2  # a new cache for the new configuration


def test_an_edited_card_is_rendered_again(project):
    project.card("a.md", answer="Old.")
    project.build()
    project.card("a.md", answer="New.")
    result = project.build()
    assert result.changes.changed == ("a",)


def test_a_changed_image_is_noticed_through_the_cache(project):
    (project.media / "f.svg").write_text("<svg id='1'/>")
    project.card("a.md", answer="![f](f.svg)")
    project.build()
    (project.media / "f.svg").write_text("<svg id='2'/>")
    assert project.build().changes.changed == ("a",)


def test_a_damaged_cache_file_is_rebuilt_with_a_warning(project):
    make_deck(project, 20)
    project.build()
    good = project.output.read_bytes()
    (path,) = cache_files(project)
    path.write_bytes(b"this is not a database" * 100)
    warnings = []
    project.build(warn=warnings.append)
    assert project.output.read_bytes() == good
    assert warnings == [f"render cache {path} is damaged; rebuilding it"]


def test_a_tampered_entry_is_not_trusted(project):
    project.card("a.md", answer="Real answer.")
    project.build()
    good = project.output.read_bytes()
    (path,) = cache_files(project)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET fields = replace(fields, 'Real answer', 'Fake answer')")
    warnings = []
    project.build(warn=warnings.append)
    assert project.output.read_bytes() == good
    assert warnings == ["render cache: 1 damaged entry rebuilt"]


def test_no_temporary_files_after_a_build_or_a_failed_build(project):
    make_deck(project, 20)
    project.build()
    project.write("broken.md", card_text(None))
    try:
        project.build()
    except Exception:
        pass
    assert [p.name for p in project.output.parent.iterdir()] == ["deck.apkg"]
    assert [p.name for p in default_cache_dir(project.root).iterdir()] == [cache_files(project)[0].name]
    assert sorted(p.name for p in project.cards.iterdir() if p.is_file()) == ["broken.md", "deck.lock", "deck.yaml"]  # the id, pinned


# --- the file index: unchanged card files are not read again --------------------------------


def counting_reads(monkeypatch):
    reads = []
    real = cache.read_file

    def counted(path):
        reads.append(path)
        return real(path)

    monkeypatch.setattr(records, "read_file", counted)
    monkeypatch.setattr(worker, "read_file", counted)
    return reads


def age(path, seconds=60):
    """Files written a minute ago; ctime cannot be set back, so the racy window is shrunk instead."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns - seconds * 10**9, stat.st_mtime_ns - seconds * 10**9))


def test_an_unchanged_file_is_not_read_again(project, monkeypatch):
    monkeypatch.setattr(cache, "_RACY_NS", -10**9)  # a second after the build read them, as if later
    make_deck(project, 20)
    project.build()
    first = project.output.read_bytes()
    reads = counting_reads(monkeypatch)
    project.build()
    assert reads == [] and project.output.read_bytes() == first


def test_a_same_size_edit_with_the_old_mtime_put_back_is_still_seen(project, monkeypatch):
    monkeypatch.setattr(cache, "_RACY_NS", -10**9)
    path = project.card("a.md", answer="Answer AAAA.")
    age(path)
    project.build()
    before = path.stat()
    path.write_text(path.read_text().replace("AAAA", "BBBB"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime as before: only ctime moved
    assert project.build().changes.changed == ("a",)
    assert "BBBB" in read_fields(project)


def test_a_file_changed_just_before_it_was_read_is_read_again(project, monkeypatch):
    make_deck(project, 5)  # written a moment ago: within a timestamp tick of the build's read
    project.build()
    reads = counting_reads(monkeypatch)
    project.build()
    assert len(reads) == 5


def test_a_damaged_file_row_means_reading_the_file(project, monkeypatch):
    monkeypatch.setattr(cache, "_RACY_NS", -10**9)
    project.card("a.md", answer="Real answer.")
    project.build()
    (path,) = cache_files(project)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE files SET digest = replace(digest, substr(digest, 1, 1), 'x')")
    reads = counting_reads(monkeypatch)
    project.build()
    assert len(reads) == 1


def read_fields(project):
    import zipfile

    with zipfile.ZipFile(project.output) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        with sqlite3.connect(os.path.join(folder, "collection.anki2")) as db:
            return "\n".join(flds for (flds,) in db.execute("SELECT flds FROM notes"))


def test_a_deleted_card_is_forgotten_by_the_file_index(project):
    project.card("a.md", answer="A.")
    deleted = project.card("b.md", answer="B.")
    project.build()
    deleted.unlink()
    project.build()
    (path,) = cache_files(project)
    with sqlite3.connect(path) as db:
        assert [name for (name,) in db.execute("SELECT name FROM files")] == ["a.md"]


def test_an_unwritable_cache_folder_means_building_without_it(project):
    project.card("a.md")
    (project.root / ".cache").write_text("a file where the cache folder would go")
    warnings = []
    project.build(warn=warnings.append)
    assert project.output.exists()
    assert len(warnings) == 1 and warnings[0].startswith("render cache unavailable (")
    assert warnings[0].endswith("; building without it")
