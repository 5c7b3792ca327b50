"""Interview mode against paced plain FSRS, on simulated learners the scheduler does not know.

**The panel.** Each learner's memory follows FSRS-6's own equations (``FsrsLearner``) with
parameters of its own: every default parameter of the ``fsrs`` library times
``exp(Normal(0, PANEL_SPREAD))`` (0.2: about x0.67 to x1.49 for 95 % of draws), clipped to
the library's bounds, drawn from a seeded generator per learner. The scheduler runs the
library's default parameters, so it does not know them. Unlike the library, the learner's
memory runs on continuous time: its recall after t days (fractions included) is
``(1 + FACTOR t / S) ** DECAY`` with its own decay, and that recall is also what its
stability update sees (the library floors t to whole days). A recall happens with that
probability; a recall is graded Hard 15 %, Easy 10 %, else Good; a first sight is graded
Again 20 %, Hard 15 %, Good 55 %, Easy 10 % and sets the learner's own initial stability
and difficulty.

**The current learner** (``SimulatedLearner``, the learner of the first version of this
benchmark) is not FSRS at all: see its docstring. It forgets faster than FSRS's defaults
assume, by much more than the panel's spread.

**The settings** (one learner studies every morning at 09:00 UTC, the interview is the
morning after the last study day; recall is measured at 04:00 that day, the start of the
interview's study day; 10 new cards a day set, at most 120 answers a day):

* roomy: 400 cards, 30 days; normal: 200 cards, 60 days; tight: 800 cards, 21 days.

**The policies**, on the same learners (paired): *paced FSRS*: plain FSRS reviews with
interview mode's new-card pace (capacity-aware, no earlier reviews, no calibration), the
baseline; *interview .90* and *interview .95*: interview mode as the app runs it
(``trainer.scheduling.interview``): the plan at the start of each day (earlier reviews
moved, the day's new cards), the earlier review after each answer, the learner's own
answers so far calibrating the stability (``trainer.scheduling.calibration``).

The queue is the app's: reviews due today, most overdue first, while the day's answers
are under the cap (a lapse's relearning steps follow at once), then new cards, each taken
through its learning steps; interview mode starts a new card only when its expected
answers still fit under the cap (``new_room``), plain FSRS does not look.

Reported per policy: mean true recall on the day over all cards (unstudied 0), the worst
learner's, the share of cards at or above the target (0.90 for paced FSRS), the reviews
(every answer, learning steps included) relative to paced FSRS, the busiest day against
the cap, and the scheduler's predicted mean recall minus the true one. For interview
mode, what the plan said before the learner's first day: ready or not, the share of
cards it expected at the target, and what would fit (answers a day, or a later date).
"""

from __future__ import annotations

import math
import random
import sys
import time as clock
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from benchmarks.rows import Row
from trainer.scheduling.calibration import fit_scale, usable
from trainer.scheduling.interview import (
    Projector,
    Workload,
    answers_per_new,
    answers_per_review,
    first_ratings,
    forgetting_curve,
    load_per_day,
    make_plan,
    needed_per_day,
    new_cards_per_day,
    new_room,
    place_review,
    plan_schedule,
    readiness,
    ready_date,
    review_margin,
    review_reserve,
)

START = datetime(2026, 11, 1, 4, tzinfo=UTC)  # the first study day starts (04:00 UTC)
PANEL_SPREAD = 0.2
FIRST_GRADES = (0.20, 0.15, 0.55, 0.10)
HARD_SHARE, EASY_SHARE = 0.15, 0.10


# -- the learners --------------------------------------------------------------------------
@dataclass(frozen=True)
class LearnerModel:
    """The current learner's true memory (see ``SimulatedLearner``)."""

    decay: float = 0.5
    initial_stability: tuple[float, float, float, float] = (0.4, 1.0, 2.5, 6.0)
    first_grades: tuple[float, float, float, float] = FIRST_GRADES
    growth: float = 3.67
    stability_exponent: float = 0.25
    recall_gain: float = 1.1
    hard_factor: float = 0.8
    easy_factor: float = 1.3
    lapse_exponent: float = 0.3
    lapse_difficulty: float = 0.2
    lapse_gain: float = 0.5
    same_day: tuple[float, float, float, float] = (0.6, 0.9, 1.15, 1.4)
    difficulty_mean: float = 5.5
    difficulty_sd: float = 1.5
    noise_sd: float = 0.35
    hard_share: float = HARD_SHARE
    easy_share: float = EASY_SHARE

    @property
    def factor(self) -> float:
        return 0.9 ** (-1 / self.decay) - 1


@dataclass
class _Memory:
    difficulty: float
    stability: float | None = None
    last: datetime | None = None


class SimulatedLearner:
    """The current learner: a memory of its own, not FSRS's, answering cards 0..n-1.

    * **Forgetting** follows ``R(t) = (1 + f t / S) ** -decay`` with ``decay = 0.5`` (FSRS-6's
      default is 0.1542: this learner forgets faster once past its stability) and
      ``f = 0.9 ** (-1 / decay) - 1`` so that ``R(S) = 0.9``.
    * **Each card** has a hidden difficulty ``d`` drawn from Normal(5.5, 1.5), clipped to
      [1, 10].
    * **First sight**: the grade is drawn (Again 20 %, Hard 15 %, Good 55 %, Easy 10 %) and
      sets the stability (0.4, 1.0, 2.5, 6.0 days; FSRS assumes 0.21, 1.29, 2.31, 8.30).
    * **A recall a day or more later** multiplies the stability by ``1 + 3.67 (11 - d) / 6
      S^-0.25 (e^{1.1 (1 - R)} - 1)`` (x0.8 for Hard, x1.3 for Easy): slower growth than
      FSRS's ``e^1.87 (11 - D) S^-0.17 (e^{0.80 (1 - R)} - 1)``. **A lapse** sets it to
      ``min(S, d^-0.2 ((S + 1)^0.3 - 1) e^{0.5 (1 - R)})``, at least 0.1 day. **The same
      day** (learning steps) it is scaled by 0.6 / 0.9 / 1.15 / 1.4 for Again / Hard /
      Good / Easy.
    * **Noise**: each recall happens with probability ``sigmoid(logit(R) + e)``, e ~
      Normal(0, 0.35) (good and bad days); a recall is graded Hard 15 %, Easy 10 %, else
      Good.
    """

    def __init__(self, n_cards: int, rng: np.random.Generator,
                 model: LearnerModel | None = None) -> None:
        self.model = model or LearnerModel()
        self.rng = rng
        d = rng.normal(self.model.difficulty_mean, self.model.difficulty_sd, n_cards)
        self.memory = [_Memory(difficulty=float(x)) for x in np.clip(d, 1.0, 10.0)]

    def true_recall(self, card: int, when: datetime) -> float:
        """The probability of recall at ``when`` (0 for a card never seen)."""
        memory = self.memory[card]
        if memory.stability is None or memory.last is None:
            return 0.0
        days = max(0.0, (when - memory.last).total_seconds() / 86400)
        return (1 + self.model.factor * days / memory.stability) ** -self.model.decay

    def answer(self, card: int, when: datetime) -> Rating:
        """Try to recall ``card`` at ``when``: the grade given, and the memory updated."""
        m, memory = self.model, self.memory[card]
        if memory.stability is None:
            grade = int(self.rng.choice(4, p=m.first_grades)) + 1
            memory.stability, memory.last = m.initial_stability[grade - 1], when
            return Rating(grade)
        r = min(max(self.true_recall(card, when), 1e-6), 1 - 1e-6)
        logit = math.log(r / (1 - r)) + self.rng.normal(0.0, m.noise_sd)
        recalled = self.rng.random() < 1 / (1 + math.exp(-logit))
        if recalled:
            u = self.rng.random()
            grade = 2 if u < m.hard_share else 4 if u < m.hard_share + m.easy_share else 3
        else:
            grade = 1
        s, d = memory.stability, memory.difficulty
        if (when - memory.last) < timedelta(days=1):
            s = s * m.same_day[grade - 1]
        elif recalled:
            bonus = m.hard_factor if grade == 2 else m.easy_factor if grade == 4 else 1.0
            s = s * (1 + m.growth * (11 - d) / 6 * s ** -m.stability_exponent
                     * (math.exp(m.recall_gain * (1 - r)) - 1) * bonus)
        else:
            s = min(s, d ** -m.lapse_difficulty * ((s + 1) ** m.lapse_exponent - 1)
                    * math.exp(m.lapse_gain * (1 - r)))
        memory.stability, memory.last = max(s, 0.1), when
        return Rating(grade)


def panel_parameters(seed: int, spread: float = PANEL_SPREAD) -> tuple[float, ...]:
    """A panel learner's FSRS-6 parameters: each default times exp(Normal(0, spread)),
    clipped to the ``fsrs`` library's bounds."""
    rng = np.random.default_rng(seed)
    factors = np.exp(rng.normal(0.0, spread, len(DEFAULT_PARAMETERS)))
    return tuple(float(min(max(w * f, lo), hi)) for w, f, lo, hi in zip(
        DEFAULT_PARAMETERS, factors, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS,
        strict=True))


class FsrsLearner:
    """A learner whose memory is FSRS-6 with ``parameters`` (its own), on continuous time.

    The equations are the ``fsrs`` library's (``Scheduler._next_stability``,
    ``_short_term_stability``, ``_next_difficulty``, ``_initial_*``); the elapsed time is
    not floored to whole days (see the module docstring).
    """

    def __init__(self, n_cards: int, rng: np.random.Generator,
                 parameters: tuple[float, ...] = DEFAULT_PARAMETERS) -> None:
        self.w = parameters
        self.rng = rng
        self.decay = -parameters[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.stability: list[float | None] = [None] * n_cards
        self.difficulty: list[float] = [0.0] * n_cards
        self.last: list[datetime | None] = [None] * n_cards

    def true_recall(self, card: int, when: datetime) -> float:
        s, last = self.stability[card], self.last[card]
        if s is None or last is None:
            return 0.0
        days = max(0.0, (when - last).total_seconds() / 86400)
        return (1 + self.factor * days / s) ** self.decay

    def answer(self, card: int, when: datetime) -> Rating:
        if self.stability[card] is None:
            grade = int(self.rng.choice(4, p=FIRST_GRADES)) + 1
        else:
            recalled = self.rng.random() < self.true_recall(card, when)
            u = self.rng.random()
            grade = (1 if not recalled else 2 if u < HARD_SHARE
                     else 4 if u < HARD_SHARE + EASY_SHARE else 3)
        self.learn(card, grade, when)
        return Rating(grade)

    def learn(self, card: int, grade: int, when: datetime) -> None:
        """The memory after answering ``grade`` at ``when`` (FSRS-6's update)."""
        w, s, d = self.w, self.stability[card], self.difficulty[card]
        if s is None:
            s = max(w[grade - 1], 0.001)
            d = _clamp(w[4] - math.exp(w[5] * (grade - 1)) + 1)
        else:
            days = (when - self.last[card]).total_seconds() / 86400
            if days < 1:
                boost = math.exp(w[17] * (grade - 3 + w[18])) * s ** -w[19]
                s = s * (max(boost, 1.0) if grade > 1 else boost)
            else:
                r = self.true_recall(card, when)
                if grade == 1:
                    s = min(w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1)
                            * math.exp((1 - r) * w[14]), s / math.exp(w[17] * w[18]))
                else:
                    bonus = w[15] if grade == 2 else w[16] if grade == 4 else 1.0
                    s = s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9]
                             * (math.exp((1 - r) * w[10]) - 1) * bonus)
            easy = w[4] - math.exp(w[5] * 3) + 1
            damped = d + (10 - d) * -(w[6] * (grade - 3)) / 9
            d = _clamp(w[7] * easy + (1 - w[7]) * damped)
        self.stability[card], self.difficulty[card] = max(s, 0.001), d
        self.last[card] = when


def _clamp(d: float) -> float:
    return min(max(d, 1.0), 10.0)


# -- one run -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    name: str
    short: str  # for the benchmark rows
    interview_target: float | None = None  # None: plain FSRS
    pace_only: bool = False  # interview mode's new-card pace, plain FSRS reviews
    desired_retention: float = 0.90
    personal: bool = False  # FSRS parameters fitted to the learner's past (trainer optimize)

    @property
    def target(self) -> float:
        return self.interview_target or 0.90


@dataclass(frozen=True)
class Setting:
    name: str
    n_cards: int
    days: int
    new_per_day: int = 10
    max_reviews: int = 120


@dataclass
class Result:
    policy: Policy
    recall: float  # the learner's true mean recall on the day, unstudied = 0
    at_target: float  # share of all cards whose true recall on the day is >= the target
    predicted: float  # the scheduler's own prediction (readiness), unstudied = 0
    studied: int
    reviews: int
    busiest_day: int
    per_day: list[int] = field(default_factory=list)
    before: dict | None = None  # what interview mode said before the first day


def _answer(scheduler, learner, card_id, card, when, log) -> tuple[FsrsCard, int]:
    """``card`` answered at ``when`` and taken through its (re)learning steps; the answers
    given; ``log`` collects calibration samples and learning answers."""
    answers = 0
    first = card.stability is None
    for _ in range(30):  # learning steps: minutes apart, the same session
        before = card
        grade = learner.answer(card_id, when)
        if first and answers == 0:
            first_grade = grade
        if before.state == State.Review and before.last_review is not None:
            log["samples"].append((before.stability,
                                   (when - before.last_review).total_seconds() / 86400,
                                   grade != Rating.Again))
        card, _ = scheduler.review_card(card, grade, when)
        answers += 1
        if card.state == State.Review:
            break
        when = card.due
    if first:
        log["learning"] += answers
        log["introduced"] += 1
        log["first"][int(first_grade) - 1] += 1
    return card, answers


def simulate(policy: Policy, setting: Setting, learner_seed: int, *, panel: bool = True,
             before_only: bool = False) -> Result:
    """One learner (``learner_seed``: the panel member, or the current learner's sample),
    one policy, ``setting.days`` study days, then the interview."""
    n_cards, max_reviews = setting.n_cards, setting.max_reviews
    rng = np.random.default_rng(learner_seed)
    learner = (FsrsLearner(n_cards, rng, panel_parameters(learner_seed + 10_000)) if panel
               else SimulatedLearner(n_cards, rng))
    random.seed(learner_seed)  # fsrs fuzzes intervals (as the app does) with random
    parameters = personal_parameters(learner_seed + 1000) if policy.personal else None
    scheduler = Scheduler(desired_retention=policy.desired_retention, enable_fuzzing=True,
                          **({"parameters": parameters} if parameters else {}))
    projector = Projector(scheduler, session=timedelta(hours=5))  # it sits down at 09:00
    decay, factor = forgetting_curve(scheduler)
    interview: date = (START + timedelta(days=setting.days)).date()
    cards: list[FsrsCard | None] = [None] * n_cards
    introduced = 0
    per_day: list[int] = []
    log = {"samples": [], "learning": 0, "introduced": 0, "first": [0, 0, 0, 0]}
    paced = policy.interview_target is not None or policy.pace_only
    before = None
    scale = 1.0
    for day in range(setting.days):
        start = START + timedelta(days=day)
        session = start + timedelta(hours=5)
        plan = make_plan(interview, policy.target, session, 4, UTC) if paced else None
        studied = [c for c in cards if c is not None]
        quota, workload, placing, reserve = setting.new_per_day, None, None, 0
        if plan is not None:
            passed = [y for _, _, y in log["samples"][-2000:]]
            lapse = 1 - sum(passed) / len(passed) if len(passed) >= 30 else 0.1
            workload = Workload(
                per_day=max_reviews, per_new=answers_per_new(
                    len(scheduler.learning_steps), (log["learning"], log["introduced"])),
                per_review=answers_per_review(len(scheduler.relearning_steps), lapse),
                new_per_day=setting.new_per_day,
                first_ratings=first_ratings(log["first"]),
                relearning_steps=len(scheduler.relearning_steps))
        if plan is not None and policy.pace_only:  # the baseline: the pace alone
            quota = new_cards_per_day(setting.new_per_day, n_cards - introduced, plan)
        elif plan is not None:  # interview mode, as InterviewMode runs it
            scale = fit_scale(usable(log["samples"][-2000:]), decay, factor)
            schedule = plan_schedule(projector, plan, studied, n_cards - introduced,
                                     workload, scale=scale)
            if day == 0:
                before = _before(projector, plan, schedule, n_cards, workload, scale)
                if before_only:
                    return Result(policy=policy, recall=0, at_target=0, predicted=0,
                                  studied=0, reviews=0, busiest_day=0, before=before)
            for card_id, due in schedule.moves.items():
                cards[card_id].due = due
            quota = schedule.new_per_day[0]
            reserve = review_reserve(workload, quota, 0)
            dues = load_per_day((c.due for c in studied if c.state == State.Review), plan,
                                workload.per_review)
            load = [a + b for a, b in zip(dues, schedule.extra[1:], strict=True)]
            placing = (projector, plan, load, workload, scale)
        end = start + timedelta(days=1)
        waiting = sorted((c for c in studied if c.state == State.Review and c.due < end),
                         key=lambda c: (c.due, c.card_id))
        day_log = {"answers": 0, "moment": session}
        # Reviews first, as far as the cap leaves room for the day's planned new cards
        # (interview mode's review limit); then new cards; then the reviews left.
        _reviews(scheduler, learner, cards, waiting, max_reviews - reserve, day_log, log,
                 placing)
        fresh = 0
        while introduced < n_cards and fresh < quota:
            if workload is not None and not new_room(workload, day_log["answers"]):
                break
            card, given = _answer(scheduler, learner, introduced,
                                  FsrsCard(card_id=introduced, due=day_log["moment"]),
                                  day_log["moment"], log)
            day_log["answers"] += given
            cards[introduced] = _place(card, placing)
            introduced += 1
            fresh += 1
            day_log["moment"] += timedelta(seconds=40)
        last = max_reviews - (review_margin(workload) if workload is not None else 0)
        _reviews(scheduler, learner, cards, waiting, last, day_log, log, placing)
        per_day.append(day_log["answers"])
    moment = START + timedelta(days=setting.days)  # the interview day's 04:00
    true = [learner.true_recall(i, moment) for i in range(n_cards)]
    predicted, _share, studied, _ = readiness(scheduler, cards, moment, policy.target, scale)
    return Result(
        policy=policy, recall=sum(true) / n_cards,
        at_target=sum(r >= policy.target for r in true) / n_cards, predicted=predicted,
        studied=studied, reviews=sum(per_day), busiest_day=max(per_day), per_day=per_day,
        before=before)


def _reviews(scheduler, learner, cards, waiting, limit, day_log, log, placing) -> None:
    """Answer the waiting reviews, most overdue first, while the day's answers are under
    ``limit`` (a lapse's relearning steps follow at once)."""
    while waiting and day_log["answers"] < limit:
        card = waiting.pop(0)
        card, given = _answer(scheduler, learner, card.card_id, card, day_log["moment"], log)
        day_log["answers"] += given
        cards[card.card_id] = _place(card, placing)
        day_log["moment"] += timedelta(seconds=40)


def _place(card: FsrsCard, placing) -> FsrsCard:
    """Interview mode after an answer: the earlier due, if the card needs one (the load of
    the review days updated)."""
    if placing is None:
        return card
    projector, plan, load, workload, scale = placing
    card.due = place_review(projector, card, plan, load, workload.per_day, scale=scale,
                            cost=workload.per_review)
    for i, due in enumerate(load_per_day([card.due], plan)):
        load[i] += due * workload.per_review
    return card


def _before(projector, plan, schedule, n_cards, workload, scale) -> dict:
    """What interview mode says before the first day: ready or not, and what would fit."""
    said = {"feasible": schedule.feasible, "ready": schedule.ready / n_cards,
            "busiest": schedule.busiest}
    if not schedule.feasible:
        said["needed_per_day"] = needed_per_day(projector, plan, [], n_cards, workload,
                                                scale=scale)
        when = ready_date(projector, plan, [], n_cards, workload, scale=scale, tz=UTC)
        said["days_needed"] = None if when is None else (when - plan.today).days
    return said


def _optimizer_available() -> bool:
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


def personal_parameters(seed: int, n_cards: int = 300, days: int = 365) -> list[float]:
    """What ``trainer optimize`` fits to a year of the current learner's reviews under
    plain FSRS (another sample of the same memory model). Needs fsrs-rs-python."""
    from trainer.scheduling.fitting import fit_parameters
    from trainer.store.planning import HistoryReview

    rng = np.random.default_rng(seed)
    learner = SimulatedLearner(n_cards, rng)
    scheduler = Scheduler(enable_fuzzing=False)
    history = []
    for i in range(n_cards):
        card = FsrsCard(card_id=i, due=START)
        moment = START + timedelta(days=i % 60, hours=5)
        while moment < START + timedelta(days=days):
            grade = learner.answer(i, moment)
            card, _ = scheduler.review_card(card, grade, moment)
            history.append(HistoryReview(card_id=i, rating=int(grade), reviewed_at=moment))
            moment = max(card.due, moment + timedelta(minutes=1))
    history.sort(key=lambda r: r.reviewed_at)
    return fit_parameters(history, lambda m: (m - timedelta(hours=4)).date().toordinal())


# -- the panel -----------------------------------------------------------------------------
PANEL_POLICIES = (
    Policy("paced FSRS (baseline)", "paced", pace_only=True),
    Policy("interview, target 0.90", "interview .90", interview_target=0.90),
    Policy("interview, target 0.95", "interview .95", interview_target=0.95),
)
CURRENT_POLICIES = PANEL_POLICIES + (
    Policy("interview 0.90, own parameters", "interview .90 own", interview_target=0.90,
           personal=True),
)
SETTINGS = (
    Setting("roomy", n_cards=400, days=30),
    Setting("normal", n_cards=200, days=60),
    Setting("tight", n_cards=800, days=21),
)
QUICK_SETTINGS = (
    Setting("roomy", n_cards=80, days=10, new_per_day=4, max_reviews=40),
    Setting("normal", n_cards=40, days=20, new_per_day=4, max_reviews=40),
    Setting("tight", n_cards=160, days=7, new_per_day=4, max_reviews=40),
)


@dataclass
class Summary:
    policy: Policy
    setting: Setting
    learners: int
    recall: float  # mean over learners
    worst: float  # the worst learner's recall
    at_target: float  # mean share of cards at or above the target
    reviews: float  # mean answers
    ratio: float  # total answers / total answers of paced FSRS
    busiest: int  # the busiest day of any learner
    gap: float  # mean (predicted - true)
    before: dict | None = None


def summarise(setting: Setting, runs: dict[str, list[Result]]) -> list[Summary]:
    baseline = sum(r.reviews for r in runs["paced"])
    out = []
    for results in runs.values():
        out.append(Summary(
            policy=results[0].policy, setting=setting, learners=len(results),
            recall=_mean(r.recall for r in results), worst=min(r.recall for r in results),
            at_target=_mean(r.at_target for r in results),
            reviews=_mean(r.reviews for r in results),
            ratio=sum(r.reviews for r in results) / baseline if baseline else math.nan,
            busiest=max(r.busiest_day for r in results),
            gap=_mean(r.predicted - r.recall for r in results), before=results[0].before))
    return out


def _job(args) -> Result:
    policy, setting, seed, panel = args
    return simulate(policy, setting, seed, panel=panel)


def run_panel(settings, learners: int, seeds_current: int, quick: bool,
              workers: int = 2) -> list[Summary]:
    """Every policy on every setting's panel (and on the current learner, roomy setting),
    the runs spread over ``workers`` processes (they are independent and seeded)."""
    jobs = []
    for index, setting in enumerate(settings):
        for policy in PANEL_POLICIES:
            jobs += [(policy, setting, 1000 * (index + 1) + i, True) for i in range(learners)]
    current = [p for p in CURRENT_POLICIES
               if not (p.personal and (quick or not _optimizer_available()))]
    if seeds_current:
        for policy in current:  # fitting a year of history takes a while: not when quick
            jobs += [(policy, settings[0], seed, False) for seed in range(1, seeds_current + 1)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_job, jobs, chunksize=1))
    else:
        results = [_job(job) for job in jobs]
    by_job = dict(zip(((j[0], j[1].name, j[3]) + (j[2],) for j in jobs), results,
                      strict=True))
    summaries = []
    for index, setting in enumerate(settings):
        runs = {p.short: [by_job[(p, setting.name, True, 1000 * (index + 1) + i)]
                          for i in range(learners)] for p in PANEL_POLICIES}
        summaries += summarise(setting, runs)
    if seeds_current:
        setting = settings[0]
        runs = {p.short: [by_job[(p, setting.name, False, seed)]
                          for seed in range(1, seeds_current + 1)] for p in current}
        for s in summarise(setting, runs):
            s.setting = Setting(f"{setting.name}, current learner", setting.n_cards,
                                setting.days, setting.new_per_day, setting.max_reviews)
            summaries.append(s)
    return summaries


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def table(summaries: list[Summary]) -> str:
    lines = []
    setting = None
    for s in summaries:
        if s.setting != setting:
            setting = s.setting
            lines += ["", f"{setting.name}: {setting.n_cards} cards, {setting.days} study "
                          f"days, {setting.new_per_day} new a day set, cap {setting.max_reviews}"
                          f" answers a day, {s.learners} learners",
                      f"  {'policy':<32} {'recall':>7} {'worst':>6} {'>=target':>8} "
                      f"{'reviews':>8} {'vs paced':>8} {'busiest':>8} {'pred-true':>9}"]
        lines.append(
            f"  {s.policy.name:<32} {s.recall:>7.3f} {s.worst:>6.3f} {s.at_target:>8.3f} "
            f"{s.reviews:>8.0f} {s.ratio:>8.3f} {s.busiest:>4}/{s.setting.max_reviews:<3} "
            f"{s.gap:>+9.3f}")
        if s.before is not None and s.policy.interview_target is not None:
            b = s.before
            said = ("ready within the cap" if b["feasible"] else
                    f"cannot be ready: {b['ready']:.0%} of cards at the target at best; all "
                    f"would need {b.get('needed_per_day')} answers a day, or "
                    f"{b.get('days_needed')} days")
            lines.append(f"  {'':<34}said before day 1: {said}")
    lines.append("recall: true mean recall on the day over all cards (unstudied 0); worst: "
                 "the worst learner's; >=target: share of cards at or above the target "
                 "(0.90 for paced FSRS); reviews: every answer, learning steps included; "
                 "busiest: answers on the busiest day of any learner / the cap; pred-true: "
                 "the scheduler's predicted mean recall minus the true one")
    return "\n".join(lines)


def measure(quick: bool) -> list[Row]:
    began = clock.perf_counter()
    learners = 3 if quick else 20
    summaries = run_panel(QUICK_SETTINGS if quick else SETTINGS, learners,
                          1 if quick else 5, quick)
    print(table(summaries), file=sys.stderr)
    print(f"interview simulation: {clock.perf_counter() - began:.0f} s", file=sys.stderr)
    rows = []
    for s in summaries:
        if "current" in s.setting.name or s.policy.interview_target is None:
            continue
        name = f"sim {s.setting.name} {s.policy.short}"
        if s.setting.name == "tight":
            told = s.before is not None and not s.before["feasible"]
            rows.append(Row(f"{name}: said cannot be ready", int(told), "bool",
                            "said before day 1", told))
            rows.append(Row(f"{name}: share >= target", round(s.at_target, 4), "share",
                            "informational", True, baseline=round(s.before["ready"], 4)
                            if s.before else None))
            continue
        rows.append(Row(f"{name}: worst learner recall", round(s.worst, 4), "share",
                        ">= 0.90", s.worst >= 0.90))
        rows.append(Row(f"{name}: share >= target", round(s.at_target, 4), "share",
                        ">= 0.90", s.at_target >= 0.90))
        rows.append(Row(f"{name}: reviews vs paced", round(s.ratio, 3), "x", "<= 1.1",
                        s.ratio <= 1.1))
        rows.append(Row(f"{name}: busiest day", s.busiest, "count",
                        f"<= cap {s.setting.max_reviews}", s.busiest <= s.setting.max_reviews,
                        baseline=s.setting.max_reviews,
                        ratio=round(s.busiest / s.setting.max_reviews, 3)))
        rows.append(Row(f"{name}: predicted - true", round(s.gap, 4), "share",
                        "within ±0.01", abs(s.gap) <= 0.01))
    return rows
