"""The review history as CSV: ``trainer export reviews`` and ``trainer import reviews``.

Two layouts, one row per review, oldest first:

- ``fsrs`` (the default): the review-log schema of the FSRS optimizer
  (open-spaced-repetition/fsrs-optimizer's README): ``card_id`` (the card's key),
  ``review_time`` (UTC, ms since the Unix epoch), ``review_rating`` (1 Again .. 4 Easy),
  ``review_state`` (the card's state before the review: 0 New, 1 Learning, 2 Review,
  3 Relearning; empty for a drill, which the optimizer then drops, as ``trainer
  optimize`` ignores drills: they never moved the schedule), ``review_duration`` (ms);
- ``anki-revlog``: the columns of Anki's ``revlog`` table: ``id`` (review time, ms),
  ``cid`` (the card's key), ``usn`` (-1), ``ease`` (1-4), ``ivl`` and ``lastIvl`` (the
  interval this review scheduled and the one before it: days, or negative seconds under
  a day), ``factor`` (0: there is no SM-2 ease), ``time`` (ms), ``type`` (0 learn,
  1 review, 2 relearn, 3 a drill, as Anki's cram reviews).

Both end with a ``trainer`` column: JSON with what the other columns cannot say (the
time to the microsecond, the state before the review, the exercise attempt, ...), so an
export read back gives the same reviews exactly. The columns win where both speak; a
file without it (from another tool) is read from its columns alone.

A review's identity is its card's key and its time to the millisecond: importing a
history into a database that has some of it adds only the rest. Cards the database does
not know are added as retired (in no deck); a deck that has their key brings them back
with their history. A card given newer reviews than it has is rescheduled by FSRS from
them (from the last one's recorded state before it, else by replaying its history).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Literal

from trainer.app.interchange.files import OutputError, check_new_file, write_atomically
from trainer.app.study import StudySession, reviewed_state
from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.scheduling.memory import Grade, to_fsrs
from trainer.store.records import CardState, StoredState
from trainer.store.review_log import (
    LoggedReview,
    NewCard,
    all_reviews,
    card_states,
    epoch_ms,
    identities,
    insert_reviews,
    scheduled_reviews,
)

Format = Literal["fsrs", "anki-revlog"]
FORMATS: tuple[Format, ...] = ("fsrs", "anki-revlog")
FSRS_COLUMNS = ("card_id", "review_time", "review_rating", "review_state", "review_duration",
                "trainer")
ANKI_COLUMNS = ("id", "cid", "usn", "ease", "ivl", "lastIvl", "factor", "time", "type",
                "trainer")
_FSRS_NEEDS = ("card_id", "review_time", "review_rating")
_ANKI_NEEDS = ("id", "cid", "ease", "time", "type")
_NEW = 0  # the optimizer's state of a card never reviewed (the store keeps NULL)
# The optimizer numbers the other states as FSRS and the store do.
_LEARNING, _REVIEW, _RELEARNING = (int(StoredState.LEARNING), int(StoredState.REVIEW),
                                   int(StoredState.RELEARNING))
_ANKI_TYPE = {None: 0, _LEARNING: 0, _REVIEW: 1, _RELEARNING: 2}  # state before -> type
_ANKI_DRILL = 3
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MS = epoch_ms(datetime(9999, 12, 31, tzinfo=UTC))


class ReviewFileError(OutputError):
    """A review file that cannot be imported: ``path[:line]: what is wrong``."""


# -- export ---------------------------------------------------------------------------------
def export_reviews(db, out: Path, fmt: Format = "fsrs") -> int:
    """Write every review of ``db`` (a ``Database`` or ``Reader``) to ``out``; returns
    how many. ``out`` is checked first and written all or nothing."""
    target = check_new_file(out, ".csv")
    reviews = list(all_reviews(db))
    states = card_states(db)
    rows = _fsrs_rows(reviews) if fmt == "fsrs" else _anki_rows(reviews, states)
    header = FSRS_COLUMNS if fmt == "fsrs" else ANKI_COLUMNS

    def write(handle: IO[bytes]) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        text.flush()
        text.detach()

    write_atomically(target, write)
    return len(reviews)


def _extras(review: LoggedReview) -> str:
    """The ``trainer`` column: every field the layout's columns do not carry exactly."""
    data = {"at": review.reviewed_at.astimezone(UTC).isoformat(timespec="microseconds")
                  .replace("+00:00", "Z"),
            "topic": review.topic}
    if review.kind != "scheduled":
        data["kind"] = review.kind
    if review.was_new:
        data["new"] = True
    for name in ("duration_ms", "prev_state", "prev_interval", "state_before", "lang",
                 "seed", "params", "answer", "correct"):
        value = getattr(review, name)
        if value is not None:
            data[name] = value
    if review.duration_ms is None:
        data["duration_ms"] = None  # the duration column says 0: this says unknown
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _fsrs_state(review: LoggedReview) -> int | str:
    if review.kind != "scheduled":
        return ""  # a drill: the optimizer drops rows with an empty value
    if review.was_new or review.prev_state is None:
        return _NEW
    return review.prev_state


def _fsrs_rows(reviews: Iterable[LoggedReview]) -> Iterator[tuple]:
    for r in reviews:
        yield (r.key, epoch_ms(r.reviewed_at), r.rating, _fsrs_state(r), r.duration_ms or 0,
               _extras(r))


def _anki_interval(days: float | None) -> int:
    """Anki's ``ivl``: whole days, or negative seconds under a day; 0 when unknown."""
    if days is None:
        return 0
    return round(days) if days >= 1 else -round(days * 86_400)


def _anki_rows(reviews: list[LoggedReview], states: dict[str, CardState]) -> Iterator[tuple]:
    # The interval a scheduled review set is the next one's "interval before"; for a card's
    # last review it is the card's due date, when that review is the one it was set by.
    following: dict[int, float | None] = {}
    last: dict[str, int] = {}
    for index, r in enumerate(reviews):
        if r.kind != "scheduled":
            continue
        if r.key in last:
            following[last[r.key]] = r.prev_interval
        last[r.key] = index
    for key, index in last.items():
        state = states.get(key)
        review = reviews[index]
        if state is not None and state.due is not None and state.last_review is not None \
                and epoch_ms(state.last_review) == epoch_ms(review.reviewed_at):
            following[index] = (state.due - state.last_review).total_seconds() / 86_400
    for index, r in enumerate(reviews):
        drill = r.kind != "scheduled"
        kind = _ANKI_DRILL if drill else _ANKI_TYPE.get(None if r.was_new else r.prev_state, 0)
        yield (epoch_ms(r.reviewed_at), r.key, -1, r.rating,
               0 if drill else _anki_interval(following.get(index)),
               0 if drill else _anki_interval(r.prev_interval), 0, r.duration_ms or 0, kind,
               _extras(r))


# -- reading a file -------------------------------------------------------------------------
class ParsedHistory(Model):
    """The reviews of a file, in file order, and how many rows were not answers."""

    reviews: list[LoggedReview]
    skipped: int = 0


def read_reviews(path: Path) -> ParsedHistory:
    """Every review of a review file (either layout, told apart by its header). Raises
    ``ReviewFileError`` for the first problem, naming the line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReviewFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReviewFileError(f"{path}: is a folder; give a .csv file") from None
    except OSError as exc:
        raise ReviewFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReviewFileError(f"{path}: not a CSV text file (not UTF-8)") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ReviewFileError(f"{path}: empty file (no header line)")
        columns = {name.strip(): i for i, name in enumerate(header)}
        if all(name in columns for name in _FSRS_NEEDS):
            parse = _fsrs_review
        elif all(name in columns for name in _ANKI_NEEDS):
            parse = _anki_review
        else:
            raise ReviewFileError(
                f"{path}: not a review history: the header must name "
                f"{', '.join(_FSRS_NEEDS)} (fsrs) or {', '.join(_ANKI_NEEDS)} (anki-revlog)")
        history = ParsedHistory(reviews=[])
        unsure: list[LoggedReview] = []  # rows that leave open whether the card was new
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            cells = {name: (row[i].strip() if i < len(row) else "")
                     for name, i in columns.items()}
            try:
                review = parse(cells)
            except ValueError as exc:
                raise ReviewFileError(f"{path}:{reader.line_num}: {exc}") from None
            if review is None:
                history.skipped += 1
                continue
            history.reviews.append(review)
            if not cells.get("trainer") and review.kind == "scheduled" and (
                    cells.get("review_state", "") == "" if parse is _fsrs_review
                    else cells["type"] in ("0", "0.0")):
                unsure.append(review)
    except csv.Error as exc:
        raise ReviewFileError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
    _first_is_new(history.reviews, unsure)
    return history


def _first_is_new(reviews: list[LoggedReview], unsure: list[LoggedReview]) -> None:
    """A file from another tool may not say which review met a card first: take each
    card's first scheduled review in the file for it, when its row leaves it open."""
    open_rows = {id(r) for r in unsure}
    firsts: dict[str, LoggedReview] = {}
    for review in sorted(reviews, key=lambda r: r.reviewed_at):
        if review.kind == "scheduled":
            firsts.setdefault(review.key, review)
    for review in firsts.values():
        if id(review) in open_rows:
            review.was_new, review.prev_state = True, None


def _int(cells: dict[str, str], name: str, *, required: bool = True) -> int | None:
    """The whole number in column ``name``; None when it is empty (or absent) and not
    ``required``."""
    value = cells.get(name, "")
    if value == "":
        if required:
            raise ValueError(f"{name} is empty")
        return None
    try:
        return int(value)
    except ValueError:
        try:  # spreadsheets write 3.0 for 3
            number = float(value)
        except ValueError:
            number = float("nan")
        if number.is_integer():
            return int(number)
        raise ValueError(f"{name} {value!r} is not a whole number") from None


def _moment(ms: int, name: str) -> datetime:
    if not 0 <= ms <= _MAX_MS:
        raise ValueError(f"{name} {ms}: not a time in ms since 1970 (UTC)")
    return _EPOCH + timedelta(milliseconds=ms)


def _rating(value: int | None, name: str) -> int:
    if value not in (1, 2, 3, 4):
        raise ValueError(f"{name} {value}: must be 1 (Again) to 4 (Easy)")
    return value


def _duration(value: int | None, name: str) -> int | None:
    if value is not None and value < 0:
        raise ValueError(f"{name} {value}: must not be negative")
    return value


def _key(cells: dict[str, str], name: str) -> str:
    key = cells[name]
    if not key:
        raise ValueError(f"{name} is empty")
    return key


def _fsrs_review(cells: dict[str, str]) -> LoggedReview | None:
    key = _key(cells, "card_id")
    ms = _int(cells, "review_time")
    at = _moment(ms, "review_time")
    rating = _rating(_int(cells, "review_rating"), "review_rating")
    state = _int(cells, "review_state", required=False)
    if state not in (None, _NEW, _LEARNING, _REVIEW, _RELEARNING):
        raise ValueError(f"review_state {state}: must be 0 (New) to 3 (Relearning) or empty")
    review = LoggedReview(
        key=key, topic="", rating=rating, reviewed_at=at,
        duration_ms=_duration(_int(cells, "review_duration", required=False),
                              "review_duration"),
        was_new=state == _NEW,
        prev_state=state if state in (_LEARNING, _REVIEW, _RELEARNING) else None)
    return _with_extras(review, cells.get("trainer", ""))


def _anki_review(cells: dict[str, str]) -> LoggedReview | None:
    key = _key(cells, "cid")
    ms = _int(cells, "id")
    at = _moment(ms, "id")
    kind = _int(cells, "type")
    ease = _int(cells, "ease")
    if kind not in (0, 1, 2, 3, 4, 5):
        raise ValueError(f"type {kind}: must be 0 (learn) to 5 (rescheduled)")
    if kind in (4, 5) or ease == 0:
        return None  # a manual reschedule, not an answer
    rating = _rating(ease, "ease")
    last = _int(cells, "lastIvl", required=False) or 0
    previous = None if last == 0 else (last if last > 0 else -last / 86_400)
    review = LoggedReview(
        key=key, topic="", rating=rating, reviewed_at=at,
        duration_ms=_duration(_int(cells, "time", required=False), "time"),
        kind="drill" if kind == _ANKI_DRILL else "scheduled",
        prev_state={0: _LEARNING, 1: _REVIEW, 2: _RELEARNING, 3: None}[kind],
        prev_interval=None if kind == _ANKI_DRILL else previous)
    return _with_extras(review, cells.get("trainer", ""))


_EXTRA_FIELDS = {"topic", "kind", "new", "duration_ms", "prev_state", "prev_interval",
                 "state_before", "lang", "seed", "params", "answer", "correct", "at"}


def _with_extras(review: LoggedReview, extras: str) -> LoggedReview:
    """``review`` completed from its ``trainer`` column (when there is one)."""
    if not extras:
        return review
    try:
        data = json.loads(extras)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the trainer column is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not set(data) <= _EXTRA_FIELDS:
        raise ValueError("the trainer column is not what 'trainer export reviews' writes")
    values = {
        "topic": data.get("topic", ""), "kind": data.get("kind", "scheduled"),
        "was_new": bool(data.get("new", False)),
        **{name: data.get(name) for name in ("prev_state", "prev_interval", "state_before",
                                             "lang", "seed", "params", "answer", "correct")},
    }
    if "duration_ms" in data and (data["duration_ms"] or 0) == (review.duration_ms or 0):
        values["duration_ms"] = data["duration_ms"]  # the column says 0 for "unknown"
    if "at" in data:
        try:
            exact = datetime.fromisoformat(data["at"]).astimezone(UTC)
        except (TypeError, ValueError):
            raise ValueError(f"the trainer column's time {data['at']!r} is not valid") from None
        if epoch_ms(exact) == epoch_ms(review.reviewed_at):  # else the column was edited
            values["reviewed_at"] = exact
    try:
        return LoggedReview.model_validate({**review.model_dump(), **values})
    except ValueError as exc:
        raise ValueError(f"the trainer column has a wrong value ({exc})") from None


# -- import ---------------------------------------------------------------------------------
class ImportResult(Model):
    read: int  # reviews in the file
    added: int  # written (the rest were in the database already, or twice in the file)
    skipped: int = 0  # rows that were not answers (Anki's manual reschedules)
    new_cards: int = 0  # keys the database did not know (added as retired cards)
    rescheduled: int = 0  # cards whose FSRS state was recomputed from the new reviews


def import_reviews(settings: Settings, path: Path) -> ImportResult:
    """Read ``path`` whole (any problem: ``ReviewFileError``, nothing written), then add
    the reviews the database does not have, in one transaction."""
    history = read_reviews(path)
    study = StudySession.open(settings, enable_fuzzing=False)  # replays are deterministic
    try:
        return _merge(study, history)
    finally:
        study.close()


def _merge(study: StudySession, history: ParsedHistory) -> ImportResult:
    db = study.db
    seen = identities(db)
    fresh: list[LoggedReview] = []
    for review in history.reviews:
        if review.identity not in seen:
            seen.add(review.identity)
            fresh.append(review)
    fresh.sort(key=lambda r: r.reviewed_at)  # ids in time order, as if studied here
    known = card_states(db)
    new_cards: dict[str, NewCard] = {}
    for review in fresh:
        if review.key not in known and review.key not in new_cards:
            deck = review.key.split(":", 1)[0] if ":" in review.key else "imported"
            new_cards[review.key] = NewCard(key=review.key, deck=deck,
                                            topic=review.topic or deck)
    states = _rescheduled(study, fresh, known, new_cards)
    added = insert_reviews(db, fresh, list(new_cards.values()), states)
    return ImportResult(read=len(history.reviews), added=added, skipped=history.skipped,
                        new_cards=len(new_cards), rescheduled=len(states))


def _rescheduled(study: StudySession, fresh: list[LoggedReview],
                 known: dict[str, CardState], new_cards: dict[str, NewCard]
                 ) -> dict[str, CardState]:
    """The new FSRS state of each card whose newest scheduled review is an imported one
    later than the card's own last review."""
    touched = {r.key for r in fresh if r.kind == "scheduled"}
    stored = scheduled_reviews(study.db, touched & set(known))
    added: dict[str, list[LoggedReview]] = {}
    for review in fresh:
        if review.kind == "scheduled":
            added.setdefault(review.key, []).append(review)
    states = {}
    for key, reviews in added.items():
        card = known.get(key)
        newest = reviews[-1]
        if card is not None and card.last_review is not None \
                and newest.reviewed_at <= card.last_review:
            continue
        merged = sorted([*stored.get(key, []), *reviews], key=lambda r: r.reviewed_at)
        if merged[-1] is not newest:
            continue
        topic = card.topic if card is not None else new_cards[key].topic
        states[key] = replay(study, key, topic, merged)
    return states


def replay(study: StudySession, key: str, topic: str, history: list[LoggedReview]
           ) -> CardState:
    """The card's state after ``history`` (its scheduled reviews, oldest first): from the
    last review that says where the card stood (new, or its recorded state before), each
    review from there applied by the session's FSRS model."""
    start = 0
    for index, review in enumerate(history):
        if review.was_new or review.state_before is not None:
            start = index
    first = history[start]
    state = CardState(id=0, key=key, topic=topic)
    if first.state_before is not None and not first.was_new:
        state = CardState(id=0, key=key, topic=topic, **json.loads(first.state_before))
    for review in history[start:]:
        updated = study.memory.review(to_fsrs(state, review.reviewed_at),
                                      Grade(review.rating), review.reviewed_at)
        state = reviewed_state(state, updated)
    return state
