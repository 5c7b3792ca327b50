"""Store: record an answer and load the next due card, against plain sqlite3 by hand.

Ours is trainer/store/repository.py: plain SQL on the pooled connection's sqlite3 handle
(``Database.read``/``write``) for the statements an answer runs, the ORM elsewhere."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.collection import NOW, fill_database, synthetic_deck
from benchmarks.rows import Row, median
from trainer.store.database import backup, open_database
from trainer.store.repository import Repository
from trainer.store.stamps import STAMP_FORMAT as _FMT

# What ours writes as ``state_before`` for a Review card (the baseline writes as much).
_STATE_JSON = ('{"state": 2, "step": null, "stability": 20.5, "difficulty": 5.0, '
               '"due": "2026-11-26T09:00:00Z", "last_review": "2026-11-10T09:00:00Z"}')


def _ours(path: Path, keys: list[str]) -> list[float]:
    db = open_database(path)
    repo = Repository(db)
    times = []
    for i, key in enumerate(keys):
        start = time.perf_counter()
        before = repo.card(key)
        after = before.model_copy(update=dict(state=2, stability=5.0, difficulty=5.0,
                                              due=NOW + timedelta(days=3 + i % 5),
                                              last_review=NOW))
        repo.record_review(before, after, rating=3, reviewed_at=NOW, duration_ms=4000,
                           lang="en")
        repo.reviews_due(NOW + timedelta(hours=16), 12)
        times.append((time.perf_counter() - start) * 1000)
    db.close()
    return times


def _by_hand(path: Path, keys: list[str]) -> list[float]:
    """The statements ours runs, written by hand on the sqlite3 module: the card read and
    the next-due query in autocommit, the answer in one BEGIN IMMEDIATE transaction that
    first checks the card was not answered elsewhere (trainer/store/repository.py)."""
    c = sqlite3.connect(path, isolation_level=None)
    for pragma in ("busy_timeout = 10000", "foreign_keys = ON", "journal_mode = WAL",
                   "synchronous = NORMAL"):
        c.execute(f"PRAGMA {pragma}")
    times = []
    for i, key in enumerate(keys):
        start = time.perf_counter()
        row = c.execute("SELECT id, key, topic, state, step, stability, difficulty, due, "
                        "last_review FROM cards WHERE key = ?", (key,)).fetchone()
        due = (NOW + timedelta(days=3 + i % 5)).strftime(_FMT)
        c.execute("BEGIN IMMEDIATE")
        current = c.execute("SELECT state, step, stability, difficulty, due, last_review "
                            "FROM cards WHERE id = ?", (row[0],)).fetchone()
        assert current == row[3:]
        c.execute("INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
                  "state_before, lang, seed, params, answer, correct, kind, prev_state, "
                  "prev_interval) VALUES (?, 3, ?, 4000, 0, ?, 'en', NULL, NULL, NULL, NULL, "
                  "'scheduled', ?, 3.0)", (row[0], NOW.strftime(_FMT), _STATE_JSON, row[3]))
        c.execute("UPDATE cards SET state = 2, step = NULL, stability = 5.0, difficulty = 5.0, "
                  "due = ?, last_review = ? WHERE id = ?", (due, NOW.strftime(_FMT), row[0]))
        c.execute("COMMIT")
        c.execute("SELECT id, key, topic, state, step, stability, difficulty, due, "
                  "last_review FROM cards WHERE state = 2 AND due < ? AND retired = 0 AND "
                  "suspended = 0 ORDER BY due, id LIMIT 12",
                  ((NOW + timedelta(hours=16)).strftime(_FMT),)).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    c.close()
    return times


def measure(quick: bool) -> list[Row]:
    n_cards, n_reviews, answers = (2_000, 10_000, 50) if quick else (100_000, 1_000_000, 400)
    deck = synthetic_deck(n_cards)
    keys = list(deck.cards)[::max(1, n_cards // answers)][:answers]
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, hand_path = Path(tmp) / "ours.sqlite3", Path(tmp) / "hand.sqlite3"
        fill_database(ours_path, deck, n_reviews)
        backup(ours_path, hand_path)  # a consistent copy (the data may still be in the WAL)
        ours = median(_ours(ours_path, keys)[10:])
        hand = median(_by_hand(hand_path, keys)[10:])
    ratio = ours / hand
    return [Row(f"store: answer + next due at {n_cards:,} cards", round(ours, 3), "ms",
                "ratio to sqlite3 ≤ 3", ratio <= 3, baseline=round(hand, 3),
                ratio=round(ratio, 2))]
