"""Interview mode in the application layer: the pure policy of
``trainer.scheduling.interview`` applied to the stored cards of a study session.

* ``due_after_answer``: the due date to store after an answer, ``min(FSRS due, the
  interview-adjusted due)``.
* ``replan``: once per study day (and after a settings change), the same rule applied to
  the cards already scheduled past the interview, so a card reviewed before the date was
  set is not forgotten.
* ``new_per_day``: today's new-card quota, paced to introduce the whole deck in time.
* ``readiness``: the expected share of all cards recalled on the day, and the countdown.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from fsrs import Card as FsrsCard
from fsrs import State

from trainer.model import Model
from trainer.scheduling.interview import (
    InterviewPlan,
    day_start,
    interview_due,
    load_per_day,
    make_plan,
    needs_earlier_review,
    new_cards_per_day,
    readiness,
    replan,
    study_date,
)
from trainer.scheduling.memory import Grade, require_utc
from trainer.store import planning
from trainer.store.database import StoreError
from trainer.store.records import CardState

if TYPE_CHECKING:
    from trainer.study import StudySession


class Readiness(Model):
    """Where the learner stands for the interview."""

    interview_date: date
    days_left: int = 0  # study days before the interview, today included; 0 on the day
    expected_recall: float  # mean predicted recall on the day over all cards (unstudied: 0)
    target: float
    studied: int
    total: int


def fsrs_card(state: CardState) -> FsrsCard | None:
    """The stored state as an ``fsrs.Card``; None for a card never studied."""
    if state.is_new:
        return None
    return FsrsCard(card_id=state.id, state=State(state.state), step=state.step,
                    stability=state.stability, difficulty=state.difficulty, due=state.due,
                    last_review=state.last_review)


class InterviewMode:
    """Reads the session's settings each time, so a new date or limit applies at once."""

    def __init__(self, session: StudySession) -> None:
        self._session = session
        self._replanned: tuple | None = None
        self._plan: tuple[tuple, InterviewPlan | None] | None = None

    def plan(self, now: datetime) -> InterviewPlan | None:
        """Today's plan (kept until the study day or the settings change)."""
        s = self._session.settings
        if s.interview_date is None:
            return None
        key = (study_date(now, s.rollover_hour, self._session.tz), s.interview_date,
               s.interview_target, s.rollover_hour)
        if self._plan is None or self._plan[0] != key:
            self._plan = (key, make_plan(s.interview_date, s.interview_target, now,
                                         s.rollover_hour, self._session.tz))
        return self._plan[1]

    def _load(self, plan: InterviewPlan) -> list[int]:
        dues = planning.review_dues(self._session.db, plan.review_days[0], plan.moment)
        return load_per_day(dues, plan)

    def due_after_answer(self, card: FsrsCard, now: datetime) -> datetime:
        """The due date to store for ``card``, just scheduled by FSRS at ``now``."""
        plan = self.plan(now)
        scheduler = self._session.memory.scheduler
        if plan is None or not plan.review_days or not needs_earlier_review(
                scheduler, card, plan):
            return card.due
        return interview_due(scheduler, card, plan, self._load(plan),
                             self._session.settings.max_reviews_per_day)

    def preview(self, card: FsrsCard, now: datetime,
                intervals: dict[Grade, timedelta]) -> dict[Grade, timedelta]:
        """The grade buttons' intervals as they will be stored (earlier where the interview
        needs it); ``card``: the card before the answer, ``intervals``: FSRS's."""
        plan = self.plan(now)
        if plan is None or not plan.review_days:
            return intervals
        shown = {}
        for grade, delta in intervals.items():
            after = self._session.memory.review(card, grade, now)
            after.due = now + delta  # the interval FSRS showed (fuzzed once)
            shown[grade] = self.due_after_answer(after, now) - now
        return shown

    def replan(self, now: datetime) -> int:
        """Move the reviews that would come too late for the interview; how many moved.

        Runs once per study day and settings; cheap to call before every card."""
        plan = self.plan(now)
        s = self._session.settings
        key = None if plan is None else (plan.today, plan.day, plan.target,
                                         s.rollover_hour, s.max_reviews_per_day)
        if plan is None or key == self._replanned:
            return 0
        if not plan.review_days:
            self._replanned = key
            return 0
        cards = [fsrs_card(c) for c in planning.reviews_due_after(self._session.db,
                                                                  plan.moment)]
        changes = replan(self._session.memory.scheduler, [c for c in cards if c is not None],
                         plan, self._load(plan), s.max_reviews_per_day)
        try:
            planning.set_dues(self._session.db, changes)
        except StoreError:
            return 0  # not written (disk full, locked, ...): tried again before the next card
        self._replanned = key
        return len(changes)

    def new_per_day(self, day_begins: datetime) -> int:
        """Today's new-card quota (``day_begins``: the start of the study day)."""
        s = self._session.settings
        plan = self.plan(day_begins)
        if plan is None:
            return s.new_per_day
        remaining = (planning.unseen_count(self._session.db)
                     + self._session.repo.new_introduced_since(day_begins))
        return new_cards_per_day(s.new_per_day, remaining, plan)

    def readiness(self, now: datetime) -> Readiness | None:
        """None without an interview date or once it has passed."""
        s = self._session.settings
        if s.interview_date is None:
            return None
        today = study_date(now, s.rollover_hour, self._session.tz)
        if today > s.interview_date:
            return None
        moment = day_start(s.interview_date, s.rollover_hour, self._session.tz)
        states = planning.card_states(self._session.db)
        share, studied, total = readiness(
            self._session.memory.scheduler, (fsrs_card(c) for c in states),
            max(moment, require_utc(now)))
        return Readiness(interview_date=s.interview_date,
                         days_left=(s.interview_date - today).days, expected_recall=share,
                         target=s.interview_target, studied=studied, total=total)
