"""Progress queries: statistics by SQL aggregation, missed cards, leeches, the browser.

Also the few writes those screens need: drill reviews (logged, never applied to the
schedule), suspend / unsuspend / reset. One transaction per call, as in ``repository``.

Rules every query here follows:

- a *scheduled* review (``reviews.kind = 'scheduled'``) moved the card's FSRS state; a
  *drill* (``'drill'``) is extra practice of a missed card and is excluded from every
  count of scheduled work (retention, lapses, leeches, daily limits);
- a *lapse* is an Again, in a scheduled review, of a card in the Review state
  (``reviews.prev_state``, written with the review), counted since the card was last new
  (a reset starts from zero);
- days are the caller's study days, passed in as UTC ``[start, end)`` bounds, so the
  local rollover hour and daylight-saving changes are exact: each day is one index range
  scan of the covering ``ix_reviews_day`` (or of ``ix_cards_due``).

Reads go through ``db.read()``, a sqlite3 connection: a ``Database`` or, for ``trainer
stats``, a ``Reader`` (``open_reader``). The writes (drills, card actions) are one
``db.write()`` transaction each, retried by ``guarded_write`` while another instance
holds the lock. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from trainer.core.model import Model
from trainer.store.database import guarded_write
from trainer.store.records import StoredState
from trainer.store.stamps import parse_stamp, stamp

if TYPE_CHECKING:
    from trainer.store.database import Database, Reader
    from trainer.store.records import Attempt

MATURE_DAYS = 21  # Anki's line between young and mature cards
_EPOCH = "0001-01-01 00:00:00.000000"
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US_PER_DAY = 86_400_000_000

# The card's scheduled interval and state just before a review (written with it).
_INTERVAL = "r.prev_interval"
_WAS_REVIEW = f"r.prev_state = {StoredState.REVIEW:d}"


class DayCount(Model):
    reviews: int = 0
    seconds: float = 0.0


class RetentionCount(Model):
    """Scheduled reviews of cards in the Review state in a window, and how many passed."""

    days: int
    young_reviews: int = 0
    young_passed: int = 0
    mature_reviews: int = 0
    mature_passed: int = 0


class TopicRecall(Model):
    """The cards of a topic (not retired), how many were studied, and the sum of their
    predicted recall (0 for a card never studied)."""

    topic: str
    cards: int
    studied: int
    recall_sum: float


class WeakRow(Model):
    key: str
    topic: str
    recall: float
    stability: float


class MissedRow(Model):
    key: str
    topic: str
    kind: str
    suspended: bool
    leech: bool
    last_missed: datetime
    misses: int
    seed: int | None
    params: dict | None
    answer: str | None


class CardRowInfo(Model):
    """A card as the browser lists it."""

    id: int
    key: str
    topic: str
    kind: str
    state: int | None
    due: datetime | None
    last_review: datetime | None
    stability: float | None
    suspended: bool
    leech: bool


class HistoryRow(Model):
    id: int
    reviewed_at: datetime
    rating: int
    kind: str
    was_new: bool
    duration_ms: int | None
    state_before: int | None
    due_before: datetime | None
    last_review_before: datetime | None
    seed: int | None
    params: dict | None
    answer: str | None
    correct: bool | None


def _days_cte(bounds: Sequence[tuple[datetime, datetime]], name: str = "days"
              ) -> tuple[str, dict[str, str]]:
    rows, params = [], {}
    for i, (start, end) in enumerate(bounds):
        rows.append(f"({i}, :{name}_s{i}, :{name}_e{i})")
        params[f"{name}_s{i}"] = stamp(start)
        params[f"{name}_e{i}"] = stamp(end)
    return f"{name}(i, s, e) AS (VALUES {', '.join(rows)})", params


# Predicted recall now of a ``cards`` row, as ``fsrs.Scheduler.get_card_retrievability``:
# R = (1 + FACTOR * t / S) ** DECAY, t the whole days elapsed (floored, never negative),
# computed in integer microseconds (exact); 0 for a card never studied. Binds ``:now_us``
# (microseconds since 1970, UTC), ``:factor`` and ``:decay``. ``last_review`` in
# microseconds since 1970: the whole seconds through julianday (2440587.5 is 1970-01-01;
# rounded, exact), then the six digits of the fraction.
_LAST_US = ("(CAST(round((julianday(substr(last_review, 1, 19)) - 2440587.5) * 86400) "
            "AS INTEGER) * 1000000 + CAST(substr(last_review, 21, 6) AS INTEGER))")
_RECALL = (f"CASE WHEN stability IS NULL OR last_review IS NULL THEN 0.0 ELSE "
           f"pow(1 + :factor * max(0, (:now_us - {_LAST_US}) / {_US_PER_DAY}) / stability, "
           ":decay) END")


def _require_pow(connection: sqlite3.Connection) -> None:
    """``pow()`` is one of SQLite's math functions (3.35+, a compile-time option); where
    the sqlite3 module's library lacks it, the same C ``pow`` through ``math.pow``."""
    try:
        connection.execute("SELECT pow(2, 0.5)").fetchone()
    except sqlite3.OperationalError:
        connection.create_function("pow", 2, math.pow, deterministic=True)


class ProgressQueries:
    """Read models for the progress screens, and the card actions they offer.

    ``db``: a ``Database``; a ``Reader`` is enough for everything but the writes."""

    def __init__(self, db: Database | Reader) -> None:
        self.db = db

    # -- statistics --------------------------------------------------------------------
    def reviews_per_day(self, bounds: Sequence[tuple[datetime, datetime]]) -> list[DayCount]:
        """Reviews (scheduled and drills: all the practice done) and time, per day."""
        if not bounds:
            return []
        # One statement (prepared once) per day, each a range scan of the covering
        # ix_reviews_day: a join of the days grouped by day would sort every review.
        query = ("SELECT count(*), total(duration_ms) FROM reviews "
                 "WHERE reviewed_at >= ? AND reviewed_at < ?")
        with self.db.read() as c:
            rows = [c.execute(query, (stamp(start), stamp(end))).fetchone()
                    for start, end in bounds]
        return [DayCount(reviews=count, seconds=ms / 1000) for count, ms in rows]

    def retention(self, windows: dict[int, datetime], until: datetime) -> list[RetentionCount]:
        """True retention per window (days -> start): scheduled reviews of Review-state
        cards, passed = not Again; young / mature by the interval they were due at.

        The windows are cut into slices between their starts (narrowest first); each
        slice is one range scan of the covering ``ix_reviews_day`` (no sort, no table),
        and a window sums the slices it holds."""
        if not windows:
            return []
        ordered = sorted(windows.items(), key=lambda kv: kv[1], reverse=True)  # narrowest 1st
        is_mature = f"{_INTERVAL} >= :mature"
        query = (
            "SELECT count(*), count(*) FILTER (WHERE r.rating > 1), "
            f"count(*) FILTER (WHERE {is_mature}), "
            f"count(*) FILTER (WHERE {is_mature} AND r.rating > 1) FROM reviews r "
            "WHERE r.reviewed_at >= :start AND r.reviewed_at < :end "
            f"AND r.kind = 'scheduled' AND {_WAS_REVIEW}")
        slices = []  # (reviews, passed, mature reviews, mature passed) of each slice
        end = stamp(until)
        with self.db.read() as c:
            for _days, start in ordered:
                begin = min(stamp(start), end)
                slices.append(c.execute(query, {"start": begin, "end": end,
                                                "mature": MATURE_DAYS}).fetchone())
                end = begin
        counts, running = {}, (0, 0, 0, 0)
        for (days, _start), counted in zip(ordered, slices, strict=True):
            running = tuple(a + b for a, b in zip(running, counted, strict=True))
            total, passed, mature, mature_passed = running
            counts[days] = RetentionCount(
                days=days, young_reviews=total - mature, young_passed=passed - mature_passed,
                mature_reviews=mature, mature_passed=mature_passed)
        return [counts[days] for days in windows]

    def due_per_day(self, bounds: Sequence[tuple[datetime, datetime]]) -> list[int]:
        """Active cards due in each day; the first day also takes every overdue card."""
        if not bounds:
            return []
        cte, params = _days_cte(bounds)
        params["days_s0"] = _EPOCH
        query = (
            f"WITH {cte} SELECT d.i, count(c.id) FROM days d CROSS JOIN cards c "
            "WHERE c.due >= d.s AND c.due < d.e AND c.suspended = 0 AND c.retired = 0 "
            "GROUP BY d.i")
        out = [0] * len(bounds)
        with self.db.read() as c:
            for i, count in c.execute(query, params).fetchall():
                out[i] = count
        return out

    def recall(self, now: datetime, decay: float, factor: float, weakest: int
               ) -> tuple[list[TopicRecall], list[WeakRow]]:
        """Predicted recall at ``now`` on the forgetting curve (``decay``, ``factor``), in
        SQL: per topic (every card not retired), and the ``weakest`` studied cards that are
        not suspended, lowest recall first (ties in id order, as a stable sort)."""
        now_us = (now - _UNIX_EPOCH) // timedelta(microseconds=1)  # exact; naive: TypeError
        params = {"now_us": now_us, "decay": decay, "factor": factor, "weakest": weakest}
        per_topic = (f"SELECT topic, count(*), count(stability), total({_RECALL}) FROM cards "
                     "WHERE retired = 0 GROUP BY topic ORDER BY topic")
        lowest = (f"SELECT key, topic, {_RECALL} AS recall, stability FROM cards "
                  "WHERE retired = 0 AND suspended = 0 AND stability IS NOT NULL "
                  "ORDER BY recall, id LIMIT :weakest")
        with self.db.read() as c:
            _require_pow(c)
            topics = c.execute(per_topic, params).fetchall()
            weak = c.execute(lowest, params).fetchall()
        return ([TopicRecall(topic=t, cards=n, studied=k, recall_sum=r) for t, n, k, r in topics],
                [WeakRow(key=k, topic=t, recall=r, stability=s) for k, t, r, s in weak])

    def totals(self, since: datetime) -> tuple[int, float]:
        """Reviews and seconds studied since ``since`` (drills included)."""
        query = ("SELECT count(*), coalesce(sum(duration_ms), 0) FROM reviews "
                 "WHERE reviewed_at >= :since")
        with self.db.read() as c:
            count, ms = c.execute(query, {"since": stamp(since)}).fetchone()
        return count, ms / 1000

    # -- lapses and leeches --------------------------------------------------------------
    def lapses(self, card_id: int) -> int:
        """Lapses of one card since it was last new (scheduled reviews only)."""
        query = (
            "SELECT count(*) FROM reviews r WHERE r.card_id = :id AND r.kind = 'scheduled' "
            f"AND r.rating = 1 AND {_WAS_REVIEW} AND r.id > coalesce((SELECT max(n.id) "
            "FROM reviews n WHERE n.card_id = :id AND n.was_new = 1), 0)")
        with self.db.read() as c:
            return c.execute(query, {"id": card_id}).fetchone()[0]

    # -- missed cards and drills ---------------------------------------------------------
    def missed(self, since: datetime, until: datetime) -> list[MissedRow]:
        """Cards graded Again or answered wrong in [since, until), most recent miss first,
        each once, with its latest missed attempt (exercise seed, parameters, answer)."""
        query = (
            "WITH m AS (SELECT r.*, row_number() OVER (PARTITION BY r.card_id "
            "ORDER BY r.reviewed_at DESC, r.id DESC) AS rn, "
            "count(*) OVER (PARTITION BY r.card_id) AS misses FROM reviews r "
            "WHERE r.reviewed_at >= :since AND r.reviewed_at < :until "
            "AND (r.rating = 1 OR r.correct = 0)) "
            "SELECT c.key, c.topic, c.kind, c.suspended, c.leech, m.reviewed_at, m.misses, "
            "m.seed, m.params, m.answer FROM m JOIN cards c ON c.id = m.card_id "
            "WHERE m.rn = 1 AND c.retired = 0 ORDER BY m.reviewed_at DESC, m.id DESC")
        with self.db.read() as c:
            rows = c.execute(query, {"since": stamp(since), "until": stamp(until)}).fetchall()
        return [
            MissedRow(key=r[0], topic=r[1], kind=r[2], suspended=bool(r[3]), leech=bool(r[4]),
                      last_missed=parse_stamp(r[5]), misses=r[6], seed=r[7],
                      params=json.loads(r[8]) if r[8] else None, answer=r[9])
            for r in rows
        ]

    def record_drill(
        self, key: str, *, rating: int, reviewed_at: datetime, duration_ms: int | None,
        lang: str | None, attempt: Attempt | None = None,
    ) -> int:
        """Log a drill (kind 'drill'); the card's row, its FSRS state, is not touched.
        ``StoreError`` when it cannot be written (nothing was)."""
        return guarded_write(self.db.path, lambda: self._record_drill(
            key, rating, reviewed_at, duration_ms, lang, attempt))

    def _record_drill(self, key, rating, reviewed_at, duration_ms, lang, attempt) -> int:
        seed = params = answer = correct = None
        if attempt is not None:
            seed, answer, correct = attempt.seed, attempt.answer, attempt.correct
            params = json.dumps(attempt.params, sort_keys=True)
        with self.db.write() as c:
            row = c.execute("SELECT id FROM cards WHERE key = ?", (key,)).fetchone()
            if row is None:
                raise KeyError(f"no card {key!r} in the database")
            return c.execute(
                "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
                "state_before, lang, seed, params, answer, correct, kind) "
                "VALUES (?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?, 'drill')",
                (row[0], rating, stamp(reviewed_at), duration_ms, lang, seed, params, answer,
                 correct)).lastrowid

    def delete_drill(self, review_id: int) -> bool:
        def delete() -> bool:
            with self.db.write() as c:
                return c.execute("DELETE FROM reviews WHERE id = ? AND kind = 'drill'",
                                 (review_id,)).rowcount == 1

        return guarded_write(self.db.path, delete)

    # -- the browser ---------------------------------------------------------------------
    def cards(self, key: str | None = None) -> list[CardRowInfo]:
        """Every card in a deck (or the one ``key``), from the cards table alone: fast at
        any size of the log. ``reviews`` and ``lapses`` come from ``counts``."""
        where = "retired = 0" + (" AND key = :key" if key is not None else "")
        query = (
            "SELECT id, key, topic, kind, state, due, last_review, stability, suspended, "
            f"leech FROM cards WHERE {where} ORDER BY topic, ordinal, id")
        with self.db.read() as c:
            rows = c.execute(query, {"key": key} if key is not None else {}).fetchall()
        return [
            CardRowInfo(id=r[0], key=r[1], topic=r[2], kind=r[3], state=r[4],
                        due=parse_stamp(r[5]), last_review=parse_stamp(r[6]), stability=r[7],
                        suspended=bool(r[8]), leech=bool(r[9]))
            for r in rows
        ]

    def counts(self, card_id: int) -> tuple[int, int]:
        """(scheduled reviews, lapses since last new) of one card, through its index."""
        query = "SELECT count(*) FROM reviews WHERE card_id = :id AND kind = 'scheduled'"
        with self.db.read() as c:
            reviews = c.execute(query, {"id": card_id}).fetchone()[0]
        return reviews, self.lapses(card_id)

    def history(self, key: str) -> list[HistoryRow]:
        """Every review of a card, oldest first."""
        query = (
            "SELECT r.id, r.reviewed_at, r.rating, r.kind, r.was_new, r.duration_ms, "
            "json_extract(r.state_before, '$.state'), json_extract(r.state_before, '$.due'), "
            "json_extract(r.state_before, '$.last_review'), r.seed, r.params, r.answer, "
            "r.correct FROM reviews r JOIN cards c ON c.id = r.card_id WHERE c.key = :key "
            "ORDER BY r.reviewed_at, r.id")
        with self.db.read() as c:
            rows = c.execute(query, {"key": key}).fetchall()
        return [
            HistoryRow(id=r[0], reviewed_at=parse_stamp(r[1]), rating=r[2], kind=r[3],
                       was_new=bool(r[4]), duration_ms=r[5], state_before=r[6],
                       due_before=_iso(r[7]), last_review_before=_iso(r[8]), seed=r[9],
                       params=json.loads(r[10]) if r[10] else None, answer=r[11],
                       correct=None if r[12] is None else bool(r[12]))
            for r in rows
        ]

    # -- card actions --------------------------------------------------------------------
    def set_suspended(self, key: str, suspended: bool) -> bool:
        """Suspend, or unsuspend (which also clears the leech mark); False: no such card."""
        values = "suspended = 1" if suspended else "suspended = 0, leech = 0"
        return self._update(key, values)

    def mark_leech(self, key: str, leech: bool) -> bool:
        """Mark (and suspend) or clear (and unsuspend) a leech."""
        flag = 1 if leech else 0
        return self._update(key, f"leech = {flag}, suspended = {flag}")

    def reset(self, key: str) -> bool:
        """Back to new, active and not a leech; the review history is kept."""
        return self._update(key, "state = NULL, step = NULL, stability = NULL, "
                                 "difficulty = NULL, due = NULL, last_review = NULL, "
                                 "suspended = 0, leech = 0")

    def _update(self, key: str, values: str) -> bool:
        def update() -> bool:
            with self.db.write() as c:
                return c.execute(f"UPDATE cards SET {values} WHERE key = ?",
                                 (key,)).rowcount == 1

        return guarded_write(self.db.path, update)


def _iso(value: str | None) -> datetime | None:
    """An ISO timestamp from state_before JSON (``...Z``) as an aware UTC datetime."""
    if value is None:
        return None
    return datetime.fromisoformat(value).astimezone(UTC)
