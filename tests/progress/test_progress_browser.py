"""The card browser's queries and actions, and the `review --missed` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating

from tests.helpers import NOW, open_study
from tests.progress.conftest import card_row
from trainer.app.browser import BrowseQuery
from trainer.app.drill import DrillSession
from trainer.app.progress import ProgressTracker
from trainer.cli.main import main
from trainer.scheduling.memory import Grade
from trainer.store.records import Attempt

EXERCISE = "exercise:conv-output-size:1"


def keys(cards) -> list[str]:
    return [c.key for c in cards]


def test_browse_by_text_topic_tag_and_state(tiny_settings):
    study = open_study(tiny_settings)
    tracker = ProgressTracker.of(study)
    assert keys(tracker.browse()) == ["conv:conv-size", "conv:conv-params", "pooling:pool-max",
                                      "pooling:pool-avg"]
    assert keys(tracker.browse(BrowseQuery(text="73,856"))) == ["conv:conv-params"]  # answer
    assert keys(tracker.browse(BrowseQuery(text="MAX-POOL"))) == ["pooling:pool-max"]
    assert keys(tracker.browse(BrowseQuery(text="pool-avg"))) == ["pooling:pool-avg"]  # key
    assert keys(tracker.browse(BrowseQuery(topic="pooling"))) == ["pooling:pool-max",
                                                                  "pooling:pool-avg"]
    assert keys(tracker.browse(BrowseQuery(tag="backprop"))) == ["pooling:pool-max"]
    assert tracker.tags() == ["backprop"]
    assert tracker.topics() == [("conv", "Convolution"), ("pooling", "Pooling")]
    study.answer("conv:conv-size", Grade.EASY, NOW)  # review
    study.answer("conv:conv-params", Grade.AGAIN, NOW)  # learning
    tracker.suspend("pooling:pool-avg")
    by_state = {s: keys(tracker.browse(BrowseQuery(state=s)))
                for s in ("new", "learning", "review", "suspended", "leech")}
    assert by_state == {"new": ["pooling:pool-max", "pooling:pool-avg"],
                        "learning": ["conv:conv-params"], "review": ["conv:conv-size"],
                        "suspended": ["pooling:pool-avg"], "leech": []}
    card = tracker.browse(BrowseQuery(state="review"), NOW + timedelta(days=1))[0]
    assert card.state == "review" and card.title == "Output size of a convolution?"
    learned, _ = study.memory.scheduler.review_card(FsrsCard(), Rating.Easy, NOW)
    assert card.recall == pytest.approx(
        study.memory.scheduler.get_card_retrievability(learned, NOW + timedelta(days=1)))
    assert card.source and card.source.endswith("conv.md:6")  # the question's heading


def test_history_dates_grades_intervals_and_typed_answers(tiny_settings):
    study = open_study(tiny_settings.model_copy(update={"exercises": True}))
    tracker = ProgressTracker.of(study)
    shown = study.card_for(EXERCISE, NOW)
    instance = study.exercise_instance(EXERCISE, shown.exercise.seed)
    wrong = Attempt(seed=shown.exercise.seed, params=instance.params, answer="12x12",
                    correct=False)
    first = study.answer(EXERCISE, Grade.GOOD, NOW, duration_ms=9000, attempt=wrong)
    drill = DrillSession(study, tracker.missed(NOW + timedelta(minutes=1)))
    drill.next_card(NOW + timedelta(minutes=1))
    drill.answer(EXERCISE, Grade.GOOD, NOW + timedelta(minutes=1))
    right = Attempt(seed=5, params={}, answer=instance.expected.display(), correct=True)
    second = study.answer(EXERCISE, Grade.GOOD, first.next_due, attempt=right)
    history = tracker.history(EXERCISE, second.next_due)
    assert history.card.reviews == 2 and history.card.lapses == 0
    entries = [(e.reviewed_at, e.kind, e.grade_label, e.answer, e.correct, e.seed)
               for e in history.entries]
    assert entries == [
        (NOW, "scheduled", "Again", "12x12", False, shown.exercise.seed),
        (NOW + timedelta(minutes=1), "drill", "Good", None, None, None),
        (first.next_due, "scheduled", "Good", instance.expected.display(), True, 5),
    ]
    intervals = [e.interval_days for e in history.entries]
    assert intervals[0] == pytest.approx((first.next_due - NOW) / timedelta(days=1))
    assert intervals[1] is None
    assert intervals[2] == pytest.approx((second.next_due - first.next_due) / timedelta(days=1))
    assert history.entries[0].seconds == 9
    assert tracker.history("no:such-card") is None
    assert tracker.history("conv:conv-size").entries == []  # never reviewed


def test_actions_suspend_unsuspend_reset(tiny_settings):
    study = open_study(tiny_settings)
    tracker = ProgressTracker.of(study)
    study.answer("conv:conv-size", Grade.GOOD, NOW)
    assert tracker.suspend("conv:conv-size") and card_row(study.db, "conv:conv-size")["suspended"]
    assert study.next_card(NOW + timedelta(days=30)).key != "conv:conv-size"
    assert tracker.unsuspend("conv:conv-size")
    assert not card_row(study.db, "conv:conv-size")["suspended"]
    assert tracker.reset("conv:conv-size")
    row = card_row(study.db, "conv:conv-size")
    assert row["due"] is None and row["stability"] is None
    assert tracker.card("conv:conv-size").reviews == 1  # history kept
    assert not tracker.suspend("no:such-card")


def test_review_missed_list_json_and_window(tiny_settings, capsys):
    study = open_study(tiny_settings)
    now = datetime.now(UTC)
    study.answer("pooling:pool-max", Grade.AGAIN, now - timedelta(days=10))
    study.answer("conv:conv-size", Grade.AGAIN, now - timedelta(hours=2))
    study.close()
    home = ["--home", str(tiny_settings.home), "--decks", str(tiny_settings.decks[0])]
    settings_file = tiny_settings.home / "config.toml"
    settings_file.write_text("builtin-deck = false\nexercises = false\n", encoding="utf-8")
    assert main([*home, "review", "--missed", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [m["key"] for m in listed] == ["conv:conv-size"]
    assert main([*home, "review", "--missed", "--since", "all", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "conv:conv-size" in out[0] and "pooling:pool-max" in out[1]
    assert main([*home, "review", "--missed", "--since", "1h"]) == 0  # nothing: no app
    assert "No missed cards in the last 1 hour." in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["review", "--missed", "--since", "soon"],
                                  ["review", "--list"]])
def test_review_usage_errors_are_one_line_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("trainer: ")
