"""Queries and writes on the cards and their reviews, one transaction each, in plain SQL
on the database's own sqlite3 connections (``Database.read`` / ``write``): no ORM on a
path an answer or the start-up takes."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import datetime, timedelta

from trainer.store.database import Database, guarded_write
from trainer.store.records import (
    ACTIVE,
    STATE_COLUMNS,
    Attempt,
    CardState,
    StoredState,
    TopicCounts,
)
from trainer.store.stamps import parse_stamp, stamp

# The stored state codes, inline in the SQL (literals, as the plans were measured with).
_LEARNING = f"state IN ({StoredState.LEARNING:d}, {StoredState.RELEARNING:d})"
_REVIEW = f"state = {StoredState.REVIEW:d}"


# -- the hot path in plain SQL on the pooled sqlite3 handle (``Database.read``/``write``):
# what a card's answer runs, each statement fitted to an index (migration 0005).
_ACTIVE = f"AND {ACTIVE}"
_TICK = timedelta(microseconds=1)  # due <= now and due < end, as one bound: due <= end - 1us

Topics = str | tuple[str, ...] | None  # one topic, a group's topics, or every topic


def _topic_filter(topic: Topics, exclude: tuple[str, ...] = ()) -> tuple[str, tuple]:
    """`` AND topic ...`` and its parameters: one topic, several (a group), none; minus
    ``exclude`` (topics whose new cards wait for the ones they build on)."""
    sql, params = "", ()
    if isinstance(topic, str):
        sql, params = " AND topic = ?", (topic,)
    elif topic is not None:
        sql, params = f" AND topic IN ({', '.join('?' * len(topic))})", topic
    if exclude:
        sql += f" AND topic NOT IN ({', '.join('?' * len(exclude))})"
        params = (*params, *exclude)
    return sql, params


def _schedule_values(card: CardState) -> tuple:
    """``_SCHEDULE_FIELDS`` of ``card`` as SQLite stores them."""
    return (card.state, card.step, card.stability, card.difficulty,
            None if card.due is None else stamp(card.due),
            None if card.last_review is None else stamp(card.last_review))


class CardChanged(Exception):
    """The card changed since it was read (another instance answered it): read it again."""


_SCHEDULE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def _write(method):
    """A write transaction, retried while another instance holds the lock; any other
    failure is a ``StoreError`` naming the file (``database.guarded_write``). One-shot
    iterators among the arguments are read once first, so a retry sees the same input."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
        return guarded_write(self.db.path, lambda: method(self, *args, **kwargs))

    return wrapper


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- what is due ---------------------------------------------------------------------
    def topic_counts(self, now: datetime, day_end: datetime) -> list[TopicCounts]:
        """Per topic of the active cards: due in this study day, new, all."""
        with self.db.read() as c:
            rows = c.execute(
                "SELECT topic, "
                f"sum(CASE WHEN ({_LEARNING} AND due <= ?) OR ({_REVIEW} AND due < ?) "
                "THEN 1 ELSE 0 END), sum(CASE WHEN due IS NULL THEN 1 ELSE 0 END), count(*) "
                f"FROM cards WHERE 1 {_ACTIVE} GROUP BY topic",
                (stamp(now), stamp(day_end))).fetchall()
        return [TopicCounts(topic=t, due=d or 0, new=n or 0, total=n_all)
                for t, d, n, n_all in rows]

    def due_count(self, now: datetime, day_end: datetime, topic: Topics = None) -> int:
        """Cards due in this study day: learning ones due by ``now``, reviews before the end.

        Two range scans of the covering ``ix_cards_queue`` (no table row is read)."""
        where, topics = _topic_filter(topic)
        learning_until = stamp(min(now, day_end - _TICK))
        with self.db.read() as c:
            (learning,), = c.execute(
                f"SELECT count(*) FROM cards WHERE {_LEARNING} AND due <= ? {_ACTIVE}"
                f"{where}", (learning_until, *topics))
            (reviews,), = c.execute(
                f"SELECT count(*) FROM cards WHERE {_REVIEW} AND due < ? {_ACTIVE}{where}",
                (stamp(day_end), *topics))
        return learning + reviews

    def new_count(self, at_most: int, topic: Topics = None,
                  exclude: tuple[str, ...] = ()) -> int:
        """Never-reviewed cards, counted up to ``at_most`` only (the day's new-card quota)."""
        if at_most <= 0:
            return 0
        where, params = _topic_filter(topic, exclude)
        with self.db.read() as c:
            (count,), = c.execute(
                f"SELECT count(*) FROM (SELECT id FROM cards WHERE due IS NULL {_ACTIVE}{where} "
                "LIMIT ?)", (*params, at_most))
        return count

    def introduced_by_topic(self) -> tuple[dict[str, int], dict[str, int]]:
        """Per topic: cards introduced so far (reviewed at least once), and new ones left."""
        with self.db.read() as c:
            rows = c.execute(f"SELECT topic, sum(due IS NOT NULL), sum(due IS NULL) FROM cards "
                             f"WHERE 1 {_ACTIVE} GROUP BY topic").fetchall()
        return {t: seen for t, seen, _ in rows}, {t: left for t, _, left in rows}

    def learning_due(self, until: datetime, limit: int, topic: Topics = None
                     ) -> list[CardState]:
        """Learning and relearning cards due by ``until``, soonest first."""
        # Few cards are learning: two range scans, then a sort of those few (walking
        # ix_cards_due in order instead would read every overdue review).
        return self._cards("ix_cards_queue", f"{_LEARNING} AND due <= ?", (stamp(until),),
                           "due, id", limit, topic)

    def reviews_due(self, before: datetime, limit: int, topic: Topics = None
                    ) -> list[CardState]:
        """Review cards due before ``before`` (the end of the study day), most overdue first."""
        return self._cards("ix_cards_due", f"{_REVIEW} AND due < ?", (stamp(before),),
                           "due, id", limit, topic)

    def new_cards(self, limit: int, topic: Topics = None,
                  exclude: tuple[str, ...] = ()) -> list[CardState]:
        """Never-reviewed cards in deck order, topics interleaved (ordinal, then topic)."""
        if limit <= 0:
            return []
        # In deck order from the partial index, stopping at ``limit`` (with a topic too:
        # the planner would otherwise sort every new card).
        return self._cards("ix_cards_new", "due IS NULL", (), "ordinal, topic, id", limit,
                           topic, exclude)

    def _cards(self, index: str, condition: str, params: tuple, order: str, limit: int,
               topic: Topics, exclude: tuple[str, ...] = ()) -> list[CardState]:
        """Active cards meeting ``condition`` through ``index`` (SQLite's INDEXED BY: the
        plan measured best on a large collection, whatever the statistics say)."""
        where, topics = _topic_filter(topic, exclude)
        with self.db.read() as c:
            rows = c.execute(
                f"SELECT {STATE_COLUMNS} FROM cards INDEXED BY {index} WHERE {condition} "
                f"{_ACTIVE}{where} ORDER BY {order} LIMIT ?",
                (*params, *topics, limit)).fetchall()
        return [CardState.from_row(row) for row in rows]

    def next_due_after(self, moment: datetime) -> datetime | None:
        with self.db.read() as c:
            (due,), = c.execute(f"SELECT min(due) FROM cards WHERE due > ? {_ACTIVE}",
                                (stamp(moment),))
        return parse_stamp(due)

    def card(self, key: str) -> CardState | None:
        with self.db.read() as c:
            row = c.execute(f"SELECT {STATE_COLUMNS} FROM cards WHERE key = ?",
                            (key,)).fetchone()
        return None if row is None else CardState.from_row(row)

    # -- counts for the day ------------------------------------------------------------
    def new_introduced_since(self, since: datetime) -> int:
        with self.db.read() as c:
            (count,), = c.execute(
                "SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND kind = 'scheduled' "
                "AND was_new = 1", (stamp(since),))
        return count

    def reviews_since(self, since: datetime) -> int:
        """Scheduled reviews since ``since`` (drills are extra practice: never counted)."""
        with self.db.read() as c:
            (count,), = c.execute(
                "SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND kind = 'scheduled'",
                (stamp(since),))
        return count

    def keys_reviewed_since(self, since: datetime) -> set[str]:
        """Keys of the cards given a scheduled review since ``since``."""
        with self.db.read() as c:
            rows = c.execute(
                "SELECT DISTINCT c.key FROM reviews r JOIN cards c ON c.id = r.card_id "
                "WHERE r.reviewed_at >= ? AND r.kind = 'scheduled'", (stamp(since),))
            return {key for (key,) in rows}

    # -- answering -----------------------------------------------------------------------
    @_write
    def record_review(
        self, before: CardState, after: CardState, *, rating: int, reviewed_at: datetime,
        duration_ms: int | None, lang: str | None, attempt: Attempt | None = None,
        leech: bool = False,
    ) -> int:
        """Write the review and the card's new state in one transaction; returns the review id.

        ``leech``: this answer made the card a leech; it is marked and suspended with it.
        """
        state_before = prev_interval = None
        if not before.is_new:
            state_before = json.dumps(before.model_dump(mode="json",
                                                        exclude={"id", "key", "topic"}))
            if before.last_review is not None:
                prev_interval = (before.due - before.last_review).total_seconds() / 86_400
        seed = params = answer = correct = None
        if attempt is not None:
            seed, answer, correct = attempt.seed, attempt.answer, attempt.correct
            params = json.dumps(attempt.params, sort_keys=True)
        flags = ", leech = 1, suspended = 1" if leech else ""
        with self.db.write() as c:
            # Under the write lock (BEGIN IMMEDIATE): if another instance answered this
            # card since ``before`` was read, writing ``after`` would lose its review.
            current = c.execute(f"SELECT {', '.join(_SCHEDULE_FIELDS)} FROM cards "
                                "WHERE id = ?", (before.id,)).fetchone()
            if current is None or current != _schedule_values(before):
                raise CardChanged(before.key)
            review_id = c.execute(
                "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
                "state_before, lang, seed, params, answer, correct, kind, prev_state, "
                "prev_interval) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
                (before.id, rating, stamp(reviewed_at), duration_ms, before.is_new,
                 state_before, lang, seed, params, answer, correct,
                 None if before.is_new else before.state, prev_interval)).lastrowid
            c.execute(f"UPDATE cards SET {', '.join(f + ' = ?' for f in _SCHEDULE_FIELDS)}"
                      f"{flags} WHERE id = ?", (*_schedule_values(after), before.id))
        return review_id

    @_write
    def undo_review(self, review_id: int) -> CardState | None:
        """Delete a review and put its card back exactly as it was before it.

        None when there is nothing to undo: the review is gone, or the card was answered
        again since (in another window), whose review undoing this one would wipe out.
        """
        with self.db.write() as c:
            review = c.execute("SELECT card_id, state_before FROM reviews WHERE id = ?",
                               (review_id,)).fetchone()
            if review is None:
                return None
            card_id, state_before = review
            (later,), = c.execute(
                "SELECT count(*) FROM reviews WHERE card_id = ? AND id > ? "
                "AND kind = 'scheduled'", (card_id, review_id))
            if later:
                return None
            restored = CardState(id=card_id, key="", topic="",
                                 **(json.loads(state_before) if state_before else {}))
            c.execute(f"UPDATE cards SET {', '.join(f + ' = ?' for f in _SCHEDULE_FIELDS)} "
                      "WHERE id = ?", (*_schedule_values(restored), card_id))
            c.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            row = c.execute(f"SELECT {STATE_COLUMNS} FROM cards WHERE id = ?",
                            (card_id,)).fetchone()
        return CardState.from_row(row)
