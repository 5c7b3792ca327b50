"""The installed ``trainer`` in a real terminal: tmux types, we read the screen and the DB."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.terminal import Terminal

pytestmark = pytest.mark.tmux


def test_answer_one_card_and_quit(tmp_path: Path):
    home = tmp_path / "home"
    terminal = Terminal("trainer-smoke")
    try:
        terminal.start({"TRAINER_HOME": str(home)})
        terminal.wait_for_text("show the answer")
        terminal.keys("Space")
        terminal.wait_for_text("3 Good")
        terminal.keys("3")
        terminal.wait_for_done(1)
        terminal.keys("q")  # mid-session: the summary first, then any key quits
        terminal.wait_for_text("Session summary")
        terminal.wait_for_text("press any key to quit")
        terminal.keys("x")
        terminal.wait_gone()
    finally:
        terminal.close()
    with sqlite3.connect(home / "trainer.sqlite3") as db:
        assert db.execute("SELECT rating FROM reviews").fetchall() == [(3,)]
