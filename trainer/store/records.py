"""Plain data that leaves the store (pydantic, never ORM rows)."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from trainer.core.model import Model
from trainer.store.stamps import parse_stamp


class StoredState(IntEnum):
    """``cards.state`` and ``reviews.prev_state`` as stored: FSRS's state codes (NULL is
    a card never reviewed). Named here because the store does not import ``fsrs``;
    ``trainer/scheduling/`` maps them to ``fsrs.State``."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


# The columns of ``cards`` a ``CardState`` is read from, in ``CardState.from_row`` order.
STATE_COLUMNS = "id, key, topic, state, step, stability, difficulty, due, last_review"
# The cards the queue and the plans see: in a deck, not suspended.
ACTIVE = "retired = 0 AND suspended = 0"


class CardEntry(Model):
    """What the deck tells the store about a card: identity and where it sorts."""

    key: str
    deck: str
    topic: str
    kind: str = "basic"
    ordinal: int = 0


class CardState(Model):
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

    @classmethod
    def from_row(cls, row: tuple) -> CardState:
        """A row of ``STATE_COLUMNS`` as read with the sqlite3 module."""
        return cls(id=row[0], key=row[1], topic=row[2], state=row[3], step=row[4],
                   stability=row[5], difficulty=row[6], due=parse_stamp(row[7]),
                   last_review=parse_stamp(row[8]))


class Attempt(Model):
    """An exercise answer as recorded with its review: enough to pose the instance again."""

    seed: int | None
    params: dict
    answer: str
    correct: bool


class TopicCounts(Model):
    topic: str
    due: int = 0
    new: int = 0
    total: int = 0

