"""The settings screen, driven by Pilot: values typed, saved, in config.toml, read back."""

from __future__ import annotations

import tomllib
from datetime import date

from textual.content import Content
from textual.widgets import Input, Select, Static

from tests.helpers import NOW, open_study, settle
from trainer.config.settings import load_settings
from trainer.tui.app import make_app
from trainer.tui.screens.home_screen import HomeScreen
from trainer.tui.screens.settings_screen import SettingsScreen

SIZE = (100, 30)


async def replace(pilot, selector: str, text: str) -> None:
    """Click into a field, clear it and type ``text``, as a person would."""
    await pilot.click(selector)
    await pilot.press("end", "ctrl+u", *text)


def counts(app) -> str:
    """The counts line as shown (markup stripped)."""
    return Content.from_markup(str(app.screen.query_one("#home-counts", Static).content)).plain


async def test_change_save_and_read_back(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Interview" not in counts(app)
        await pilot.press("comma")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert screen.query_one("#set-new-per-day", Input).value == "20"
        await replace(pilot, "#set-new-per-day", "7")
        await replace(pilot, "#set-desired-retention", "0.85")
        await replace(pilot, "#set-interview-date", "2026-12-20")
        await pilot.click("#set-language")
        await pilot.press("down", "enter")  # open the list, 中文, pick it
        await settle(pilot)
        assert screen.query_one("#set-language", Select).value == "zh"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Interview in 24 days (Sun 20 Dec)" in counts(app)
        # The running session took what it can; the retention waits for the next start.
        assert study.settings.new_per_day == 7 and study.language == "zh"
        assert study.settings.interview_date == date(2026, 12, 20)
        assert study.memory.scheduler.desired_retention == 0.90
        await pilot.press("q")
    saved = tomllib.loads(tiny_settings.config_path.read_text(encoding="utf-8"))
    assert saved == {"new-per-day": 7, "desired-retention": 0.85,
                     "interview-date": date(2026, 12, 20), "language": "zh"}
    fresh = load_settings(home=tiny_settings.home)
    assert (fresh.new_per_day, fresh.desired_retention, fresh.interview_date,
            fresh.language) == (7, 0.85, date(2026, 12, 20), "zh")
    assert fresh.max_reviews_per_day == 9999 and fresh.rollover_hour == 4


async def test_an_invalid_value_is_refused_and_nothing_is_written(tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        await replace(pilot, "#set-new-per-day", "9")
        await replace(pilot, "#set-rollover-hour", "25")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)  # still there, the values kept
        error = screen.query_one("#settings-error", Static)
        assert error.display and "rollover-hour" in str(error.content)
        assert "25" in str(error.content)
        assert not tiny_settings.config_path.exists()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.study.settings.new_per_day == 20
        await pilot.press("q")
    assert not tiny_settings.config_path.exists()


async def test_clearing_the_interview_date_removes_it(tiny_settings):
    tiny_settings.config_path.parent.mkdir(parents=True, exist_ok=True)
    tiny_settings.config_path.write_text('interview-date = 2026-12-20\nlanguage = "en"\n',
                                         encoding="utf-8")
    settings = tiny_settings.model_copy(update={"interview_date": date(2026, 12, 20)})
    app = make_app(settings, open_study(settings), clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Interview in 24 days" in counts(app)
        await pilot.press("comma")
        await settle(pilot)
        await replace(pilot, "#set-interview-date", "")
        await pilot.press("enter")  # enter in a field saves too
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Interview" not in counts(app)
        await pilot.press("q")
    assert tomllib.loads(settings.config_path.read_text(encoding="utf-8")) == {"language": "en"}


async def test_help_and_palette_offer_the_settings(tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert (",", "Settings") in app.screen.rows
        await pilot.press("escape")
        await settle(pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Settings" in commands
        await pilot.press("q")
