"""Interview mode in the study layer: real SQLite files, real fsrs, a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating

from tests.helpers import NOW, open_study
from trainer.app.formatting import format_interval
from trainer.app.study import StudySession
from trainer.config.settings import Settings
from trainer.scheduling.interview import make_plan, recall_after_review
from trainer.scheduling.memory import Grade, studied_card

INTERVIEW = date(2026, 12, 20)  # 24 study days after NOW (2026-11-26 12:00 UTC)
EVE = datetime(2026, 12, 19, 4, tzinfo=UTC)  # the start of the last study day before it
# An earlier review is due at the very end of its day: after FSRS's own reviews of it.
EVE_END = datetime(2026, 12, 20, 3, 59, 59, tzinfo=UTC)
SITTING = timedelta(hours=8)  # the usual sitting the plan assumes without history


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
    assert shown_exam.intervals[4] == format_interval(EVE_END - NOW) == "24d"
    assert shown_exam.intervals[1] == shown_plain.intervals[1] == "1m"  # learning: unchanged
    assert fsrs_due > datetime(2027, 1, 1, tzinfo=UTC)  # plain FSRS: long after the day
    assert NOW < outcome.next_due == EVE_END  # interview mode: the eve (nothing else due)
    assert exam.repo.card(key).due == EVE_END  # and that is what the database holds
    assert plain.repo.card(key).due == fsrs_due
    plan = make_plan(INTERVIEW, 0.90, NOW, 4, exam.tz)
    learnt, _ = exam.memory.scheduler.review_card(FsrsCard(card_id=1), Rating.Easy, NOW)
    assert recall_after_review(exam.memory.scheduler, learnt, EVE + SITTING,
                               plan.moment) >= plan.aim
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
        card = studied_card(state)
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
                   max_reviews_per_day=3)
    dues = []
    for i, key in enumerate(("pooling:pool-max", "pooling:pool-avg", "conv:conv-size",
                             "conv:conv-params")):
        moment = NOW + timedelta(seconds=i)
        dues.append(exam.answer(key, Grade.EASY, moment).next_due)
    earlier = [d for d in dues if d < EVE_END + timedelta(seconds=1)]
    assert len(earlier) >= 2 and EVE_END in earlier
    per_day = {d.date(): earlier.count(d) for d in earlier}
    # An earlier review costs 1.3 answers here (a lapse in three at retention 0.70 adds a
    # relearning step): two fit in 90 % of a cap of 3, a third does not; and the level
    # spreads them over the days first.
    assert max(per_day.values()) <= 2 and len(per_day) >= 2
    exam.close()


def deck_of(root, n_cards: int):
    folder = root / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    body = "---\ntopic: sim\ntitle: Simulated\n---\n\n" + "".join(
        f"## Question {i}? {{#q{i}}}\n\nAnswer {i}.\n\n" for i in range(n_cards))
    (folder / "sim.md").write_text(body, encoding="utf-8")
    return folder


def study_day(study: StudySession, start: datetime, grade: Grade = Grade.GOOD) -> int:
    """Answer whatever the queue shows, a minute apart, until it shows nothing."""
    answers = 0
    moment = start
    while (card := study.next_card(moment)) is not None and answers < 500:
        study.answer(card.key, grade, moment)
        answers += 1
        moment += timedelta(minutes=1)
    return answers


def test_a_day_takes_no_more_answers_than_the_cap(tmp_path):
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[deck_of(tmp_path, 30)], max_reviews_per_day=12,
                        new_per_day=5, interview_date=NOW.date() + timedelta(days=3))
    study = open_study(settings)
    # The old pace, ceil(30 / 3) = 10 new cards, is 20 answers with two learning steps.
    assert study_day(study, NOW) <= 12
    assert study.repo.reviews_since(NOW - timedelta(hours=8)) <= 12
    ready = study.readiness(NOW + timedelta(hours=6))
    # 30 cards in 3 days at 12 answers a day cannot all be learned: it says so.
    assert not ready.feasible and ready.planned is not None and ready.planned < 1
    assert ready.max_per_day == 12
    assert ready.needed_per_day is not None and ready.needed_per_day > 12
    assert ready.ready_by is not None and ready.ready_by > settings.interview_date
    study.close()


def test_readiness_and_countdown(tiny_settings, tmp_path):
    none = session(tiny_settings, tmp_path, "none")
    assert none.readiness(NOW) is None
    exam = session(tiny_settings, tmp_path, "exam", interview_date=INTERVIEW)
    start = exam.readiness(NOW)
    assert (start.days_left, start.studied, start.total) == (24, 0, 4)
    assert start.expected_recall == 0.0 and start.target == 0.90
    assert start.at_target == 0.0 and start.planned == 1.0 and start.feasible  # 4 cards fit
    for i in range(2):
        moment = NOW + timedelta(seconds=i)
        exam.answer(first_key(exam, moment), Grade.EASY, moment)
    ready = exam.readiness(NOW + timedelta(seconds=2))
    assert (ready.studied, ready.total) == (2, 4)
    assert 0.3 < ready.expected_recall < 0.5  # two cards at ~0.8 on the day, two at 0
    assert ready.at_target == 0.0  # and none of them at the 0.90 target
    on_the_day = exam.readiness(datetime(2026, 12, 20, 12, tzinfo=UTC))
    assert on_the_day.days_left == 0
    for study in (none, exam):
        study.close()
