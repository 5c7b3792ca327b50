"""Start-up: launching ``trainer`` to the first card drawn, in a real terminal (tmux),
against a bare Textual app that draws one widget, measured the same way in the same run."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.collection import write_deck_files
from benchmarks.rows import Row, median, user_environment

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare app ready")

Bare().run()
"""


class _Terminal:
    def __init__(self) -> None:
        self.base = ["tmux", "-L", f"trainer-bench-{os.getpid()}"]
        # The tmux server, and so every command it runs, gets this environment.
        subprocess.run([*self.base, "new-session", "-d", "-s", "keep", "sleep 3600"],
                       check=True, env=user_environment())

    def time_until(self, command: str, text: str, timeout: float = 30.0) -> float:
        start = time.perf_counter()
        subprocess.run([*self.base, "new-session", "-d", "-s", "run", "-x", "100", "-y", "30",
                        command], check=True)
        try:
            while time.perf_counter() - start < timeout:
                screen = subprocess.run([*self.base, "capture-pane", "-p", "-t", "run"],
                                        capture_output=True, text=True).stdout
                if text in screen:
                    return (time.perf_counter() - start) * 1000
                time.sleep(0.002)
            raise RuntimeError(f"{text!r} did not appear within {timeout} s")
        finally:
            subprocess.run([*self.base, "kill-session", "-t", "run"], capture_output=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def measure(quick: bool) -> list[Row]:
    if shutil.which("tmux") is None:
        return [Row("start-up to first card", float("nan"), "ms", "tmux not installed", False)]
    # Starts on this machine fall in two clusters some 20 % apart, the bare app's too
    # (e.g. 147 and 182 ms); with 9 pairs the median landed in either one.
    runs = 2 if quick else 15
    trainer = Path(sys.executable).parent / "trainer"
    terminal = _Terminal()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            write_deck_files(home / "decks", 1_000)
            bare = Path(tmp) / "bare.py"
            bare.write_text(BARE_APP, encoding="utf-8")
            command = (f"env -u PYTHONDONTWRITEBYTECODE TRAINER_HOME={shlex.quote(str(home))} "
                       f"{shlex.quote(str(trainer))}")
            terminal.time_until(command, "show the answer")  # creates the database
            ours, base = [], []
            for _ in range(runs):  # interleaved, so both see the same machine
                base.append(terminal.time_until(
                    f"env -u PYTHONDONTWRITEBYTECODE {shlex.quote(sys.executable)} "
                    f"{shlex.quote(str(bare))}", "bare app ready"))
                ours.append(terminal.time_until(command, "show the answer"))
    finally:
        terminal.close()
    ratio = median(ours) / median(base)
    return [Row("start-up to first card (1,000 cards)", round(median(ours), 1), "ms",
                "ratio to bare Textual ≤ 1.5", ratio <= 1.5, baseline=round(median(base), 1),
                ratio=round(ratio, 2))]
