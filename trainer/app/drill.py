"""Drills: extra practice of missed cards, in the application layer.

**A drill never touches the schedule.** Each answer is logged as a review of kind
``'drill'`` (``reviews.kind``); the card's FSRS state is not changed, and drills are
excluded from everything that counts scheduled work (the day's new-card and review
limits, lapses and leeches, true retention; see ``trainer.app.progress``). For an exercise the
exact instance that was missed is posed first (from the seed stored with the review), then
a fresh one.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from trainer.app.errors import StoreError
from trainer.app.missed import MissedCard
from trainer.app.session import UndoneUnread
from trainer.app.study import (
    AnswerOutcome,
    Attempt,
    CheckResult,
    PracticeCard,
    SessionCount,
    SessionSummary,
    StudySession,
)
from trainer.core.model import Model
from trainer.core.time import require_utc
from trainer.scheduling.memory import Grade
from trainer.store.stats_queries import ProgressQueries


class DrillItem(Model):
    key: str
    seed: int | None = Field(None, description="exercise instance; None: a fresh one")
    exact: bool = Field(False, description="the very instance that was missed")
    typed: str | None = None


def drill_items(missed: list[MissedCard]) -> list[DrillItem]:
    """What a drill of ``missed`` shows, in order: for an exercise the exact instance that
    was missed, then a fresh one; for a plain card the card."""
    items = []
    for card in missed:
        if card.kind == "exercise":
            if card.seed is not None:
                items.append(DrillItem(key=card.key, seed=card.seed, exact=True,
                                       typed=card.answer))
            items.append(DrillItem(key=card.key))
        else:
            items.append(DrillItem(key=card.key))
    return items


class _Drilled(Model):
    review_id: int
    position: int
    seed: int | None
    grade: int


class DrillSession:
    """Extra practice of missed cards: a ``PracticeSession`` (``trainer.app.session``), as
    the study session is, so the practice screen runs it.

    Every answer is logged as a drill (``reviews.kind = 'drill'``) and never changes the
    card's FSRS state, the daily limits, lapses or retention statistics.
    """

    def __init__(self, study: StudySession, missed: list[MissedCard]) -> None:
        self.study = study
        self.queries = ProgressQueries(study.db)
        self.items = drill_items(missed)
        self.position = 0
        self.current: DrillItem | None = None
        self._shown: tuple[int, int | None] | None = None  # (position, seed) on screen
        self._done: list[_Drilled] = []
        self._started: datetime | None = None

    @property
    def language(self) -> str:
        return self.study.language

    def next_card(self, now: datetime) -> PracticeCard | None:
        now = require_utc(now)
        if self._started is None:
            self._started = now
        while self.position < len(self.items):
            item = self.items[self.position]
            seed = item.seed
            if seed is None and self._shown and self._shown[0] == self.position:
                seed = self._shown[1]  # the same fresh instance (e.g. after a language switch)
            try:
                card = self.card_for(item.key, now, seed=seed)  # a drill sets no interval
            except KeyError:  # no longer in any deck
                self.position += 1
                continue
            self.current = item
            self._shown = (self.position, card.exercise.seed if card.exercise else None)
            return card
        self.current = None
        return None

    def card_for(self, key: str, now: datetime, seed: int | None = None) -> PracticeCard:
        """``key`` posed again (e.g. in the other language); KeyError when it is gone."""
        return self.study.card_for(key, now, seed).model_copy(update={"intervals": {}})

    def refreshed(self, card: PracticeCard, now: datetime) -> PracticeCard | None:
        """The card on screen as the decks now say; None when it is in no deck."""
        fresh = self.study.refreshed(card, now)
        return None if fresh is None else fresh.model_copy(update={"intervals": {}})

    def expects(self, key: str) -> bool:
        """Whether grading ``key`` now logs the card the drill is at: not after a saved
        drill whose next card could not be read, or an undo whose card could not be."""
        expected = self.current
        return (expected is not None and self.position < len(self.items)
                and self.items[self.position] is expected and expected.key == key)

    def answer(self, key: str, grade: Grade | int, now: datetime,
               duration_ms: int | None = None, attempt: Attempt | None = None
               ) -> AnswerOutcome:
        """Log a drill of the card on screen (a wrong exercise answer is graded Again)."""
        now = require_utc(now)
        if self.current is None or self.current.key != key:
            raise KeyError(f"{key!r} is not the card being drilled")
        grade = Grade(int(grade))
        if attempt is not None and not attempt.correct:
            grade = Grade.AGAIN
        review_id = self.queries.record_drill(
            key, rating=int(grade), reviewed_at=now, duration_ms=duration_ms,
            lang=self.study.language, attempt=attempt)
        seed = self._shown[1] if self._shown and self._shown[0] == self.position else None
        self._done.append(_Drilled(review_id=review_id, position=self.position, seed=seed,
                                   grade=int(grade)))
        self.position += 1
        state = self.study.repo.card(key)
        return AnswerOutcome(review_id=review_id, grade=int(grade),
                             next_due=state.due if state and state.due else now)

    def can_undo(self) -> bool:
        return bool(self._done)

    def undo(self, now: datetime) -> PracticeCard | None:
        """Delete the last drill and show the same card (the same instance) again.
        ``UndoneUnread`` when the drill was deleted but its card could not be read."""
        if not self._done:
            return None
        last = self._done[-1]
        self.queries.delete_drill(last.review_id)  # StoreError: still undoable later
        self._done.pop()
        self.position = last.position
        item = self.items[last.position]
        self.current = item
        self._shown = (last.position, last.seed)
        try:
            return self.card_for(item.key, require_utc(now), seed=last.seed)
        except StoreError as exc:
            raise UndoneUnread(str(exc)) from exc

    def progress(self, now: datetime) -> SessionCount:
        return SessionCount(done=len(self._done), remaining=len(self.items) - self.position)

    def summary(self, now: datetime) -> SessionSummary:
        now = require_utc(now)
        correct = sum(1 for d in self._done if d.grade != Grade.AGAIN)
        seconds = (now - self._started).total_seconds() if self._started else 0.0
        return SessionSummary(reviewed=len(self._done), correct=correct, seconds=seconds,
                              next_due=self.study.repo.next_due_after(now))

    def check_exercise(self, card: PracticeCard, typed: str) -> CheckResult:
        return self.study.check_exercise(card, typed)

    def attempt(self, card: PracticeCard, typed: str, result: CheckResult) -> Attempt | None:
        return self.study.attempt(card, typed, result)

    def checkpoint(self) -> None:
        self.study.checkpoint()
