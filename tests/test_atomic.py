"""atomic: a file is replaced whole or not at all."""

from __future__ import annotations

import pytest

from mdanki.atomic import replacing


def test_the_new_file_replaces_the_old_only_when_the_block_finishes(tmp_path):
    target = tmp_path / "deck.apkg"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target) as out:
        out.write(b"half")
        raise RuntimeError("stopped")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]
    with replacing(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"
