"""What the practice screen runs on and what the TUI shares: the session protocol, the
deck watcher's errors, one clip, one interval rule."""

from __future__ import annotations

import inspect

import pytest
from rich.text import Text
from textual.worker import WorkerFailed

from tests.helpers import NOW, Notes, open_study, settle
from trainer.app.drill import DrillSession
from trainer.app.errors import StoreError
from trainer.app.session import PracticeSession
from trainer.app.study import StudySession
from trainer.tui.app import make_app
from trainer.tui.screens.browser_screen import days_text
from trainer.tui.text import clip

SIZE = (100, 30)
MEMBERS = [name for name in dir(PracticeSession)
           if not name.startswith("_") and callable(getattr(PracticeSession, name))]


def test_both_sessions_are_practice_sessions_with_the_same_signatures(tiny_settings):
    assert len(MEMBERS) == 11
    study = open_study(tiny_settings)
    try:
        drill = DrillSession(study, [])
        assert isinstance(study, PracticeSession) and isinstance(drill, PracticeSession)
        for name in MEMBERS:
            wanted = list(inspect.signature(getattr(PracticeSession, name)).parameters)[1:]
            for session in (StudySession, DrillSession):
                got = inspect.signature(getattr(session, name)).parameters
                assert [p for p in got if not p.startswith("_")][1:] == wanted, (session, name)
    finally:
        study.close()


async def test_a_reload_that_meets_a_store_error_is_a_notice(tiny_settings, monkeypatch):
    study = open_study(tiny_settings)

    def locked(only_if_changed: bool = False):
        raise StoreError(f"{study.db.path}: the database is locked")

    monkeypatch.setattr(study, "reload_decks", locked)
    app = make_app(tiny_settings, study, clock=lambda: NOW, poll_decks=None)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        (note,) = [n for n in notes if n.message.startswith("Decks not reloaded")]
        assert note.severity == "error" and "the database is locked" in note.message


async def test_a_bug_in_a_reload_is_not_turned_into_a_notice(tiny_settings, monkeypatch):
    study = open_study(tiny_settings)

    def broken(only_if_changed: bool = False):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(study, "reload_decks", broken)
    app = make_app(tiny_settings, study, clock=lambda: NOW, poll_decks=None)
    notes = Notes(app)
    with pytest.raises(WorkerFailed) as failed:  # the app ends with the traceback
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
    assert isinstance(failed.value.error, ZeroDivisionError)
    assert not [n for n in notes if n.message.startswith("Decks not reloaded")]


def test_clip_counts_cells_and_keeps_one_line():
    assert clip("short", 10) == "short"
    assert clip("a  title\nover two lines", 12) == "a title ove…"
    assert clip("中文标题很长", 7) == "中文标…"  # two cells a character
    styled = Text("styled text", style="bold")
    assert clip(styled, 6).plain == "style…" and clip(styled, 6).style == "bold"


def test_the_browser_writes_days_by_the_one_interval_rule():
    assert [days_text(d) for d in (None, 10 / 1440, 0.5, 3, 45, 99, 730)] == [
        "–", "10m", "12h", "3d", "1.5mo", "3.3mo", "2.0y"]
