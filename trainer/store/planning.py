"""Queries for interview mode and the optimizer: memory states, due loads, review history.

Read-only except ``set_dues`` (interview mode moving reviews earlier). One transaction each.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import and_, func, select, update

from trainer.store.database import Database, guarded_write
from trainer.store.models import CardRow, ReviewRow
from trainer.store.records import CardState

REVIEW_STATE = 2  # fsrs.State.Review


class HistoryReview(BaseModel):
    """One scheduled review (drills excluded: they never moved the FSRS state)."""

    card_id: int
    rating: int
    reviewed_at: datetime
    duration_ms: int | None = None


def _active():
    return and_(CardRow.retired.is_(False), CardRow.suspended.is_(False))


def _state(row: CardRow) -> CardState:
    return CardState(
        id=row.id, key=row.key, topic=row.topic, state=row.state, step=row.step,
        stability=row.stability, difficulty=row.difficulty, due=row.due,
        last_review=row.last_review,
    )


def card_states(db: Database) -> list[CardState]:
    """Every active card's state (never-studied ones have ``due`` None)."""
    with db.sessions.begin() as s:
        return [_state(r) for r in s.scalars(select(CardRow).where(_active())
                                             .order_by(CardRow.id)).all()]


def reviews_due_after(db: Database, moment: datetime) -> list[CardState]:
    """Active review cards due after ``moment``."""
    query = (select(CardRow).where(_active(), CardRow.state == REVIEW_STATE,
                                   CardRow.due > moment).order_by(CardRow.id))
    with db.sessions.begin() as s:
        return [_state(r) for r in s.scalars(query).all()]


def review_dues(db: Database, start: datetime, end: datetime) -> list[datetime]:
    """Due times of the active review cards due in ``[start, end)``."""
    query = select(CardRow.due).where(_active(), CardRow.state == REVIEW_STATE,
                                      CardRow.due >= start, CardRow.due < end)
    with db.sessions.begin() as s:
        return list(s.scalars(query).all())


def unseen_count(db: Database) -> int:
    """Active cards never studied."""
    with db.sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(CardRow).where(
            _active(), CardRow.due.is_(None))) or 0


def set_dues(db: Database, dues: dict[int, datetime]) -> None:
    """Move cards' due dates (card id -> due), all in one transaction; a failed write is a
    ``StoreError`` (``guarded_write``) and changes nothing."""
    if not dues:
        return

    def write() -> None:
        with db.sessions.begin() as s:
            for card_id, due in dues.items():
                s.execute(update(CardRow).where(CardRow.id == card_id).values(due=due))

    guarded_write(db.path, write)


def scheduled_history(db: Database) -> list[HistoryReview]:
    """Every scheduled review, oldest first (ties by id)."""
    query = (select(ReviewRow.card_id, ReviewRow.rating, ReviewRow.reviewed_at,
                    ReviewRow.duration_ms)
             .where(ReviewRow.kind == "scheduled")
             .order_by(ReviewRow.reviewed_at, ReviewRow.id))
    with db.sessions.begin() as s:
        return [HistoryReview(card_id=c, rating=r, reviewed_at=t, duration_ms=d)
                for c, r, t, d in s.execute(query).all()]
