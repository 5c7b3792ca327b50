"""Exercise cards in the real app: typed answers, verdicts, grades and what SQLite keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from textual.widgets import Button, Input

from tests.helpers import NOW, Notes, open_study, settle
from trainer.config.settings import Settings
from trainer.tui.app import make_app
from trainer.tui.widgets.matrix_input import MatrixInput

SIZE = (100, 30)


@pytest.fixture
def exercise_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=True)


def attempts(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text("SELECT c.key, r.rating, r.seed, r.params, r.answer, r.correct "
                              "FROM reviews r JOIN cards c ON c.id = r.card_id "
                              "ORDER BY r.id")).all()


async def type_answer(pilot, answer: str) -> None:
    field = pilot.app.screen.query_one("#answer-input", Input)
    assert field.has_focus
    field.value = answer
    await pilot.press("enter")
    await pilot.pause()


async def test_right_answer_is_good_and_recorded_with_its_instance(exercise_settings):
    study = open_study(exercise_settings)
    study.set_topic("add-vs-concat")
    app = make_app(exercise_settings, study, clock=lambda: NOW, topic="add-vs-concat")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = app.screen.card
        assert card.exercise is not None and card.exercise.kind != "matrix"
        instance = study.exercise_instance(card.key, card.exercise.seed)
        await pilot.press("space")  # no peeking: space does not reveal an exercise
        assert not app.screen.revealed
        await type_answer(pilot, instance.expected.display())
        assert app.screen.revealed and app.screen.result.correct
        verdict = str(app.screen.query_one("#verdict").render())
        assert verdict.startswith("Correct")
        await pilot.press("enter")
        await settle(pilot)
    ((key, rating, seed, params, answer, correct),) = attempts(study)
    assert (key, rating, seed, correct) == (card.key, 3, card.exercise.seed, 1)
    assert json.loads(params) == json.loads(json.dumps(instance.params, sort_keys=True))
    assert answer == instance.expected.display()


async def test_wrong_answer_can_only_be_graded_again(exercise_settings):
    study = open_study(exercise_settings)
    app = make_app(exercise_settings, study, clock=lambda: NOW, topic="add-vs-concat")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = app.screen.card
        instance = study.exercise_instance(card.key, card.exercise.seed)
        expected = instance.expected
        wrong = (" x ".join(str(v + 1) for v in expected.value) if expected.kind == "shape"
                 else "987654321")
        await type_answer(pilot, wrong)
        assert app.screen.result.correct is False
        buttons = {b.id: b.disabled for b in app.screen.query(Button)
                   if (b.id or "").startswith("grade-")}
        assert buttons == {"grade-1": False, "grade-2": True, "grade-3": True, "grade-4": True}
        assert str(app.screen.query_one("#verdict").render()).startswith(
            f"Not quite: you wrote {wrong}")
        await pilot.press("3")
        await settle(pilot)
        assert attempts(study) == []
        # u takes the typed answer back (it used to undo the previous card): nothing graded
        await pilot.press("u")
        await settle(pilot)
        assert not app.screen.revealed and app.screen.result is None
        field = app.screen.query_one("#answer-input", Input)
        assert field.value == wrong and field.has_focus
        assert not any(b.disabled for b in app.screen.query(Button))
        await pilot.press("enter")  # the same answer again
        await pilot.pause()
        assert app.screen.result.correct is False
        await pilot.press("1")
        await settle(pilot)
    ((key, rating, _seed, _params, answer, correct),) = attempts(study)
    assert (key, rating, answer, correct) == (card.key, 1, wrong, 0)


async def test_unreadable_answer_gets_a_message_and_no_grade(exercise_settings):
    study = open_study(exercise_settings)
    app = make_app(exercise_settings, study, clock=lambda: NOW, topic="add-vs-concat")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_answer(pilot, "banana")
        assert not app.screen.revealed and app.screen.result is None
        assert notes and "expected" in notes.sent[-1].message
        await pilot.press("1")
        await settle(pilot)
    assert attempts(study) == []


async def test_matrix_answers_are_typed_cell_by_cell(exercise_settings):
    study = open_study(exercise_settings)
    app = make_app(exercise_settings, study, clock=lambda: NOW, topic="pooling-backprop")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = app.screen.card
        assert card.exercise.kind == "matrix"
        grid = app.screen.query_one(MatrixInput)
        expected = study.exercise_instance(card.key, card.exercise.seed).expected
        assert (grid.rows, grid.cols) == (expected.rows, expected.cols)
        assert app.focused is grid.cell(0, 0)
        await pilot.press("down")
        assert app.focused is grid.cell(min(1, grid.rows - 1), 0)
        await pilot.press("up")
        for r, row in enumerate(expected.value):
            for c, value in enumerate(row):
                grid.cell(r, c).value = f"{value:g}" if expected.decimals is None else \
                    f"{value:.{expected.decimals}f}"
        grid.cell(0, 0).focus()
        await pilot.press("right")
        assert app.focused is grid.cell(0, min(1, grid.cols - 1)) or grid.cols == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.result.correct, app.screen.result.message
        await pilot.press("4")
        await settle(pilot)
    ((key, rating, *_rest, correct),) = attempts(study)
    assert (key, rating, correct) == (card.key, 4, 1)
