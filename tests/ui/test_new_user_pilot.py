"""What a new user tripped over, in the real app (Pilot): the summary on quit, the matrix
grid typed and pasted whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Static

from tests.helpers import NOW, open_study, settle
from trainer.config.settings import Settings
from trainer.tui.app import make_app
from trainer.tui.widgets.matrix_input import MatrixInput

SIZE = (100, 30)


async def test_q_mid_session_shows_the_summary_then_any_key_quits(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "3")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "Session summary" in summary and "Cards reviewed   1" in summary
        assert "press any key to quit" in summary
        await pilot.press("x")
        await pilot.pause()
        assert not app.is_running


async def test_q_before_any_answer_quits_at_once(tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@pytest.fixture
def matrix_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=True)


def _entry(value: float, decimals: int | None) -> str:
    return f"{value:g}" if decimals is None else f"{value:.{decimals}f}"


async def _matrix_card(pilot):
    app = pilot.app
    await settle(pilot)
    card = app.screen.card
    assert card.exercise.kind == "matrix"
    expected = app.study.exercise_instance(card.key, card.exercise.seed).expected
    return app.screen.query_one(MatrixInput), expected


async def test_a_matrix_typed_as_the_prompt_says_fills_the_grid(matrix_settings):
    study = open_study(matrix_settings)
    app = make_app(matrix_settings, study, clock=lambda: NOW, topic="pooling-backprop")
    async with app.run_test(size=SIZE) as pilot:
        grid, expected = await _matrix_card(pilot)
        where = str(grid.query_one("#matrix-where").render())
        assert f"{grid.rows} × {grid.cols} matrix · row 1, column 1" in where
        line = "; ".join(" ".join(_entry(v, expected.decimals) for v in row)
                         for row in expected.value)
        await pilot.press(*line)  # typed key by key: '0 2 7 0; 0 0 0 0' as the prompt says
        await pilot.pause()
        assert [[grid.cell(r, c).value for c in range(grid.cols)] for r in range(grid.rows)] \
            == [[_entry(v, expected.decimals) for v in row] for row in expected.value]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.result.correct, app.screen.result.message


async def test_a_pasted_block_fills_the_grid(matrix_settings):
    study = open_study(matrix_settings)
    app = make_app(matrix_settings, study, clock=lambda: NOW, topic="pooling-backprop")
    async with app.run_test(size=SIZE) as pilot:
        grid, expected = await _matrix_card(pilot)
        block = "\n".join("  ".join(_entry(v, expected.decimals) for v in row)
                          for row in expected.value)
        app.focused.post_message(events.Paste(block))
        await pilot.pause()
        assert grid.text() == "; ".join(" ".join(_entry(v, expected.decimals) for v in row)
                                        for row in expected.value)
        last = (grid.rows - 1, grid.cols - 1)
        assert app.focused is grid.cell(*last)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.result.correct, app.screen.result.message


async def test_topics_screen_groups_twenty_topics_and_studies_a_group(tmp_path):
    from textual.widgets import DataTable

    from trainer.tui.screens.home_screen import HomeScreen
    from trainer.tui.screens.practice_screen import PracticeScreen

    settings = Settings(home=tmp_path / "home", exercises=False)
    study = open_study(settings)
    app = make_app(settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(DataTable)
        keys = [table.coordinate_to_cell_key((r, 0)).row_key.value
                for r in range(table.row_count)]
        assert keys[:3] == ["__all__", "cnn-basics", "feature-scaling"]
        assert {"training", "transformers", "evaluation", "attention"} <= set(keys)
        assert len(keys) == 1 + 4 + 20
        # every column is on screen at 80 columns: the waiting topics' notes give way
        assert sum(col.get_render_width(table) for col in table.columns.values()) <= 80
        attention = str(table.get_row("attention")[0])
        assert "(after" in attention  # it waits for what it builds on
        table.move_cursor(row=keys.index("transformers"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PracticeScreen)
        assert app.study.topic == tuple(study.plan.group("transformers").topics)
        assert app.screen.card.topic in app.study.topic
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Study: Training" in commands and "Study: Attention and Transformers" in commands


async def test_l_keeps_a_shown_answer_shown(tiny_settings):
    """l re-hid an answer that was already shown (it drew the next card hidden)."""
    tiny_settings = tiny_settings.model_copy(update={"language": "en"})
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.screen.card.key
        await pilot.press("space")
        await settle(pilot)
        assert app.screen.revealed
        await pilot.press("l")
        await settle(pilot)
        assert app.screen.card.key == key and app.screen.revealed
        assert app.study.language == "zh"
        await pilot.press("3")  # and it is graded as usual
        await settle(pilot)
    with study.db.read() as c:
        assert c.execute("SELECT count(*) FROM reviews").fetchone() == (1,)
