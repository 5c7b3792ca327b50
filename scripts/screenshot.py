"""Save the practice screen as SVG for the README: python scripts/screenshot.py."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from trainer.app.study import StudySession
from trainer.config.settings import Settings
from trainer.tui.app import make_app

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OUT = Path(__file__).resolve().parent.parent / "docs"


async def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        study = StudySession.open(settings, tz=ZoneInfo("UTC"), enable_fuzzing=False)
        study.set_topic("sampling")
        app = make_app(settings, study, clock=lambda: NOW, topic="sampling")
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(2):
                await pilot.press("space", "3")
                await app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
            app.save_screenshot(str(OUT / "practice.svg"))


if __name__ == "__main__":
    asyncio.run(main())
