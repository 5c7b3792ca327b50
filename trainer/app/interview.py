"""Interview mode in the application layer: the pure policy of
``trainer.scheduling.interview`` applied to the stored cards of a study session.

* ``replan``: once per study day (and after a settings change), the day's plan
  (``plan_schedule``) from what the learner's answers say so far (stability scale,
  answers per new card and per review, first answers, the usual sitting), and the stored
  cards it brings forward written.
* ``due_after_answer``: the due date to store after an answer, ``min(FSRS due, the
  interview-adjusted due)``, on a day the plan leaves room on.
* ``new_per_day``, ``review_limit``, ``review_cap``: the queue's limits: the day's planned
  new cards, as many as still fit under ``max-reviews-per-day`` (learning steps count);
  reviews up to the cap less the room those new cards need, then up to the cap.
* ``readiness``: the countdown, the share of cards at or above the target on the day, the
  plan's figure, and when the deck cannot be ready, what would make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.core.time import require_utc
from trainer.scheduling.calibration import calibrate
from trainer.scheduling.interview import (
    InterviewPlan,
    Projector,
    Schedule,
    Workload,
    answers_per_new,
    answers_per_review,
    day_start,
    first_ratings,
    forgetting_curve,
    load_per_day,
    make_plan,
    needed_per_day,
    new_margin,
    place_review,
    plan_schedule,
    readiness,
    ready_date,
    review_margin,
    review_reserve,
    study_date,
    usual_sitting,
)
from trainer.scheduling.memory import FsrsCard, Grade, MemoryModel, State, studied_card
from trainer.scheduling.study_day import study_day_bounds
from trainer.store import planning
from trainer.store.database import Database, StoreError
from trainer.store.repository import Repository

HISTORY_DAYS = 90  # how far back answers per new card and first answers are read


class Readiness(Model):
    """Where the learner stands for the interview.

    ``at_target``: the readiness figure, the share of all cards whose predicted recall on
    the day is at or above ``target`` if no further review happened (unstudied cards
    count as below); ``expected_recall``: the mean predicted recall on the day (unstudied
    0). ``planned``: the share of cards the plan brings to the target by the day within
    ``max_per_day`` answers a day; ``feasible``: every card; when not, the answers a day
    (``needed_per_day``) or the interview date (``ready_by``) that would make it.
    ``stability_scale``: what the learner's own answers say about the memory model
    (``calibration_reviews`` of them), by which every predicted stability is multiplied.
    """

    interview_date: date
    days_left: int = 0  # study days before the interview, today included; 0 on the day
    expected_recall: float
    at_target: float = 0.0
    target: float
    studied: int
    total: int
    planned: float | None = None
    feasible: bool = True
    max_per_day: int | None = None
    needed_per_day: int | None = None
    ready_by: date | None = None
    stability_scale: float = 1.0
    calibration_reviews: int = 0


@dataclass
class _Day:
    """One study day's plan and what it was computed from."""

    key: tuple
    plan: InterviewPlan
    scale: float
    calibration_reviews: int
    workload: Workload
    schedule: Schedule
    projector: Projector
    cards: list[FsrsCard]
    unseen: int
    introduced: int  # new cards introduced today before the plan was made
    alternatives: tuple[int | None, date | None] | None = None


class InterviewMode:
    """Interview mode over one store, with the session's memory model and time zone.
    ``settings`` is read each time, so a new date or limit applies at once (the session
    hands new ones over in ``StudySession.apply_settings``)."""

    def __init__(self, settings: Settings, *, memory: MemoryModel, db: Database,
                 repo: Repository, tz: tzinfo | None = None) -> None:
        self.settings = settings
        self._memory = memory
        self._db = db
        self._repo = repo
        self._tz = tz
        self._replanned: tuple | None = None
        self._plan: tuple[tuple, InterviewPlan | None] | None = None
        self._day: _Day | None = None
        self._projector: tuple[tuple, Projector] | None = None

    def plan(self, now: datetime) -> InterviewPlan | None:
        """Today's plan (kept until the study day or the settings change)."""
        s = self.settings
        if s.interview_date is None:
            return None
        key = (study_date(now, s.rollover_hour, self._tz), s.interview_date,
               s.interview_target, s.rollover_hour)
        if self._plan is None or self._plan[0] != key:
            self._plan = (key, make_plan(s.interview_date, s.interview_target, now,
                                         s.rollover_hour, self._tz))
        return self._plan[1]

    # -- the day's plan --------------------------------------------------------------------
    def _key(self, plan: InterviewPlan) -> tuple:
        s = self.settings
        return (plan.today, plan.day, plan.target, s.rollover_hour, s.max_reviews_per_day,
                s.new_per_day)

    def _day_plan(self, now: datetime, plan: InterviewPlan) -> _Day:
        """The day's plan, computed once per study day and settings (at its first use)."""
        key = self._key(plan)
        if self._day is not None and self._day.key == key:
            return self._day
        s = self.settings
        db = self._db
        scheduler = self._memory.scheduler
        decay, factor = forgetting_curve(scheduler)
        samples = planning.calibration_samples(db)
        calibration = calibrate(samples, decay, factor)
        passed = [y for _, _, y in samples]
        lapse = 1 - sum(passed) / len(passed) if len(passed) >= 30 else 1 - s.desired_retention
        since = plan.days[0] - timedelta(days=HISTORY_DAYS)
        learning, introduced, firsts = planning.first_answers(db, since)
        start = plan.days[0]
        workload = Workload(
            per_day=s.max_reviews_per_day,
            done_today=self._repo.reviews_since(start),
            per_new=answers_per_new(len(s.learning_steps), (learning, introduced)),
            per_review=answers_per_review(len(s.relearning_steps), lapse),
            new_per_day=s.new_per_day, first_ratings=first_ratings(firsts),
            relearning_steps=len(s.relearning_steps))
        projector = self._projector_for(scheduler)
        states = planning.card_states(db)
        cards = [c for c in (studied_card(x) for x in states) if c is not None]
        unseen = sum(1 for x in states if x.is_new)
        schedule = plan_schedule(projector, plan, cards, unseen, workload,
                                 scale=calibration.scale)
        self._day = _Day(key=key, plan=plan, scale=calibration.scale,
                         calibration_reviews=calibration.reviews, workload=workload,
                         schedule=schedule, projector=projector, cards=cards, unseen=unseen,
                         introduced=self._repo.new_introduced_since(start))
        return self._day

    def _projector_for(self, scheduler) -> Projector:
        """One look-ahead per scheduler and usual sitting (its caches last the session)."""
        s = self.settings
        offsets = []
        for moment in planning.recent_review_times(self._db):
            begin, _ = study_day_bounds(moment, s.rollover_hour, self._tz)
            offsets.append(moment - begin)
        session = usual_sitting(offsets)
        key = (id(scheduler), session)
        if self._projector is None or self._projector[0] != key:
            self._projector = (key, Projector(scheduler, session))
        return self._projector[1]

    # -- answers ---------------------------------------------------------------------------
    def due_after_answer(self, card: FsrsCard, now: datetime) -> datetime:
        """The due date to store for ``card``, just scheduled by FSRS at ``now``."""
        plan = self.plan(now)
        if plan is None or not plan.review_days or card.state != State.Review:
            return card.due
        day = self._day_plan(now, plan)
        if card.due <= plan.moment or day.projector.recall(card, plan.moment,
                                                           day.scale) >= plan.aim:
            return card.due  # on track: no need to read the load
        load = self._load(day)
        return place_review(day.projector, card, plan, load, day.workload.per_day,
                            scale=day.scale, cost=day.workload.per_review)

    def _load(self, day: _Day) -> list[float]:
        """Planned answers on each review day: the stored due dates, and what they do not
        show yet (the plan's ``extra``)."""
        plan = day.plan
        dues = planning.review_dues(self._db, plan.review_days[0], plan.moment)
        stored = load_per_day(dues, plan, day.workload.per_review)
        return [a + b for a, b in zip(stored, day.schedule.extra[1:], strict=True)]

    def preview(self, card: FsrsCard, now: datetime,
                intervals: dict[Grade, timedelta]) -> dict[Grade, timedelta]:
        """The grade buttons' intervals as they will be stored (earlier where the interview
        needs it); ``card``: the card before the answer, ``intervals``: FSRS's."""
        plan = self.plan(now)
        if plan is None or not plan.review_days:
            return intervals
        shown = {}
        for grade, delta in intervals.items():
            after = self._memory.review(card, grade, now)
            after.due = now + delta  # the interval FSRS showed (fuzzed once)
            shown[grade] = self.due_after_answer(after, now) - now
        return shown

    def replan(self, now: datetime) -> int:
        """Make the day's plan and move the reviews it brings forward; how many moved.

        Runs once per study day and settings; cheap to call before every card."""
        plan = self.plan(now)
        key = None if plan is None else self._key(plan)
        if plan is None or key == self._replanned:
            return 0
        day = self._day_plan(now, plan)
        changes = {card_id: due for card_id, due in day.schedule.moves.items()}
        try:
            planning.set_dues(self._db, changes)
        except StoreError:
            return 0  # not written (disk full, locked, ...): tried again before the next card
        self._replanned = key
        return len(changes)

    def new_per_day(self, day_begins: datetime) -> int:
        """Today's new-card quota (``day_begins``: the start of the study day): the plan's,
        cut to what still fits under ``max-reviews-per-day`` after the answers given and
        those the cards in learning still owe. Reviews do not count here: they wait for
        the planned new cards (``review_limit``)."""
        s = self.settings
        plan = self.plan(day_begins)
        if plan is None:
            return s.new_per_day
        day = self._day_plan(day_begins, plan)
        repo = self._repo
        introduced = repo.new_introduced_since(day_begins)
        quota = day.introduced + day.schedule.new_per_day[0]  # the day's, as planned
        if quota <= introduced:
            return quota
        _, end = study_day_bounds(day_begins, s.rollover_hour, self._tz)
        owed = planning.learning_due(self._db, end)
        left = s.max_reviews_per_day - repo.reviews_since(day_begins) - owed
        fits = max(0, left // new_margin(day.workload))  # as ``new_room`` counts
        return introduced + min(quota - introduced, fits)

    def review_limit(self, day_begins: datetime) -> int:
        """How many answers today may go to reviews before the day's planned new cards
        are introduced: ``max-reviews-per-day`` minus what those cards will take
        (``review_reserve``); the whole cap without an interview."""
        s = self.settings
        plan = self.plan(day_begins)
        if plan is None:
            return s.max_reviews_per_day
        day = self._day_plan(day_begins, plan)
        introduced = self._repo.new_introduced_since(day_begins)
        quota = day.introduced + day.schedule.new_per_day[0]
        return s.max_reviews_per_day - review_reserve(day.workload, quota, introduced)

    def review_cap(self, day_begins: datetime) -> int:
        """The review limit when no planned new card is left to wait for: the cap, less
        (in interview mode) the room of a lapse on the last review (``review_margin``)."""
        s = self.settings
        plan = self.plan(day_begins)
        if plan is None:
            return s.max_reviews_per_day
        return s.max_reviews_per_day - review_margin(self._day_plan(day_begins,
                                                                    plan).workload)

    # -- readiness -------------------------------------------------------------------------
    def readiness(self, now: datetime) -> Readiness | None:
        """None without an interview date or once it has passed."""
        s = self.settings
        if s.interview_date is None:
            return None
        today = study_date(now, s.rollover_hour, self._tz)
        if today > s.interview_date:
            return None
        moment = day_start(s.interview_date, s.rollover_hour, self._tz)
        states = planning.card_states(self._db)
        plan = self.plan(now)
        day = self._day_plan(now, plan) if plan is not None else None
        scale = day.scale if day is not None else 1.0
        mean, share, studied, total = readiness(
            self._memory.scheduler, (studied_card(c) for c in states),
            max(moment, require_utc(now)), s.interview_target, scale)
        ready = Readiness(interview_date=s.interview_date,
                          days_left=(s.interview_date - today).days, expected_recall=mean,
                          at_target=share, target=s.interview_target, studied=studied,
                          total=total, stability_scale=scale,
                          calibration_reviews=day.calibration_reviews if day else 0)
        if day is None:
            return ready
        schedule = day.schedule
        ready.planned = schedule.ready / schedule.total if schedule.total else 1.0
        ready.feasible = schedule.feasible
        ready.max_per_day = s.max_reviews_per_day
        if not schedule.feasible:
            if day.alternatives is None:  # a few plans more: once a day
                day.alternatives = (
                    needed_per_day(day.projector, day.plan, day.cards, day.unseen,
                                   day.workload, scale=day.scale),
                    ready_date(day.projector, day.plan, day.cards, day.unseen,
                               day.workload, scale=day.scale, rollover_hour=s.rollover_hour,
                               tz=self._tz))
            ready.needed_per_day, ready.ready_by = day.alternatives
        return ready
