"""The interview policy as pure functions: real fsrs, a frozen clock, UTC study days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from tests.helpers import NOW, UTC_ZONE
from trainer.scheduling.interview import (
    NEW_PER_DAY_CAP,
    day_start,
    feasible_days,
    interview_due,
    load_per_day,
    make_plan,
    new_cards_per_day,
    pick_day,
    readiness,
    recall_after_review,
    recall_at,
    replan,
)

INTERVIEW = date(2026, 12, 20)  # NOW is 2026-11-26 12:00 UTC: 24 study days left
SCHEDULER = Scheduler(enable_fuzzing=False)


def plan(now: datetime = NOW, target: float = 0.90, interview: date = INTERVIEW):
    return make_plan(interview, target, now, rollover_hour=4, tz=UTC_ZONE)


def review_card(card_id: int, stability: float, *, reviewed: datetime = NOW,
                due_in_days: float = 60, difficulty: float = 5.0) -> FsrsCard:
    """A review card as a lower desired retention or fuzzing can leave it: due far out."""
    return FsrsCard(card_id=card_id, state=State.Review, step=None, stability=stability,
                    difficulty=difficulty, last_review=reviewed,
                    due=reviewed + timedelta(days=due_in_days))


def test_plan_counts_study_days_and_ends_on_the_day():
    p = plan()
    assert p.days_left == 24 and p.moment == datetime(2026, 12, 20, 4, tzinfo=NOW.tzinfo)
    assert p.review_days[0] == datetime(2026, 11, 27, 4, tzinfo=NOW.tzinfo)
    assert p.review_days[-1] == datetime(2026, 12, 19, 4, tzinfo=NOW.tzinfo)
    assert len(p.review_days) == 23
    # Before the rollover hour it is still the previous study day.
    assert plan(datetime(2026, 11, 27, 3, tzinfo=NOW.tzinfo)).days_left == 24
    assert plan(datetime(2026, 12, 19, 20, tzinfo=NOW.tzinfo)).review_days == ()
    # On and after the day: no plan, plain FSRS.
    assert plan(datetime(2026, 12, 20, 4, tzinfo=NOW.tzinfo)) is None
    assert plan(datetime(2027, 1, 5, tzinfo=NOW.tzinfo)) is None
    assert make_plan(None, 0.9, NOW) is None


def test_a_card_that_would_miss_the_target_gets_the_latest_sufficient_review():
    p = plan()
    card = review_card(1, stability=8.0)
    assert recall_at(SCHEDULER, card, p.moment) < 0.90  # left alone, it would miss the day
    due = interview_due(SCHEDULER, card, p, [0] * len(p.review_days), limit=9999)
    assert card.last_review < due < p.moment < card.due
    assert due == p.review_days[-1]  # nothing else due: the eve of the interview
    assert recall_after_review(SCHEDULER, card, due, p.moment) >= 0.90


def test_the_review_is_early_enough_to_reach_the_target_on_the_day():
    p = plan(target=0.97)
    card = review_card(1, stability=3.0)
    days = feasible_days(SCHEDULER, card, p)
    assert days and days == list(range(days[0], len(p.review_days)))  # a suffix of the days
    first = p.review_days[days[0]]
    assert recall_after_review(SCHEDULER, card, first, p.moment) >= 0.97
    if days[0] > 0:  # the day before the first sufficient one is not enough
        earlier = p.review_days[days[0] - 1]
        assert recall_after_review(SCHEDULER, card, earlier, p.moment) < 0.97
    # Every day of the suffix is full but the first: the review goes there, not too early.
    load = [0] * len(p.review_days)
    for index in days[1:]:
        load[index] = 5
    due = interview_due(SCHEDULER, card, p, load, limit=5)
    assert due == first


def test_cards_on_track_keep_their_fsrs_due():
    p = plan()
    strong = review_card(1, stability=200.0, due_in_days=200)
    assert recall_at(SCHEDULER, strong, p.moment) >= 0.90
    assert interview_due(SCHEDULER, strong, p, [0] * 23, 9999) == strong.due
    soon = review_card(2, stability=8.0, due_in_days=8)  # due before the interview anyway
    assert interview_due(SCHEDULER, soon, p, [0] * 23, 9999) == soon.due
    learning = FsrsCard(card_id=3, state=State.Learning, step=1, stability=2.0,
                        difficulty=5.0, last_review=NOW, due=NOW + timedelta(minutes=10))
    assert interview_due(SCHEDULER, learning, p, [0] * 23, 9999) == learning.due


def test_after_the_day_plain_fsrs():
    after = datetime(2026, 12, 21, 9, tzinfo=NOW.tzinfo)
    card, _ = SCHEDULER.review_card(review_card(1, 8.0, reviewed=after - timedelta(days=9)),
                                    Rating.Good, after)
    assert interview_due(SCHEDULER, card, plan(after), [], 9999) == card.due
    assert replan(SCHEDULER, [card], plan(after), [], 9999) == {}


def test_new_card_pacing_covers_the_deck_in_time():
    p = plan()  # 24 days left
    assert new_cards_per_day(20, 144, p) == 20  # the setting already covers the deck
    assert new_cards_per_day(20, 1000, p) == 42  # ceil(1000 / 24)
    assert new_cards_per_day(20, 100_000, p) == NEW_PER_DAY_CAP == 100
    assert new_cards_per_day(150, 100_000, p) == 150  # a higher own setting stays
    eve = plan(datetime(2026, 12, 19, 12, tzinfo=NOW.tzinfo))
    assert eve.days_left == 1 and new_cards_per_day(5, 60, eve) == 60
    assert new_cards_per_day(20, 1000, None) == 20  # no interview (or after it)


def test_pick_day_prefers_late_days_below_the_level_then_the_limit():
    # Level = min(limit, ceil((total + 1) / days)) = ceil(13 / 4) = 4.
    assert pick_day([0, 1, 2, 3], [2, 2, 4, 4], limit=10) == 1
    assert pick_day([2, 3], [2, 2, 4, 4], limit=10) == 3  # only late days: below the limit
    assert pick_day([2, 3], [2, 2, 10, 11], limit=10) == 2  # all full: the least loaded
    with pytest.raises(ValueError):
        pick_day([], [1], 10)


def test_extra_reviews_spread_over_the_days_within_the_limit():
    p = plan()
    n_days = len(p.review_days)
    load = [3] * n_days  # FSRS reviews already due on each day
    load[-1] = 8  # the eve is full
    cards = [review_card(i, stability=8.0 + i % 5) for i in range(60)]
    changes = replan(SCHEDULER, cards, p, load, limit=8)
    assert set(changes) == {c.card_id for c in cards}  # all of them needed a review
    per_day = load_per_day(changes.values(), p)
    totals = [a + b for a, b in zip(load, per_day, strict=True)]
    assert max(totals) <= 8  # the daily limit holds
    assert per_day[-1] == 0  # nothing added to the full day
    assert sum(1 for n in per_day if n) >= 10  # spread, not piled on one or two days
    by_id = {c.card_id: c for c in cards}
    for card_id, due in changes.items():  # and each still reaches the target on the day
        assert recall_after_review(SCHEDULER, by_id[card_id], due, p.moment) >= 0.90
    assert load == [3] * (n_days - 1) + [8]  # the caller's load is not modified


def test_readiness_counts_unstudied_cards_as_zero():
    p = plan()
    strong = review_card(1, stability=400.0, due_in_days=400)
    weak = review_card(2, stability=2.0)
    share, studied, total = readiness(SCHEDULER, [strong, weak, None, None], p.moment)
    expected = (recall_at(SCHEDULER, strong, p.moment) + recall_at(SCHEDULER, weak, p.moment))
    assert (studied, total) == (2, 4)
    assert share == pytest.approx(expected / 4)
    assert 0.0 < share < 0.5
    assert readiness(SCHEDULER, [], p.moment) == (0.0, 0, 0)


def test_day_start_follows_the_local_rollover():
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    assert day_start(INTERVIEW, 4, paris) == datetime(2026, 12, 20, 3, tzinfo=NOW.tzinfo)
