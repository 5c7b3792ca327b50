"""``open_reader``: the read-only way in for ``trainer stats``, without SQLAlchemy."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.store.database import HEAD_REVISION, StoreError, open_database, open_reader

FIXTURE_0001 = Path(__file__).resolve().parent.parent / "fixtures" / "schema_0001.sqlite3"


def revision(path: Path) -> str:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_an_up_to_date_database_is_read_without_sqlalchemy(tmp_path: Path):
    path = tmp_path / "t.sqlite3"
    open_database(path).close()
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from trainer.store.database import open_reader\n"
            "reader = open_reader(Path(sys.argv[1]))\n"
            "with reader.read() as c:\n"
            "    print(c.execute('SELECT version_num FROM alembic_version').fetchone()[0])\n"
            "    print(c.execute('PRAGMA journal_mode').fetchone()[0])\n"
            "reader.close()\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))\n")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                            text=True, check=True)
    assert result.stdout.split("\n")[:3] == [HEAD_REVISION, "wal", "[]"]


def test_an_older_schema_is_migrated_first_with_its_backup(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_0001, path)
    with sqlite3.connect(path) as c:
        reviews = c.execute("SELECT count(*) FROM reviews").fetchone()[0]
    reader = open_reader(path)
    with reader.read() as c:
        assert c.execute("SELECT count(*) FROM reviews").fetchone()[0] == reviews
        columns = {row[1] for row in c.execute("PRAGMA table_info(reviews)")}
        assert {"prev_state", "prev_interval"} <= columns
    reader.close()
    assert revision(path) == HEAD_REVISION
    assert (tmp_path / f"old.sqlite3.before-{HEAD_REVISION}.bak").exists()


def test_a_missing_file_is_refused_and_nothing_is_created(tmp_path: Path):
    """Reading (``trainer stats``) at a mistyped path once made its folders and a database."""
    path = tmp_path / "sub" / "new.sqlite3"
    with pytest.raises(StoreError, match="no database here yet"):
        open_reader(path)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_adopted_as_a_database_becomes_owner_only(tmp_path: Path):
    path = tmp_path / "empty.sqlite3"
    path.touch(mode=0o644)
    open_database(path).close()
    assert revision(path) == HEAD_REVISION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_reader_cannot_write(tmp_path: Path):
    path = tmp_path / "t.sqlite3"
    open_database(path).close()
    reader = open_reader(path)
    with pytest.raises(StoreError, match=str(path)), reader.read() as c:
        c.execute("INSERT INTO cards (key, deck, topic, kind, ordinal, suspended, retired, "
                  "leech) VALUES ('k', 'd', 't', 'basic', 0, 0, 0, 0)")
    reader.close()
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT count(*) FROM cards").fetchone()[0] == 0


def test_foreign_files_are_refused_and_left_alone(tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my precious notes\n")
    with pytest.raises(StoreError, match="is not an SQLite database"):
        open_reader(notes)
    assert notes.read_bytes() == b"my precious notes\n"
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE photos (id INTEGER)")
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not a trainer one"):
        open_reader(other)
    assert other.read_bytes() == before
