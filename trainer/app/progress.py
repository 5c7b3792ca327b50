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

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Literal

from fsrs import Scheduler
from pydantic import Field, computed_field

from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.scheduling.calibration import calibrate
from trainer.scheduling.memory import Grade, require_utc
from trainer.scheduling.study_day import study_day_bounds
from trainer.store.database import open_reader
from trainer.store.planning import calibration_samples
from trainer.store.stats_queries import CardRowInfo, HistoryRow, MissedRow, ProgressQueries

if TYPE_CHECKING:  # not imported at run time: `trainer stats` loads no deck machinery
    import numpy as np

    from trainer.app.study import StudySession
    from trainer.deck.models import Card, Deck
    from trainer.store.database import Database, Reader

RETENTION_WINDOWS = (7, 30, 90)
HEATMAP_WEEKS = 16
FORECAST_DAYS = 30
WEAK_BELOW = 0.995  # shown as 100 %: not listed among the weakest
WEAKEST = 10
STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}
BrowseState = Literal["all", "new", "learning", "review", "suspended", "leech"]
BROWSE_STATES: tuple[BrowseState, ...] = ("all", "new", "learning", "review", "suspended",
                                          "leech")


# -- the forgetting curve ------------------------------------------------------------------
def forgetting_curve(scheduler: Scheduler) -> tuple[float, float]:
    """(DECAY, FACTOR) of ``scheduler``, as fsrs computes them in ``Scheduler.__init__``:
    DECAY = -w20, FACTOR = 0.9 ** (1 / DECAY) - 1 (so R = 0.9 when t = S)."""
    decay = -float(scheduler.parameters[20])
    return decay, 0.9 ** (1 / decay) - 1


def recall_now(stability: np.ndarray, last_review: np.ndarray, now: datetime,
               scheduler: Scheduler) -> np.ndarray:
    """Predicted recall R = (1 + FACTOR * t / S) ** DECAY for many cards at once.

    ``stability`` is float (NaN: never studied), ``last_review`` datetime64[us] in UTC
    (NaT: never studied). t is whole days elapsed, floored and never negative, exactly as
    ``fsrs.Scheduler.get_card_retrievability``; a card never studied has R = 0, as there.
    """
    import numpy as np

    decay, factor = forgetting_curve(scheduler)
    moment = np.datetime64(require_utc(now).replace(tzinfo=None), "us")
    studied = ~np.isnan(stability) & ~np.isnat(last_review)
    elapsed = np.where(studied, moment - np.where(studied, last_review, moment),
                       np.timedelta64(0, "us"))
    days = np.maximum(elapsed // np.timedelta64(1, "D"), 0).astype(float)
    safe = np.where(studied, stability, 1.0)
    return np.where(studied, (1 + factor * days / safe) ** decay, 0.0)


def scheduler_for(settings: Settings) -> Scheduler:
    """The fsrs scheduler whose forgetting curve the settings imply (personal parameters
    from ``trainer optimize`` when there are some)."""
    if getattr(settings, "fsrs_parameters", None):
        return Scheduler(parameters=tuple(settings.fsrs_parameters))
    return Scheduler()


# -- the objects that leave this module ----------------------------------------------------
class DayActivity(Model):
    day: date
    reviews: int
    seconds: float
    future: bool = False


class RetentionWindow(Model):
    """True retention: scheduled reviews of cards in the Review state, passed = not Again.
    Young: the card was due at an interval under 21 days; mature: 21 days or more."""

    days: int
    young_reviews: int
    young_passed: int
    mature_reviews: int
    mature_passed: int

    @computed_field
    @property
    def young(self) -> float | None:
        return self.young_passed / self.young_reviews if self.young_reviews else None

    @computed_field
    @property
    def mature(self) -> float | None:
        return self.mature_passed / self.mature_reviews if self.mature_reviews else None

    @computed_field
    @property
    def overall(self) -> float | None:
        reviews = self.young_reviews + self.mature_reviews
        return (self.young_passed + self.mature_passed) / reviews if reviews else None


class ForecastDay(Model):
    day: date
    due: int


class TopicMastery(Model):
    """Mean predicted recall now: over every card of the topic (a card never studied counts
    0), and over the studied ones only."""

    topic: str
    title: str
    cards: int
    studied: int
    mastery: float
    recall: float | None


class WeakCard(Model):
    key: str
    topic: str
    topic_title: str
    title: str
    recall: float
    stability: float


class StudyTime(Model):
    today_seconds: float
    week_seconds: float
    month_seconds: float
    heatmap_seconds: float


class CalibrationBin(Model):
    """Reviews whose predicted recall fell in ``[low, high)``: predicted against observed."""

    low: float
    high: float
    reviews: int
    predicted: float | None
    observed: float | None


class RecallCalibration(Model):
    """Predicted against observed recall over the latest scheduled reviews of cards in the
    Review state, a day or so after the previous one (``trainer.scheduling.calibration``):
    what FSRS predicted with its current parameters (continuous time) and the share
    recalled. ``stability_scale``: the stability multiplier the answers support (1.0: FSRS
    is right about you), what interview mode plans with; ``calibrated``: the mean
    predicted recall with it."""

    reviews: int
    predicted: float | None
    observed: float | None
    stability_scale: float
    calibrated: float | None
    bins: list[CalibrationBin]


class Stats(Model):
    now: datetime
    today: date
    reviews_today: int
    streak_days: int = Field(description="study days in a row with a review, up to today")
    heatmap: list[DayActivity] = Field(description=f"{HEATMAP_WEEKS} weeks, Monday first")
    retention: list[RetentionWindow]
    forecast: list[ForecastDay]
    mastery: list[TopicMastery]
    weakest: list[WeakCard]
    time: StudyTime
    calibration: RecallCalibration | None = None


class MissedCard(Model):
    """A card graded Again (or an exercise answered wrong) in the window."""

    key: str
    topic: str
    topic_title: str
    title: str
    kind: str
    last_missed: datetime
    misses: int
    suspended: bool
    leech: bool
    seed: int | None = Field(description="the missed exercise instance (latest miss)")
    params: dict | None = None
    answer: str | None = Field(None, description="what was typed then")


class BrowseQuery(Model):
    text: str = ""
    topic: str | None = None
    tag: str | None = None
    state: BrowseState = "all"


class BrowserCard(Model):
    key: str
    topic: str
    topic_title: str
    title: str
    tags: list[str]
    kind: str
    state: str = Field(description="new, learning, relearning or review")
    suspended: bool
    leech: bool
    due: datetime | None
    last_review: datetime | None
    stability: float | None
    reviews: int | None = Field(None, description="scheduled reviews (card details only)")
    lapses: int | None = Field(None, description="lapses since last new (card details only)")
    recall: float | None
    source: str | None = Field(None, description="path:line of the card's text")


class HistoryEntry(Model):
    reviewed_at: datetime
    kind: str = Field(description="scheduled or drill")
    grade: int
    grade_label: str
    was_new: bool
    interval_days: float | None = Field(
        description="the interval this review set (scheduled reviews; None when unknown)")
    seconds: float | None
    answer: str | None
    correct: bool | None
    seed: int | None


class CardHistory(Model):
    card: BrowserCard
    entries: list[HistoryEntry]


# -- windows -------------------------------------------------------------------------------
_WINDOW = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_window(text: str) -> timedelta | None:
    """``7d``, ``24h``, ``2w``, ``90m``, or ``all`` (None: no limit)."""
    if text.strip().lower() == "all":
        return None
    match = _WINDOW.match(text.lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a window: use a number and a unit, e.g. 7d, 24h, "
                         "2w, or 'all'")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def in_window(window: timedelta | None) -> str:
    """``in the last 7 days``, or ``at any time`` for no window (never "the last all time")."""
    return "at any time" if window is None else f"in the last {format_window(window)}"


def count_of(n: int, word: str) -> str:
    """``1 review``, ``2 reviews``, ``1,234 reviews``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def format_window(window: timedelta | None) -> str:
    if window is None:
        return "all time"
    if window % timedelta(days=1) == timedelta(0):
        days = window.days
        return f"{days} day{'s' * (days != 1)}"
    hours = window / timedelta(hours=1)
    return f"{hours:g} hour{'s' * (hours != 1)}"


def format_duration(seconds: float) -> str:
    """``45s``, ``12m``, ``1h 05m``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h {minutes % 60:02d}m"


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


# -- the tracker ---------------------------------------------------------------------------
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
        self.scheduler = scheduler if scheduler is not None else scheduler_for(settings)
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
            streak_days=_streak(past), heatmap=heatmap, retention=retention,
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
        return [c for c in cards if _matches(c, query, needle, self._card(c.key))]

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
        return CardHistory(card=card, entries=_history(rows, card))

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


def card_title(card: Card, language: str) -> str:
    """The first line of the question as the card shows it: formulas in Unicode, markdown
    marks dropped, code and escaped characters kept (``d_k``, ``x**2``)."""
    text = card.text(language).question.strip()
    line = next((ln for ln in text.splitlines() if ln.strip()), card.key)
    return _render(line).strip().lstrip("#").strip()


@lru_cache(maxsize=4096)
def _render(markdown: str) -> str:
    from trainer.deck.math_markdown import render_math  # only when there is a deck

    # The text markdown-it reads, not a regex over the source: an underscore inside a
    # word or code, or escaped by the formula renderer (`d\_(model)`), is text.
    children = [c for t in _inline_parser().parseInline(render_math(markdown))
                for c in t.children or ()]
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


@lru_cache(maxsize=1)
def _inline_parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _matches(card: BrowserCard, query: BrowseQuery, needle: str, deck_card: Card | None
             ) -> bool:
    if query.topic and card.topic != query.topic:
        return False
    if query.tag and query.tag not in card.tags:
        return False
    state = query.state
    if state in ("new", "review") and card.state != state:
        return False
    if state == "learning" and card.state not in ("learning", "relearning"):
        return False
    if state == "suspended" and not card.suspended:
        return False
    if state == "leech" and not card.leech:
        return False
    if not needle:
        return True
    haystack = [card.key, card.title]
    if deck_card is not None:
        for text in deck_card.texts.values():  # every language, LaTeX braces ignored
            haystack += [_LATEX_MARKS.sub("", text.question), _LATEX_MARKS.sub("", text.answer)]
    return any(needle in h.lower() for h in haystack)


_LATEX_MARKS = re.compile(r"[{}$]")


def _streak(days: list[DayActivity]) -> int:
    """Days in a row with reviews, ending today (or yesterday, before today's first)."""
    streak = 0
    ordered = list(reversed(days))
    if ordered and ordered[0].reviews == 0:
        ordered = ordered[1:]
    for day in ordered:
        if day.reviews == 0:
            break
        streak += 1
    return streak


def _history(rows: list[HistoryRow], card: BrowserCard) -> list[HistoryEntry]:
    """Each scheduled review's interval = the due it set - its time: the next scheduled
    review's ``state_before`` holds that due; for the last one it is the card's due now."""
    scheduled = [r for r in rows if r.kind == "scheduled"]
    set_due: dict[int, datetime | None] = {}
    for n, this in enumerate(scheduled):
        following = scheduled[n + 1] if n + 1 < len(scheduled) else None
        if following is None:
            set_due[this.id] = card.due
        else:
            set_due[this.id] = None if following.was_new else following.due_before
    entries = []
    for r in rows:
        due = set_due.get(r.id)
        entries.append(HistoryEntry(
            reviewed_at=r.reviewed_at, kind=r.kind, grade=r.rating,
            grade_label=Grade(r.rating).label if r.rating in (1, 2, 3, 4) else str(r.rating),
            was_new=r.was_new,
            interval_days=(due - r.reviewed_at) / timedelta(days=1) if due else None,
            seconds=r.duration_ms / 1000 if r.duration_ms is not None else None,
            answer=r.answer, correct=r.correct, seed=r.seed))
    return entries
