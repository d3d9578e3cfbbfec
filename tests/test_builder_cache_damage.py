"""A damaged cache of any kind is re-rendered to the bytes of a clean build, never a traceback; a cache
another program holds locked makes the build wait, then go on without it, never delete it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time

import pytest

from mdanki.builder import cache, default_cache_dir


def _deck(project):
    for i in range(12):
        answer = f"Answer $x_{i}$ and\n\n$$\n\\frac{{1}}{{{i}}}\n$$\n" if i % 2 else f"Plain {i}"
        project.card(f"t/c{i}.md", answer=answer)


@pytest.fixture
def built(project):
    """A deck built without a cache (the clean bytes), then with one (the cache to damage)."""
    _deck(project)
    project.build(cache_dir=False)
    clean = project.output.read_bytes()
    project.build()
    return project, clean


def _db(project):
    (path,) = default_cache_dir(project.root).glob("render-*.sqlite")
    return path


def _sql(query):
    def damage(project):
        with sqlite3.connect(_db(project)) as db:
            db.execute(query)
    return damage


def _truncate(size):
    def damage(project):
        path = _db(project)
        path.write_bytes(path.read_bytes()[: size(path.stat().st_size)])
    return damage


def _replace_with_folder(name):
    def damage(project):
        path = project.root / ".cache" / name
        path.unlink(missing_ok=True)
        path.mkdir()
    return damage


def _verdicts(change, *, clean_marker=False):
    def damage(project):
        path = project.root / ".cache" / "mathjax.json"
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))
        if not clean_marker:
            (project.root / ".cache" / "mathjax.json.clean").unlink()
    return damage


DAMAGE = {
    "an invalid byte in a cached field": _sql("UPDATE entries SET fields = CAST(x'7b22ff22' AS TEXT) WHERE rowid = 3"),
    "an invalid byte in a record": _sql("UPDATE entries SET meta = CAST(x'5b22ff22' AS TEXT) WHERE rowid = 3"),
    "an invalid byte in every checksum": _sql("UPDATE entries SET fields_sum = CAST(x'ff' AS TEXT)"),
    "bytes for a record": _sql("UPDATE entries SET meta = x'00ff' WHERE rowid = 4"),
    "a number for fields": _sql("UPDATE entries SET fields = 5 WHERE rowid = 4"),
    "damaged file index": _sql("UPDATE files SET stat = CAST(x'ff' AS TEXT), read_at = 'x'"),
    "a database cut in half": _truncate(lambda size: size // 2),
    "a database cut to 100 bytes": _truncate(lambda size: 100),
    "an empty database file": _truncate(lambda size: 0),
    "a folder where the verdicts go": _replace_with_folder("mathjax.json"),
    "a folder where the clean marker goes": _replace_with_folder("mathjax.json.clean"),
    "verdicts not UTF-8": lambda project: (project.root / ".cache" / "mathjax.json").write_bytes(b"\xff\xfe{"),
    "clean marker not UTF-8": lambda project: (project.root / ".cache" / "mathjax.json.clean").write_bytes(b"\xff"),
    "a card's formulas not a list": _verdicts(lambda d: d["cards"].update(dict.fromkeys(d["cards"], 5))),
    "a verdict not a text": _verdicts(lambda d: d["formulas"].update(dict.fromkeys(d["formulas"], 5))),
    "verdicts a list": _verdicts(lambda d: d.update(formulas=[])),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_any_damaged_cache_entry_is_rendered_again_to_the_clean_bytes(built, damage):
    project, clean = built
    damage(project)
    project.build()
    assert project.output.read_bytes() == clean
    project.build()  # and the cache it left is whole again
    assert project.output.read_bytes() == clean


def test_a_damaged_field_is_reported_as_one_damaged_entry(built):
    project, clean = built
    DAMAGE["an invalid byte in a cached field"](project)
    warnings = []
    project.build(warn=warnings.append)
    assert warnings == ["render cache: 1 damaged entry rebuilt"] and project.output.read_bytes() == clean


def _hold(path, seconds):
    """Another program writing the cache: an exclusive lock held for ``seconds``."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN EXCLUSIVE")
    held = threading.Event()

    def release():
        held.set()
        time.sleep(seconds)
        db.execute("COMMIT")
        db.close()

    thread = threading.Thread(target=release)
    thread.start()
    held.wait()
    return thread


def test_a_build_waits_for_another_writer_of_the_cache(built):
    project, clean = built
    thread = _hold(_db(project), 1.0)
    warnings = []
    project.build(warn=warnings.append)
    thread.join()
    assert warnings == [] and project.output.read_bytes() == clean


def test_a_cache_locked_too_long_is_left_alone_and_the_build_goes_on_without_it(built, monkeypatch):
    project, clean = built
    monkeypatch.setattr(cache, "BUSY_SECONDS", 0.2)
    path = _db(project)
    saved = path.read_bytes()
    thread = _hold(path, 1.5)
    warnings = []
    project.build(warn=warnings.append)
    thread.join()
    assert warnings == [f"render cache {path} is locked by another program; building without it"]
    assert project.output.read_bytes() == clean and path.read_bytes() == saved  # never deleted
    warnings.clear()
    project.build(warn=warnings.append)
    assert warnings == [] and project.output.read_bytes() == clean


def test_a_folder_where_the_cache_database_goes_means_building_without_it(built):
    project, clean = built
    path = _db(project)
    path.unlink()
    path.mkdir()
    warnings = []
    project.build(warn=warnings.append)
    assert project.output.read_bytes() == clean
    assert warnings[-1].startswith("render cache unavailable (") and shutil.os.path.isdir(path)
