from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card as FsrsCard
from fsrs import State

from trainer.scheduling.memory import Grade, MemoryModel
from trainer.scheduling.queue import pick_interleaved
from trainer.scheduling.study_day import study_day_bounds

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def model() -> MemoryModel:
    return MemoryModel(enable_fuzzing=False)


def test_new_card_follows_the_learning_steps():
    card = FsrsCard(card_id=1, state=State.Learning, step=0, due=NOW)
    preview = model().preview(card, NOW)
    assert preview[Grade.AGAIN] == timedelta(minutes=1)
    assert preview[Grade.GOOD] == timedelta(minutes=10)
    assert preview[Grade.EASY] >= timedelta(days=1)
    assert preview[Grade.AGAIN] < preview[Grade.HARD] < preview[Grade.GOOD] < preview[Grade.EASY]


def test_graduated_card_gets_days_and_a_lapse_relearns():
    m = model()
    card = FsrsCard(card_id=1, state=State.Learning, step=0, due=NOW)
    card = m.review(card, Grade.GOOD, NOW)
    card = m.review(card, Grade.GOOD, NOW + timedelta(minutes=10))
    assert card.state == State.Review and card.due - NOW >= timedelta(days=1)
    lapse = m.review(card, Grade.AGAIN, card.due)
    assert lapse.state == State.Relearning
    assert lapse.due - card.due == timedelta(minutes=10)


def test_same_inputs_same_schedule_without_fuzzing():
    card = FsrsCard(card_id=7, state=State.Learning, step=0, due=NOW)
    assert model().review(card, Grade.EASY, NOW).due == model().review(card, Grade.EASY, NOW).due


def test_naive_datetimes_are_refused():
    card = FsrsCard(card_id=1, state=State.Learning, step=0, due=NOW)
    with pytest.raises(ValueError, match="naive"):
        model().review(card, Grade.GOOD, datetime(2026, 1, 1))


def test_study_day_rolls_over_at_four_local():
    tz = ZoneInfo("Asia/Shanghai")  # UTC+8, no DST
    before = datetime(2026, 11, 27, 3, 59, tzinfo=tz)
    after = datetime(2026, 11, 27, 4, 0, tzinfo=tz)
    start, end = study_day_bounds(before, 4, tz)
    assert start == datetime(2026, 11, 26, 4, 0, tzinfo=tz)
    assert end == datetime(2026, 11, 27, 4, 0, tzinfo=tz)
    assert study_day_bounds(after, 4, tz)[0] == end


def test_study_day_across_daylight_saving_is_23_hours():
    tz = ZoneInfo("Europe/Berlin")  # clocks go forward on 2026-03-29
    # The study day from 04:00 on the 28th to 04:00 on the 29th loses the 02:00-03:00 hour.
    start, end = study_day_bounds(datetime(2026, 3, 28, 12, tzinfo=tz), 4, tz)
    assert end - start == timedelta(hours=23)
    assert start.tzinfo is UTC and end.tzinfo is UTC


def test_interleaving_avoids_repeating_a_topic():
    cards = [("a", 1), ("a", 2), ("b", 3)]
    assert pick_interleaved(cards, "a", lambda c: c[0]) == ("b", 3)
    assert pick_interleaved(cards, "b", lambda c: c[0]) == ("a", 1)
    assert pick_interleaved([("a", 1)], "a", lambda c: c[0]) == ("a", 1)
    assert pick_interleaved([], "a", lambda c: c[0]) is None
