"""Interview mode: schedule toward a deadline (pure functions, no database, no UI).

Plain FSRS keeps every card near the desired retention *on average over time*; an
interview asks for something else: every card recalled *on one given day*. Until that day:

* **Recall on the day** is predicted with continuous elapsed time,
  ``R = (1 + FACTOR t / (k S)) ** DECAY`` (``recall_at``), not with ``fsrs``'s
  ``get_card_retrievability``, which counts whole days (a card reviewed 19 hours before
  the interview would count as R = 1.00). ``k`` is the learner's stability scale
  (``trainer.scheduling.calibration``): 1 until the learner's own answers say otherwise.
  It is predicted for the start of the interview's study day (the rollover hour, local
  time), a conservative moment: that day's reviews have not happened yet.
* **The target is per card.** ``interview-target`` is what each card's predicted recall on
  the day should reach; the plan aims a little above it (``AIM_MARGIN``), since a
  prediction is uncertain card by card; readiness is the share of cards at the target.
* **The plan fits the capacity** (``plan_schedule``, once a day): every answer counts
  against ``max-reviews-per-day``, learning steps included (``Workload``: expected answers
  per new card and per review, first answers, from the learner's own history). It looks
  ahead to the interview (``trainer.scheduling.lookahead``): the stored cards' reviews,
  the new cards still to introduce and theirs, each card's chance of a lapse on the way,
  and one earlier review for each card whose recall on the day would miss the aim, on
  the latest day on which a successful review brings it back, among the days whose
  planned load stays below the level (the mean planned load) and within
  ``PLAN_HEADROOM`` of the cap (``pick_day``); due at the end of that day, so that it
  comes after FSRS's own reviews of the day. New cards come first: at
  ``max(new-per-day, ceil(unseen / days left))`` a day (``new_cards_per_day``, at most
  ``NEW_PER_DAY_CAP``), within each day's room; when that pace leaves cards out or
  earlier reviews without room, the pace is raised (new cards earlier, so later days keep
  room). During the day, reviews stop short of the cap by what the day's remaining new
  cards need (``review_reserve``), and a new card starts only when its steps fit
  (``new_room``). When no pace fits, the plan keeps the one with the most cards at the
  target and says so (``Schedule.feasible``), with what would fit: answers a day
  (``needed_per_day``) or a later date (``ready_date``).

On and after the interview day, and more than ``MAX_PLAN_DAYS`` before it: plain FSRS
(``make_plan`` returns None).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from trainer.core.time import require_utc
from trainer.scheduling.calibration import recall as curve_recall
from trainer.scheduling.lookahead import SESSION_OFFSET, Projector
from trainer.scheduling.memory import FsrsCard, Grade, Scheduler, State
from trainer.scheduling.recall import forgetting_curve

NEW_PER_DAY_CAP = 100  # about 250 learning-step answers, past which little sticks
AIM_MARGIN = 0.02  # the plan's aim above the target, for the card-by-card uncertainty
MAX_PLAN_DAYS = 366  # interview mode starts a year ahead; ready_date looks as far
# Earlier reviews fill days to 90 % of the cap only: the look-ahead is an expectation and
# days vary; an earlier review is an extra, new cards and FSRS's own reviews come first.
PLAN_HEADROOM = 0.9
# The look-ahead takes every recall as Good and counts repeated lapses only roughly, so it
# counts fewer reviews than learners give: its reviews are counted this many times (the
# simulation behind the figure: docs/performance.md).
LOOKAHEAD_BIAS = 1.15


@dataclass(frozen=True)
class InterviewPlan:
    """The interview seen from one study day.

    ``moment``: when recall is predicted (the start of the interview's study day, UTC);
    ``review_days``: the starts (UTC) of the study days from tomorrow up to the day before
    the interview, the days an earlier review can be put on (empty on the eve);
    ``today_start``: the start of today's study day.
    """

    day: date
    moment: datetime
    target: float
    today: date
    review_days: tuple[datetime, ...]
    today_start: datetime | None = None

    @property
    def days_left(self) -> int:
        """Study days left before the interview, today included (1 on the eve)."""
        return (self.day - self.today).days

    @property
    def days(self) -> tuple[datetime, ...]:
        """Today's start, then ``review_days``: the plan's days, index 0 today."""
        start = self.today_start if self.today_start is not None else (
            self.review_days[0] - timedelta(days=1) if self.review_days
            else self.moment - timedelta(days=1))
        return (start, *self.review_days)

    @property
    def aim(self) -> float:
        """What the plan brings each card's predicted recall on the day to."""
        return min(self.target + AIM_MARGIN, 0.995)


def day_start(day: date, rollover_hour: int = 4, tz: tzinfo | None = None) -> datetime:
    """The start (UTC) of the study day ``day``: its rollover hour on the local clock."""
    naive = datetime.combine(day, time(rollover_hour))
    local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
    return local.astimezone(UTC)


def study_date(now: datetime, rollover_hour: int = 4, tz: tzinfo | None = None) -> date:
    """The calendar date of the study day containing ``now`` (before the rollover hour, the
    day before)."""
    now = require_utc(now)
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    return (local - timedelta(hours=rollover_hour)).date()


def make_plan(
    interview: date | None, target: float, now: datetime, rollover_hour: int = 4,
    tz: tzinfo | None = None,
) -> InterviewPlan | None:
    """The plan for the study day containing ``now``; None without an interview date, on
    and after the interview day, and more than ``MAX_PLAN_DAYS`` before it (plain FSRS:
    interview mode starts a year ahead)."""
    if interview is None:
        return None
    today = study_date(now, rollover_hour, tz)
    if today >= interview or (interview - today).days > MAX_PLAN_DAYS:
        return None
    days = tuple(day_start(today + timedelta(days=i), rollover_hour, tz)
                 for i in range(1, (interview - today).days))
    return InterviewPlan(day=interview, moment=day_start(interview, rollover_hour, tz),
                         target=target, today=today, review_days=days,
                         today_start=day_start(today, rollover_hour, tz))


# -- recall on the day (continuous time) ---------------------------------------------------
def recall_at(scheduler: Scheduler, card: FsrsCard | None, moment: datetime,
              scale: float = 1.0) -> float:
    """Predicted recall of ``card`` at ``moment``: FSRS-6's curve with the time since the
    last review in continuous days (fsrs's ``get_card_retrievability`` floors it to whole
    days), every stability times ``scale``; 0 for a card never studied."""
    if card is None or card.stability is None or card.last_review is None:
        return 0.0
    decay, factor = forgetting_curve(scheduler)
    elapsed = (require_utc(moment) - card.last_review).total_seconds() / 86400
    return curve_recall(card.stability, elapsed, decay, factor, scale)


def recall_after_review(
    scheduler: Scheduler, card: FsrsCard, when: datetime, moment: datetime,
    scale: float = 1.0,
) -> float:
    """Predicted recall at ``moment`` if ``card`` is reviewed (and remembered: Good) at
    ``when``."""
    reviewed, _ = scheduler.review_card(card, Grade.GOOD.rating, require_utc(when))
    return recall_at(scheduler, reviewed, moment, scale)


# -- the workload --------------------------------------------------------------------------
# How new cards are first answered, until the learner's own answers are enough
# (``MIN_OWN``): fsrs-rs's simulator default (``default_simulator_config()``, from Anki
# users' logs).
FIRST_RATINGS = (0.240, 0.094, 0.495, 0.171)  # Again, Hard, Good, Easy
MIN_OWN = 30


@dataclass(frozen=True)
class Workload:
    """The daily capacity and what answers cost. ``per_day``: ``max-reviews-per-day``, every
    answer counted; ``done_today``: answers already given today; ``per_new``: expected
    answers of a new card on its first day (learning steps); ``per_review``: expected
    answers of a review (a lapse adds its relearning steps), for the reviews placed
    during the day; ``new_per_day``: the learner's own setting, a floor for the pace;
    ``first_ratings``: how new cards are first answered (Again, Hard, Good, Easy)."""

    per_day: int
    done_today: int = 0
    per_new: float = 2.5
    per_review: float = 1.1
    new_per_day: int = 0
    first_ratings: tuple[float, float, float, float] = FIRST_RATINGS
    relearning_steps: int = 1


def first_ratings(counts: Sequence[int]) -> tuple[float, float, float, float]:
    """The learner's own shares of first answers (``counts`` of Again, Hard, Good, Easy)
    once there are ``MIN_OWN`` of them, else fsrs-rs's defaults."""
    total = sum(counts)
    if total < MIN_OWN:
        return FIRST_RATINGS
    return tuple(c / total for c in counts)  # type: ignore[return-value]


def answers_per_new(learning_steps: int, history: tuple[int, int] | None = None) -> float:
    """Expected answers of a new card on its first day: the learner's own mean once
    ``MIN_OWN`` cards have been introduced (``history``: learning answers, cards
    introduced), else one per learning step plus a half for an Again."""
    if history is not None and history[1] >= MIN_OWN:
        return max(1.0, history[0] / history[1])
    return max(1, learning_steps) + 0.5


def answers_per_review(relearning_steps: int, lapse_rate: float = 0.1) -> float:
    """Expected answers of a review: 1, plus the relearning steps of a lapse."""
    return 1 + min(max(lapse_rate, 0.0), 1.0) * max(1, relearning_steps)


def new_cards_per_day(
    new_per_day: int, remaining_new: int, plan: InterviewPlan | None,
    cap: int = NEW_PER_DAY_CAP,
) -> int:
    """The plain pace: ``max(new_per_day, min(ceil(remaining_new / days_left), cap))``
    before the interview, ``new_per_day`` otherwise (``remaining_new``: the cards not yet
    introduced at the start of today). ``plan_schedule`` starts from it and fits it to the
    capacity."""
    if plan is None or plan.days_left <= 0:
        return new_per_day
    return max(new_per_day, min(math.ceil(remaining_new / plan.days_left), cap))


def new_margin(workload: Workload) -> int:
    """The answers a new card is given room for: its expected ones rounded up, and two more
    (a Hard keeps a learning step, an Again starts them over)."""
    return math.ceil(workload.per_new) + 2


def review_margin(workload: Workload) -> int:
    """The answers a review is given room for: itself, and a lapse's relearning steps with
    one more for an Again among them."""
    return workload.relearning_steps + 1


def review_reserve(workload: Workload, quota: int, introduced: int) -> int:
    """Answers of today's cap that reviews leave alone: the room of the planned new cards
    not introduced yet (every answer counts against the cap, and the plan counted on
    them), and the room of a lapse on the last review (``review_margin``: a review starts
    only when its relearning steps still fit under the cap)."""
    return max(0, quota - introduced) * new_margin(workload) + review_margin(workload)


def usual_sitting(offsets: Sequence[timedelta]) -> timedelta:
    """When the learner usually sits down, after the rollover: the median of ``offsets``
    (recent answers' times since the start of their study day), rounded to 15 minutes so
    a look-ahead's cache lasts; ``SESSION_OFFSET`` with fewer than 20 of them."""
    if len(offsets) < 20:
        return SESSION_OFFSET
    middle = sorted(offsets)[len(offsets) // 2]
    return timedelta(minutes=15 * round(middle / timedelta(minutes=15)))


def new_room(workload: Workload, answers_today: int, pending: float = 0.0) -> bool:
    """Whether one more new card fits today: its room (``new_margin``) on top of the
    answers given and those still owed (``pending``), within ``per_day``."""
    return answers_today + pending + new_margin(workload) <= workload.per_day


# -- the plan ------------------------------------------------------------------------------
def end_of_day(days: Sequence[datetime], moment: datetime, index: int) -> datetime:
    """The last second of ``days[index]``: an earlier review due then is shown that day
    after the reviews FSRS scheduled for it (the queue takes the most overdue first), so
    when the day is fuller than planned, the cap cuts the extra one, not those."""
    end = days[index + 1] if index + 1 < len(days) else moment
    return end - timedelta(seconds=1)


def pick_day(candidates: Sequence[int], load: Sequence[float], caps: Sequence[float],
             cost: float = 1.0) -> int | None:
    """The day (an index into ``load``) for one extra review among ``candidates``, or None
    when none has room.

    The latest candidate whose load stays within the level ``min(cap, ceil((total + cost)
    / days))``; else the latest within its cap. The level spreads the extra reviews over
    the days left instead of piling them on the eve.
    """
    if not candidates:
        return None
    level = math.ceil((sum(load) + cost) / len(load))
    for index in reversed(candidates):
        if load[index] + cost <= min(level, caps[index]):
            return index
    for index in reversed(candidates):
        if load[index] + cost <= caps[index]:
            return index
    return None


@dataclass(frozen=True)
class Schedule:
    """The plan from today to the interview (index 0: today), in expected answers.

    ``new_per_day``: new cards to introduce each day; ``moves``: stored cards (due after
    the interview) to review earlier, card id -> the start of that day; ``load``: planned
    answers each day; ``extra``: the part of ``load`` the stored due dates do not show
    (new cards to come and their reviews, the later reviews of cards already scheduled,
    the earlier reviews they will need), what an earlier review placed during the day
    must leave room for; ``ready``: the expected number of cards whose predicted recall
    on the day reaches the aim if the plan is followed; ``total``: all cards;
    ``left_out``: new cards the plan cannot introduce; ``unplaced``: expected earlier
    reviews no day has room for; ``pulls``: the earlier reviews placed.
    """

    new_per_day: tuple[int, ...]
    moves: dict[int, datetime]
    load: tuple[float, ...]
    extra: tuple[float, ...]
    ready: float
    total: int
    left_out: int = 0
    unplaced: float = 0.0
    pulls: float = 0.0
    per_day: int = 0
    days: tuple[datetime, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        """Every card introduced and every earlier review it needs placed (half an expected
        review is allowed for rounding)."""
        return self.left_out == 0 and self.unplaced < 0.5

    @property
    def busiest(self) -> float:
        return max(self.load, default=0.0)


def plan_schedule(
    projector: Projector, plan: InterviewPlan, cards: Iterable[FsrsCard], unseen: int,
    workload: Workload, *, scale: float = 1.0,
) -> Schedule:
    """The day's plan (see the module docstring). ``cards``: the studied cards as stored;
    ``unseen``: cards not introduced before today."""
    days = plan.days
    n_days = len(days)
    # New cards may fill the days to the cap; earlier reviews only to PLAN_HEADROOM of it.
    full = [float(workload.per_day)] * n_days
    full[0] = max(0.0, full[0] - workload.done_today)
    caps = [c - workload.per_day * (1 - PLAN_HEADROOM) for c in full]
    cost = workload.per_review
    aim, target, moment = plan.aim, plan.target, plan.moment
    fixed = [0.0] * n_days  # the stored cards' expected answers
    fixed_extra = [0.0] * n_days
    # Earlier reviews needed, by first feasible day (interchangeable): [weight, the part
    # below the target]; and the stored cards that can be moved now, one by one.
    grouped: dict[int, list[float]] = {}
    movable: list[tuple[int, int, bool]] = []  # (first feasible day, card id, below)
    stored_ready: list[tuple[float, float]] = []
    total = 0

    def settle(weight: float, final: FsrsCard, last: int, card_id: int | None) -> float:
        """The weight of one outcome at the target on the day as things stand; below the
        aim, its earlier review is noted when one would do."""
        recall = projector.recall(final, moment, scale)
        if recall >= aim or weight <= 0:
            return weight
        below = recall < target
        first = projector.first_feasible(final, days, moment, aim, scale, last)
        if first is not None:  # else not even the eve would do
            if card_id is not None:
                movable.append((first, card_id, below))
            else:
                entry = grouped.setdefault(first, [0.0, 0.0])
                entry[0] += weight
                entry[1] += weight if below else 0.0
        return 0.0 if below else weight

    for card in cards:
        total += 1
        forecast = projector.forecast(card, days, moment, scale)
        due_today = bool(forecast.answers) and forecast.answers[0][0] == 0
        for i, (d, w) in enumerate(forecast.answers):
            w = w if i == 0 else w * LOOKAHEAD_BIAS  # the first: its stored due
            fixed[d] += w
            if not due_today and d > 0 and i > 0:  # the stored due shows the first one
                fixed_extra[d] += w
        can_move = not forecast.answers and card.state == State.Review
        at_target = sum(settle(weight, final, last, card.card_id if can_move else None)
                        for weight, final, last in forecast.outcomes)
        # (at the target if its reviews happen; if none does)
        stored_ready.append((at_target, float(projector.recall(card, moment, scale) >= target)))
    total += unseen
    stored_groups = {first: list(entry) for first, entry in grouped.items()}
    grouped.clear()
    # A new card introduced on day d: its answers that day, then what it is expected to
    # cost and become (one template per first answer, weighted by how often it is given).
    templates: dict[int, tuple] = {}

    def template(d: int) -> tuple:
        """(answers by day, at the target, earlier reviews needed, at the target with no
        review) per card introduced on day ``d``; made when first asked for."""
        if d not in templates:
            answers: dict[int, float] = {}
            ready_one = unreviewed = 0.0
            for grade, share in zip(Grade, workload.first_ratings, strict=True):
                if share <= 0:
                    continue
                learned, _ = projector.learned(days[d] + projector.session, grade)
                unreviewed += share * (projector.recall(learned, moment, scale) >= target)
                forecast = projector.forecast(learned, days, moment, scale, share, d)
                for day, w in forecast.answers:
                    answers[day] = answers.get(day, 0.0) + w * LOOKAHEAD_BIAS
                for weight, final, last in forecast.outcomes:
                    ready_one += settle(weight, final, last, None)
            templates[d] = (answers, ready_one, dict(grouped), unreviewed)
            grouped.clear()
        return templates[d]

    def attempt(pace: int) -> tuple:
        load = list(fixed)
        extra = list(fixed_extra)
        intro = [0] * n_days
        left = unseen
        for d in range(n_days):
            # New cards first: the queue keeps their room (``review_reserve``).
            room = math.floor(full[d] / workload.per_new + 1e-9)
            n = max(0, min(pace, left, room))
            if n:
                intro[d] = n
                left -= n
                load[d] += n * workload.per_new
                if d > 0:
                    extra[d] += n * workload.per_new
                for r, w in template(d)[0].items():
                    load[r] += n * w
                    if d > 0:
                        extra[r] += n * w
        # Reviews past a day's cap wait for the next day (the most overdue come first);
        # a share of them is still waiting on the day: a card gets its reviews with the
        # share ``kept``, else it is on the day as it stands (or as it was learned).
        scheduled = sum(load) - sum(intro) * workload.per_new
        carry = 0.0
        for d in range(n_days):
            total_d = load[d] + carry
            carry = max(0.0, total_d - full[d])
            load[d] = total_d - carry
            if d + 1 < n_days and carry:
                extra[d + 1] += carry
        late = carry / cost
        kept = 1 - min(1.0, carry / scheduled) if scheduled > 0 else 1.0
        got_ready = sum(now + (then - now) * kept for then, now in stored_ready) + sum(
            n * (template(d)[3] + (template(d)[1] - template(d)[3]) * kept)
            for d, n in enumerate(intro) if n)
        # (first day, weight, part below the target, part in ``extra``, card id)
        items = [(first, 1.0, float(below), 0.0, card_id)
                 for first, card_id, below in movable]
        items += [(first, w, below, w, None) for first, (w, below) in stored_groups.items()]
        for d, n in enumerate(intro):
            items += [(first, n * w, n * below, n * w if d > 0 else 0.0, None)
                      for first, (w, below) in (template(d)[2] if n else {}).items()]
        items.sort(key=lambda i: (-i[0], i[4] if i[4] is not None else -1))
        moves: dict[int, datetime] = {}
        unplaced = placed = 0.0
        for first, weight, below, in_extra, card_id in items:  # fewest feasible days first
            lows, shown = below / weight, in_extra / weight
            candidates = range(first, n_days)
            while weight > 1e-9:  # interchangeable ones a unit at a time
                unit = min(1.0, weight)
                weight -= unit
                index = pick_day(candidates, load, caps, unit * cost)
                if index is None:
                    unplaced += unit * lows
                    continue
                load[index] += unit * cost
                placed += unit
                got_ready += unit * lows
                if card_id is not None:
                    moves[card_id] = end_of_day(days, moment, index)
                else:
                    extra[index] += unit * cost * shown
        return (left, unplaced + late, got_ready, intro, moves, load, extra, placed)

    # The plain pace first (it covers the deck); when it does not get every card to the
    # target, faster ones up to all new cards at once (the early days' room used, the
    # later days' kept), and the one with the most cards at the target.
    floor_pace = new_cards_per_day(workload.new_per_day, unseen, plan)
    highest = max(floor_pace, min(NEW_PER_DAY_CAP, unseen))
    best = attempt(floor_pace)
    if not (best[0] == 0 and best[1] < 0.5) and highest > floor_pace:
        step = max(1, math.ceil((highest - floor_pace) / 8))
        for pace in range(floor_pace + step, highest + step, step):
            result = attempt(min(pace, highest))
            if result[2] > best[2] + 1e-9:
                best = result
    left, unplaced, got_ready, intro, moves, load, extra, placed = best
    return Schedule(new_per_day=tuple(intro), moves=moves, load=tuple(load),
                    extra=tuple(extra), ready=got_ready, total=total, left_out=left,
                    unplaced=unplaced, pulls=placed, per_day=workload.per_day, days=days)


def place_review(projector: Projector, card: FsrsCard, plan: InterviewPlan | None,
                 load: Sequence[float], per_day: int, *, scale: float = 1.0,
                 cost: float = 1.0) -> datetime:
    """The due date to store for ``card`` just scheduled by FSRS: ``min(FSRS due, the
    latest review day with room on which a review brings its recall on the day to the
    aim)`` (``pick_day``). ``load``: planned answers on each of ``plan.review_days``. When
    not even the eve suffices, the eve (the best there is); when no such day has room,
    FSRS's due: the cap holds, and the card is not ready."""
    if (plan is None or not plan.review_days or card.state != State.Review
            or card.due <= plan.moment
            or projector.recall(card, plan.moment, scale) >= plan.aim):
        return card.due
    days = plan.days
    first = projector.first_feasible(card, days, plan.moment, plan.aim, scale, 0)
    first = len(days) - 1 if first is None else first
    caps = [per_day * PLAN_HEADROOM] * len(plan.review_days)
    index = pick_day(range(first - 1, len(plan.review_days)), load, caps, cost)
    return card.due if index is None else min(card.due, end_of_day(days, plan.moment,
                                                                   index + 1))


def load_per_day(dues: Iterable[datetime], plan: InterviewPlan, cost: float = 1.0
                 ) -> list[float]:
    """Planned answers for the review cards due on each of ``plan.review_days``."""
    load = [0.0] * len(plan.review_days)
    for due in dues:
        due = require_utc(due)
        if not plan.review_days or due < plan.review_days[0] or due >= plan.moment:
            continue
        load[bisect_right(plan.review_days, due) - 1] += cost
    return load


# -- readiness -----------------------------------------------------------------------------
def readiness(
    scheduler: Scheduler, cards: Iterable[FsrsCard | None], moment: datetime,
    target: float = 0.9, scale: float = 1.0,
) -> tuple[float, float, int, int]:
    """(mean predicted recall at ``moment``, share of cards at or above ``target``, studied,
    total); ``None`` entries are cards never studied and count as 0."""
    total = studied = at_target = 0
    recalled = 0.0
    for card in cards:
        total += 1
        if card is not None and card.stability is not None:
            studied += 1
            r = recall_at(scheduler, card, moment, scale)
            recalled += r
            at_target += r >= target
    if not total:
        return 0.0, 0.0, 0, 0
    return recalled / total, at_target / total, studied, total


def needed_per_day(projector: Projector, plan: InterviewPlan, cards: Sequence[FsrsCard],
                   unseen: int, workload: Workload, *, scale: float = 1.0,
                   limit: int = 100_000) -> int | None:
    """The fewest answers a day with which the plan gets every card ready (None: not even
    ``limit``, e.g. cards that no review before the day can bring to the aim)."""
    def ok(per_day: int) -> bool:
        return plan_schedule(projector, plan, cards, unseen,
                             replace(workload, per_day=per_day), scale=scale).feasible

    return _least(ok, workload.per_day, max(workload.per_day * 2, 50), limit)


def ready_date(projector: Projector, plan: InterviewPlan, cards: Sequence[FsrsCard],
               unseen: int, workload: Workload, *, scale: float = 1.0,
               rollover_hour: int = 4, tz: tzinfo | None = None) -> date | None:
    """The earliest interview date at which the plan gets every card ready within the
    capacity (None: not within ``MAX_PLAN_DAYS``)."""
    now = plan.days[0]

    def ok(days: int) -> bool:
        later = make_plan(plan.today + timedelta(days=days), plan.target, now,
                          rollover_hour, tz)
        return plan_schedule(projector, later, cards, unseen, workload,
                             scale=scale).feasible

    days = _least(ok, plan.days_left, plan.days_left * 2, MAX_PLAN_DAYS)
    return None if days is None else plan.today + timedelta(days=days)


def _least(ok: Callable[[int], bool], lo: int, hi: int, limit: int) -> int | None:
    """The smallest n above ``lo`` with ``ok(n)`` (``ok`` holding for every larger n too),
    doubling from ``hi`` up to ``limit``, then halving; None when not even ``limit``."""
    hi = max(hi, lo + 1)  # doubling from 0 would never move
    while not ok(hi):
        if hi >= limit:
            return None
        lo, hi = hi, min(limit, hi * 2)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi
