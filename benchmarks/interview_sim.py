"""Interview mode vs plain FSRS on a simulated learner: recall on the day, and its cost.

The simulated learner (``SimulatedLearner``) has a memory of its own that the scheduler
does not know; the scheduler runs the ``fsrs`` library with its default parameters:

* **Forgetting** follows an FSRS-like power curve ``R(t) = (1 + f t / S) ** -decay`` with
  ``decay = 0.5`` (FSRS-6's default is 0.1542: the learner forgets faster once past its
  stability) and ``f = 0.9 ** (-1 / decay) - 1`` so that ``R(S) = 0.9``.
* **Each card** has a hidden difficulty ``d`` drawn from Normal(5.5, 1.5), clipped to
  [1, 10].
* **First sight**: the grade is drawn (Again 20 %, Hard 15 %, Good 55 %, Easy 10 %) and sets
  the stability (0.4, 1.0, 2.5, 6.0 days; FSRS assumes 0.21, 1.29, 2.31, 8.30).
* **A recall a day or more later** multiplies the stability by ``1 + 3.67 (11 - d) / 6
  S^-0.25 (e^{1.1 (1 - R)} - 1)`` (×0.8 for Hard, ×1.3 for Easy): slower growth than FSRS's
  ``e^1.87 (11 - D) S^-0.17 (e^{0.80 (1 - R)} - 1)``. **A lapse** sets it to
  ``min(S, d^-0.2 ((S + 1)^0.3 - 1) e^{0.5 (1 - R)})``, at least 0.1 day. **The same day**
  (learning steps) it is scaled by 0.6 / 0.9 / 1.15 / 1.4 for Again / Hard / Good / Easy.
* **Noise**: each recall happens with probability ``sigmoid(logit(R) + ε)``, ε ~ Normal(0,
  0.35) (good and bad days); a recall is graded Hard 15 %, Easy 10 %, else Good.

A run: ``n_cards`` new cards, a study session at 09:00 every day for ``days`` days, the
interview the morning after (recall measured at the interview day's 04:00 start);
intervals fuzzed as in the app (seeded). Each
day: review cards due today (at most ``max_reviews`` a day, most overdue first), then new
cards (``new_per_day``, or interview mode's pace), each taken through its learning steps.
Interview mode applies ``trainer.scheduling.interview`` as the app does (replan at the start
of the day, the earlier due after each answer). Reported: the learner's *true* expected
recall on the day (unstudied cards count 0), the scheduler's predicted one, reviews done
(every answer, learning steps included) and the busiest day. Seeded: the same numbers every
run. "Own parameters": FSRS parameters fitted (``trainer.optimize.fit_parameters``, fsrs-rs)
to a year of another sample of the same learner under plain FSRS, as ``trainer optimize``
would; skipped without fsrs-rs-python.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from benchmarks.rows import Row
from trainer.scheduling.interview import (
    interview_due,
    load_per_day,
    make_plan,
    new_cards_per_day,
    readiness,
    replan,
)

START = datetime(2026, 11, 1, 4, tzinfo=UTC)  # the first study day starts (04:00 UTC)


@dataclass(frozen=True)
class LearnerModel:
    """The learner's true memory: parameters the scheduler does not know (see the docstring)."""

    decay: float = 0.5
    initial_stability: tuple[float, float, float, float] = (0.4, 1.0, 2.5, 6.0)
    first_grades: tuple[float, float, float, float] = (0.20, 0.15, 0.55, 0.10)
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
    hard_share: float = 0.15
    easy_share: float = 0.10

    @property
    def factor(self) -> float:
        return 0.9 ** (-1 / self.decay) - 1


@dataclass
class _Memory:
    difficulty: float
    stability: float | None = None
    last: datetime | None = None


class SimulatedLearner:
    """Answers cards 0..n-1 from its true memory; ``rng`` makes it reproducible."""

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


@dataclass(frozen=True)
class Policy:
    name: str
    short: str  # for the benchmark rows
    desired_retention: float = 0.90
    interview_target: float | None = None  # None: plain FSRS
    pace_only: bool = False  # interview mode's new-card pace, plain FSRS reviews
    personal: bool = False  # FSRS parameters fitted to the learner's past (trainer optimize)


@dataclass
class Result:
    policy: Policy
    n_cards: int
    days: int
    recall_all: float  # the learner's true expected recall on the day, unstudied = 0
    recall_studied: float
    at_target: float  # share of all cards whose true recall on the day is >= 0.90
    predicted: float  # the scheduler's own prediction (readiness), unstudied = 0
    studied: int
    reviews: int
    busiest_day: int
    per_day: list[int] = field(default_factory=list)


def _optimizer_available() -> bool:
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


def personal_parameters(seed: int, n_cards: int = 300, days: int = 365) -> list[float]:
    """What ``trainer optimize`` fits to a year of this kind of learner's reviews under plain
    FSRS (another sample of the same memory model). Needs fsrs-rs-python."""
    from trainer.optimize import fit_parameters
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


def simulate(policy: Policy, *, n_cards: int, days: int, new_per_day: int,
             max_reviews: int, seed: int) -> Result:
    """One learner, one policy, ``days`` study days, then the interview."""
    learner = SimulatedLearner(n_cards, np.random.default_rng(seed))
    random.seed(seed)  # fsrs fuzzes intervals (as the app does) with the random module
    parameters = personal_parameters(seed + 1000) if policy.personal else None
    scheduler = Scheduler(desired_retention=policy.desired_retention, enable_fuzzing=True,
                          **({"parameters": parameters} if parameters else {}))
    interview: date = (START + timedelta(days=days)).date()
    cards: list[FsrsCard | None] = [None] * n_cards
    introduced = 0
    per_day: list[int] = []
    for day in range(days):
        start = START + timedelta(days=day)
        session = start + timedelta(hours=5)
        target = 0.90 if policy.pace_only else policy.interview_target
        paced = make_plan(interview, target, session, 4, UTC) if target is not None else None
        plan = None if policy.pace_only else paced
        studied = [c for c in cards if c is not None]
        if plan is not None:
            for card_id, due in replan(scheduler, studied, plan,
                                       load_per_day((c.due for c in studied), plan),
                                       max_reviews).items():
                cards[card_id].due = due
            load = load_per_day((c.due for c in studied), plan)
        end = start + timedelta(days=1)
        due = sorted((c for c in studied if c.state == State.Review and c.due < end),
                     key=lambda c: c.due)[:max_reviews]
        quota = new_cards_per_day(new_per_day, n_cards - introduced, paced)
        fresh = list(range(introduced, min(n_cards, introduced + quota)))
        introduced += len(fresh)
        reviews = 0
        moment = session
        for card_id in [c.card_id for c in due] + fresh:
            card = cards[card_id] or FsrsCard(card_id=card_id, due=moment)
            when = moment
            for _ in range(30):  # learning steps: minutes apart, the same session
                card, _ = scheduler.review_card(card, learner.answer(card_id, when), when)
                reviews += 1
                if card.state == State.Review:
                    break
                when = card.due
            if plan is not None:
                card.due = interview_due(scheduler, card, plan, load, max_reviews)
                if plan.review_days and plan.review_days[0] <= card.due < plan.moment:
                    load = [n + x for n, x in zip(load, load_per_day([card.due], plan),
                                                  strict=True)]
            cards[card_id] = card
            moment += timedelta(seconds=40)
        per_day.append(reviews)
    moment = START + timedelta(days=days)  # the interview day's 04:00
    true = [learner.true_recall(i, moment) for i in range(n_cards)]
    studied_true = [r for r, c in zip(true, cards, strict=True) if c is not None]
    predicted, studied, _ = readiness(scheduler, cards, moment)
    return Result(
        policy=policy, n_cards=n_cards, days=days, recall_all=sum(true) / n_cards,
        recall_studied=sum(studied_true) / max(1, len(studied_true)),
        at_target=sum(r >= 0.90 for r in true) / n_cards, predicted=predicted,
        studied=studied, reviews=sum(per_day), busiest_day=max(per_day), per_day=per_day)


POLICIES = (
    Policy("plain FSRS, retention 0.90", "plain .90"),
    Policy("plain FSRS, retention 0.95", "plain .95", desired_retention=0.95),
    Policy("plain FSRS + interview pace", "pace only", pace_only=True),
    Policy("interview, target 0.90", "interview .90", interview_target=0.90),
    Policy("interview, target 0.95", "interview .95", interview_target=0.95),
    Policy("interview 0.95, retention 0.85", "interview .95/.85", desired_retention=0.85,
           interview_target=0.95),
    Policy("interview 0.90, own parameters", "interview .90 own", interview_target=0.90,
           personal=True),
)


def run(quick: bool) -> list[Result]:
    """Every policy on the same learners; the mean over the seeds."""
    size = dict(n_cards=60, days=10, new_per_day=4, max_reviews=40) if quick else dict(
        n_cards=400, days=30, new_per_day=10, max_reviews=120)
    seeds = (1,) if quick else (1, 2, 3, 4, 5)
    results = []
    for policy in POLICIES:
        if policy.personal and not _optimizer_available():
            continue  # no fsrs-rs-python: nothing to fit with
        runs = [simulate(policy, seed=seed, **size) for seed in seeds]
        results.append(Result(
            policy=policy, n_cards=size["n_cards"], days=size["days"],
            recall_all=_mean(r.recall_all for r in runs),
            recall_studied=_mean(r.recall_studied for r in runs),
            at_target=_mean(r.at_target for r in runs),
            predicted=_mean(r.predicted for r in runs),
            studied=round(_mean(r.studied for r in runs)),
            reviews=round(_mean(r.reviews for r in runs)),
            busiest_day=max(r.busiest_day for r in runs)))
    return results


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def table(results: list[Result]) -> str:
    first = results[0]
    lines = [
        f"interview simulation: {first.n_cards} cards, {first.days} study days, a simulated "
        "learner the scheduler does not know",
        f"{'policy':<32} {'recall':>7} {'studied':>8} {'>=0.90':>7} {'FSRS says':>9} "
        f"{'cards':>6} {'reviews':>8} {'max/day':>8}",
    ]
    for r in results:
        lines.append(
            f"{r.policy.name:<32} {r.recall_all:>7.3f} {r.recall_studied:>8.3f} "
            f"{r.at_target:>7.2f} {r.predicted:>9.3f} {r.studied:>6} {r.reviews:>8} "
            f"{r.busiest_day:>8}")
    lines.append("recall: the learner's true mean recall on the day over all cards (unstudied "
                 "0); studied: over studied cards; >=0.90: share of cards at or above 0.90; "
                 "FSRS says: the scheduler's prediction; reviews: every answer, learning "
                 "steps included; max/day: answers on the busiest day")
    return "\n".join(lines)


def measure(quick: bool) -> list[Row]:
    results = run(quick)
    print(table(results), file=sys.stderr)
    plain, paced, interview, higher = results[0], results[2], results[3], results[4]
    rows = [Row(f"sim recall: {r.policy.short}", round(r.recall_all, 4), "share",
                "informational", True) for r in results]
    rows += [Row(f"sim reviews: {r.policy.short}", r.reviews, "count",
                 "informational", True) for r in results]
    rows.append(Row("sim gain: interview .90 vs plain",
                    round(interview.recall_all - plain.recall_all, 4), "share",
                    "> 0", interview.recall_all > plain.recall_all,
                    baseline=round(plain.recall_all, 4),
                    ratio=round(interview.recall_all / plain.recall_all, 3)))
    rows.append(Row("sim gain: interview .95 vs pace",
                    round(higher.recall_all - paced.recall_all, 4), "share",
                    "> 0", higher.recall_all > paced.recall_all,
                    baseline=round(paced.recall_all, 4),
                    ratio=round(higher.recall_all / paced.recall_all, 3)))
    return rows
