"""Interview mode in the study layer: real SQLite files, real fsrs, a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating

from tests.helpers import NOW, open_study
from trainer.interview_mode import fsrs_card
from trainer.scheduling.interview import make_plan, recall_after_review
from trainer.scheduling.memory import Grade, format_interval
from trainer.study import StudySession

INTERVIEW = date(2026, 12, 20)  # 24 study days after NOW (2026-11-26 12:00 UTC)
EVE = datetime(2026, 12, 19, 4, tzinfo=UTC)  # the start of the last study day before it


def session(settings, tmp_path, name: str, **changes) -> StudySession:
    """A session on its own database; a lower desired retention leaves cards due after the
    interview with a predicted recall on the day below the 0.90 target."""
    changes.setdefault("desired_retention", 0.70)
    return open_study(settings.model_copy(update={"db": tmp_path / f"{name}.sqlite3",
                                                  **changes}))


def first_key(study: StudySession, now: datetime = NOW) -> str:
    card = study.next_card(now)
    assert card is not None
    return card.key


def test_a_card_that_would_miss_the_day_is_due_before_it(tiny_settings, tmp_path):
    plain = session(tiny_settings, tmp_path, "plain")
    exam = session(tiny_settings, tmp_path, "exam", interview_date=INTERVIEW)
    shown_plain, shown_exam = plain.next_card(NOW), exam.next_card(NOW)
    key = shown_plain.key
    assert shown_exam.key == key
    fsrs_due = plain.answer(key, Grade.EASY, NOW).next_due
    outcome = exam.answer(key, Grade.EASY, NOW)
    # The Easy button said so beforehand: FSRS's interval, or the interview's earlier one.
    assert shown_plain.intervals[4] == format_interval(fsrs_due - NOW) == "2.6mo"
    assert shown_exam.intervals[4] == format_interval(EVE - NOW) == "23d"
    assert shown_exam.intervals[1] == shown_plain.intervals[1] == "1m"  # learning: unchanged
    assert fsrs_due > datetime(2027, 1, 1, tzinfo=UTC)  # plain FSRS: long after the day
    assert NOW < outcome.next_due == EVE  # interview mode: the eve (nothing else is due)
    assert exam.repo.card(key).due == EVE  # and that is what the database holds
    assert plain.repo.card(key).due == fsrs_due
    plan = make_plan(INTERVIEW, 0.90, NOW, 4, exam.tz)
    learnt, _ = exam.memory.scheduler.review_card(FsrsCard(card_id=1), Rating.Easy, NOW)
    assert recall_after_review(exam.memory.scheduler, learnt, EVE, plan.moment) >= 0.90
    for study in (plain, exam):
        study.close()


def test_after_the_day_plain_fsrs(tiny_settings, tmp_path):
    later = datetime(2026, 12, 21, 9, tzinfo=UTC)
    plain = session(tiny_settings, tmp_path, "plain")
    past = session(tiny_settings, tmp_path, "past", interview_date=INTERVIEW)
    key = first_key(plain, later)
    for grade in (Grade.GOOD, Grade.GOOD, Grade.EASY):
        assert (past.answer(key, grade, later).next_due
                == plain.answer(key, grade, later).next_due)
    assert past.repo.card(key) == plain.repo.card(key)
    assert past.readiness(later) is None
    for study in (plain, past):
        study.close()


def test_cards_scheduled_before_the_date_was_set_are_moved(tiny_settings, tmp_path):
    study = session(tiny_settings, tmp_path, "study")
    keys = []
    for _ in range(2):
        key = first_key(study)
        keys.append(key)
        study.answer(key, Grade.EASY, NOW)
    before = {k: study.repo.card(k).due for k in keys}
    assert all(d > datetime(2027, 1, 1, tzinfo=UTC) for d in before.values())
    tomorrow = NOW + timedelta(days=1)
    study.apply_settings(study.settings.model_copy(update={"interview_date": INTERVIEW}))
    study.next_card(tomorrow)  # the first card of the day replans
    after = {k: study.repo.card(k).due for k in keys}
    assert all(tomorrow < d < datetime(2026, 12, 20, 4, tzinfo=UTC) for d in after.values())
    scheduler = study.memory.scheduler
    for key in keys:
        state = study.repo.card(key)
        card = fsrs_card(state)
        assert recall_after_review(scheduler, card, after[key],
                                   datetime(2026, 12, 20, 4, tzinfo=UTC)) >= 0.90
    assert study.interview.replan(tomorrow) == 0  # once per day: nothing more to move
    study.close()


def test_new_cards_are_paced_to_cover_the_deck(tiny_settings, tmp_path):
    plain = session(tiny_settings, tmp_path, "plain", new_per_day=1)
    exam = session(tiny_settings, tmp_path, "exam", new_per_day=1,
                   interview_date=NOW.date() + timedelta(days=2))  # 2 days, 4 new cards
    assert plain.overview(NOW).new_left_today == 1
    assert exam.overview(NOW).new_left_today == 2  # ceil(4 / 2)
    exam.answer(first_key(exam), Grade.EASY, NOW)
    assert exam.overview(NOW).new_left_today == 1  # the pace is set at the day's start
    second = exam.next_card(NOW + timedelta(seconds=1))
    assert second is not None and second.is_new  # the second new card of the day
    exam.answer(second.key, Grade.EASY, NOW + timedelta(seconds=1))
    assert exam.next_card(NOW + timedelta(seconds=2)) is None  # and no third one today
    assert exam.overview(NOW + timedelta(days=1)).new_left_today == 2  # ceil(2 / 1)
    for study in (plain, exam):
        study.close()


def test_extra_reviews_respect_the_daily_limit(tiny_settings, tmp_path):
    exam = session(tiny_settings, tmp_path, "exam", interview_date=INTERVIEW,
                   max_reviews_per_day=1)
    dues = []
    for i in range(4):
        moment = NOW + timedelta(seconds=i)
        dues.append(exam.answer(first_key(exam, moment), Grade.EASY, moment).next_due)
    assert len(set(dues)) == 4  # one extra review per day at most
    assert all(d <= EVE for d in dues) and EVE in dues
    exam.close()


def test_readiness_and_countdown(tiny_settings, tmp_path):
    none = session(tiny_settings, tmp_path, "none")
    assert none.readiness(NOW) is None
    exam = session(tiny_settings, tmp_path, "exam", interview_date=INTERVIEW)
    start = exam.readiness(NOW)
    assert (start.days_left, start.studied, start.total) == (24, 0, 4)
    assert start.expected_recall == 0.0 and start.target == 0.90
    for i in range(2):
        moment = NOW + timedelta(seconds=i)
        exam.answer(first_key(exam, moment), Grade.EASY, moment)
    ready = exam.readiness(NOW + timedelta(seconds=2))
    assert (ready.studied, ready.total) == (2, 4)
    assert 0.3 < ready.expected_recall < 0.5  # two cards at ~0.8 on the day, two at 0
    on_the_day = exam.readiness(datetime(2026, 12, 20, 12, tzinfo=UTC))
    assert on_the_day.days_left == 0
    for study in (none, exam):
        study.close()
