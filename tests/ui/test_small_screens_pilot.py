"""Every screen usable at 80×24, and the rough edges of issue 13 around them (Pilot): the
stats panels, the browser and missed tables, the settings form and the help fit; the
browser uses the width it has; the command palette names keys as people write them;
the leech list says what a leech is; the drill's summary, buttons and enter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from textual.widgets import Button, DataTable, Input, Static

from tests.helpers import NOW, Notes, open_study, settle
from tests.progress.test_progress_titles import DECK as ATTENTION_DECK
from trainer.app.progress import ProgressTracker
from trainer.config.settings import Settings
from trainer.scheduling.memory import Grade
from trainer.store.records import Attempt
from trainer.tui.app import make_app
from trainer.tui.screens.browser_screen import BrowserScreen
from trainer.tui.screens.confirm_modal import ConfirmModal
from trainer.tui.screens.drill_screen import DrillScreen
from trainer.tui.screens.help_modal import HelpModal
from trainer.tui.screens.missed_screen import MissedScreen
from trainer.tui.screens.settings_screen import SettingsScreen
from trainer.tui.screens.stats_screen import StatsScreen
from trainer.tui.widgets.grade_bar import GradeBar

SMALL = (80, 24)
EXERCISE = "exercise:receptive-field:1"


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def inside(widget, app) -> bool:
    """The widget is drawn whole on the screen (not cut at its right or bottom edge)."""
    region, size = widget.region, app.size
    return region.x >= 0 and region.y >= 0 and region.right <= size.width \
        and region.bottom <= size.height


async def open_from_home(app, pilot, *keys: str) -> None:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def log(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text(
            "SELECT c.key, r.rating, r.kind FROM reviews r JOIN cards c ON c.id = r.card_id "
            "ORDER BY r.id")).all()


def missed_exercise(settings: Settings):
    """A study where the exercise EXERCISE was answered wrong (typed "3") an hour ago."""
    study = open_study(settings)
    seed = study.card_for(EXERCISE, NOW - timedelta(hours=1)).exercise.seed
    study.answer(EXERCISE, Grade.GOOD, NOW - timedelta(hours=1), attempt=Attempt(
        seed=seed, params={}, answer="3", correct=False))
    return study


@pytest.fixture
def exercise_settings(tiny_settings) -> Settings:
    return tiny_settings.model_copy(update={"exercises": True})


# -- 80×24 -----------------------------------------------------------------------------
async def test_stats_panels_are_whole_at_80x24(tiny_settings):
    study = open_study(tiny_settings)
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(hours=1))
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, "t")
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        body = screen.query_one("#stats-body")
        for box in screen.query(".stats-box"):
            assert box.region.right <= SMALL[0], f"{box.id} cut at the right edge"
        retention = screen.query_one("#stats-retention-box")
        body.scroll_to_widget(retention, animate=False, top=True)
        await pilot.pause()
        shown = screen_text(app)
        assert "True retention" in shown and "of learned cards; mature: interval ≥ 21d" in shown


async def test_browser_at_80x24_shows_every_column_and_the_cards(tiny_settings):
    study = open_study(tiny_settings)
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(hours=1))
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, "b")
        table = app.screen.query_one("#browser-cards", DataTable)
        assert table.max_scroll_x == 0  # every column within the table: nothing cut
        shown = screen_text(app)
        header = next(line for line in shown.splitlines() if "Card" in line and "Topic" in line)
        assert all(label in header for label in ("State", "Due", "Recall"))
        assert "learning " in shown  # the state whole, not "learnin"
        assert "conv:conv-size · decks/conv.md:6" in shown  # the file, short
        rows = [line for line in shown.splitlines()
                if any(t in line for t in ("Output size", "Parameters of", "Where does",
                                           "What does average"))]
        assert len(rows) >= 4  # every card of the deck in view (3 were)
        assert inside(app.screen.query_one("#browser-history"), app)


async def test_browser_card_column_uses_the_width_it_has(tiny_settings):
    title = "Parameters of a 3x3 conv from 64 to 128 channels?"  # 49 characters
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=(200, 40)) as pilot:
        await open_from_home(app, pilot, "b")
        table = app.screen.query_one("#browser-cards", DataTable)
        assert str(table.get_row("conv:conv-params")[0]) == title  # whole (cut at 46 before)
        await pilot.resize_terminal(70, 24)  # narrower: refitted, clipped with "…"
        await settle(pilot)
        cell = str(table.get_row("conv:conv-params")[0])
        assert cell.endswith("…") and title.startswith(cell[:-1])
        assert table.max_scroll_x == 0


async def test_missed_at_80x24_shows_what_you_answered(exercise_settings):
    study = missed_exercise(exercise_settings)
    app = make_app(exercise_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, "m")
        assert isinstance(app.screen, MissedScreen)
        table = app.screen.query_one(DataTable)
        assert table.max_scroll_x == 0
        assert "You answered" in screen_text(app)
        assert str(table.get_row(EXERCISE)[4]) == "3"
        assert inside(app.screen.query_one("#missed-help"), app)


async def test_settings_form_fits_80x24(tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, "comma")
        assert isinstance(app.screen, SettingsScreen)
        footer_row = SMALL[1] - 1
        for row in app.screen.query(".setting-row"):
            assert row.region.bottom <= footer_row, f"{row} below the fold"
            for child in row.children:
                assert child.region.right <= SMALL[0]
        shown = screen_text(app)
        assert "Interview date" in shown and "YYYY-MM-DD; empty: none" in shown


@pytest.mark.parametrize("keys", [("s",), ("b",)], ids=["practice", "browser"])
async def test_help_fits_80x24_with_its_footnote(tiny_settings, keys):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, *keys, "question_mark")
        assert isinstance(app.screen, HelpModal)
        box = app.screen.query_one("#help-box")
        footnote = app.screen.query_one("#help-footnote")
        assert inside(box, app)
        assert box.region.contains_region(footnote.region) and footnote.region.height == 2
        assert "esc closes this." in screen_text(app)


async def test_practice_answer_field_sits_under_the_question(tmp_path):
    """At 200×60 the matrix grid came 40 rows below a short question; at 80×24 a long
    question scrolls in its box and the grid and the hint stay on screen."""
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=True)
    for size in ((200, 60), SMALL):
        app = make_app(settings, open_study(settings), clock=lambda: NOW,
                       topic="pooling-backprop")
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            screen = app.screen
            assert screen.card.exercise.kind == "matrix"
            card, box = screen.query_one("#card"), screen.query_one("#answer-box")
            question = screen.query_one("#question")
            assert box.region.y == card.region.bottom
            assert card.virtual_size.height >= 10  # the whole question, not its first line
            if size == (200, 60):  # room enough: the grid right under the whole question
                assert box.region.y - question.region.bottom <= 1
                assert question.region.height == card.virtual_size.height - 1
            assert inside(box, app) and inside(screen.query_one("#hint"), app)


# -- the command palette -----------------------------------------------------------------
async def test_palette_names_keys_as_people_write_them_once_each(tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert len(titles) == len(set(titles)), titles  # Help and Quit were there twice
        helps = {c.title: c.help for c in commands}
        assert helps["Help"] == "keys: ? or f1"
        assert helps["Quit"] == "keys: q or ctrl+q"
        assert helps["Settings"] == "key: ,"
        assert helps["Study topic"] == "key: enter"
        assert not any("question_mark" in h or "comma" in h for h in helps.values())
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Settings")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)


# -- the leech list ----------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [8, 3])
async def test_leech_list_says_what_a_leech_is(tiny_settings, threshold):
    settings = tiny_settings.model_copy(update={"leech_threshold": threshold})
    study = open_study(settings)
    app = make_app(settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, "L")
        assert isinstance(app.screen, BrowserScreen)
        note = app.screen.query_one("#browser-leech-note", Static)
        said = str(note.render())
        assert note.display and inside(note, app)
        assert "No leeches yet" in said and f"you forgot {threshold} times" in said
        assert "leech-threshold" in said
        ProgressTracker.of(study).queries.mark_leech("conv:conv-params", True)
        await pilot.press("escape", "L")  # again, with one leech
        await settle(pilot)
        said = str(app.screen.query_one("#browser-leech-note", Static).render())
        assert "No leeches yet" not in said and f"you forgot {threshold} times" in said
        await pilot.press("L")  # any state: the note goes
        await settle(pilot)
        assert not app.screen.query_one("#browser-leech-note").display


# -- titles: `d_k` as written ------------------------------------------------------------
async def test_reset_dialog_and_browser_keep_d_k(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "attention.md").write_text(ATTENTION_DECK, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[folder])
    app = make_app(settings, open_study(settings), clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_from_home(app, pilot, "b")
        assert "Why divide the scores by d_k?" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "Why divide the scores by d_k?" in str(
            app.screen.query_one("#confirm-detail").render())


# -- the drill ---------------------------------------------------------------------------
async def test_drill_buttons_have_digits_and_the_summary_says_where_esc_goes(tiny_settings):
    study = open_study(tiny_settings)
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(hours=1))
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_from_home(app, pilot, "m", "d", "space")
        drill = app.screen
        assert isinstance(drill, DrillScreen)
        bar = drill.query_one(GradeBar)
        assert bar.display
        labels = [str(b.label) for b in bar.query(Button)]
        assert labels == ["1 Again", "2 Hard", "3 Good", "4 Easy"]
        await pilot.press("3")
        await settle(pilot)
        summary = str(drill.query_one("#summary", Static).render())
        assert "Drill complete" in summary and "escape back to the missed cards" in summary
        assert "escape topics" not in summary
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MissedScreen)


async def test_enter_after_the_worked_solution_grades_nothing(exercise_settings):
    study = missed_exercise(exercise_settings)
    app = make_app(exercise_settings, study, clock=lambda: NOW, start_practice=False)
    notes = Notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_from_home(app, pilot, "m", "enter")
        drill = app.screen
        assert isinstance(drill, DrillScreen) and drill.card.key == EXERCISE
        shown = drill.card.exercise.seed
        await pilot.press("ctrl+s")  # the worked solution, nothing typed
        await settle(pilot)
        assert drill.revealed and drill.result is None
        await pilot.press("enter")
        await settle(pilot)
        assert log(study) == [(EXERCISE, 1, "scheduled")]  # nothing graded
        assert drill.card.exercise.seed == shown and drill.revealed
        assert any("grade yourself" in n.message for n in notes)
        await pilot.press("2")  # the learner's own grade is taken
        await settle(pilot)
        assert log(study) == [(EXERCISE, 1, "scheduled"), (EXERCISE, 2, "drill")]


async def test_enter_still_grades_a_checked_drill_answer(exercise_settings):
    study = missed_exercise(exercise_settings)
    app = make_app(exercise_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_from_home(app, pilot, "m", "enter")
        drill = app.screen
        instance = study.exercise_instance(EXERCISE, drill.card.exercise.seed)
        drill.query_one("#answer-input", Input).value = str(instance.expected.value)
        await pilot.press("enter")  # checks it
        await settle(pilot)
        assert drill.result.correct
        await pilot.press("enter")  # Good
        await settle(pilot)
        assert log(study)[-1] == (EXERCISE, 3, "drill")

