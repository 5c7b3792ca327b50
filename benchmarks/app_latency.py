"""Answer latency: key press to the next card drawn, in the app driven headless."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.collection import NOW, fill_database, synthetic_deck
from benchmarks.rows import Row, median, percentile
from trainer.config import Settings
from trainer.store.database import open_database
from trainer.study import StudySession
from trainer.tui.app import make_app
from trainer.tui.screens.practice_screen import PracticeScreen


async def _until(condition, timeout: float = 30.0) -> None:
    """Wait for ``condition`` with plain sleeps: Pilot's waits (``pause``, ``press``)
    force a screen refresh and post to every widget, which would time the harness."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("the app did not get there in time")
        await asyncio.sleep(0.001)


async def _answer(study: StudySession, settings: Settings, answers: int) -> list[float]:
    """``answers`` times: space (answer shown), a pause, then 3 (Good); each time, from the moment
    the 3 is sent as a key event (``App.simulate_key``, as a terminal's input thread posts
    it) to the end of the frame that draws the next card, in ms."""
    app = make_app(settings, study, clock=lambda: NOW)
    times = []
    async with app.run_test(size=(100, 30)):
        await _until(lambda: isinstance(app.screen, PracticeScreen)
                     and app.screen.card is not None)
        screen = app.screen
        for _ in range(answers):
            app.simulate_key("space")
            await _until(lambda: screen.revealed)
            # The grade is a key press of its own, after the answer has been read: by then
            # the reveal's own updates (its frame, the footer's new keys ~40 ms later) are
            # done. Pressed sooner, they would take the next card's frame slot.
            await asyncio.sleep(0.15)
            count = len(screen.drawn_at)
            start = time.perf_counter()
            app.simulate_key("3")
            await _until(lambda count=count: len(screen.drawn_at) > count)
            times.append((screen.drawn_at[-1] - start) * 1000)
    return times


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
    answers = 20 if quick else 200  # p99 of ~200 answers: not two outliers alone
    rows, p99s, medians = [], {}, {}
    for n_cards, n_reviews in sizes:
        times = latencies(n_cards, n_reviews, answers)[5:]  # the first few warm caches up
        p99s[n_cards] = percentile(times, 99)
        rows.append(Row(f"answer p99 at {n_cards:,} cards", round(p99s[n_cards], 2), "ms",
                        "p99 ≤ 16 ms", p99s[n_cards] <= 16))
        medians[n_cards] = median(times)
        rows.append(Row(f"answer median at {n_cards:,} cards", round(medians[n_cards], 2), "ms",
                        "informational", True))
    small, large = min(p99s), max(p99s)
    if small != large:
        ratio = medians[large] / medians[small]
        rows.append(Row(f"growth {small:,} → {large:,} cards (median ratio)", round(ratio, 2),
                        "×", "informational", True, baseline=round(medians[small], 2),
                        ratio=round(ratio, 2)))
        ratio = p99s[large] / p99s[small]
        rows.append(Row(f"growth {small:,} → {large:,} cards (p99 ratio)", round(ratio, 2),
                        "×", "≤ 1.5", ratio <= 1.5, baseline=round(p99s[small], 2),
                        ratio=round(ratio, 2)))
    return rows
