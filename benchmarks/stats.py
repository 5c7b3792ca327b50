"""Statistics on a big collection: ``trainer stats --json`` with 1,000,000 reviews.

The database is built in a temporary folder through the real migrations, then filled with
``executemany`` (10,000 cards, three years of reviews, 2 % of them drills, every review
with its ``state_before`` JSON and its ``prev_state`` / ``prev_interval`` columns as the
app writes them). Two numbers:

- the whole command, ``trainer stats --json`` in a fresh process (interpreter, imports,
  opening the database, the statistics, the JSON), against the start-up of ``trainer
  paths`` (interpreter and imports, no database): the goal, under 300 ms;
- the statistics themselves (``ProgressTracker.stats``: every SQL aggregation, the recall
  of every card included), in process, warm, for information.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.rows import Row, median, user_environment
from trainer.app.progress import ProgressTracker
from trainer.config.settings import Settings
from trainer.store.database import open_database

GOAL_MS = 300.0
TOPICS = [f"topic-{i:02d}" for i in range(10)]
_CHUNK = 100_000


def _stamps(moments: np.ndarray) -> np.ndarray:
    """datetime64[us] -> the store's text format ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    return np.char.replace(np.datetime_as_string(moments, unit="us"), "T", " ")


def _iso(moments: np.ndarray) -> np.ndarray:
    """datetime64 -> ISO with Z, as pydantic writes state_before."""
    return np.char.add(np.datetime_as_string(moments, unit="us"), "Z")


def build(path: Path, n_reviews: int, n_cards: int, now: datetime, seed: int = 0) -> None:
    """A collection of ``n_cards`` cards and ``n_reviews`` reviews over three years."""
    open_database(path).close()  # schema through the real migrations
    rng = np.random.default_rng(seed)
    now64 = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "us")
    day = np.timedelta64(86_400_000_000, "us")
    studied = rng.random(n_cards) < 0.9
    stability = rng.lognormal(2.5, 1.2, n_cards)
    last = now64 - (rng.uniform(0, 60, n_cards) * day).astype("timedelta64[us]")
    due = last + (stability * day).astype("timedelta64[us]")
    cards = [
        (f"bench:c{i}", "bench", TOPICS[i % len(TOPICS)], "basic", i // len(TOPICS),
         2 if s else None, 0 if s else None, float(stability[i]) if s else None,
         5.0 if s else None, str(_stamps(due[i:i + 1])[0]) if s else None,
         str(_stamps(last[i:i + 1])[0]) if s else None)
        for i, s in enumerate(studied)
    ]
    # closing(): the connection is closed (WAL checkpointed and removed, as the app leaves
    # the file on exit) before anything is measured, not whenever it is collected.
    with closing(sqlite3.connect(path)) as c, c:
        c.executemany(
            "INSERT INTO cards (key, deck, topic, kind, ordinal, state, step, stability, "
            "difficulty, due, last_review, suspended, retired, leech) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)", cards)
        ids = np.array([r[0] for r in c.execute("SELECT id FROM cards WHERE state = 2")])
        # Oldest first, as a real log is written (ids follow time).
        ages = np.sort(rng.uniform(0, 3 * 365, n_reviews))[::-1]
        for start in range(0, n_reviews, _CHUNK):
            at = now64 - (ages[start:start + _CHUNK] * day).astype("timedelta64[us]")
            c.executemany(
                "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
                "state_before, prev_state, prev_interval, lang, kind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'en', ?)",
                _reviews(rng, ids, at, day))
        c.execute("ANALYZE")


def _reviews(rng, ids, at, day):
    n = len(at)
    interval = np.exp(rng.uniform(0, np.log(300), n))
    last = at - (interval * rng.uniform(0.8, 1.2, n) * day).astype("timedelta64[us]")
    due = last + (interval * day).astype("timedelta64[us]")
    state = rng.choice([1, 2, 3], n, p=[0.1, 0.8, 0.1])
    rating = rng.choice([1, 2, 3, 4], n, p=[0.12, 0.13, 0.6, 0.15])
    was_new = rng.random(n) < 0.01
    drill = rng.random(n) < 0.02
    at_s, due_s, last_s = _stamps(at), _iso(due), _iso(last)
    # prev_interval as the app writes it: (due - last_review).total_seconds() / 86_400.
    days = (due - last) / np.timedelta64(1, "s") / 86_400
    card = rng.choice(ids, n)
    duration = rng.integers(2000, 30000, n)
    for i in range(n):
        new = bool(was_new[i])
        before = None if new else (
            f'{{"state": {state[i]}, "step": null, "stability": {float(interval[i])!r}, '
            f'"difficulty": 5.0, "due": "{due_s[i]}", "last_review": "{last_s[i]}"}}')
        yield (int(card[i]), int(rating[i]), at_s[i], int(duration[i]), new, before,
               None if new else int(state[i]), None if new else float(days[i]),
               "drill" if drill[i] else "scheduled")


def _stats_command(db: Path, home: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trainer", "--home", str(home), "--db", str(db),
                    *args], check=True, capture_output=True, env=user_environment())
    return (time.perf_counter() - start) * 1000


def measure(quick: bool) -> list[Row]:
    n_reviews = 10_000 if quick else 1_000_000
    n_cards = 500 if quick else 10_000
    now = datetime.now(UTC)
    label = "10k reviews" if quick else "1M reviews"
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        path = home / "stats.sqlite3"
        start = time.perf_counter()
        build(path, n_reviews, n_cards, now)
        print(f"stats: built {label} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        settings = Settings(home=home, db=path)
        tracker = ProgressTracker.open(settings, tz=ZoneInfo("UTC"))
        times = []
        for _ in range(3 if quick else 7):
            start = time.perf_counter()
            stats = tracker.stats(now)
            times.append((time.perf_counter() - start) * 1000)
        tracker.close()
        assert json.loads(stats.model_dump_json())["heatmap"]
        runs = 1 if quick else 7
        _stats_command(path, home, "paths")  # a first run writes the bytecode caches
        command = median([_stats_command(path, home, "stats", "--json") for _ in range(runs)])
        startup = median([_stats_command(path, home, "paths") for _ in range(runs)])
    in_process = median(times)
    return [
        Row(f"stats in process, {label}", round(in_process, 1), "ms", "informational", True),
        Row(f"stats --json command, {label}", round(command, 1), "ms",
            f"≤ {GOAL_MS:g} ms end to end", command <= GOAL_MS, baseline=round(startup, 1),
            ratio=round(command / startup, 2)),
    ]
