"""The practice screen on a phone's width (``trainer serve``), driven by Pilot: a tap on
the hint shows the answer, the four grade buttons fit two by two and each one grades."""

from __future__ import annotations

from sqlalchemy import text
from textual.widgets import Button

from tests.helpers import NOW, open_study, settle
from trainer.tui.app import make_app
from trainer.tui.widgets.card_view import CardView

PHONE = (40, 40)  # columns and rows of a phone's screen at the page's default font


def ratings(study) -> list[int]:
    with study.db.engine.connect() as c:
        return [r for (r,) in c.execute(text("SELECT rating FROM reviews ORDER BY id"))]


async def test_tap_to_reveal_and_grade_on_a_narrow_screen(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=PHONE) as pilot:
        await settle(pilot)
        screen = app.screen
        for grade in (2, 4):
            assert not screen.query_one(CardView).revealed
            assert await pilot.click("#hint")
            await settle(pilot)
            assert screen.query_one(CardView).revealed
            buttons = [screen.query_one(f"#grade-{g}", Button) for g in (1, 2, 3, 4)]
            regions = [b.region for b in buttons]
            assert all(r.width >= 10 and r.right <= PHONE[0] for r in regions)
            assert {r.y for r in regions} == {regions[0].y, regions[2].y}  # two rows
            assert regions[0].y < regions[2].y and regions[0].x < regions[1].x
            assert all(str(g) in str(b.label) for g, b in zip((1, 2, 3, 4), buttons,
                                                              strict=True))
            assert await pilot.click(f"#grade-{grade}")
            await settle(pilot)
        assert ratings(study) == [2, 4]


async def test_the_wide_layout_is_unchanged(tiny_settings):
    study = open_study(tiny_settings)
    app = make_app(tiny_settings, study, clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        regions = [app.screen.query_one(f"#grade-{g}", Button).region for g in (1, 2, 3, 4)]
        assert len({r.y for r in regions}) == 1  # one row of four
        assert not app.screen.query_one("#grades").has_class("-narrow")
