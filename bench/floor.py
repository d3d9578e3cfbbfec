"""The floor: the least any build must do. Read and hash every card file, insert one row per
card into SQLite in one transaction, deflate the database into a zip.
Usage: python bench/floor.py CARDS_DIR OUTPUT.zip
"""

import hashlib
import os
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path


def main(cards_dir, output):
    handle, database = tempfile.mkstemp(suffix=".sqlite", dir=os.path.dirname(os.path.abspath(output)))
    os.close(handle)
    try:
        db = sqlite3.connect(database)
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, guid TEXT, flds TEXT)")
        rows = []
        for index, path in enumerate(sorted(Path(cards_dir).rglob("*.md"))):
            data = path.read_bytes()
            rows.append((index, hashlib.sha256(data).hexdigest(), data.decode()))
        with db:
            db.executemany("INSERT INTO notes VALUES (?, ?, ?)", rows)
        db.close()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
    finally:
        os.unlink(database)


if __name__ == "__main__":
    main(*sys.argv[1:3])
