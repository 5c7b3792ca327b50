"""Interview mode: schedule toward a deadline (pure functions, no database, no UI).

Plain FSRS keeps every card near the desired retention *on average over time*; an
interview asks for something else: recall *on one given day*. Until that day:

* **Reviews.** A review card whose FSRS due date falls after the interview, but whose
  predicted recall at the interview (``fsrs.Scheduler.get_card_retrievability``) would be
  below the target, gets an earlier review: on the latest study day before the interview
  such that a successful review there brings its recall on the day back to the target,
  among the days whose load is below the level (the mean load of the days left, never
  above the daily review limit), so the extra reviews spread over the remaining days
  instead of piling up on the eve. The due date stored is ``min(FSRS due, that day)``.
* **New cards.** ``new per day = max(new_per_day, min(ceil(remaining_new / days_left),
  NEW_PER_DAY_CAP))``: the whole deck is introduced in time, never more than
  ``NEW_PER_DAY_CAP`` (100) a day, about 300 learning-step answers, past which little sticks.
* **Readiness.** The expected share of all cards (studied and unstudied, unstudied count
  as 0) recalled on the day if no further review happened: the mean predicted recall.

On and after the interview day: plain FSRS again (``make_plan`` returns None).

"Recall on the day" is predicted for the start of the interview's study day (the rollover
hour, local time), a conservative moment: the day's reviews have not happened yet.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from trainer.scheduling.memory import require_utc

NEW_PER_DAY_CAP = 100


@dataclass(frozen=True)
class InterviewPlan:
    """The interview seen from one study day.

    ``moment``: when recall is predicted (the start of the interview's study day, UTC);
    ``review_days``: the starts (UTC) of the study days from tomorrow up to the day before
    the interview, the days an earlier review can be put on (empty on the eve).
    """

    day: date
    moment: datetime
    target: float
    today: date
    review_days: tuple[datetime, ...]

    @property
    def days_left(self) -> int:
        """Study days left before the interview, today included (1 on the eve)."""
        return (self.day - self.today).days


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
    """The plan for the study day containing ``now``; None without an interview date or on
    and after the interview day (plain FSRS)."""
    if interview is None:
        return None
    today = study_date(now, rollover_hour, tz)
    if today >= interview:
        return None
    days = tuple(day_start(today + timedelta(days=i), rollover_hour, tz)
                 for i in range(1, (interview - today).days))
    return InterviewPlan(day=interview, moment=day_start(interview, rollover_hour, tz),
                         target=target, today=today, review_days=days)


def recall_at(scheduler: Scheduler, card: FsrsCard | None, moment: datetime) -> float:
    """FSRS's predicted recall of ``card`` at ``moment``; 0 for a card never studied."""
    if card is None or card.stability is None or card.last_review is None:
        return 0.0
    return float(scheduler.get_card_retrievability(card, require_utc(moment)))


def needs_earlier_review(scheduler: Scheduler, card: FsrsCard, plan: InterviewPlan) -> bool:
    """A review card due after the interview whose recall on the day would miss the target."""
    return (card.state == State.Review and card.due > plan.moment
            and recall_at(scheduler, card, plan.moment) < plan.target)


def recall_after_review(
    scheduler: Scheduler, card: FsrsCard, when: datetime, moment: datetime
) -> float:
    """Predicted recall at ``moment`` if ``card`` is reviewed (and remembered: Good) at
    ``when``."""
    reviewed, _ = scheduler.review_card(card, Rating.Good, require_utc(when))
    return recall_at(scheduler, reviewed, moment)


def feasible_days(scheduler: Scheduler, card: FsrsCard, plan: InterviewPlan) -> list[int]:
    """Indices of ``plan.review_days`` on which a successful review brings the recall on
    the day to the target, ascending. A later review always leaves a higher recall on the
    day (shorter gap, and FSRS grows stability more when recall has dropped), so these form
    a suffix of the days; empty when even the eve is not enough."""
    suffix: list[int] = []
    for index in range(len(plan.review_days) - 1, -1, -1):
        day = plan.review_days[index]
        if card.last_review is not None and day <= card.last_review:
            break
        if recall_after_review(scheduler, card, day, plan.moment) < plan.target:
            break
        suffix.append(index)
    return suffix[::-1]


def load_per_day(dues: Iterable[datetime], plan: InterviewPlan) -> list[int]:
    """How many review cards fall due on each of ``plan.review_days``."""
    load = [0] * len(plan.review_days)
    for due in dues:
        due = require_utc(due)
        if not plan.review_days or due < plan.review_days[0] or due >= plan.moment:
            continue
        load[bisect_right(plan.review_days, due) - 1] += 1
    return load


def pick_day(candidates: Sequence[int], load: Sequence[int], limit: int) -> int:
    """The day (an index into ``load``) for one extra review, among ``candidates``.

    The latest candidate whose load is below the level ``min(limit, ceil((total + 1) /
    days))``; else the latest below the daily ``limit``; else the least loaded (latest on
    a tie). The level spreads the extra reviews over the days left.
    """
    if not candidates:
        raise ValueError("no candidate day")
    level = min(limit, math.ceil((sum(load) + 1) / len(load)))
    for cap in (level, limit):
        for index in reversed(candidates):
            if load[index] < cap:
                return index
    return min(reversed(candidates), key=lambda i: load[i])


def interview_due(
    scheduler: Scheduler, card: FsrsCard, plan: InterviewPlan | None, load: Sequence[int],
    limit: int,
) -> datetime:
    """The due date to store for ``card`` just scheduled by FSRS: ``min(FSRS due, the
    interview-adjusted due)``. ``load``: review cards already due on each of
    ``plan.review_days`` (``load_per_day``); ``limit``: the daily review limit."""
    if plan is None or not plan.review_days or not needs_earlier_review(scheduler, card, plan):
        return card.due
    candidates = feasible_days(scheduler, card, plan) or [len(plan.review_days) - 1]
    return min(card.due, plan.review_days[pick_day(candidates, load, limit)])


def replan(
    scheduler: Scheduler, cards: Sequence[FsrsCard], plan: InterviewPlan | None,
    load: Sequence[int], limit: int,
) -> dict[int, datetime]:
    """New due dates (card_id -> due) for the stored ``cards`` that need an earlier review;
    the cards with the fewest feasible days are placed first. ``load`` is not modified."""
    if plan is None or not plan.review_days:
        return {}
    load = list(load)
    pending = []
    for card in cards:
        if needs_earlier_review(scheduler, card, plan):
            days = feasible_days(scheduler, card, plan) or [len(plan.review_days) - 1]
            pending.append((len(days), card.card_id, card, days))
    changes: dict[int, datetime] = {}
    for _, card_id, card, days in sorted(pending, key=lambda p: (p[0], p[1])):
        index = pick_day(days, load, limit)
        load[index] += 1
        changes[card_id] = min(card.due, plan.review_days[index])
    return changes


def new_cards_per_day(
    new_per_day: int, remaining_new: int, plan: InterviewPlan | None,
    cap: int = NEW_PER_DAY_CAP,
) -> int:
    """Today's new-card quota: ``max(new_per_day, min(ceil(remaining_new / days_left),
    cap))`` before the interview, ``new_per_day`` otherwise. ``remaining_new``: the cards
    not yet introduced at the start of today."""
    if plan is None or plan.days_left <= 0:
        return new_per_day
    return max(new_per_day, min(math.ceil(remaining_new / plan.days_left), cap))


def readiness(
    scheduler: Scheduler, cards: Iterable[FsrsCard | None], moment: datetime
) -> tuple[float, int, int]:
    """(expected share recalled at ``moment``, studied, total); ``None`` entries are cards
    never studied and count as 0."""
    total = studied = 0
    recalled = 0.0
    for card in cards:
        total += 1
        if card is not None and card.stability is not None:
            studied += 1
            recalled += recall_at(scheduler, card, moment)
    return (recalled / total if total else 0.0), studied, total
