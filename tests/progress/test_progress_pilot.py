"""The progress screens in the real app (Pilot); assertions on what SQLite holds after."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from textual.widgets import DataTable, Input

from tests.helpers import NOW, Notes, open_study, settle
from tests.progress.conftest import add_review, card_row
from trainer.app.progress import ProgressTracker
from trainer.cli.main import main
from trainer.scheduling.memory import Grade
from trainer.store.records import Attempt
from trainer.tui.app import TrainerApp, make_app
from trainer.tui.screens.browser_screen import SEARCH_PAUSE, BrowserScreen
from trainer.tui.screens.confirm_modal import ConfirmModal
from trainer.tui.screens.drill_screen import DrillScreen
from trainer.tui.screens.help_modal import HelpModal
from trainer.tui.screens.home_screen import HomeScreen
from trainer.tui.screens.missed_screen import MissedScreen
from trainer.tui.screens.stats_screen import StatsScreen
from trainer.tui.widgets.bar_chart import BarChart
from trainer.tui.widgets.heatmap import HeatMap

SIZE = (100, 30)
EXERCISE = "exercise:receptive-field:1"


def log(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text(
            "SELECT c.key, r.rating, r.kind, r.seed, r.answer, r.correct FROM reviews r "
            "JOIN cards c ON c.id = r.card_id ORDER BY r.id")).all()


def rows(table: DataTable) -> list[str]:
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


async def home(pilot) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)


async def test_stats_screen_shows_what_the_log_holds(tiny_settings):
    study = open_study(tiny_settings)
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(hours=1), duration_ms=60_000)
    study.answer("pooling:pool-max", Grade.EASY, NOW - 3 * timedelta(days=1))
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        expected = ProgressTracker.of(study).stats(NOW)
        assert screen.stats == expected
        assert screen.query_one(HeatMap).days == expected.heatmap
        assert screen.query_one(BarChart).values == [d.due for d in expected.forecast]
        assert rows(screen.query_one("#stats-weakest", DataTable)) == [
            w.key for w in expected.weakest] and expected.weakest
        summary = str(screen.query_one("#stats-summary").render())
        assert "Today 1 review · streak 1 day" in summary and "studied today 1m" in summary
        add_review(study.db, "conv:conv-params", NOW - timedelta(minutes=5), 3)
        await pilot.press("r")
        await settle(pilot)
        assert screen.stats.reviews_today == 2
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal) and app.screen.title_text == "Statistics"
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_missed_then_drill_changes_no_schedule(tiny_settings):
    study = open_study(tiny_settings)
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(hours=1))
    study.answer("pooling:pool-max", Grade.GOOD, NOW - timedelta(minutes=50))
    study.answer("pooling:pool-avg", Grade.AGAIN, NOW - timedelta(minutes=40))
    schedule = {k: card_row(study.db, k) for k in ("conv:conv-size", "pooling:pool-avg")}
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        await pilot.press("m")
        await settle(pilot)
        missed = app.screen
        assert isinstance(missed, MissedScreen)
        assert rows(missed.query_one(DataTable)) == ["pooling:pool-avg", "conv:conv-size"]
        await pilot.press("down", "enter")  # drill the selected card only
        await settle(pilot)
        drill = app.screen
        assert isinstance(drill, DrillScreen) and drill.card.key == "conv:conv-size"
        await pilot.press("space", "4")
        await settle(pilot)
        assert drill.card is None  # done: the summary
        assert log(study)[-1] == ("conv:conv-size", 4, "drill", None, None, None)
        await pilot.press("u")
        await settle(pilot)
        assert drill.card.key == "conv:conv-size" and len(log(study)) == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is missed
        await pilot.press("d")  # both of them
        await settle(pilot)
        for _ in range(2):
            await pilot.press("space", "1")
            await settle(pilot)
        assert app.screen.card is None
    assert [r[:3] for r in log(study)[3:]] == [("pooling:pool-avg", 1, "drill"),
                                               ("conv:conv-size", 1, "drill")]
    assert {k: card_row(study.db, k) for k in schedule} == schedule


async def test_exercise_drill_exact_instance_solution_key_then_fresh(tmp_path, tiny_settings):
    settings = tiny_settings.model_copy(update={"exercises": True})
    study = open_study(settings)
    shown = study.card_for(EXERCISE, NOW - timedelta(hours=2))
    missed_seed = shown.exercise.seed
    study.answer(EXERCISE, Grade.GOOD, NOW - timedelta(hours=2), attempt=Attempt(
        seed=missed_seed, params={}, answer="3", correct=False))
    app = make_app(settings, study, clock=lambda: NOW, start_practice=False,
                   start_missed=True)  # as `trainer review --missed` starts
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        drill = app.screen
        assert isinstance(drill, DrillScreen)
        assert drill.card.exercise.seed == missed_seed
        title = str(drill.query_one("#session-title").render())
        assert "the instance you missed (you answered 3)" in title
        await pilot.press("ctrl+s")  # the worked solution, without answering
        await settle(pilot)
        assert drill.revealed and drill.result is None
        assert "worked solution" in str(drill.query_one("#verdict").render())
        await pilot.press("2")
        await settle(pilot)
        fresh = drill.card
        assert fresh.key == EXERCISE and fresh.exercise.seed != missed_seed
        instance = study.exercise_instance(EXERCISE, fresh.exercise.seed)
        field = drill.query_one("#answer-input", Input)
        field.value = str(instance.expected.value)
        await pilot.press("enter")
        await settle(pilot)
        assert drill.result.correct
        await pilot.press("enter")  # Good
        await settle(pilot)
        assert drill.card is None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MissedScreen)
    assert log(study) == [
        (EXERCISE, 1, "scheduled", missed_seed, "3", False),
        (EXERCISE, 2, "drill", None, None, None),
        (EXERCISE, 3, "drill", fresh.exercise.seed, str(instance.expected.value), True),
    ]


async def test_browser_search_filter_history_and_actions(tiny_settings):
    study = open_study(tiny_settings)
    study.answer("pooling:pool-max", Grade.GOOD, NOW - timedelta(days=2), duration_ms=7000)
    ProgressTracker.of(study).queries.mark_leech("conv:conv-params", True)
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        cards = screen.query_one("#browser-cards", DataTable)
        assert rows(cards) == ["conv:conv-size", "conv:conv-params", "pooling:pool-max",
                               "pooling:pool-avg"]
        await pilot.press("slash", *"pool")
        await settle(pilot)
        assert len(rows(cards)) == 4  # debounced: no search while the keys come
        await pilot.pause(SEARCH_PAUSE + 0.1)
        await settle(pilot)
        assert rows(cards) == ["pooling:pool-max", "pooling:pool-avg"]
        await pilot.press("enter")  # back to the list
        await settle(pilot)
        assert screen.history.card.key == "pooling:pool-max"
        history = screen.query_one("#browser-history", DataTable)
        assert history.row_count == 1 and history.get_row_at(0)[2] == "Good"
        await pilot.press("s")
        await settle(pilot)
        assert card_row(study.db, "pooling:pool-max")["suspended"]
        await pilot.press("u")
        await settle(pilot)
        assert not card_row(study.db, "pooling:pool-max")["suspended"]
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        assert card_row(study.db, "pooling:pool-max")["due"] is not None
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        row = card_row(study.db, "pooling:pool-max")
        assert row["due"] is None and row["stability"] is None
        assert len(log(study)) == 1  # the history is kept
        await pilot.press("slash", *["backspace"] * 4, "enter")  # the search emptied
        await settle(pilot)
        await pilot.press("L")  # the leech list
        await settle(pilot)
        assert rows(cards) == ["conv:conv-params"]
        await pilot.press("u")  # unsuspend the leech: no longer one
        await settle(pilot)
        assert not card_row(study.db, "conv:conv-params")["leech"]
        assert rows(cards) == []
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal) and app.screen.title_text == "Card browser"
        keys = {row[0] for row in app.screen.rows}
        assert {"/", "s", "u", "r", "L", "esc"} <= keys


async def test_browser_edit_opens_the_cards_source_in_the_editor(tiny_settings, tmp_path,
                                                                 monkeypatch):
    record = tmp_path / "editor-args.txt"
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\n"
                      f"pathlib.Path({str(record)!r}).write_text('\\n'.join(sys.argv[1:]))\n",
                      encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("down", "e")  # the second card: conv-params
        await settle(pilot)
    assert record.read_text(encoding="utf-8").splitlines() == [
        str(tiny_settings.decks[0] / "conv.md")]


async def test_practice_lapse_at_the_threshold_suspends_a_leech(tiny_settings):
    settings = tiny_settings.model_copy(update={"leech_threshold": 1})
    study = open_study(settings)
    study.set_topic("pooling")
    due = study.answer("pooling:pool-max", Grade.EASY, NOW - timedelta(days=30)).next_due
    assert due < NOW
    app = make_app(settings, study, clock=lambda: NOW, topic="pooling")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.card.key == "pooling:pool-max"  # due: before the new card
        await pilot.press("space", "1")
        await settle(pilot)
        assert app.screen.card.key == "pooling:pool-avg"  # the leech is not shown again
        assert any("Leech" in n.message for n in notes)
    row = card_row(study.db, "pooling:pool-max")
    assert row["leech"] and row["suspended"]


def test_review_missed_command_starts_the_drill(tiny_settings, monkeypatch):
    """`trainer review --missed` through the CLI, the app run headless by Textual itself."""
    study = open_study(tiny_settings)
    study.answer("conv:conv-size", Grade.AGAIN, datetime.now(UTC) - timedelta(hours=1))
    study.close()
    (tiny_settings.home / "config.toml").write_text(
        "builtin-deck = false\nexercises = false\n", encoding="utf-8")
    seen = {}

    async def look(pilot):
        await settle(pilot)
        seen.update(screen=type(pilot.app.screen).__name__, card=pilot.app.screen.card.key)
        await pilot.press("space", "3")
        await settle(pilot)
        pilot.app.exit(0)

    run = TrainerApp.run
    monkeypatch.setattr(TrainerApp, "run", lambda self, **kwargs: run(
        self, headless=True, size=SIZE, auto_pilot=look))
    monkeypatch.setattr("trainer.cli.session.needs_terminal", lambda: None)  # headless: no terminal
    argv = ["--home", str(tiny_settings.home), "--decks", str(tiny_settings.decks[0])]
    assert main([*argv, "review", "--missed", "--since", "1d"]) == 0
    assert seen == {"screen": "DrillScreen", "card": "conv:conv-size"}
    reopened = open_study(tiny_settings)
    assert [r[:3] for r in log(reopened)] == [("conv:conv-size", 1, "scheduled"),
                                              ("conv:conv-size", 3, "drill")]
