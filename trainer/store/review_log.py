"""The whole review log, read out and written back (``trainer export reviews`` and
``trainer import reviews``): plain records in and out, one transaction per write.

A review's identity across databases is its card's key and its time to the millisecond
(``ReviewIdentity``): what the review files carry, so importing the same history twice
adds nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trainer.core.model import Model
from trainer.store.database import guarded_write
from trainer.store.records import STATE_COLUMNS, CardState
from trainer.store.stamps import parse_stamp, stamp

if TYPE_CHECKING:
    from trainer.store.database import Database, Reader

ReviewIdentity = tuple[str, int]  # (card key, review time in ms since the Unix epoch, UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """Whole milliseconds since the Unix epoch (floor, exact: no float rounding)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400_000_000 + delta.seconds * 1_000_000
            + delta.microseconds) // 1000


class LoggedReview(Model):
    """One row of ``reviews`` with its card's key and topic (ids stay in their database)."""

    key: str
    topic: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None = None
    was_new: bool = False
    state_before: str | None = None
    lang: str | None = None
    seed: int | None = None
    params: str | None = None
    answer: str | None = None
    correct: bool | None = None
    kind: str = "scheduled"
    prev_state: int | None = None
    prev_interval: float | None = None

    @property
    def identity(self) -> ReviewIdentity:
        return self.key, epoch_ms(self.reviewed_at)


_COLUMNS = ("c.key, c.topic, r.rating, r.reviewed_at, r.duration_ms, r.was_new, "
            "r.state_before, r.lang, r.seed, r.params, r.answer, r.correct, r.kind, "
            "r.prev_state, r.prev_interval")


def _logged(row: tuple) -> LoggedReview:
    (key, topic, rating, at, ms, new, before, lang, seed, params, answer, correct, kind,
     prev_state, prev_interval) = row
    return LoggedReview(
        key=key, topic=topic, rating=rating, reviewed_at=parse_stamp(at), duration_ms=ms,
        was_new=bool(new), state_before=before, lang=lang, seed=seed, params=params,
        answer=answer, correct=None if correct is None else bool(correct), kind=kind,
        prev_state=prev_state, prev_interval=prev_interval)


def all_reviews(db: Database | Reader) -> Iterator[LoggedReview]:
    """Every review, oldest first (ties in the order they were written)."""
    with db.read() as c:
        rows = c.execute(f"SELECT {_COLUMNS} FROM reviews r JOIN cards c ON c.id = r.card_id "
                         "ORDER BY r.reviewed_at, r.id").fetchall()
    return (_logged(row) for row in rows)


def card_states(db: Database | Reader) -> dict[str, CardState]:
    """Every card's scheduling state by key (retired cards included)."""
    with db.read() as c:
        rows = c.execute(f"SELECT {STATE_COLUMNS} FROM cards").fetchall()
    return {row[1]: CardState.from_row(row) for row in rows}


def identities(db: Database) -> set[ReviewIdentity]:
    """The identity of every review already in the database."""
    with db.read() as c:
        rows = c.execute("SELECT c.key, r.reviewed_at FROM reviews r "
                         "JOIN cards c ON c.id = r.card_id").fetchall()
    return {(key, epoch_ms(parse_stamp(at))) for key, at in rows}


def scheduled_reviews(db: Database, keys: Iterable[str]) -> dict[str, list[LoggedReview]]:
    """The scheduled reviews of the cards ``keys``, oldest first, by key."""
    wanted = sorted(set(keys))
    found: dict[str, list[LoggedReview]] = {key: [] for key in wanted}
    with db.read() as c:
        for start in range(0, len(wanted), 500):  # SQLite's variable limit
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = c.execute(
                f"SELECT {_COLUMNS} FROM reviews r JOIN cards c ON c.id = r.card_id "
                f"WHERE c.key IN ({marks}) AND r.kind = 'scheduled' "
                "ORDER BY r.reviewed_at, r.id", chunk).fetchall()
            for row in rows:
                found[row[0]].append(_logged(row))
    return found


class NewCard(Model):
    """A card the database does not know yet, added retired (in no deck now) so its
    history has a place; a deck that has its key later brings it back."""

    key: str
    deck: str
    topic: str


def insert_reviews(db: Database, reviews: list[LoggedReview], new_cards: list[NewCard],
                   states: dict[str, CardState] | None = None) -> int:
    """Add ``new_cards``, then ``reviews`` (in the order given), then set the scheduling
    state of the cards in ``states``: one transaction, all or nothing. Returns the number
    of reviews written."""
    return guarded_write(db.path, lambda: _insert(db, reviews, new_cards, states or {}))


_STATE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def _insert(db: Database, reviews: list[LoggedReview], new_cards: list[NewCard],
            states: dict[str, CardState]) -> int:
    with db.write() as c:
        c.executemany(
            "INSERT INTO cards (key, deck, topic, kind, ordinal, suspended, retired, leech) "
            "VALUES (?, ?, ?, 'basic', 0, 0, 1, 0)",
            [(card.key, card.deck, card.topic) for card in new_cards])
        ids = dict(c.execute("SELECT key, id FROM cards").fetchall())
        c.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
            "state_before, lang, seed, params, answer, correct, kind, prev_state, "
            "prev_interval) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(ids[r.key], r.rating, stamp(r.reviewed_at), r.duration_ms, r.was_new,
              r.state_before, r.lang, r.seed, r.params, r.answer, r.correct, r.kind,
              r.prev_state, r.prev_interval) for r in reviews])
        c.executemany(
            f"UPDATE cards SET {', '.join(f + ' = ?' for f in _STATE_FIELDS)} WHERE key = ?",
            [(s.state, s.step, s.stability, s.difficulty,
              None if s.due is None else stamp(s.due),
              None if s.last_review is None else stamp(s.last_review), key)
             for key, s in states.items()])
    return len(reviews)
