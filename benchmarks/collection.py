"""Synthetic collections: N cards and M reviews in a real SQLite file, built fast."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from trainer.deck.cards import Card, CardText, Deck
from trainer.store.database import open_database
from trainer.store.stamps import STAMP_FORMAT as _FMT

TOPICS = [f"topic-{i:02d}" for i in range(10)]
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def synthetic_deck(n_cards: int) -> Deck:
    cards = {}
    for i in range(n_cards):
        topic = TOPICS[i % len(TOPICS)]
        key = f"bench:c{i}"
        text = CardText(
            question=f"What is the output size of layer {i} with $k = {i % 7 + 1}$?",
            answer=f"- $\\left\\lfloor \\frac{{H + 2P - K}}{{S}} \\right\\rfloor + 1$\n"
                   f"- card number **{i}**",
            path="bench.md", line=i + 1)
        cards[key] = Card(key=key, deck="bench", id=f"c{i}", topic=topic,
                          topic_titles={"en": topic}, tags=[], ordinal=i // len(TOPICS),
                          texts={"en": text})
    return Deck(cards=cards)


def write_deck_files(folder: Path, n_cards: int, per_file: int = 500) -> None:
    """The same kind of cards as markdown files (for start-up and import measurements)."""
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n_cards, per_file):
        lines = [f"---\ntopic: {TOPICS[(start // per_file) % len(TOPICS)]}\n---\n"]
        for i in range(start, min(start + per_file, n_cards)):
            lines.append(f"## What is the output size of layer {i}? {{#c{i}}}\n\n"
                         f"$\\lfloor (H + 2P - K)/S \\rfloor + 1$ for card {i}.\n")
        (folder / f"bench_{start // per_file:04d}.md").write_text("\n".join(lines), "utf-8")


def fill_database(path: Path, deck: Deck, n_reviews: int, seed: int = 0) -> None:
    """Cards (70 % reviewed, about 3 % of them due today) and ``n_reviews`` past reviews."""
    open_database(path).close()  # create and migrate through the real code path
    rng = np.random.default_rng(seed)
    keys = list(deck.cards)
    n = len(keys)
    reviewed = rng.random(n) < 0.7
    due_days = rng.integers(-2, 60, n)
    rows = []
    for i, key in enumerate(keys):
        card = deck.cards[key]
        if reviewed[i]:
            due = (NOW + timedelta(days=int(due_days[i]), hours=-3)).strftime(_FMT)
            last = (NOW - timedelta(days=int(rng.integers(1, 40)))).strftime(_FMT)
            rows.append((key, card.deck, card.topic, "basic", card.ordinal, 2, None,
                         float(rng.uniform(1, 80)), float(rng.uniform(1, 10)), due, last))
        else:
            rows.append((key, card.deck, card.topic, "basic", card.ordinal, None, None, None,
                         None, None, None))
    with sqlite3.connect(path) as c:
        c.executemany(
            "INSERT INTO cards (key, deck, topic, kind, ordinal, state, step, stability, "
            "difficulty, due, last_review, suspended, retired, leech) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)", rows)
        ids = [r[0] for r in c.execute("SELECT id FROM cards WHERE state IS NOT NULL")]
        if ids and n_reviews:
            card_ids = rng.choice(ids, n_reviews)
            ages = rng.uniform(1, 365 * 24 * 3600, n_reviews)
            ratings = rng.choice([1, 2, 3, 4], n_reviews, p=[0.1, 0.15, 0.6, 0.15])
            c.executemany(
                "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
                "state_before, lang, kind) VALUES (?, ?, ?, ?, 0, NULL, 'en', 'scheduled')",
                ((int(cid), int(r), (NOW - timedelta(seconds=float(a))).strftime(_FMT), 5000)
                 for cid, r, a in zip(card_ids, ratings, ages, strict=True)))
        c.execute("ANALYZE")
