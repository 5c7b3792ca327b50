"""Snapshots of the main screens: frozen clock, no fuzzing, a tmp_path database."""

from __future__ import annotations

from tests.helpers import NOW, open_study, settle
from trainer.tui.app import make_app

SIZE = (100, 30)




def test_practice_question(snap_compare, tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_practice_answer_revealed(snap_compare, tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW)

    async def reveal(pilot) -> None:
        await settle(pilot)
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=reveal)


def test_home_screen(snap_compare, tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
