"""builder.records: a warm build packages exactly the bytes of a cold one, whatever changed around the cards.

Each situation fills the render cache, changes what surrounds the card files (not the files
themselves), builds warm, then throws the cache away and builds cold: same package, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import card_text

from mdanki.builder import build, default_cache_dir
from mdanki.cli import main, mdanki
from mdanki.errors import BuildError

RED, BLUE, GREEN = b"<svg id='red'/>", b"<svg id='blue'/>", b"<svg id='green'/>"


def deck(root: Path, picture: bytes | None = RED, text: str | None = None) -> Path:
    (root / "cards").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "cards" / "a.md").write_text(text or card_text("a", answer="A picture:\n\n![p](pic.svg)"))
    (root / "cards" / "b.md").write_text(card_text("b", answer="No picture."))
    if picture is not None:
        (root / "media" / "pic.svg").write_bytes(picture)
    return root


def run(root: Path, media: str = "media", **options) -> bytes:
    options.setdefault("output", root / "dist" / "deck.apkg")
    build(root=root, cards_dir=root / "cards", media_dir=root / media, deck_name="D", **options)
    return Path(options["output"]).read_bytes()


def cold(root: Path, cache_root: Path | None = None, **options) -> bytes:
    shutil.rmtree(default_cache_dir(cache_root or root), ignore_errors=True)
    return run(root, **options)


def pictures(package: bytes, tmp_path: Path) -> set[bytes]:
    path = tmp_path / "look.apkg"
    path.write_bytes(package)
    with zipfile.ZipFile(path) as archive:
        return {archive.read(name) for name in archive.namelist() if name not in ("collection.anki2", "media")}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)


def test_sibling_decks_sharing_a_cache_folder_keep_their_own_pictures(tmp_path):
    # the same card file, byte for byte, in two decks built from one working folder (one .cache)
    a, b = deck(tmp_path / "a", RED), deck(tmp_path / "b", BLUE)
    for side in (a, b):
        assert main(["--cards", str(side / "cards"), "--media", str(side / "media"), "-o", str(side / "x.apkg"), "-q"]) == 0
    warm = (b / "x.apkg").read_bytes()
    assert pictures(warm, tmp_path) == {BLUE}
    shutil.rmtree(tmp_path / ".cache")
    assert main(["--cards", str(b / "cards"), "--media", str(b / "media"), "-o", str(b / "x.apkg"), "-q"]) == 0
    assert (b / "x.apkg").read_bytes() == warm


def test_changing_the_media_folder_is_not_ignored(tmp_path):
    root = deck(tmp_path / "d", RED)
    (root / "other").mkdir()
    (root / "other" / "pic.svg").write_bytes(BLUE)
    run(root)
    warm = run(root, media="other")
    assert pictures(warm, tmp_path) == {BLUE} and warm == cold(root, media="other")


def test_a_media_folder_without_the_picture_fails_warm_as_it_fails_cold(tmp_path):
    root = deck(tmp_path / "d", RED)
    (root / "empty").mkdir()
    run(root)
    for attempt in ("warm", "cold"):
        if attempt == "cold":
            shutil.rmtree(default_cache_dir(root))
        with pytest.raises(BuildError) as failure:
            run(root, media="empty")
        assert [e.message for e in failure.value.errors] == ["image 'pic.svg' not found next to the card or in the media folder"]


def test_a_picture_put_next_to_the_card_takes_over_from_media(tmp_path):
    root = deck(tmp_path / "d", RED)
    run(root)
    (root / "cards" / "pic.svg").write_bytes(GREEN)  # probed before media/: it wins, cold or warm
    warm = run(root)
    assert pictures(warm, tmp_path) == {GREEN} and warm == cold(root)


def test_a_symlink_pointed_elsewhere_is_noticed(tmp_path):
    root = deck(tmp_path / "d", None)
    (root / "media" / "one.svg").write_bytes(RED)
    (root / "media" / "two.svg").write_bytes(BLUE)
    os.symlink("one.svg", root / "media" / "pic.svg")
    run(root)
    (root / "media" / "pic.svg").unlink()
    os.symlink("two.svg", root / "media" / "pic.svg")
    warm = run(root)
    assert pictures(warm, tmp_path) == {BLUE} and warm == cold(root)


def test_a_deck_copied_elsewhere_with_its_cache_packages_its_own_files(tmp_path):
    root = deck(tmp_path / "d", RED)
    run(root)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)
    (copy / "media" / "pic.svg").write_bytes(BLUE)
    warm = run(copy)
    assert pictures(warm, tmp_path) == {BLUE} and warm == cold(copy)


def test_ignore_keys_taken_away_fails_warm_as_it_fails_cold(tmp_path):
    root = deck(tmp_path / "d", RED, text=card_text("a", extra_meta="title: A"))
    (root / "cards" / "deck.yaml").write_text("name: D\nid: d\nignore_keys: [title]\n")
    run(root)
    (root / "cards" / "deck.yaml").write_text("name: D\nid: d\n")
    for attempt in ("warm", "cold"):
        if attempt == "cold":
            shutil.rmtree(default_cache_dir(root))
        with pytest.raises(BuildError) as failure:
            run(root)
        assert failure.value.errors[0].message.startswith("unknown front-matter key 'title'")


def test_another_working_folder_gives_the_same_package(tmp_path, monkeypatch, capsys):
    root = deck(tmp_path / "d", RED)
    (root / "cards" / "deck.yaml").write_text("name: D\nid: d\n")
    monkeypatch.chdir(root)
    assert main(["--cards", "cards", "-q"]) == 0  # relative paths, from the root
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert mdanki(["build", "../d", "-q"]) == 0
    warm = (root / "dist" / "d.apkg").read_bytes()
    shutil.rmtree(root / ".cache")
    assert mdanki(["build", str(root), "-q"]) == 0
    assert (root / "dist" / "d.apkg").read_bytes() == warm
    assert sorted(p.name for p in elsewhere.iterdir()) == []


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the math check")
def test_a_math_error_from_a_cache_filled_elsewhere_names_its_file_and_line(tmp_path, monkeypatch, capsys):
    from conftest import REPO

    if not (REPO / "node_modules" / "mathjax-full").is_dir():
        pytest.skip("needs MathJax (npm ci)")
    root = deck(tmp_path / "d", RED, text=card_text("a", answer=r"Broken: $\frac{a}{b$"))
    (root / "cards" / "deck.yaml").write_text("name: D\nid: d\n")
    monkeypatch.chdir(root)
    assert main(["--cards", "cards"]) == 1
    first = capsys.readouterr().err
    assert first.splitlines() == [r"cards/a.md:8: math error: Missing close brace in \frac{a}{b", "1 error; no package written"]
    monkeypatch.chdir(tmp_path)
    assert mdanki(["build", "d"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        r"d/cards/a.md:8: math error: Missing close brace in \frac{a}{b", "1 error; no package written"
    ]
