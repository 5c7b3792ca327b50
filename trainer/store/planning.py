"""Queries for interview mode, the optimizer and the statistics: memory states, due loads,
review history, what the learner's answers say (calibration, first answers, sittings).

Read-only except ``set_dues`` (interview mode moving reviews earlier). One transaction each,
in plain SQL on the database's own connections (``Database.read`` / ``write``).
"""

from __future__ import annotations

from datetime import datetime

from trainer.core.model import Model
from trainer.store.database import Database, guarded_write
from trainer.store.records import ACTIVE, STATE_COLUMNS, CardState, StoredState
from trainer.store.stamps import parse_stamp, stamp

# The stored state codes, inline in the SQL.
_REVIEW = f"{StoredState.REVIEW:d}"
_LEARNING = f"{StoredState.LEARNING:d}"
_IN_STEPS = f"({StoredState.LEARNING:d}, {StoredState.RELEARNING:d})"  # (re)learning


class HistoryReview(Model):
    """One scheduled review (drills excluded: they never moved the FSRS state)."""

    card_id: int
    rating: int
    reviewed_at: datetime
    duration_ms: int | None = None


def _states(db: Database, where: str, params: tuple = ()) -> list[CardState]:
    with db.read() as c:
        rows = c.execute(f"SELECT {STATE_COLUMNS} FROM cards WHERE {ACTIVE} AND {where} "
                         "ORDER BY id", params).fetchall()
    return [CardState.from_row(row) for row in rows]


def card_states(db: Database) -> list[CardState]:
    """Every active card's state (never-studied ones have ``due`` None)."""
    return _states(db, "1")


def reviews_due_after(db: Database, moment: datetime) -> list[CardState]:
    """Active review cards due after ``moment``."""
    return _states(db, f"state = {_REVIEW} AND due > ?", (stamp(moment),))


def review_dues(db: Database, start: datetime, end: datetime) -> list[datetime]:
    """Due times of the active review cards due in ``[start, end)``."""
    with db.read() as c:
        rows = c.execute(f"SELECT due FROM cards WHERE {ACTIVE} AND state = {_REVIEW} "
                         "AND due >= ? AND due < ?", (stamp(start), stamp(end))).fetchall()
    return [parse_stamp(due) for (due,) in rows]


def unseen_count(db: Database) -> int:
    """Active cards never studied."""
    with db.read() as c:
        (count,), = c.execute(f"SELECT count(*) FROM cards WHERE {ACTIVE} AND due IS NULL")
    return count


def set_dues(db: Database, dues: dict[int, datetime]) -> None:
    """Move cards' due dates (card id -> due), all in one transaction; a failed write is a
    ``StoreError`` (``guarded_write``) and changes nothing."""
    if not dues:
        return

    def write() -> None:
        with db.write() as c:
            c.executemany("UPDATE cards SET due = ? WHERE id = ?",
                          [(stamp(due), card_id) for card_id, due in dues.items()])

    guarded_write(db.path, write)


def scheduled_history(db: Database) -> list[HistoryReview]:
    """Every scheduled review, oldest first (ties by id)."""
    with db.read() as c:
        rows = c.execute("SELECT card_id, rating, reviewed_at, duration_ms FROM reviews "
                         "WHERE kind = 'scheduled' ORDER BY reviewed_at, id").fetchall()
    return [HistoryReview(card_id=card, rating=rating, reviewed_at=parse_stamp(at),
                          duration_ms=ms) for card, rating, at, ms in rows]


SCAN_LIMIT = 6_000  # a mature history: most of them are Review-state answers


def calibration_samples(db, limit: int = 2000) -> list[tuple[float, float, bool]]:
    """The latest ``limit`` scheduled reviews of cards in the Review state, newest first:
    (the stability held before the review, days since the previous review, continuous;
    recalled: any grade but Again). What ``trainer.scheduling.calibration`` compares.
    ``db``: a ``Database`` or a ``Reader`` (``trainer stats``)."""
    # Only the latest SCAN_LIMIT scheduled reviews are looked through: with few Review-state
    # answers among them, the search would walk the whole log.
    with db.read() as c:
        rows = c.execute(
            "SELECT json_extract(state_before, '$.stability'), julianday(reviewed_at) "
            "- julianday(json_extract(state_before, '$.last_review')), rating > 1 "
            "FROM (SELECT state_before, reviewed_at, rating, prev_state FROM reviews "
            "WHERE kind = 'scheduled' ORDER BY reviewed_at DESC LIMIT ?) "
            f"WHERE prev_state = {_REVIEW} AND state_before IS NOT NULL LIMIT ?",
            (SCAN_LIMIT, limit)).fetchall()
    return [(s, t, bool(y)) for s, t, y in rows if s is not None and t is not None]


def first_answers(db: Database, since: datetime) -> tuple[int, int, list[int]]:
    """Since ``since``: (answers of cards in learning, first answers included; new cards
    introduced; their first grades counted, Again to Easy)."""
    with db.read() as c:
        row = c.execute(
            f"SELECT count(*) FILTER (WHERE was_new = 1 OR prev_state = {_LEARNING}), "
            "count(*) FILTER (WHERE was_new = 1), "
            + ", ".join(f"count(*) FILTER (WHERE was_new = 1 AND rating = {g})"
                        for g in (1, 2, 3, 4))
            + " FROM reviews WHERE kind = 'scheduled' AND reviewed_at >= ?",
            (stamp(since),)).fetchone()
    return row[0], row[1], list(row[2:])


def recent_review_times(db: Database, limit: int = 300) -> list[datetime]:
    """When the latest ``limit`` scheduled reviews were given (newest first)."""
    with db.read() as c:
        rows = c.execute("SELECT reviewed_at FROM reviews WHERE kind = 'scheduled' "
                         "ORDER BY reviewed_at DESC LIMIT ?", (limit,)).fetchall()
    return [parse_stamp(at) for (at,) in rows]


def learning_due(db: Database, day_end: datetime) -> int:
    """Cards in learning or relearning due before ``day_end``: answers today still owes
    (one range scan of ``ix_cards_queue``)."""
    with db.read() as c:
        (count,), = c.execute(f"SELECT count(*) FROM cards WHERE state IN {_IN_STEPS} AND "
                              f"due < ? AND {ACTIVE}", (stamp(day_end),))
    return count
