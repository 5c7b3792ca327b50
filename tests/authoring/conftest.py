"""Fixtures for the authoring tests: a decks folder on disk, settings, a scripted editor."""

from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from trainer.config.settings import Settings

FAKE_EDITOR = Path(__file__).resolve().parent / "fake_editor.py"


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, decks: Path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                    decks=[decks], new_per_day=1000)


class Editor:
    """Scripts the fake editor: ``then(content)`` or ``then_replace(old, new)`` per run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = 0
        folder.mkdir()
        self.command = f"{sys.executable} {FAKE_EDITOR}"

    def then(self, content: str | None = None, *, replace: list[tuple[str, str]] | None = None,
             exit_status: int = 0) -> Editor:
        self.runs += 1
        if content is not None:
            (self.folder / f"{self.runs}.md").write_text(content, encoding="utf-8")
        if replace is not None:
            (self.folder / f"{self.runs}.json").write_text(json.dumps({"replace": replace}),
                                                           encoding="utf-8")
        if exit_status:
            (self.folder / f"{self.runs}.exit").write_text(str(exit_status))
        return self

    @property
    def calls(self) -> list[dict]:
        path = self.folder / "calls.json"
        return json.loads(path.read_text()) if path.exists() else []


@pytest.fixture
def editor(tmp_path: Path, monkeypatch) -> Editor:
    scripted = Editor(tmp_path / "editor")
    monkeypatch.setenv("FAKE_EDITOR_DIR", str(scripted.folder))
    monkeypatch.setenv("EDITOR", scripted.command)
    return scripted


def rows(db_path: Path, sql: str, *args) -> list[tuple]:
    """Read the database as SQLite itself sees it (a separate connection)."""
    with closing(sqlite3.connect(db_path)) as c:
        return c.execute(sql, args).fetchall()
