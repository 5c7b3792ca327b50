"""Leeches: marked and suspended at the answer that reaches the threshold of lapses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import NOW, open_study
from tests.progress.conftest import card_row, review_rows
from trainer.app.drill import DrillSession
from trainer.app.progress import ProgressTracker
from trainer.scheduling.leech import is_leech_lapse
from trainer.scheduling.memory import Grade

KEY = "pooling:pool-max"


def learned(study, now):
    """``KEY`` answered Easy as a new card: in the Review state."""
    outcome = study.answer(KEY, Grade.EASY, now)
    assert study.repo.card(KEY).state == 2
    return outcome.next_due


def lapse(study, due):
    """Again when it is due (a lapse), then Good after the relearning step: Review again."""
    outcome = study.answer(KEY, Grade.AGAIN, due)
    back = study.answer(KEY, Grade.GOOD, outcome.next_due)
    return outcome, back.next_due


@pytest.mark.parametrize(("lapses", "threshold", "expected"), [
    (7, 8, False), (8, 8, True), (9, 8, False), (12, 8, True), (16, 8, True), (13, 8, False),
    (1, 1, True), (2, 1, True), (3, 4, False), (4, 4, True), (5, 4, False), (6, 4, True),
])
def test_leech_rule_is_ankis(lapses, threshold, expected):
    assert is_leech_lapse(lapses, threshold) is expected


def test_the_eighth_lapse_marks_and_suspends(tiny_settings):
    study = open_study(tiny_settings)
    due = learned(study, NOW)
    for n in range(1, 8):
        outcome, due = lapse(study, due)
        assert not outcome.leech, n
    assert ProgressTracker.of(study).queries.lapses(study.repo.card(KEY).id) == 7
    assert not card_row(study.db, KEY)["leech"]
    outcome = study.answer(KEY, Grade.AGAIN, due)
    assert outcome.leech
    row = card_row(study.db, KEY)
    assert row["leech"] and row["suspended"]
    # Suspended: not offered again, even when due.
    later = due + timedelta(days=30)
    shown = set()
    while (card := study.next_card(later)) is not None:
        shown.add(card.key)
        study.answer(card.key, Grade.EASY, later)
    assert KEY not in shown and shown
    assert [c.key for c in ProgressTracker.of(study).leeches()] == [KEY]
    assert ProgressTracker.of(study).leeches()[0].lapses == 8


def test_threshold_is_a_setting_and_learning_agains_are_not_lapses(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"leech_threshold": 2}))
    for _ in range(3):  # Again on a card being learned: not a lapse
        study.answer(KEY, Grade.AGAIN, NOW)
    due = learned(study, NOW + timedelta(minutes=5))
    first, due = lapse(study, due)
    assert not first.leech
    second = study.answer(KEY, Grade.AGAIN, due)
    assert second.leech and card_row(study.db, KEY)["suspended"]


def test_drill_agains_are_not_lapses(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"leech_threshold": 2}))
    due = learned(study, NOW)
    outcome, due = lapse(study, due)
    missed = ProgressTracker.of(study).missed(due)
    for _ in range(3):
        drill = DrillSession(study, missed)
        card = drill.next_card(due)
        drill.answer(card.key, Grade.AGAIN, due)
    assert not card_row(study.db, KEY)["leech"]
    assert ProgressTracker.of(study).queries.lapses(study.repo.card(KEY).id) == 1


def test_undo_of_the_leeching_answer_takes_the_mark_back(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"leech_threshold": 1}))
    due = learned(study, NOW)
    assert study.answer(KEY, Grade.AGAIN, due).leech
    study.undo(due)
    row = card_row(study.db, KEY)
    assert not row["leech"] and not row["suspended"] and row["state"] == 2


def test_unsuspend_then_leech_again_after_half_the_threshold(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"leech_threshold": 4}))
    tracker = ProgressTracker.of(study)
    due = learned(study, NOW)
    for _ in range(3):
        _, due = lapse(study, due)
    outcome, due = lapse(study, due)  # the 4th
    assert outcome.leech
    assert tracker.unsuspend(KEY)
    row = card_row(study.db, KEY)
    assert not row["leech"] and not row["suspended"]
    outcome, due = lapse(study, due)  # 5th: not yet
    assert not outcome.leech
    outcome, due = lapse(study, due)  # 6th = 4 + 4 // 2
    assert outcome.leech and card_row(study.db, KEY)["suspended"]


def test_reset_is_new_again_history_kept_lapses_from_zero(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"leech_threshold": 2}))
    tracker = ProgressTracker.of(study)
    due = learned(study, NOW)
    _, due = lapse(study, due)
    assert study.answer(KEY, Grade.AGAIN, due).leech
    before = review_rows(study.db)
    assert tracker.reset(KEY)
    row = card_row(study.db, KEY)
    assert (row["due"], row["state"], row["stability"], row["leech"], row["suspended"]) == (
        None, None, None, False, False)
    assert review_rows(study.db) == before  # history kept
    assert study.repo.card(KEY).is_new
    # Learned again: lapses count from its new first review, so one lapse is not a leech.
    due = learned(study, due + timedelta(days=1))
    outcome, _ = lapse(study, due)
    assert not outcome.leech
    assert tracker.queries.lapses(study.repo.card(KEY).id) == 1
    assert tracker.card(KEY).reviews == len(before) + 3
