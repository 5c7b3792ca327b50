"""The application layer: a study session. The CLI and the TUI go through here only.

Everything returned is a pydantic object; time comes in as an aware ``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from fsrs import Card as FsrsCard
from fsrs import State
from pydantic import BaseModel, Field

from trainer.config import Settings
from trainer.deck.loader import builtin_content_dir, load_deck
from trainer.deck.math_markdown import render_math
from trainer.deck.models import Card, Deck
from trainer.scheduling.memory import Grade, MemoryModel, format_interval, require_utc
from trainer.scheduling.queue import pick_interleaved
from trainer.scheduling.study_day import study_day_bounds
from trainer.store.database import Database, open_database
from trainer.store.records import CardEntry, CardState
from trainer.store.repository import Repository

_CANDIDATES = 12  # enough to find one of another topic without reading the whole queue


class PracticeCard(BaseModel):
    """A card ready to show: markdown with formulas already turned into Unicode."""

    key: str
    topic: str
    topic_title: str
    lang: str
    question: str
    answer: str
    is_new: bool
    source: str
    intervals: dict[int, str] = Field(description="grade -> interval label, e.g. {3: '3d'}")


class TopicOverview(BaseModel):
    topic: str
    title: str
    due: int
    new: int
    total: int


class Overview(BaseModel):
    topics: list[TopicOverview]
    due: int
    new_available: int
    new_left_today: int
    reviewed_today: int
    language: str
    problems: list[str] = Field(default_factory=list)

    @property
    def to_study(self) -> int:
        return self.due + min(self.new_available, self.new_left_today)


class Progress(BaseModel):
    done: int
    remaining: int

    @property
    def total(self) -> int:
        return self.done + self.remaining


class AnswerOutcome(BaseModel):
    review_id: int
    grade: int
    next_due: datetime


class SessionSummary(BaseModel):
    reviewed: int
    correct: int
    seconds: float
    next_due: datetime | None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.reviewed if self.reviewed else None


class _Answered(BaseModel):
    review_id: int
    key: str
    grade: int
    duration_ms: int | None
    topic: str


class StudySession:
    """One person studying: the deck in memory, the store on disk, FSRS in between."""

    def __init__(
        self, settings: Settings, deck: Deck, db: Database, *,
        tz: tzinfo | None = None, enable_fuzzing: bool = True,
    ) -> None:
        self.settings = settings
        self.deck = deck
        self.db = db
        self.repo = Repository(db)
        self.tz = tz
        self.language = settings.language
        self.topic: str | None = None
        self.memory = MemoryModel(
            desired_retention=settings.desired_retention,
            learning_steps=settings.learning_steps,
            relearning_steps=settings.relearning_steps,
            maximum_interval=settings.maximum_interval_days,
            enable_fuzzing=enable_fuzzing,
        )
        self._answered: list[_Answered] = []
        self._started: datetime | None = None
        self.repo.sync_cards(
            CardEntry(key=c.key, deck=c.deck, topic=c.topic, kind=c.kind, ordinal=c.ordinal)
            for c in deck.cards.values()
        )

    @classmethod
    def open(cls, settings: Settings, **kwargs) -> StudySession:
        """Load the decks named by ``settings`` and open (or create) its database."""
        builtin = builtin_content_dir() if settings.builtin_deck else None
        deck = load_deck(builtin, settings.deck_dirs)
        return cls(settings, deck, open_database(settings.db_path), **kwargs)

    def close(self) -> None:
        self.db.close()

    # -- what there is to do ---------------------------------------------------------------
    def day_bounds(self, now: datetime) -> tuple[datetime, datetime]:
        return study_day_bounds(now, self.settings.rollover_hour, self.tz)

    def overview(self, now: datetime) -> Overview:
        now = require_utc(now)
        start, end = self.day_bounds(now)
        counts = {c.topic: c for c in self.repo.topic_counts(now, end)}
        titles = self._topic_titles()
        topics = [
            TopicOverview(topic=t, title=titles.get(t, t), due=c.due, new=c.new, total=c.total)
            for t, c in sorted(counts.items(), key=lambda kv: list(titles).index(kv[0])
                               if kv[0] in titles else len(titles))
        ]
        return Overview(
            topics=topics,
            due=sum(t.due for t in topics),
            new_available=sum(t.new for t in topics),
            new_left_today=self._new_left(start),
            reviewed_today=self.repo.reviews_since(start),
            language=self.language,
            problems=[p.format() for p in self.deck.problems],
        )

    def _topic_titles(self) -> dict[str, str]:
        titles: dict[str, str] = {}
        for card in self.deck.cards.values():
            titles.setdefault(card.topic, card.topic_title(self.language))
        return titles

    def _new_left(self, day_start: datetime) -> int:
        return max(0, self.settings.new_per_day - self.repo.new_introduced_since(day_start))

    def progress(self, now: datetime) -> Progress:
        overview = self.overview(now)
        if self.topic is not None:
            topic = next((t for t in overview.topics if t.topic == self.topic), None)
            due, new = (topic.due, topic.new) if topic else (0, 0)
        else:
            due, new = overview.due, overview.new_available
        return Progress(done=len(self._answered),
                        remaining=due + min(new, overview.new_left_today))

    # -- the queue -------------------------------------------------------------------------
    def next_card(self, now: datetime) -> PracticeCard | None:
        """The next card to show, or None when the session is done for now."""
        now = require_utc(now)
        if self._started is None:
            self._started = now
        state = self._next_state(now)
        if state is None:
            return None
        return self._practice_card(state, now)

    def _next_state(self, now: datetime) -> CardState | None:
        start, end = self.day_bounds(now)
        last = self._answered[-1].topic if self._answered else None
        topic = self.topic

        def first(cards: list[CardState]) -> CardState | None:
            known = [c for c in cards if c.key in self.deck.cards]
            return pick_interleaved(known, last, lambda c: c.topic)

        picked = first(self.repo.learning_due(now, _CANDIDATES, topic))
        if picked is None and self.repo.reviews_since(start) < self.settings.max_reviews_per_day:
            picked = first(self.repo.reviews_due(end, _CANDIDATES, topic))
        if picked is None:
            picked = first(self.repo.new_cards(min(self._new_left(start), _CANDIDATES), topic))
        if picked is None:
            ahead = now + timedelta(minutes=self.settings.learn_ahead_minutes)
            picked = first(self.repo.learning_due(ahead, _CANDIDATES, topic))
        return picked

    def _practice_card(self, state: CardState, now: datetime) -> PracticeCard:
        card = self.deck.cards[state.key]
        question, answer, source = _rendered(card, self.language)
        preview = self.memory.preview(_to_fsrs(state, now), now)
        return PracticeCard(
            key=card.key, topic=card.topic, topic_title=card.topic_title(self.language),
            lang=card.shown_language(self.language),
            question=question, answer=answer, is_new=state.is_new, source=source,
            intervals={int(g): format_interval(d) for g, d in preview.items()},
        )

    # -- answering -------------------------------------------------------------------------
    def answer(
        self, key: str, grade: Grade | int, now: datetime, duration_ms: int | None = None
    ) -> AnswerOutcome:
        """Grade a card; the review and the new state are committed before this returns."""
        now = require_utc(now)
        grade = Grade(int(grade))
        before = self.repo.card(key)
        if before is None:
            raise KeyError(f"no card {key!r} in the database")
        updated = self.memory.review(_to_fsrs(before, now), grade, now)
        after = _from_fsrs(before, updated)
        review_id = self.repo.record_review(
            before, after, rating=int(grade), reviewed_at=now, duration_ms=duration_ms,
            lang=self.language,
        )
        self._answered.append(_Answered(review_id=review_id, key=key, grade=int(grade),
                                        duration_ms=duration_ms, topic=before.topic))
        return AnswerOutcome(review_id=review_id, grade=int(grade), next_due=updated.due)

    def can_undo(self) -> bool:
        return bool(self._answered)

    def undo(self, now: datetime) -> PracticeCard | None:
        """Take back the last answer of this session (database included) and show it again."""
        if not self._answered:
            return None
        last = self._answered.pop()
        state = self.repo.undo_review(last.review_id)
        if state is None or state.key not in self.deck.cards:
            return None
        return self._practice_card(state, require_utc(now))

    def summary(self, now: datetime) -> SessionSummary:
        now = require_utc(now)
        correct = sum(1 for a in self._answered if a.grade != Grade.AGAIN)
        seconds = (now - self._started).total_seconds() if self._started else 0.0
        return SessionSummary(reviewed=len(self._answered), correct=correct, seconds=seconds,
                              next_due=self.repo.next_due_after(now))

    # -- settings for this session ---------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.language = language

    def set_topic(self, topic: str | None) -> None:
        self.topic = topic

    def cards(self) -> list[Card]:
        return list(self.deck.cards.values())


@lru_cache(maxsize=512)
def _rendered_text(markdown: str) -> str:
    return render_math(markdown)


def _rendered(card: Card, language: str) -> tuple[str, str, str]:
    text = card.text(language)
    return (_rendered_text(text.question), _rendered_text(text.answer),
            f"{text.path}:{text.line}")


def _to_fsrs(state: CardState, now: datetime) -> FsrsCard:
    if state.is_new:
        return FsrsCard(card_id=state.id, state=State.Learning, step=0, due=now)
    return FsrsCard(
        card_id=state.id, state=State(state.state), step=state.step,
        stability=state.stability, difficulty=state.difficulty, due=state.due,
        last_review=state.last_review,
    )


def _from_fsrs(before: CardState, card: FsrsCard) -> CardState:
    return CardState(
        id=before.id, key=before.key, topic=before.topic, state=int(card.state), step=card.step,
        stability=card.stability, difficulty=card.difficulty, due=card.due,
        last_review=card.last_review,
    )
