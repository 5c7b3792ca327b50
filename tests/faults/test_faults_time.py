"""Time: the day's rollover hour, daylight-saving changes, travelling between time zones
and a clock set back, with frozen clocks and real sessions on a real SQLite file.

The rule the app promises: the study day runs from the rollover hour (04:00) to the next
one, in local wall-clock time; a review card counts as due on the study day that holds its
due moment, so a card due "tomorrow" is there the next morning and not the evening before;
the new-card quota and "reviewed today" start again at the rollover.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.faults.replay import replay
from trainer.app.study import StudySession
from trainer.config.settings import Settings
from trainer.scheduling.study_day import study_day_bounds

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
BOUNDS_EXAMPLES = 400


def local(tz, *args) -> datetime:
    """A wall-clock time in ``tz``, as the aware UTC moment the app is given."""
    return datetime(*args, tzinfo=tz).astimezone(UTC)


@pytest.fixture
def quota_settings(tmp_path: Path, tiny_deck: Path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                    decks=[tiny_deck], new_per_day=2)


def session(settings: Settings, tz) -> StudySession:
    return StudySession.open(settings, tz=tz, enable_fuzzing=False)


def graduate(study: StudySession, at: datetime) -> tuple[str, datetime]:
    """A new card answered Good twice (10 minutes apart): in Review, due in whole days."""
    key = study.next_card(at).key
    study.answer(key, 3, at)
    later = at + timedelta(minutes=10)
    assert study.next_card(later).key == key  # its learning step is due: it comes first
    return key, study.answer(key, 3, later).next_due


def test_the_quota_starts_again_at_the_rollover_hour_not_at_midnight(quota_settings):
    study = session(quota_settings, SHANGHAI)
    for minute in (0, 1):  # 03:00 local: still the study day of the 26th
        at = local(SHANGHAI, 2026, 11, 27, 3, minute)
        study.answer(study.next_card(at).key, 3, at)  # Good: back in 10 minutes
    before = study.overview(local(SHANGHAI, 2026, 11, 27, 3, 59))
    after = study.overview(local(SHANGHAI, 2026, 11, 27, 4, 0))
    assert (before.reviewed_today, before.new_left_today) == (2, 0)
    assert (after.reviewed_today, after.new_left_today) == (0, 2)
    study.close()


def test_travelling_from_shanghai_to_berlin_overnight(quota_settings):
    # 23:00 in Shanghai: one card graduates, one is failed (Again: learning, due in 1 min).
    shanghai = session(quota_settings, SHANGHAI)
    evening = local(SHANGHAI, 2026, 11, 26, 23, 0)
    graduated, due = graduate(shanghai, evening)
    failed = shanghai.next_card(evening + timedelta(minutes=10)).key
    shanghai.answer(failed, 1, evening + timedelta(minutes=10))
    assert shanghai.overview(evening + timedelta(minutes=11)).new_left_today == 0
    shanghai.close()
    interval = due - (evening + timedelta(minutes=10))
    assert interval >= timedelta(days=1) and interval % timedelta(days=1) == timedelta(0)

    # Next morning, 08:00 in Berlin (07:00 UTC; the Shanghai evening was 16:00 on the
    # 26th there, so those answers belong to Berlin's yesterday).
    berlin = session(quota_settings, BERLIN)
    morning = local(BERLIN, 2026, 11, 27, 8, 0)
    overview = berlin.overview(morning)
    assert (overview.reviewed_today, overview.new_left_today) == (0, 2)
    assert berlin.next_card(morning).key == failed  # overdue learning comes first
    # The graduated card: due on the Berlin study day that holds its due moment, shown
    # from that morning on, never the evening before.
    due_local = due.astimezone(BERLIN)
    day = due_local.date() - timedelta(days=1 if due_local.hour < 4 else 0)
    eve = local(BERLIN, day.year, day.month, day.day, 3, 59)
    dawn = local(BERLIN, day.year, day.month, day.day, 4, 0)
    assert graduated not in due_keys(berlin, eve)
    assert graduated in due_keys(berlin, dawn)
    assert dawn < due  # shown in the morning although due later that day
    berlin.close()


def due_keys(study: StudySession, now: datetime) -> set[str]:
    start, end = study.day_bounds(now)
    return {c.key for c in study.repo.reviews_due(end, 100)}


@pytest.mark.parametrize(("tz", "day", "hours"), [
    (BERLIN, (2026, 3, 28), 23),  # clocks go forward on the 29th at 02:00
    (BERLIN, (2026, 10, 24), 25),  # clocks go back on the 25th at 03:00
    (NEW_YORK, (2026, 3, 7), 23),
    (NEW_YORK, (2026, 10, 31), 25),
    (SHANGHAI, (2026, 3, 28), 24),  # no daylight-saving time
])
def test_a_study_day_across_a_clock_change_is_23_or_25_hours(tz, day, hours):
    start, end = study_day_bounds(local(tz, *day, 12, 0), 4, tz)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(tz).hour == 4 and end.astimezone(tz).hour == 4


def test_the_quota_resets_at_04_00_local_on_the_morning_clocks_go_forward(quota_settings):
    study = session(quota_settings, BERLIN)
    night = local(BERLIN, 2026, 3, 29, 1, 30)  # CET, before the jump
    for _ in range(2):
        study.answer(study.next_card(night).key, 1, night)
    # 03:59 CEST is 01:59 UTC: one hour of wall clock skipped, still the same study day.
    assert study.overview(local(BERLIN, 2026, 3, 29, 3, 59)).new_left_today == 0
    assert study.overview(local(BERLIN, 2026, 3, 29, 4, 0)).new_left_today == 2
    study.close()


def test_a_card_due_across_the_clock_change_comes_on_its_day(quota_settings):
    study = session(quota_settings, BERLIN)
    key, due = graduate(study, local(BERLIN, 2026, 3, 27, 23, 30))
    due_local = due.astimezone(BERLIN)
    # FSRS counts whole days of 24 h; the wall clock lost one: 23:40 CET became 00:40 CEST.
    assert (due_local.hour, due_local.minute) == (0, 40)
    assert due_local.utcoffset() == timedelta(hours=2)
    day = due_local.date() - timedelta(days=1)  # 00:40 is before 04:00: the day before
    assert key not in due_keys(study, local(BERLIN, day.year, day.month, day.day, 3, 59))
    assert key in due_keys(study, local(BERLIN, day.year, day.month, day.day, 4, 0))
    study.close()


@settings(max_examples=BOUNDS_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(moment=st.datetimes(min_value=datetime(2026, 3, 20), max_value=datetime(2026, 11, 8),
                           timezones=st.just(UTC)),
       tz=st.sampled_from([BERLIN, NEW_YORK, SHANGHAI, ZoneInfo("Australia/Lord_Howe")]),
       rollover=st.integers(0, 23))
def test_study_days_tile_time_without_gaps_or_overlaps(moment, tz, rollover):
    """Every moment is in exactly one study day, whatever the zone, the rollover hour
    (even one the clock skips or repeats that night) and daylight-saving time."""
    start, end = study_day_bounds(moment, rollover, tz)
    assert start <= moment < end
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    assert study_day_bounds(end, rollover, tz)[0] == end  # the next day starts there
    assert study_day_bounds(start - timedelta(microseconds=1), rollover, tz)[1] == start


def test_a_clock_set_back_loses_nothing(quota_settings):
    """The system clock is corrected backwards by two hours mid-session, then forwards."""
    study = session(quota_settings, BERLIN)
    now = local(BERLIN, 2026, 11, 26, 20, 0)
    key = study.next_card(now).key
    study.answer(key, 3, now)
    back = now - timedelta(hours=2)
    assert study.next_card(back) is not None
    study.answer(key, 3, back)  # reviewed "before" its last review: no crash
    study.answer(key, 1, now + timedelta(hours=1))
    study.close()
    histories = replay(quota_settings.db_path, quota_settings)
    assert histories[key].reviews == 3
    assert histories[key].stored == histories[key].replayed
    assert histories[key].broken_links == []
