"""Helpers for the progress tests: a review log written row by row, as the store writes it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from trainer.store.records import CardState
from trainer.store.stamps import stamp


def state_json(state: int, due: datetime, last_review: datetime, stability: float = 5.0) -> str:
    """``state_before`` exactly as ``Repository.record_review`` writes it."""
    before = CardState(id=0, key="", topic="", state=state, step=None, stability=stability,
                       difficulty=5.0, due=due, last_review=last_review)
    return json.dumps(before.model_dump(mode="json", exclude={"id", "key", "topic"}))


def add_review(db, key: str, at: datetime, rating: int, *, kind: str = "scheduled",
               interval_days: float | None = None, state: int = 2, was_new: bool = False,
               duration_ms: int = 1000) -> None:
    """One review of ``key`` at ``at``; ``interval_days``: it was due at that interval (the
    card was in ``state`` before); None: a new card's first review. ``state_before``,
    ``prev_state`` and ``prev_interval`` as ``Repository.record_review`` writes them."""
    before = prev_state = prev_interval = None
    if interval_days is not None:
        last = at - timedelta(days=interval_days)
        before = state_json(state, due=at, last_review=last)
        prev_state, prev_interval = state, (at - last).total_seconds() / 86_400
    with db.engine.begin() as c:
        card_id = c.execute(text("SELECT id FROM cards WHERE key = :k"), {"k": key}).scalar_one()
        c.execute(text(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
            "state_before, prev_state, prev_interval, lang, kind) "
            "VALUES (:c, :r, :at, :d, :n, :b, :ps, :pi, 'en', :kind)"),
            {"c": card_id, "r": rating, "at": stamp(at), "d": duration_ms, "n": was_new,
             "b": before, "ps": prev_state, "pi": prev_interval, "kind": kind})


def set_card(db, key: str, **values) -> None:
    """Write card columns directly (datetimes in the store's format)."""
    values = {k: stamp(v) if isinstance(v, datetime) else v for k, v in values.items()}
    assignments = ", ".join(f"{k} = :{k}" for k in values)
    with db.engine.begin() as c:
        c.execute(text(f"UPDATE cards SET {assignments} WHERE key = :key"), {**values, "key": key})


def review_rows(db) -> list[tuple]:
    with db.engine.connect() as c:
        return c.execute(text(
            "SELECT c.key, r.rating, r.kind FROM reviews r JOIN cards c ON c.id = r.card_id "
            "ORDER BY r.id")).all()


def card_row(db, key: str) -> dict:
    with db.engine.connect() as c:
        row = c.execute(text("SELECT * FROM cards WHERE key = :k"), {"k": key}).mappings().one()
        return dict(row)


@pytest.fixture
def fixed_settings(tiny_settings):
    """The tiny deck, limits that never get in the way."""
    return tiny_settings
