"""A real terminal for tests: tmux on a private socket, read the screen, kill -9."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TRAINER = Path(sys.executable).parent / "trainer"
_PROGRESS = re.compile(r"(\d+)/(\d+)\s*$")


def tmux_binary() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is required in CI for the real-terminal tests")
        pytest.skip("tmux is not installed")
    return tmux


class Terminal:
    """One tmux server of our own (``-L``), one session running the installed trainer."""

    def __init__(self, name: str, size: tuple[int, int] = (100, 30)) -> None:
        self.base = [tmux_binary(), "-L", f"{name}-{os.getpid()}"]
        self.session = name
        self.size = size
        self.socket = ""

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True,
                              check=False).stdout

    def start(self, env: dict[str, str], *args: str) -> None:
        """Run ``trainer ARGS`` as the pane's own process (exec: the pane pid is trainer's)."""
        assert TRAINER.exists(), "install the package first (pip install -e '.[dev]')"
        assignments = [f"{k}={v}" for k, v in env.items()]
        command = shlex.join(["env", *assignments, str(TRAINER), *args])
        self.run("new-session", "-d", "-s", self.session, "-x", str(self.size[0]),
                 "-y", str(self.size[1]), f"exec {command}")
        self.socket = self.run("display-message", "-p", "-t", self.session,
                               "#{socket_path}").strip()

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def pid(self) -> int:
        return int(self.run("list-panes", "-t", self.session, "-F", "#{pane_pid}").split()[0])

    def wait_for(self, check, what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{what} never appeared; the screen was:\n{self.screen()}")

    def wait_for_text(self, text: str, timeout: float = 30.0) -> str:
        return self.wait_for(lambda screen: text in screen, repr(text), timeout)

    def progress(self, screen: str) -> tuple[int, int] | None:
        """The ``done/total`` label at the end of the first (status) line."""
        first = screen.splitlines()[0] if screen else ""
        match = _PROGRESS.search(first)
        return (int(match[1]), int(match[2])) if match else None

    def wait_for_done(self, done: int, timeout: float = 30.0) -> str:
        return self.wait_for(lambda s: (self.progress(s) or (-1,))[0] == done,
                             f"progress {done}/…", timeout)

    def alive(self) -> bool:
        return subprocess.run([*self.base, "has-session", "-t", self.session],
                              capture_output=True, check=False).returncode == 0

    def wait_gone(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.alive(), "the trainer is still running"

    def close(self) -> None:
        self.run("kill-server")
        if self.socket:  # tmux leaves the socket file of a finished server behind
            Path(self.socket).unlink(missing_ok=True)
