"""Missed cards and drills: logged as 'drill', never moving the FSRS schedule."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.helpers import NOW, open_study
from trainer.app.drill import DrillSession, drill_items
from trainer.app.formatting import parse_window
from trainer.app.progress import ProgressTracker
from trainer.scheduling.memory import Grade
from trainer.store.database import StoreError
from trainer.store.records import Attempt

EXERCISE = "exercise:conv-output-size:1"


def grade_for(key: str, n: int) -> Grade:
    """A fixed grade for the n-th scheduled answer of a card (the same in every run)."""
    return [Grade.AGAIN, Grade.GOOD, Grade.HARD, Grade.AGAIN, Grade.EASY, Grade.GOOD][
        (n + len(key)) % 6]


def schedule_log(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text(
            "SELECT c.key, r.rating, r.reviewed_at, r.was_new, r.state_before FROM reviews r "
            "JOIN cards c ON c.id = r.card_id WHERE r.kind = 'scheduled' ORDER BY r.id")).all()


def card_states(study) -> list[tuple]:
    with study.db.engine.connect() as c:
        return c.execute(text(
            "SELECT key, state, step, stability, difficulty, due, last_review, suspended, "
            "leech FROM cards ORDER BY key")).all()


def study_days(settings, drills: bool):
    """Ten days of practice; with ``drills``, every missed card is drilled (all four grades)
    before each day's scheduled work and after it."""
    study = open_study(settings)
    tracker = ProgressTracker.of(study)
    answered: dict[str, int] = {}
    shown, limits = [], []
    drilled = 0

    def drill(now):
        nonlocal drilled
        session = DrillSession(study, tracker.missed(now, None))
        grade = 0
        while (card := session.next_card(now)) is not None:
            session.answer(card.key, Grade(grade % 4 + 1), now, duration_ms=2000)
            grade += 1
            drilled += 1

    for day in range(10):
        now = NOW + timedelta(days=day)
        if drills:
            drill(now)
        limits.append((study.overview(now).new_left_today, study.overview(now).reviewed_today))
        while (card := study.next_card(now)) is not None:
            n = answered.get(card.key, 0)
            study.answer(card.key, grade_for(card.key, n), now, duration_ms=3000)
            answered[card.key] = n + 1
            shown.append(card.key)
            now += timedelta(minutes=11)
        if drills:
            drill(now)
    return study, shown, limits, drilled


def test_fsrs_state_is_identical_with_and_without_drills(tmp_path, tiny_deck, tiny_settings):
    # Tight limits: a drill counted as a review or a new card would change what is shown.
    limited = dict(new_per_day=2, max_reviews_per_day=3, builtin_deck=False, exercises=False,
                   decks=[tiny_deck])
    plain, shown, limits, none = study_days(
        tiny_settings.model_copy(update={**limited, "home": tmp_path / "plain"}), False)
    drilled, shown_d, limits_d, count = study_days(
        tiny_settings.model_copy(update={**limited, "home": tmp_path / "drilled"}), True)
    assert none == 0 and count >= 10  # plenty of drills did happen
    with drilled.db.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM reviews WHERE kind = 'drill'")).scalar() \
            == count
    assert card_states(drilled) == card_states(plain)
    assert schedule_log(drilled) == schedule_log(plain)
    assert shown_d == shown and limits_d == limits
    end = NOW + timedelta(days=10)
    stats_plain = ProgressTracker.of(plain).stats(end)
    stats_drilled = ProgressTracker.of(drilled).stats(end)
    assert stats_drilled.retention == stats_plain.retention
    assert stats_drilled.forecast == stats_plain.forecast
    assert stats_drilled.mastery == stats_plain.mastery
    # Drills are practice all the same: they count in reviews per day.
    assert sum(d.reviews for d in stats_drilled.heatmap) == \
        sum(d.reviews for d in stats_plain.heatmap) + count


def test_missed_cards_most_recent_first_once_each_in_the_window(tiny_settings):
    study = open_study(tiny_settings)
    tracker = ProgressTracker.of(study)
    study.answer("pooling:pool-max", Grade.AGAIN, NOW - timedelta(days=9))
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(days=3))
    study.answer("conv:conv-size", Grade.AGAIN, NOW - timedelta(days=2))
    study.answer("pooling:pool-avg", Grade.AGAIN, NOW - timedelta(hours=5))
    study.answer("conv:conv-params", Grade.GOOD, NOW - timedelta(hours=1))
    week = tracker.missed(NOW, parse_window("7d"))
    assert [(m.key, m.misses) for m in week] == [("pooling:pool-avg", 1),
                                                ("conv:conv-size", 2)]
    assert week[1].last_missed == NOW - timedelta(days=2)
    assert week[0].title == "What does average pooling send back?"
    assert [m.key for m in tracker.missed(NOW, None)] == [
        "pooling:pool-avg", "conv:conv-size", "pooling:pool-max"]
    assert [m.key for m in tracker.missed(NOW, parse_window("24h"))] == ["pooling:pool-avg"]


def test_exercise_drill_poses_the_missed_instance_then_a_fresh_one(tiny_settings):
    settings = tiny_settings.model_copy(update={"exercises": True})
    study = open_study(settings)
    card = study.card_for(EXERCISE, NOW)
    instance = study.exercise_instance(EXERCISE, card.exercise.seed)
    attempt = Attempt(seed=card.exercise.seed, params=instance.params, answer="999",
                      correct=False)
    assert study.answer(EXERCISE, Grade.GOOD, NOW, attempt=attempt).grade == Grade.AGAIN
    study.answer("conv:conv-size", Grade.AGAIN, NOW + timedelta(minutes=1))
    missed = ProgressTracker.of(study).missed(NOW + timedelta(minutes=2))
    assert [m.key for m in missed] == ["conv:conv-size", EXERCISE]
    assert (missed[1].seed, missed[1].answer, missed[1].params) == (
        card.exercise.seed, "999", instance.params)
    items = drill_items(missed)
    assert [(i.key, i.exact) for i in items] == [
        ("conv:conv-size", False), (EXERCISE, True), (EXERCISE, False)]

    drill = DrillSession(study, missed)
    later = NOW + timedelta(minutes=3)
    first = drill.next_card(later)
    assert first.key == "conv:conv-size" and first.intervals == {}
    drill.answer(first.key, Grade.GOOD, later)
    exact = drill.next_card(later)
    assert exact.exercise.seed == card.exercise.seed and exact.question == card.question
    assert drill.current.exact and drill.current.typed == "999"
    right = study.check_exercise(exact, instance.expected.display())
    assert right.correct
    drill.answer(EXERCISE, Grade.GOOD, later, attempt=study.attempt(
        exact, instance.expected.display(), right))
    fresh = drill.next_card(later)
    assert fresh.key == EXERCISE and fresh.exercise.seed != card.exercise.seed
    wrong = Attempt(seed=fresh.exercise.seed, params={}, answer="0", correct=False)
    assert drill.answer(EXERCISE, Grade.EASY, later, attempt=wrong).grade == Grade.AGAIN
    assert drill.next_card(later) is None
    summary = drill.summary(later)
    assert (summary.reviewed, summary.correct) == (3, 2)
    with study.db.engine.connect() as c:
        rows = c.execute(text(
            "SELECT c.key, r.kind, r.rating, r.seed, r.answer, r.correct FROM reviews r "
            "JOIN cards c ON c.id = r.card_id ORDER BY r.id")).all()
    assert rows[2:] == [
        ("conv:conv-size", "drill", 3, None, None, None),
        (EXERCISE, "drill", 3, card.exercise.seed, instance.expected.display(), True),
        (EXERCISE, "drill", 1, fresh.exercise.seed, "0", False),
    ]


def test_undo_of_a_drill_deletes_it_and_shows_the_same_instance(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"exercises": True}))
    card = study.card_for(EXERCISE, NOW)
    study.answer(EXERCISE, Grade.AGAIN, NOW, attempt=Attempt(
        seed=card.exercise.seed, params={}, answer="1", correct=False))
    before = study.repo.card(EXERCISE)
    drill = DrillSession(study, ProgressTracker.of(study).missed(NOW))
    drill.next_card(NOW)
    drill.answer(EXERCISE, Grade.GOOD, NOW)
    fresh = drill.next_card(NOW)
    drill.answer(EXERCISE, Grade.HARD, NOW)
    assert drill.next_card(NOW) is None and drill.can_undo()
    again = drill.undo(NOW)
    assert again.exercise.seed == fresh.exercise.seed
    assert drill.progress(NOW).model_dump() == {"done": 1, "remaining": 1}
    with study.db.engine.connect() as c:
        kinds = c.execute(text("SELECT kind, rating FROM reviews ORDER BY id")).all()
    assert kinds == [("scheduled", 1), ("drill", 3)]
    assert study.repo.card(EXERCISE) == before


def test_an_undo_that_cannot_be_saved_can_be_done_again(tiny_settings):
    """The delete fails (the file refuses writes: ``PRAGMA query_only``, the store's test
    hook): the drill stays done and undoable; once writes work, the same undo goes through."""
    study = open_study(tiny_settings)
    first = study.next_card(NOW)
    study.answer(first.key, Grade.AGAIN, NOW)
    drill = DrillSession(study, ProgressTracker.of(study).missed(NOW))
    drill.next_card(NOW)
    drill.answer(first.key, Grade.GOOD, NOW)
    study.db.pragmas["query_only"] = 1
    study.db.engine.dispose()
    try:
        drill.undo(NOW)
    except StoreError as exc:
        assert "not saved" in str(exc)
    else:
        raise AssertionError("the delete should have failed")
    assert drill.can_undo() and drill.progress(NOW).done == 1
    del study.db.pragmas["query_only"]
    study.db.engine.dispose()
    assert drill.undo(NOW).key == first.key and not drill.can_undo()
    with study.db.engine.connect() as c:
        assert c.execute(text("SELECT kind FROM reviews ORDER BY id")).scalars().all() == [
            "scheduled"]
