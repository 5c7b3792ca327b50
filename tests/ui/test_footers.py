"""Every screen's footer fits at 100 columns and at 80 (an 80×24 terminal): each key it
shows is drawn whole, help and quit among them (DESIGN.md convention 5: the footer shows the
main verbs; the rest is on ``?`` and in the command palette)."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Input

from tests.helpers import NOW, open_study, settle
from trainer.config.settings import Settings
from trainer.tui.app import make_app

SIZES = [(100, 30), (80, 24)]
SIZE_IDS = ["100x30", "80x24"]


def footer_text(app) -> str:
    """The bottom row of the screen as drawn (the footer is docked there)."""
    return app.screen._compositor.render_strips()[-1].text


def shown_keys(app) -> list[tuple[str, str]]:
    """(key as the footer writes it, description) for every key the footer shows now: as
    Textual's Footer does, the first key that acts now for each action shown."""
    first: dict[str, tuple[str, str]] = {}
    for active in app.screen.active_bindings.values():
        binding = active.binding
        if binding.show:
            first.setdefault(binding.action,
                             (app.get_key_display(binding), binding.description))
    return list(first.values())


def assert_footer_fits(app, name: str) -> None:
    screen = app.screen
    footer = screen.query_one(Footer)
    text = footer_text(app)
    keys = shown_keys(app)
    actions = {a.binding.action for a in screen.active_bindings.values() if a.binding.show}
    assert {"app.help", "app.quit"} <= actions, f"{name}: help or quit not in the footer"
    for key, description in keys:
        assert f"{key} {description}" in text, f"{name}: {key} {description!r} cut: {text!r}"
    assert footer.max_scroll_x == 0, f"{name}: the footer is wider than the screen: {text!r}"


async def visit(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


# (screen, keys from the topics screen). Practice first: two cards graded Again, so the
# missed screen and the drill have cards, and the drill can be undone (u is shown).
SCREENS = [
    ("home", ()),
    ("stats", ("t",)),
    ("missed", ("m",)),
    ("browser", ("b",)),
    ("browser, search field focused", ("b", "slash")),
    ("leeches", ("L",)),
    ("settings", ("comma",)),
    ("practice", ("s",)),
    ("practice, answer shown", ("s", "space")),
    ("drill", ("m", "d")),
    ("drill, after an answer (undo shown)", ("m", "d", "space", "3")),
]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize(("name", "keys"), SCREENS, ids=[n for n, _ in SCREENS])
async def test_the_footer_fits(tiny_settings, name, keys, size):
    study = open_study(tiny_settings)
    for _ in range(2):
        study.answer(study.next_card(NOW).key, 1, NOW)
    app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await visit(pilot, *keys)
        assert_footer_fits(app, name)


@pytest.fixture
def exercise_settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=True)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_an_exercise_card_footer_fits(exercise_settings, size):
    """An exercise focuses the answer field, which takes ? and q: f1 and ctrl+q show."""
    study = open_study(exercise_settings)
    study.set_topic("add-vs-concat")
    app = make_app(exercise_settings, study, clock=lambda: NOW, topic="add-vs-concat")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.screen.card.exercise is not None and isinstance(app.focused, Input)
        assert_footer_fits(app, "practice, exercise")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_drilled_exercise_footer_fits(exercise_settings, size):
    study = open_study(exercise_settings)
    study.set_topic("add-vs-concat")
    study.answer(study.next_card(NOW).key, 1, NOW)  # missed
    app = make_app(exercise_settings, study, clock=lambda: NOW, start_practice=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await visit(pilot, "m", "d")
        assert app.screen.card.exercise is not None and isinstance(app.focused, Input)
        assert_footer_fits(app, "drill, exercise")
        assert "f1 Help" in footer_text(app) and "^q Quit" in footer_text(app)
