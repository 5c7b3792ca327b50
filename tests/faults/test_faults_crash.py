"""kill -9 in the middle of a session: every answer given is there, none half-written.

The installed app runs in a real terminal (tmux); N cards are answered (space, then 3,
waiting each time for the progress label to count the answer); then the process is
killed with SIGKILL, which no Python code can intercept. On reopening, exactly N reviews
are recorded and each card's FSRS state is what replaying its review gives.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from tests.faults.replay import replay
from tests.terminal import Terminal
from trainer.config.settings import Settings

pytestmark = pytest.mark.tmux

N = 5  # answers before the kill


def reviews(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as c:
        return c.execute("SELECT c.key, r.rating, r.was_new FROM reviews r "
                         "JOIN cards c ON c.id = r.card_id ORDER BY r.id").fetchall()


def test_kill_9_after_n_answers_keeps_exactly_n(tmp_path: Path):
    home = tmp_path / "home"
    db = home / "trainer.sqlite3"
    terminal = Terminal("trainer-crash")
    try:
        terminal.start({"TRAINER_HOME": str(home)})
        terminal.wait_for_done(0)
        for answered in range(1, N + 1):
            terminal.keys("Space")
            terminal.wait_for_text("3 Good")
            terminal.keys("3")
            terminal.wait_for_done(answered)
        pid = terminal.pid()
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            assert b"trainer" in cmdline.read()  # the pane's process is the app itself
        os.kill(pid, signal.SIGKILL)
        terminal.wait_gone()
    finally:
        terminal.close()

    # Killed: no clean shutdown ran (the WAL was not folded back, no exit backup taken).
    assert Path(f"{db}-wal").exists()
    assert not (home / "backups").exists()

    rows = reviews(db)
    assert len(rows) == N
    assert len({key for key, _, _ in rows}) == N  # N different cards, once each
    assert all(rating == 3 and was_new for _, rating, was_new in rows)
    # The app runs with FSRS fuzzing on; fuzz only moves the due date of Review-state
    # cards, so that one field is left out for them (these N are all still learning).
    histories = replay(db, Settings(home=home), check_due="learning")
    assert sorted(histories) == sorted(key for key, _, _ in rows)
    for history in histories.values():
        assert history.broken_links == []
        assert history.stored == history.replayed, history.key
        assert "due" in history.stored  # learning: the due date was compared too

    # Reopen the real app on the same file: it starts where it stopped; quit cleanly.
    terminal = Terminal("trainer-reopen")
    try:
        terminal.start({"TRAINER_HOME": str(home)})
        terminal.wait_for_done(0)
        terminal.keys("q")
        terminal.wait_gone()
    finally:
        terminal.close()
    # A clean exit folds the WAL back and keeps a rotating backup with every answer.
    assert not Path(f"{db}-wal").exists()
    assert reviews(db) == rows
    (backup,) = (home / "backups").glob("auto-*.sqlite3")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "backups").stat().st_mode) == 0o700
    assert reviews(backup) == rows
