"""``trainer restore``: after a real crash (SIGKILL, a live ``-wal`` left behind), putting
back an older or a newer backup gives exactly the backup's reviews, a sound file, and the
replaced file kept; the README's old advice (copy the backup over the file) is shown to
damage or undo, which is why the command exists.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trainer.cli.main import main
from trainer.store.database import StoreError
from trainer.store.restore import in_use, list_backups, restore

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def reviews(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as c:
        return c.execute("SELECT r.id, c.key, r.rating, r.reviewed_at FROM reviews r "
                         "JOIN cards c ON c.id = r.card_id ORDER BY r.id").fetchall()


def integrity(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as c:
        return c.execute("PRAGMA integrity_check").fetchall()


def answer_and_crash(home: Path, decks: Path, count: int) -> None:
    """A real process answers ``count`` cards and is killed with SIGKILL mid-session."""
    worker = subprocess.Popen([sys.executable, str(WORKER), str(home), str(decks), str(count)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = worker.stdout.readline()
        assert line.strip() == f"answered {count}", worker.stderr.read()
        assert in_use(home / "trainer.sqlite3")  # its connections hold the WAL index
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)


def backup_now(home: Path, capsys) -> Path:
    assert main(["--home", str(home), "backup"]) == 0
    return Path(capsys.readouterr().out.strip())


@pytest.fixture
def home(tmp_path: Path, tiny_deck: Path) -> Path:
    return tmp_path / "home"


def test_restore_after_a_real_crash_gives_exactly_the_backup(home, tiny_deck, capsys):
    db = home / "trainer.sqlite3"
    answer_and_crash(home, tiny_deck, 2)
    older = backup_now(home, capsys)
    answer_and_crash(home, tiny_deck, 3)
    newer = backup_now(home, capsys)
    answer_and_crash(home, tiny_deck, 1)  # a crash after the newest backup: a live WAL
    assert Path(f"{db}-wal").stat().st_size > 0
    crashed = reviews(db)
    assert len(reviews(older)) == 2 and len(reviews(newer)) == 5 and len(crashed) == 6

    # The older backup: exactly its reviews, a sound file, the crashed file kept.
    assert main(["--home", str(home), "restore", str(older), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "2 reviews" in out
    assert reviews(db) == reviews(older) and integrity(db) == [("ok",)]
    (kept,) = [b.path for b in list_backups(db, home / "backups")
               if b.path.name.startswith("before-restore-")]
    assert reviews(kept) == crashed and integrity(kept) == [("ok",)]
    # ... and it stays so through the next real start (nothing replayed onto it).
    answer_and_crash(home, tiny_deck, 1)
    assert len(reviews(db)) == 3 and reviews(db)[:2] == reviews(older)

    # A newer backup over a crashed file: exactly the backup again.
    assert main(["--home", str(home), "restore", newer.name, "--yes"]) == 0
    assert reviews(db) == reviews(newer) and integrity(db) == [("ok",)]
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_copying_a_backup_over_the_file_the_old_way_undoes_it(home, tiny_deck, capsys):
    """Why the command exists: the README's former advice, after a crash, loses the restore
    (SQLite replays the stale WAL onto the copied file when it is next opened)."""
    db = home / "trainer.sqlite3"
    answer_and_crash(home, tiny_deck, 1)
    older = backup_now(home, capsys)
    answer_and_crash(home, tiny_deck, 3)
    shutil.copyfile(older, db)  # "quit trainer and copy a backup over trainer.sqlite3"
    try:
        after = reviews(db)
    except sqlite3.DatabaseError:
        after = None  # damaged outright: the other way it goes wrong
    assert after != reviews(older)


def test_listing_and_choosing_by_number(home, tiny_deck, capsys, monkeypatch):
    answer_and_crash(home, tiny_deck, 1)
    first = backup_now(home, capsys)
    answer_and_crash(home, tiny_deck, 2)
    monkeypatch.setattr(sys, "stdin", _Lines(""))  # enter: nothing chosen, nothing changed
    db = home / "trainer.sqlite3"
    before = db.read_bytes()
    assert main(["--home", str(home), "restore"]) == 2
    out = capsys.readouterr().out
    assert first.name in out and "1 review," in out and "Restore which one?" in out
    assert db.read_bytes() == before
    monkeypatch.setattr(sys, "stdin", _Lines("7\n"))
    assert main(["--home", str(home), "restore"]) == 2
    assert "not a number from 1 to 1" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Lines("1\n"))
    assert main(["--home", str(home), "restore"]) == 0
    assert len(reviews(db)) == 1


def test_refusals_change_nothing(home, tiny_deck, tmp_path, capsys):
    db = home / "trainer.sqlite3"
    answer_and_crash(home, tiny_deck, 1)
    good = backup_now(home, capsys)
    before = db.read_bytes()

    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(good.read_bytes())
    for page in range(1, len(data) // 4096):  # every b-tree page header but the first
        data[page * 4096: page * 4096 + 8] = b"\xff" * 8
    damaged.write_bytes(bytes(data))
    stranger = tmp_path / "stranger.sqlite3"
    with closing(sqlite3.connect(stranger)) as c:
        c.execute("CREATE TABLE t (x)")
    for bad, words in [(damaged, "damaged"), (stranger, "not a trainer one"),
                       (tmp_path / "missing.sqlite3", "no such backup file"),
                       (db, "is the database itself")]:
        assert main(["--home", str(home), "restore", str(bad), "--yes"]) == 2, bad
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, err
    assert db.read_bytes() == before

    # While another process has the database open: refused, nothing changed.
    worker = subprocess.Popen([sys.executable, str(WORKER), str(home), str(tiny_deck), "0"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert worker.stdout.readline().strip() == "answered 0"
        snapshot = db.read_bytes()
        with pytest.raises(StoreError, match="open in another trainer"):
            restore(db, good, folder=home / "backups", now=datetime.now(UTC))
        assert db.read_bytes() == snapshot
        assert not any(p.name.startswith("before-restore")
                       for p in (home / "backups").iterdir())
    finally:
        worker.kill()
        worker.wait(timeout=30)


def test_a_file_sqlite_cannot_open_is_replaced_and_kept(home, tiny_deck, capsys):
    db = home / "trainer.sqlite3"
    answer_and_crash(home, tiny_deck, 2)
    good = backup_now(home, capsys)
    answer_and_crash(home, tiny_deck, 1)
    garbage = b"SQLite format 3\x00" + b"\x00\x01" * 3000  # the header survives, no more
    db.write_bytes(garbage)
    assert main(["--home", str(home), "restore", str(good), "--yes"]) == 0
    assert reviews(db) == reviews(good) and integrity(db) == [("ok",)]
    kept = sorted((home / "backups").glob("before-restore-*"))
    assert [p.read_bytes() for p in kept if not p.name.endswith("-wal")] == [garbage]
    assert any(p.name.endswith("-wal") for p in kept)  # its WAL kept beside it
    assert oct(db.stat().st_mode & 0o777) == "0o600"


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""
