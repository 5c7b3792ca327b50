"""The installed ``trainer`` in a real terminal: tmux types, we read the screen and the DB."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.tmux


def _tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is required in CI for the real-terminal smoke test")
        pytest.skip("tmux is not installed")
    return tmux


class Terminal:
    def __init__(self, tmux: str, socket: str) -> None:
        self.base = [tmux, "-L", socket]

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True,
                              check=False).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "smoke")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return subprocess.run([*self.base, "has-session", "-t", "smoke"],
                              capture_output=True, check=False).returncode == 0


def test_answer_one_card_and_quit(tmp_path: Path):
    terminal = Terminal(_tmux(), f"trainer-smoke-{os.getpid()}")
    trainer = Path(sys.executable).parent / "trainer"
    assert trainer.exists(), "install the package first (pip install -e '.[dev]')"
    home = tmp_path / "home"
    command = f"TRAINER_HOME={home} {trainer}"
    terminal.run("new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", command)
    try:
        terminal.wait_for("show the answer")
        terminal.run("send-keys", "-t", "smoke", "Space")
        terminal.wait_for("3 Good")
        terminal.run("send-keys", "-t", "smoke", "3")
        terminal.wait_for("1/")
        terminal.run("send-keys", "-t", "smoke", "q")
        deadline = time.monotonic() + 15
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not terminal.alive(), "trainer did not quit on q"
    finally:
        terminal.run("kill-server")
    with sqlite3.connect(home / "trainer.sqlite3") as db:
        assert db.execute("SELECT rating FROM reviews").fetchall() == [(3,)]
