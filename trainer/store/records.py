"""Plain data that leaves the store (pydantic, never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class CardEntry(BaseModel):
    """What the deck tells the store about a card: identity and where it sorts."""

    key: str
    deck: str
    topic: str
    kind: str = "basic"
    ordinal: int = 0


class CardState(BaseModel):
    """A card's scheduling state as stored; ``due is None`` means never reviewed."""

    id: int
    key: str
    topic: str
    state: int | None = None
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None


class Attempt(BaseModel):
    """An exercise answer as recorded with its review: enough to pose the instance again."""

    seed: int | None
    params: dict
    answer: str
    correct: bool


class TopicCounts(BaseModel):
    topic: str
    due: int = 0
    new: int = 0
    total: int = 0


class ReviewRecord(BaseModel):
    id: int
    card_key: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None
    was_new: bool
