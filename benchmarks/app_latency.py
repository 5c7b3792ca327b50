"""Answer latency: key press to the next card drawn, in the app driven headless."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.collection import NOW, fill_database, synthetic_deck
from benchmarks.rows import Row, median, percentile
from trainer.config import Settings
from trainer.store.database import open_database
from trainer.study import StudySession
from trainer.tui.app import make_app
from trainer.tui.screens.practice_screen import PracticeScreen


async def _answer(study: StudySession, settings: Settings, answers: int) -> list[float]:
    app = make_app(settings, study, clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = None
        for _ in range(2000):
            await pilot.pause(0.005)
            screen = app.screen
            if isinstance(screen, PracticeScreen) and screen.card is not None:
                break
        for _ in range(answers):
            count = len(screen.answer_latencies)
            await pilot.press("space")
            await pilot.press("3")
            for _ in range(4000):
                if len(screen.answer_latencies) > count:
                    break
                await pilot.pause(0.001)
        return list(screen.answer_latencies)


def latencies(n_cards: int, n_reviews: int, answers: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = Settings(home=home, builtin_deck=False, exercises=False, new_per_day=10_000)
        deck = synthetic_deck(n_cards)
        fill_database(settings.db_path, deck, n_reviews)
        study = StudySession(settings, deck, open_database(settings.db_path),
                             tz=ZoneInfo("UTC"), enable_fuzzing=False)
        return asyncio.run(_answer(study, settings, answers))


def measure(quick: bool) -> list[Row]:
    sizes = [(1_000, 10_000), (10_000, 100_000), (100_000, 1_000_000)]
    if quick:
        sizes = [(200, 1_000)]
    answers = 20 if quick else 150
    rows, p99s = [], {}
    for n_cards, n_reviews in sizes:
        times = latencies(n_cards, n_reviews, answers)[5:]  # the first few warm caches up
        p99s[n_cards] = percentile(times, 99)
        rows.append(Row(f"answer p99 at {n_cards:,} cards", round(p99s[n_cards], 2), "ms",
                        "p99 ≤ 16 ms", p99s[n_cards] <= 16))
        rows.append(Row(f"answer median at {n_cards:,} cards", round(median(times), 2), "ms",
                        "informational", True))
    small, large = min(p99s), max(p99s)
    if small != large:
        ratio = p99s[large] / p99s[small]
        rows.append(Row(f"growth {small:,} → {large:,} cards (p99 ratio)", round(ratio, 2),
                        "×", "≤ 1.5", ratio <= 1.5, baseline=round(p99s[small], 2),
                        ratio=round(ratio, 2)))
    return rows
