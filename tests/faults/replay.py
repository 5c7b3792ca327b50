"""Re-derive every card's FSRS state from its reviews, straight from the SQLite file.

The reviews are the truth; a card's stored state must be what replaying its reviews (in
the order they were committed) through ``MemoryModel`` with fuzzing off gives, and each
review's ``state_before`` must be the state the previous review left. A lost review, a
doubled one, or a review computed from a stale state breaks the chain.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import State

from trainer.config.settings import Settings
from trainer.scheduling.memory import Grade, MemoryModel

FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def memory_for(settings: Settings) -> MemoryModel:
    return MemoryModel(
        desired_retention=settings.desired_retention,
        learning_steps=settings.learning_steps,
        relearning_steps=settings.relearning_steps,
        maximum_interval=settings.maximum_interval_days,
        enable_fuzzing=False,
    )


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _fields(card: FsrsCard) -> dict:
    return dict(state=int(card.state), step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due, last_review=card.last_review)


@dataclass
class CardHistory:
    key: str
    reviews: int
    stored: dict
    replayed: dict
    broken_links: list[str]


def replay(path: Path, settings: Settings, *, check_due: str = "all") -> dict[str, CardHistory]:
    """Every reviewed card's history. ``check_due``: "all", or "learning" to leave out the
    due date of cards in the Review state (the only field FSRS fuzzing changes)."""
    memory = memory_for(settings)
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        cards = db.execute(
            "SELECT id, key, state, step, stability, difficulty, due, last_review FROM cards "
            "WHERE id IN (SELECT card_id FROM reviews)").fetchall()
        rows = db.execute("SELECT card_id, rating, reviewed_at, was_new, state_before "
                          "FROM reviews ORDER BY id").fetchall()
    histories: dict[str, CardHistory] = {}
    for card_id, key, *stored in cards:
        reviews = [r for r in rows if r[0] == card_id]
        current: FsrsCard | None = None
        broken: list[str] = []
        for index, (_, rating, reviewed_at, was_new, state_before) in enumerate(reviews):
            moment = _time(reviewed_at)
            if bool(was_new) != (current is None):
                broken.append(f"review {index}: was_new={bool(was_new)}")
            if state_before is not None and current is not None:
                before = json.loads(state_before)
                before = {k: _time(v) if k in ("due", "last_review") else v
                          for k, v in before.items() if k in FIELDS}
                if before != _fields(current):
                    broken.append(f"review {index}: state_before {before} != {_fields(current)}")
            if current is None:
                current = FsrsCard(card_id=card_id, state=State.Learning, step=0, due=moment)
            current = memory.review(current, Grade(rating), moment)
        stored_fields = dict(zip(FIELDS, stored, strict=True))
        stored_fields["due"] = _time(stored_fields["due"])
        stored_fields["last_review"] = _time(stored_fields["last_review"])
        replayed = _fields(current)
        if check_due == "learning" and replayed["state"] == int(State.Review):
            stored_fields.pop("due")
            replayed.pop("due")
        histories[key] = CardHistory(key, len(reviews), stored_fields, replayed, broken)
    return histories
