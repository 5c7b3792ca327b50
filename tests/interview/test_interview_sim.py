"""The benchmark's simulated learners (benchmarks/interview_sim.py): the panel's memory is
FSRS-6 with parameters of its own, checked against the ``fsrs`` library; a run is
seeded, and interview mode keeps every day under the cap there too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from benchmarks.interview_sim import (
    PANEL_POLICIES,
    FsrsLearner,
    Setting,
    panel_parameters,
    simulate,
)

START = datetime(2026, 5, 4, 9, tzinfo=UTC)


def test_panel_parameters_are_seeded_and_inside_the_bounds():
    first, again, other = panel_parameters(3), panel_parameters(3), panel_parameters(4)
    assert first == again != other and len(first) == 21
    assert all(lo <= w <= hi for w, lo, hi in zip(first, LOWER_BOUNDS_PARAMETERS,
                                                  UPPER_BOUNDS_PARAMETERS, strict=True))
    Scheduler(parameters=first)  # the library accepts them


@pytest.mark.parametrize("seed", [1, 2])
def test_the_learner_remembers_as_fsrs_on_whole_days(seed):
    """Reviews whole days apart (and learning steps minutes apart): the learner's memory
    is exactly what the library computes with the learner's parameters."""
    parameters = panel_parameters(seed)
    library = Scheduler(parameters=parameters, enable_fuzzing=False)
    learner = FsrsLearner(1, np.random.default_rng(seed), parameters)
    rng = np.random.default_rng(seed + 10)
    card, when = FsrsCard(card_id=0, due=START), START
    for step in range(30):
        grade = Rating(int(rng.integers(1, 5)))
        learner.learn(0, int(grade), when)
        card, _ = library.review_card(card, grade, when)
        assert learner.stability[0] == pytest.approx(card.stability, rel=1e-12)
        assert learner.difficulty[0] == pytest.approx(card.difficulty, rel=1e-12)
        when += timedelta(minutes=10) if step % 3 == 0 else timedelta(days=int(
            rng.integers(1, 9)))
    # Between whole days the learner forgets continuously: the library's floor does not.
    later = card.last_review + timedelta(days=2, hours=20)
    assert learner.true_recall(0, later) < library.get_card_retrievability(card, later)


def test_a_run_is_seeded_and_interview_mode_keeps_the_cap():
    setting = Setting("tiny", n_cards=50, days=8, new_per_day=4, max_reviews=30)
    runs = [simulate(PANEL_POLICIES[1], setting, 7) for _ in range(2)]
    assert runs[0].per_day == runs[1].per_day and runs[0].recall == runs[1].recall
    assert max(runs[0].per_day) <= 30
    assert runs[0].before is not None and "feasible" in runs[0].before
    assert 0 < runs[0].recall <= 1 and 0 <= runs[0].at_target <= 1
