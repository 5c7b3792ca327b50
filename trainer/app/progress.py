"""Progress, in the application layer: statistics, missed cards and drills, leeches, the
card browser. The CLI and the TUI come here (as they go to ``study``); everything returned
is a pydantic object; time comes in as an aware ``now``.

**Drills never touch the schedule.** Reviewing a missed card again (``trainer review
--missed``, the Missed screen) is logged as a review of kind ``'drill'``: the card's FSRS
state is not changed, and drills are excluded from everything that counts scheduled
work: the new-card and review limits of the day, lapses and leeches, true retention. They
do count as practice: reviews per day (the heatmap) and time studied include them.

**Leeches.** A lapse is an Again on a card in the Review state, in a scheduled review; at
``leech_threshold`` lapses (8) since the card was last new, the answer marks it leech and
suspends it (``trainer/scheduling/leech.py``; decided in ``StudySession.answer``).
Unsuspending clears the mark; reset puts the card back to new with its history kept.

**Statistics** are SQL aggregations over study days (``trainer/store/stats_queries.py``);
predicted recall uses the fsrs library's forgetting curve: in SQL for the statistics
(mastery, weakest cards), vectorised with NumPy for the browser (``recall_now``). NumPy,
SQLAlchemy and the deck machinery are not imported by ``trainer stats``.

The drill session itself is in ``trainer/app/drill.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING

from trainer.app.browser import (
    STATE_NAMES,
    BrowseQuery,
    BrowserCard,
    CardHistory,
    history_entries,
    matches,
)
from trainer.app.formatting import card_title
from trainer.app.missed import MissedCard
from trainer.app.stats import (
    FORECAST_DAYS,
    HEATMAP_WEEKS,
    RETENTION_WINDOWS,
    WEAK_BELOW,
    WEAKEST,
    CalibrationBin,
    DayActivity,
    ForecastDay,
    RecallCalibration,
    RetentionWindow,
    Stats,
    StudyTime,
    TopicMastery,
    WeakCard,
    streak,
)
from trainer.config.settings import Settings
from trainer.core.time import require_utc
from trainer.scheduling.calibration import calibrate
from trainer.scheduling.recall import forgetting_curve, recall_now, scheduler_for
from trainer.scheduling.study_day import study_day_bounds
from trainer.store.database import open_reader
from trainer.store.planning import calibration_samples
from trainer.store.stats_queries import CardRowInfo, MissedRow, ProgressQueries

if TYPE_CHECKING:  # not imported at run time: `trainer stats` loads no deck machinery
    from trainer.app.study import StudySession
    from trainer.deck.cards import Card, Deck
    from trainer.scheduling.memory import Scheduler
    from trainer.store.database import Database, Reader


class ProgressTracker:
    """Statistics, missed cards, leeches and the browser over one database.

    ``deck`` (optional) gives titles, tags and text search; without it (``trainer stats``,
    which does not load the decks) cards are named by their keys.
    """

    def __init__(
        self, db: Database | Reader, settings: Settings, *, tz: tzinfo | None = None,
        deck: Deck | None = None, language: str | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.tz = tz
        self.deck = deck
        self.language = language or settings.language
        self.scheduler = (scheduler if scheduler is not None
                          else scheduler_for(settings.fsrs_parameters))
        self.queries = ProgressQueries(db)

    @classmethod
    def of(cls, study: StudySession) -> ProgressTracker:
        """The progress of a study session (its database, deck, language and FSRS curve)."""
        return cls(study.db, study.settings, tz=study.tz, deck=study.deck,
                   language=study.language, scheduler=study.memory.scheduler)

    @classmethod
    def open(cls, settings: Settings, *, tz: tzinfo | None = None) -> ProgressTracker:
        """The database only, read-only, no decks: the quick way for ``trainer stats``
        (``open_reader``: no SQLAlchemy). Everything reads; the card actions (suspend,
        reset, drills) need a study session's database (``of``)."""
        return cls(open_reader(settings.db_path), settings, tz=tz)

    def close(self) -> None:
        self.db.close()

    # -- study days ----------------------------------------------------------------------
    def study_date(self, moment: datetime) -> date:
        """The study day ``moment`` belongs to (it starts at the rollover hour, local)."""
        start, _ = study_day_bounds(moment, self.settings.rollover_hour, self.tz)
        local = start.astimezone(self.tz) if self.tz is not None else start.astimezone()
        return local.date()

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """UTC [start, end) of study day ``day`` (23 or 25 hours across a DST change)."""
        middle = datetime.combine(day, time()) + timedelta(
            hours=self.settings.rollover_hour + 12)
        moment = middle.replace(tzinfo=self.tz) if self.tz is not None else middle.astimezone()
        return study_day_bounds(moment, self.settings.rollover_hour, self.tz)

    def _days(self, first: date, count: int) -> list[tuple[datetime, datetime]]:
        return [self.day_bounds(first + timedelta(days=i)) for i in range(count)]

    # -- statistics ----------------------------------------------------------------------
    def stats(self, now: datetime) -> Stats:
        now = require_utc(now)
        today = self.study_date(now)
        first = today - timedelta(days=today.weekday() + 7 * (HEATMAP_WEEKS - 1))
        span = HEATMAP_WEEKS * 7
        per_day = self.queries.reviews_per_day(self._days(first, span))
        heatmap = [DayActivity(day=first + timedelta(days=i), reviews=c.reviews,
                               seconds=c.seconds, future=first + timedelta(days=i) > today)
                   for i, c in enumerate(per_day)]
        past = [d for d in heatmap if not d.future]
        by_day = {d.day: d for d in past}

        windows = {n: self.day_bounds(today - timedelta(days=n - 1))[0]
                   for n in RETENTION_WINDOWS}
        retention = [RetentionWindow(**r.model_dump())
                     for r in self.queries.retention(windows, now)]

        forecast_counts = self.queries.due_per_day(self._days(today, FORECAST_DAYS))
        forecast = [ForecastDay(day=today + timedelta(days=i), due=n)
                    for i, n in enumerate(forecast_counts)]

        mastery, weakest = self._recall(now)
        decay, factor = forgetting_curve(self.scheduler)
        found = calibrate(calibration_samples(self.db), decay, factor)
        calibration = RecallCalibration(
            reviews=found.reviews, predicted=found.predicted, observed=found.observed,
            stability_scale=found.scale, calibrated=found.calibrated,
            bins=[CalibrationBin(low=b.low, high=b.high, reviews=b.reviews,
                                 predicted=b.predicted, observed=b.observed)
                  for b in found.bins])

        def seconds(days: int) -> float:
            return sum(by_day[d].seconds for d in (today - timedelta(days=i) for i in
                                                   range(days)) if d in by_day)

        return Stats(
            now=now, today=today, reviews_today=by_day[today].reviews,
            streak_days=streak(past), heatmap=heatmap, retention=retention,
            forecast=forecast, mastery=mastery, weakest=weakest, calibration=calibration,
            time=StudyTime(today_seconds=seconds(1), week_seconds=seconds(7),
                           month_seconds=seconds(30),
                           heatmap_seconds=sum(d.seconds for d in past)),
        )

    def _recall(self, now: datetime) -> tuple[list[TopicMastery], list[WeakCard]]:
        """Mastery per topic and the weakest cards: the recall of every card is computed
        and summed in SQL (``ProgressQueries.recall``, the formula of ``recall_now``)."""
        decay, factor = forgetting_curve(self.scheduler)
        topics, weak = self.queries.recall(now, decay, factor, WEAKEST)
        mastery = [
            TopicMastery(topic=t.topic, title=self._topic_title(t.topic), cards=t.cards,
                         studied=t.studied, mastery=t.recall_sum / t.cards,
                         recall=t.recall_sum / t.studied if t.studied else None)
            for t in topics
        ]
        mastery.sort(key=lambda m: self._topic_order(m.topic))
        # A card that rounds to 100 % is not weak: a new learner's "ten weakest" all read
        # 100 %. Only cards with something to forget are listed.
        weakest = [WeakCard(key=w.key, topic=w.topic, topic_title=self._topic_title(w.topic),
                            title=self._title(w.key), recall=w.recall, stability=w.stability)
                   for w in weak if w.recall < WEAK_BELOW]
        return mastery, weakest

    # -- names -----------------------------------------------------------------------------
    def _card(self, key: str) -> Card | None:
        return self.deck.cards.get(key) if self.deck is not None else None

    def _title(self, key: str) -> str:
        card = self._card(key)
        if card is None:
            return key
        return card_title(card, self.language)

    def _topic_title(self, topic: str) -> str:
        return self._topic_titles.get(topic, topic)

    def _topic_order(self, topic: str) -> tuple[int, str]:
        order = self._topic_rank
        return order.get(topic, len(order)), topic

    @cached_property
    def _topic_rank(self) -> dict[str, int]:
        return {topic: n for n, topic in enumerate(self._topic_titles)}

    @cached_property
    def _topic_titles(self) -> dict[str, str]:
        """Topic slug -> title in the deck's order (empty without a deck)."""
        titles: dict[str, str] = {}
        for card in self.deck.cards.values() if self.deck is not None else ():
            titles.setdefault(card.topic, card.topic_title(self.language))
        return titles

    # -- missed cards --------------------------------------------------------------------
    def missed(self, now: datetime, window: timedelta | None = timedelta(days=7)
               ) -> list[MissedCard]:
        """Every card graded Again or answered wrong in the last ``window`` (None: ever),
        the most recent miss first, each card once."""
        now = require_utc(now)
        since = now - window if window is not None else datetime(1970, 1, 1, tzinfo=UTC)
        rows = self.queries.missed(since, now + timedelta(microseconds=1))
        return [self._missed_card(r) for r in rows
                if self.deck is None or r.key in self.deck.cards]

    def _missed_card(self, row: MissedRow) -> MissedCard:
        return MissedCard(
            key=row.key, topic=row.topic, topic_title=self._topic_title(row.topic),
            title=self._title(row.key), kind=row.kind, last_missed=row.last_missed,
            misses=row.misses, suspended=row.suspended, leech=row.leech,
            seed=row.seed if row.kind == "exercise" else None, params=row.params,
            answer=row.answer)

    # -- the browser ---------------------------------------------------------------------
    def browse(self, query: BrowseQuery | None = None, now: datetime | None = None
               ) -> list[BrowserCard]:
        """Cards matching ``query``: text (in any language, and the key), topic, tag and
        state (new, learning, review, suspended, leech), in deck order."""
        query = query or BrowseQuery()
        rows = [r for r in self.queries.cards()
                if self.deck is None or r.key in self.deck.cards]
        recall = self._recall_of(rows, now)
        cards = [self._browser_card(r, recall[i]) for i, r in enumerate(rows)]
        cards.sort(key=lambda c: self._topic_order(c.topic)[0])  # deck order (stable)
        needle = query.text.strip().lower()
        return [c for c in cards if matches(c, query, needle, self._card(c.key))]

    def leeches(self, now: datetime | None = None) -> list[BrowserCard]:
        """Cards marked leech, with their review and lapse counts."""
        return [self._with_counts(c) for c in self.browse(BrowseQuery(state="leech"), now)]

    def topics(self) -> list[tuple[str, str]]:
        """(slug, title) of every topic, in deck order."""
        return list(self._topic_titles.items())

    def tags(self) -> list[str]:
        if self.deck is None:
            return []
        return sorted({t for card in self.deck.cards.values() for t in card.tags})

    def card(self, key: str, now: datetime | None = None) -> BrowserCard | None:
        rows = self.queries.cards(key)
        if not rows:
            return None
        return self._with_counts(self._browser_card(rows[0], self._recall_of(rows, now)[0]))

    def _with_counts(self, card: BrowserCard) -> BrowserCard:
        rows = self.queries.cards(card.key)
        if not rows:
            return card
        reviews, lapses = self.queries.counts(rows[0].id)
        return card.model_copy(update={"reviews": reviews, "lapses": lapses})

    def history(self, key: str, now: datetime | None = None) -> CardHistory | None:
        """A card and every review of it: dates, grades, the intervals they set, the answers
        typed for exercises."""
        card = self.card(key, now)
        if card is None:
            return None
        rows = self.queries.history(key)
        return CardHistory(card=card, entries=history_entries(rows, card))

    def _recall_of(self, rows: list[CardRowInfo], now: datetime | None) -> list[float | None]:
        """Predicted recall of each row at ``now`` (vectorised); None: never studied."""
        if now is None or not rows:
            return [None] * len(rows)
        import numpy as np

        stability = np.array([np.nan if r.stability is None else r.stability for r in rows])
        last = np.array([np.datetime64("NaT") if r.last_review is None
                         else np.datetime64(r.last_review.replace(tzinfo=None), "us")
                         for r in rows], dtype="datetime64[us]")
        recall = recall_now(stability, last, now, self.scheduler)
        studied = ~np.isnan(stability) & ~np.isnat(last)
        return [float(r) if ok else None for r, ok in zip(recall, studied, strict=True)]

    def _browser_card(self, row: CardRowInfo, recall: float | None) -> BrowserCard:
        card = self._card(row.key)
        source = None
        if card is not None and card.kind != "exercise":
            text = card.text(self.language)
            source = f"{text.path}:{text.line}"
        return BrowserCard(
            key=row.key, topic=row.topic, topic_title=self._topic_title(row.topic),
            title=self._title(row.key), tags=card.tags if card else [], kind=row.kind,
            state="new" if row.due is None else STATE_NAMES.get(row.state or 0, "learning"),
            suspended=row.suspended, leech=row.leech, due=row.due,
            last_review=row.last_review, stability=row.stability, recall=recall,
            source=source)

    # -- actions ---------------------------------------------------------------------------
    def suspend(self, key: str) -> bool:
        return self.queries.set_suspended(key, True)

    def unsuspend(self, key: str) -> bool:
        """Back into the queue with its FSRS state; a leech mark is cleared (it becomes a
        leech again after half the threshold of further lapses)."""
        return self.queries.set_suspended(key, False)

    def reset(self, key: str) -> bool:
        """Back to new (and active, not a leech); the review history is kept, but lapses
        count afresh from its next first review."""
        return self.queries.reset(key)
