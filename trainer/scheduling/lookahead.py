"""The interview plan's look-ahead: what each card is expected to cost and become by the day.

``Projector.forecast`` follows a card through its scheduled reviews: each review of the
Review state is recalled with the predicted probability (continuous time, the learner's
stability scale) and then taken as Good; a lapse there is an Again, its relearning steps,
and the card's own run of reviews after it, counted ``1 / (1 - q)`` times (``q``: the
mean predicted lapse rate of that run: the expected number of times such a run starts
over). Reviews happen at the learner's usual sitting of the day they fall due in (the
queue shows a card due at any time of its study day), learning steps minutes apart.

The steps themselves are FSRS-6 as the ``fsrs`` library computes them
(``Scheduler.review_card`` without fuzz), re-done here on plain floats (``LeanFsrs``):
the look-ahead takes many steps a day, and the library's copies of each card cost most
of their time (docs/performance.md). ``tests/interview/test_interview_lookahead.py``
checks every branch against the library.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trainer.scheduling.memory import FsrsCard, Grade, Scheduler, State
from trainer.scheduling.recall import forgetting_curve

SESSION_OFFSET = timedelta(hours=8)  # when the learner sits down, after the rollover
_MAX_STEPS = 80  # answers of one card in one look-ahead (a weak card: daily, two months)
_AGAIN_RUNS = 0.67  # the geometric count of runs is capped at 1 / (1 - 0.67) = 3


def _card(card_id, state, step, stability, difficulty, due, last_review) -> FsrsCard:
    """An ``fsrs.Card`` built without its ``__init__`` (the look-ahead makes many)."""
    card = FsrsCard.__new__(FsrsCard)
    card.card_id, card.state, card.step = card_id, state, step
    card.stability, card.difficulty = stability, difficulty
    card.due, card.last_review = due, last_review
    return card


class LeanFsrs:
    """``Scheduler.review_card`` (fsrs 6.x, FSRS-6) without fuzz, on plain floats; the
    same equations, branch by branch (see the library's ``scheduler.py``)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.w = tuple(float(x) for x in scheduler.parameters)
        self.decay, self.factor = forgetting_curve(scheduler)
        self.learning = tuple(scheduler.learning_steps)
        self.relearning = tuple(scheduler.relearning_steps)
        self.retention = scheduler.desired_retention
        self.maximum = scheduler.maximum_interval
        w = self.w
        self._easy_d0 = w[4] - math.exp(w[5] * 3) + 1  # initial difficulty of Easy

    def _difficulty(self, d: float, rating: int) -> float:
        w = self.w
        delta = -(w[6] * (rating - 3))
        damped = d + (10.0 - d) * delta / 9.0
        return min(max(w[7] * self._easy_d0 + (1 - w[7]) * damped, 1.0), 10.0)

    def _short_term(self, s: float, rating: int) -> float:
        w = self.w
        increase = math.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
        if rating > 1:
            increase = max(increase, 1.0)
        return max(s * increase, 0.001)

    def _long_term(self, d: float, s: float, r: float, rating: int) -> float:
        w = self.w
        if rating == 1:
            long = (w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp((1 - r) * w[14]))
            new = min(long, s / math.exp(w[17] * w[18]))
        else:
            hard = w[15] if rating == 2 else 1
            easy = w[16] if rating == 4 else 1
            new = s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9]
                       * (math.exp((1 - r) * w[10]) - 1) * hard * easy)
        return max(new, 0.001)

    def interval(self, s: float) -> int:
        days = round(s / self.factor * (self.retention ** (1 / self.decay) - 1))
        return min(max(days, 1), self.maximum)

    def review(self, card: FsrsCard, rating: int, when: datetime) -> FsrsCard:
        state, step, s, d = card.state, card.step, card.stability, card.difficulty
        elapsed = (when - card.last_review).days if card.last_review is not None else None
        if state == State.Review or (state in (State.Learning, State.Relearning)
                                     and s is not None and d is not None):
            if elapsed is not None and elapsed < 1:
                s = self._short_term(s, rating)
            else:
                days = max(0, elapsed) if elapsed is not None else 0
                r = (1 + self.factor * days / s) ** self.decay
                s = self._long_term(d, s, r, rating)
            d = self._difficulty(d, rating)
        else:  # a new card (Learning, no memory yet)
            s = max(self.w[rating - 1], 0.001)
            d = min(max(self.w[4] - math.exp(self.w[5] * (rating - 1)) + 1, 1.0), 10.0)
        if state == State.Review:
            if rating == 1 and self.relearning:
                state, step, wait = State.Relearning, 0, self.relearning[0]
            else:
                wait = timedelta(days=self.interval(s))
        else:
            steps = self.learning if state == State.Learning else self.relearning
            if not steps or (step >= len(steps) and rating > 1):
                state, step, wait = State.Review, None, timedelta(days=self.interval(s))
            elif rating == 1:
                step, wait = 0, steps[0]
            elif rating == 2:
                if step == 0 and len(steps) == 1:
                    wait = steps[0] * 1.5
                elif step == 0:
                    wait = (steps[0] + steps[1]) / 2.0
                else:
                    wait = steps[step]
            elif rating == 3 and step + 1 < len(steps):
                step, wait = step + 1, steps[step + 1]
            else:  # Good on the last step, or Easy
                state, step, wait = State.Review, None, timedelta(days=self.interval(s))
        return _card(card.card_id, state, step, s, d, when + wait, when)


@dataclass(frozen=True)
class _Branch:
    """A card's look-ahead, in moments (the same whichever day looks at it). ``main``: its
    reviews as scheduled, answered Good: (the moment, ``x``) where the recall then is
    ``(1 + x / k) ** DECAY`` for a stability scale ``k`` (None for a learning step);
    ``final``: the card after them; ``lapses``: for each of them, what follows a lapse
    there (the moments of the answers after the Again, relearning steps included; the
    ``x`` of those in the Review state; the card after them), None for a learning step."""

    main: tuple[tuple[datetime, float | None], ...]
    final: FsrsCard
    lapses: tuple[tuple[tuple[datetime, ...], tuple[float, ...], FsrsCard] | None, ...]


@dataclass
class Forecast:
    """What one card is expected to cost and become: ``answers``: expected answers by day
    index; ``outcomes``: (probability, the card on the day, the day of its last review)."""

    answers: list[tuple[int, float]]
    outcomes: list[tuple[float, FsrsCard, int]]


def scale_bin(scale: float) -> tuple[int, float]:
    """The stability scale rounded to a 5 % step in log space (its bin, and the scale used):
    forecasts are cached per bin, and a calibration that moves a little keeps them."""
    index = round(math.log(scale) / 0.05)
    return index, math.exp(index * 0.05)


class Projector:
    """The look-ahead for one scheduler and one usual sitting (``session`` after the
    rollover). Steps are cached by the card's memory state, the moment and the grade;
    look-aheads by the card and the interview; forecasts and earlier-review days also by
    the stability scale's bin (``scale_bin``): a plan looks at the same cards day after
    day. The cached cards' ids and due dates before a step are not part of the key: only
    the state after it is read from them."""

    def __init__(self, scheduler: Scheduler, session: timedelta = SESSION_OFFSET) -> None:
        self.fsrs = LeanFsrs(scheduler)
        self.decay, self.factor = self.fsrs.decay, self.fsrs.factor
        self.session = session
        self._steps: dict[tuple, FsrsCard] = {}
        self._branches: dict[tuple, _Branch] = {}
        self._forecasts: dict[tuple, tuple] = {}
        self._feasible: dict[tuple, int | None] = {}

    def when(self, card: FsrsCard, days: Sequence[datetime]) -> datetime:
        """When ``card`` is reviewed: a learning step when it is due (minutes later, the
        same sitting); a review at the usual sitting of the day it falls due in, an
        overdue one today; never before its last review."""
        if card.state != State.Review:
            return max(card.due, days[0])
        index = max(0, bisect_right(days, card.due) - 1)
        when = days[index] + self.session
        if card.last_review is not None and when <= card.last_review:
            when = max(card.due, card.last_review)
        return when

    def review(self, card: FsrsCard, when: datetime, rating: Grade = Grade.GOOD
               ) -> FsrsCard:
        key = (card.state, card.step, card.stability, card.difficulty, card.last_review,
               when, rating)
        done = self._steps.get(key)
        if done is None:
            if len(self._steps) > 400_000:  # a bound for long sessions
                self.clear()
            done = self._steps[key] = self.fsrs.review(card, int(rating), when)
        return done

    def clear(self) -> None:
        self._steps.clear()
        self._branches.clear()
        self._forecasts.clear()
        self._feasible.clear()

    def recall(self, card: FsrsCard, moment: datetime, scale: float) -> float:
        """Predicted recall at ``moment``: continuous time, stability times ``scale``."""
        if card.stability is None or card.last_review is None:
            return 0.0
        elapsed = max(0.0, (moment - card.last_review).total_seconds() / 86400)
        return (1 + self.factor * elapsed / (scale * card.stability)) ** self.decay

    def _x(self, card: FsrsCard, when: datetime) -> float | None:
        """``FACTOR t / S`` of a card in the Review state reviewed at ``when``."""
        if card.state != State.Review or card.last_review is None:
            return None
        elapsed = max(0.0, (when - card.last_review).total_seconds() / 86400)
        return self.factor * elapsed / card.stability

    def chain(self, card: FsrsCard, days: Sequence[datetime], moment: datetime
              ) -> tuple[list[tuple[datetime, FsrsCard]], FsrsCard]:
        """The reviews ``card`` gets before ``moment`` as scheduled, answered Good (the
        moment, the card before it), and the card after the last of them."""
        reviews = []
        for _ in range(_MAX_STEPS):
            if card.due >= moment:
                break
            when = self.when(card, days)
            reviews.append((when, card))
            card = self.review(card, when)
        return reviews, card

    def branch(self, card: FsrsCard, days: Sequence[datetime], moment: datetime) -> _Branch:
        overdue = card.due < days[0]  # reviewed today: the look-ahead depends on today
        key = (card.state, card.step, card.stability, card.difficulty, card.last_review,
               card.due, moment, days[0] if overdue else None)
        cached = self._branches.get(key)
        if cached is not None:
            return cached
        main, final = self.chain(card, days, moment)
        lapses = []
        for when, before in main:
            if before.state != State.Review:
                lapses.append(None)
                continue
            after, end = self.chain(self.review(before, when, Grade.AGAIN), days, moment)
            xs = tuple(x for x in (self._x(b, w) for w, b in after) if x is not None)
            lapses.append((tuple(w for w, _ in after), xs, end))
        branch = _Branch(main=tuple((w, self._x(b, w)) for w, b in main), final=final,
                         lapses=tuple(lapses))
        self._branches[key] = branch
        return branch

    def forecast(self, card: FsrsCard, days: Sequence[datetime], moment: datetime,
                 scale: float, weight: float = 1.0, first_day: int = -1) -> Forecast:
        """``card``'s expected answers and outcomes, each times ``weight``; ``first_day``:
        the day of its last review so far (for a card just learned). ``days`` always end
        on the eve, so the cache keeps days counted back from it (the same every day)."""
        n = len(days)
        overdue = card.due < days[0]  # reviewed today: the look-ahead depends on today
        index, scale = scale_bin(scale)
        key = (card.state, card.step, card.stability, card.difficulty, card.last_review,
               card.due, moment, days[0] if overdue else None, index,
               None if first_day < 0 else n - first_day)
        cached = self._forecasts.get(key)
        if cached is None:
            if len(self._forecasts) > 200_000:
                self.clear()
            cached = self._forecasts[key] = self._forecast(card, days, moment, scale,
                                                           first_day)
        answers, outcomes = cached
        return Forecast(answers=[(n - back, w * weight) for back, w in answers],
                        outcomes=[(p * weight, c, -1 if back is None else n - back)
                                  for p, c, back in outcomes])

    def _forecast(self, card, days, moment, scale, first_day) -> tuple[tuple, tuple]:
        """As ``forecast``, weight 1, days counted back from the end of ``days``."""
        n = len(days)
        decay = self.decay
        branch = self.branch(card, days, moment)
        answers: list[tuple[int, float]] = []
        outcomes: list[tuple[float, FsrsCard, int | None]] = []
        reach = 1.0  # the probability of getting this far without a lapse
        last = first_day
        for (when, x), lapse in zip(branch.main, branch.lapses, strict=True):
            day = max(0, bisect_right(days, when) - 1)
            answers.append((n - day, reach))
            if lapse is not None:
                lost = reach * (1 - (1 + x / scale) ** decay)
                after, xs, end = lapse
                if xs:
                    risk = sum(1 - (1 + y / scale) ** decay for y in xs) / len(xs)
                    again = 1 / (1 - min(risk, _AGAIN_RUNS))
                else:
                    again = 1.0
                end_day = day
                for moment_after in after:
                    end_day = max(0, bisect_right(days, moment_after) - 1)
                    answers.append((n - end_day, lost * again))
                outcomes.append((lost, end, n - end_day))
                reach -= lost
            last = day
        outcomes.append((reach, branch.final, None if last < 0 else n - last))
        return tuple(answers), tuple(outcomes)

    def first_feasible(self, card: FsrsCard, days: Sequence[datetime], moment: datetime,
                       aim: float, scale: float, after: int) -> int | None:
        """The earliest index ``j > after`` of ``days`` on which a successful review (at
        the usual sitting) brings the recall at ``moment`` to ``aim``; every later day
        does too (a later review leaves a shorter gap, and FSRS grows stability more when
        recall has dropped), so the feasible days are ``j .. len(days) - 1``. None: not
        even the last day. The first such day of all ``days`` is cached (counted back from
        the eve), and ``after`` applied to it: the days being a suffix, that is exact."""
        n = len(days)
        index, scale = scale_bin(scale)
        key = (card.state, card.stability, card.difficulty, card.last_review, moment, aim,
               index)
        if key in self._feasible:
            back = self._feasible[key]
        else:
            found = self._first_feasible(card, days, moment, aim, scale, -1)
            if len(self._feasible) > 200_000:
                self.clear()
            back = self._feasible[key] = None if found is None else n - found
        if back is None:
            return None
        first = max(n - back, after + 1, 0)
        return first if first < n else None

    def _first_feasible(self, card, days, moment, aim, scale, after) -> int | None:
        last = len(days) - 1
        lo = after + 1
        if card.last_review is not None:
            while lo <= last and days[lo] + self.session <= card.last_review:
                lo += 1

        def enough(index: int) -> bool:
            return self.recall(self.review(card, days[index] + self.session), moment,
                               scale) >= aim

        if lo > last or not enough(last):
            return None
        hi = last
        while lo < hi:  # the first feasible index in [lo, hi]; hi is feasible
            mid = (lo + hi) // 2
            if enough(mid):
                hi = mid
            else:
                lo = mid + 1
        return hi

    def learned(self, when: datetime, rating: Grade = Grade.GOOD) -> tuple[FsrsCard, int]:
        """A new card first answered ``rating`` at ``when``, then Good through its learning
        steps; and the answers that took."""
        card = self.review(_card(0, State.Learning, 0, None, None, when, None), when, rating)
        answers = 1
        for _ in range(_MAX_STEPS):
            if card.state == State.Review:
                break
            card = self.review(card, card.due)
            answers += 1
        return card, answers
