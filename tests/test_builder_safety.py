"""Crash and concurrency safety: a killed build leaves nothing behind, two builds at once serialise,
and the package, deck.lock and deck.yaml are replaced together or not at all."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, card_text

from mdanki.atomic import Commit
from mdanki.builder import build

_BUILD = """
import sys
from pathlib import Path
from mdanki.builder import build
root = Path(sys.argv[1])
build(cards_dir=root / "cards", media_dir=None, output=Path(sys.argv[2]), deck_name="Test Deck", jobs=2)
"""


def _deck(root: Path, cards: int) -> Path:
    for n in range(cards):
        path = root / "cards" / f"topic-{n % 7}" / f"card-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(card_text(f"card-{n}", question=f"Question {n} with $x_{n}$?", answer=f"```python\nx = {n}\n```\n"))
    return root


def _start(root: Path, output: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH="1700000000")
    return subprocess.Popen([sys.executable, "-c", _BUILD, str(root), str(output)], env=env, stderr=subprocess.PIPE, text=True)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _temporaries(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name.endswith((".tmp", ".anki2")))


def test_a_commit_replaces_every_file_or_none(tmp_path):
    lock, package = tmp_path / "deck.lock", tmp_path / "deck.apkg"
    lock.write_bytes(b"old lock")
    package.mkdir()  # cannot be replaced by a file: the rename of the second file fails
    commit = Commit()
    commit.add(lock, b"new lock")
    commit.add(package, b"new package")
    with pytest.raises(OSError):
        commit.apply()
    assert lock.read_bytes() == b"old lock" and sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg", "deck.lock"]
    package.rmdir()
    commit = Commit()
    commit.add(lock, b"new lock")
    commit.add(package, b"new package")
    commit.apply()
    assert (lock.read_bytes(), package.read_bytes()) == (b"new lock", b"new package")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg", "deck.lock"]


def test_when_the_package_cannot_be_written_deck_lock_and_deck_yaml_stay_as_they_were(project):
    project.card("a.md")
    project.build()
    lock_before = (project.cards / "deck.lock").read_bytes()
    (project.cards / "deck.yaml").unlink()
    project.card("a.md", question="Edited?")
    project.output.unlink()
    project.output.mkdir()  # the package cannot replace it
    with pytest.raises(OSError):
        project.build()
    assert (project.cards / "deck.lock").read_bytes() == lock_before
    assert not (project.cards / "deck.yaml").exists()
    assert _temporaries(project.root) == []


def test_the_next_build_removes_what_a_killed_build_left_and_only_that(project):
    project.card("a.md")
    project.output.parent.mkdir()
    old = time.time() - 60
    left = [project.cards / ".deck.lock.x1.tmp", project.output.parent / ".deck.apkg.x2.tmp",
            project.output.parent / ".mdanki-x3.anki2", project.root / ".cache" / ".mathjax.json.x4.tmp"]
    other = [project.output.parent / ".other.apkg.x5.tmp", project.cards / "notes.tmp"]
    for path in left + other:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
        os.utime(path, (old, old))
    newer = project.output.parent / ".mdanki-x6.anki2"  # a build running now: not ours to remove
    newer.write_bytes(b"busy")
    os.utime(newer, (time.time() + 60, time.time() + 60))
    project.build()
    assert [p for p in left if p.exists()] == []
    assert all(p.exists() for p in other + [newer])


@pytest.mark.slow
def test_a_killed_build_leaves_no_process_and_the_next_build_is_an_uninterrupted_one(tmp_path):
    clean = _deck(tmp_path / "clean", 400)
    subprocess.run([sys.executable, "-c", _BUILD, str(clean), str(tmp_path / "clean.apkg")], check=True,
                   env=dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH="1700000000"))
    expected = (tmp_path / "clean.apkg").read_bytes()
    killed = _deck(tmp_path / "killed", 400)
    output = killed / "dist" / "deck.apkg"
    for delay in (0.0, 0.3, 0.8):  # in the workers, and later (packaging, if it got there)
        shutil.rmtree(killed / ".cache" / "mdanki", ignore_errors=True)  # every round renders, on workers
        build_process = _start(killed, output)
        deadline = time.monotonic() + 60
        while not _children(build_process.pid) and build_process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = _children(build_process.pid)
        time.sleep(delay)
        workers += [pid for pid in _children(build_process.pid) if pid not in workers]
        build_process.send_signal(signal.SIGKILL)
        build_process.wait()
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers, (delay, build_process.returncode, build_process.stderr.read()[-2000:])
        assert not [pid for pid in workers if _alive(pid)]
    subprocess.run([sys.executable, "-c", _BUILD, str(killed), str(output)], check=True,
                   env=dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH="1700000000"))
    assert _temporaries(killed) == []
    assert output.read_bytes() == expected


@pytest.mark.slow
def test_two_builds_of_one_deck_at_once_both_succeed_with_the_same_package(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = _deck(tmp_path / "deck", 300)
    first, second = _start(root, tmp_path / "one.apkg"), _start(root, tmp_path / "two.apkg")
    assert (first.wait(), second.wait()) == (0, 0), first.stderr.read() + second.stderr.read()
    assert (tmp_path / "one.apkg").read_bytes() == (tmp_path / "two.apkg").read_bytes()
    again = build(cards_dir=root / "cards", media_dir=None, output=tmp_path / "three.apkg", deck_name="Test Deck")
    assert again.changes.changed == () and (tmp_path / "three.apkg").read_bytes() == (tmp_path / "one.apkg").read_bytes()


def test_a_build_waits_while_another_build_of_the_deck_holds_its_lock(tmp_path):
    from mdanki.builder.guard import exclusive

    root = _deck(tmp_path / "deck", 3)
    with exclusive(root / ".cache"):  # another build of this deck, running
        waiting = _start(root, tmp_path / "deck.apkg")
        time.sleep(2)
        assert waiting.poll() is None and not (tmp_path / "deck.apkg").exists()
    assert waiting.wait(timeout=60) == 0, waiting.stderr.read()
    assert (tmp_path / "deck.apkg").exists()
