"""The real app, driven headless by Pilot; assertions on what SQLite holds afterwards."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta

from sqlalchemy import text

from tests.helpers import NOW, Notes, open_study, settle
from trainer.tui.app import make_app
from trainer.tui.screens.help_modal import HelpModal
from trainer.tui.screens.home_screen import HomeScreen
from trainer.tui.screens.practice_screen import PracticeScreen
from trainer.tui.widgets.card_view import CardView
from trainer.tui.widgets.markdown_text import MarkdownText

SIZE = (100, 30)


def reviews(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text("SELECT c.key, r.rating FROM reviews r JOIN cards c "
                              "ON c.id = r.card_id ORDER BY r.id")).all()




def question(app) -> str:
    return app.screen.query_one("#question", MarkdownText).source


async def test_answer_undo_quit_and_reopen(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        first = screen.card
        assert question(app) == first.question
        assert not screen.query_one(CardView).revealed
        await pilot.press("3")  # grading before the answer is shown does nothing
        await settle(pilot)
        assert reviews(study) == []
        await pilot.press("space")
        assert screen.query_one(CardView).revealed
        await pilot.press("3")
        await settle(pilot)
        assert reviews(study) == [(first.key, 3)]
        second = screen.card
        assert second.key != first.key and question(app) == second.question
        await pilot.press("space", "1")
        await settle(pilot)
        assert reviews(study) == [(first.key, 3), (second.key, 1)]
        await pilot.press("u")
        await settle(pilot)
        assert reviews(study) == [(first.key, 3)]
        assert screen.card.key == second.key
        await pilot.press("q")
    assert app.return_code in (0, None)

    reopened = open_study(tiny_settings)
    app = make_app(tiny_settings, reopened, clock=lambda: NOW + timedelta(minutes=1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.card.key != first.key
        assert reviews(reopened) == [(first.key, 3)]
        await pilot.press("q")


async def test_session_ends_with_a_summary(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("space", "4")
            await settle(pilot)
        screen = app.screen
        assert screen.card is None
        summary = str(screen.query_one("#summary").render())
        assert "Session complete" in summary and "Cards reviewed   4" in summary
        assert "Remembered       4 (100%)" in summary
        assert len(reviews(study)) == 4


async def test_home_screen_counts_and_topic_choice(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#topics")
        rows = [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0] == ["All topics", "0", "4", "4"]
        assert rows[1] == ["Your topics", "0", "4", "4"]  # a deck of one's own: one group
        assert sorted(r[0] for r in rows[2:]) == ["Convolution", "Pooling"]
        target = next(i for i, r in enumerate(rows) if r[0] == "Pooling")
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PracticeScreen)
        assert app.screen.card.topic == "pooling"


async def test_help_lists_every_practice_key(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        keys = {row[0] for row in app.screen.rows}
        assert {"space", "1", "2", "3", "4", "u", "l", "esc", "?", "q"} <= keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PracticeScreen)


async def test_language_toggle_is_saved_and_keeps_progress(builtin_settings):
    study = open_study(builtin_settings)
    app = make_app(builtin_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        english = app.screen.card
        await pilot.press("l")
        await settle(pilot)
        chinese = app.screen.card
        assert chinese.key == english.key and chinese.lang == "zh"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in question(app))
    assert 'language = "zh"' in builtin_settings.config_path.read_text(encoding="utf-8")


async def test_command_palette_offers_the_screen_actions(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Show answer", "Again", "Good", "Undo", "Topics", "Help", "Quit"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Show answer")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        practice = next(s for s in app.screen_stack if isinstance(s, PracticeScreen))
        assert practice.query_one(CardView).revealed


async def test_undo_with_nothing_to_undo_keeps_the_card_on_screen(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    notes = Notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = question(app)
        await pilot.press("u")
        await settle(pilot)
        assert app.screen.card is not None and question(app) == shown
        assert [n.message for n in notes] == ["Nothing to undo in this session"]


async def test_answers_reach_the_database_file_between_cards(tiny_settings, monkeypatch):
    """SQLite's automatic checkpoint is off (it stalled answers); the screen checkpoints
    after drawing every CHECKPOINT_EVERY-th next card, in a worker."""
    from trainer.tui.screens import practice_screen

    monkeypatch.setattr(practice_screen, "CHECKPOINT_EVERY", 2)
    study = open_study(tiny_settings)
    study.checkpoint()
    path = study.db.path

    def in_file() -> int:  # what the database file itself holds, the WAL ignored
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)) as c:
            return c.execute("SELECT count(*) FROM reviews").fetchone()[0]

    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "3")
        await settle(pilot)
        assert len(reviews(study)) == 1 and in_file() == 0
        await pilot.press("space", "3")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert len(reviews(study)) == 2 and in_file() == 2


async def test_the_first_card_is_read_while_the_screen_mounts_not_in_a_worker(
        tiny_settings, monkeypatch):
    """So the first frame draws it (a worker raced that frame and came a frame later)."""
    started = []
    real_load_next = PracticeScreen.load_next

    def load_next(self):
        started.append(self.card)
        return real_load_next(self)

    monkeypatch.setattr(PracticeScreen, "load_next", load_next)
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.card is not None and question(app) == screen.card.question
        assert str(screen.query_one("#session-title").render()) == "All topics"
        assert started == []  # no worker was asked for it
        screen.load_next()  # the worker is still there for a refresh (and the spy works)
        await settle(pilot)
        assert len(started) == 1
