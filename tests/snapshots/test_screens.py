"""Snapshots of the main screens: frozen clock, no fuzzing, a tmp_path database, cursor
blink off, times shown in UTC. Every screen also at 80×24 (issue 13: nothing clipped
there) and the progress screens at 120×40."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from textual.widgets import Input

from tests.helpers import NOW, open_study, settle
from trainer.scheduling.memory import Grade
from trainer.tui.app import make_app

SIZE = (100, 30)
SMALL = (80, 24)
SIZES = {"80x24": SMALL, "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def _utc_local_time():
    """Screens show local times (`today 11:00`): the same on every machine."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def studied(settings):
    """Four answers over three days, two of them missed in the last hours."""
    study = open_study(settings)
    study.answer("pooling:pool-max", Grade.GOOD, NOW - timedelta(days=3), duration_ms=40_000)
    study.answer("conv:conv-params", Grade.EASY, NOW - timedelta(days=2), duration_ms=20_000)
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(hours=2), duration_ms=65_000)
    study.answer("pooling:pool-max", Grade.AGAIN, NOW - timedelta(hours=1), duration_ms=30_000)
    return study


def keys_then_settle(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # the cursor shown, steady
        await pilot.pause()

    return run


# (screen, keys from the topics screen)
PROGRESS_SCREENS = {
    "stats": ("t",),
    "browser": ("b",),
    "missed": ("m",),
    "settings": ("comma",),
    "drill": ("m", "d", "space"),  # the first missed card, its answer shown
}


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("screen", PROGRESS_SCREENS, ids=list(PROGRESS_SCREENS))
def test_progress_screen(snap_compare, tiny_settings, screen, size):
    app = make_app(tiny_settings, studied(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    assert snap_compare(app, terminal_size=SIZES[size],
                        run_before=keys_then_settle(*PROGRESS_SCREENS[screen]))


def test_leeches_80x24(snap_compare, tiny_settings):
    app = make_app(tiny_settings, studied(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys_then_settle("L"))


def test_home_screen_80x24(snap_compare, tiny_settings):
    app = make_app(tiny_settings, studied(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys_then_settle())


def test_practice_question_80x24(snap_compare, tiny_settings):
    app = make_app(tiny_settings, studied(tiny_settings), clock=lambda: NOW)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys_then_settle())


def test_practice_answer_revealed_80x24(snap_compare, tiny_settings):
    app = make_app(tiny_settings, studied(tiny_settings), clock=lambda: NOW)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys_then_settle("space"))




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
