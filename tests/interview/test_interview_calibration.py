"""Fix 4 of issue 19: what the learner's own answers say, before ``trainer optimize`` has
1,000 reviews. The stability scale is checked against a PyTorch fit of the same
posterior; the look-ahead's FSRS steps against the ``fsrs`` library itself."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import torch
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from tests.helpers import NOW, UTC_ZONE
from trainer.scheduling.calibration import PRIOR_SD, calibrate, fit_scale, usable
from trainer.scheduling.interview import Projector, Workload, make_plan, plan_schedule
from trainer.scheduling.lookahead import LeanFsrs, forgetting_curve

SCHEDULER = Scheduler(enable_fuzzing=False)
DECAY, FACTOR = forgetting_curve(SCHEDULER)


def samples_of(true_scale: float, n: int, seed: int) -> list[tuple[float, float, bool]]:
    """Reviews of a learner whose stability is ``true_scale`` times the scheduler's: each
    at a random stability and gap, recalled with the learner's true probability."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        s = float(rng.uniform(2, 40))
        t = float(s * rng.uniform(0.3, 2.5))  # around the intervals FSRS would give
        r = (1 + FACTOR * t / (true_scale * s)) ** DECAY
        out.append((s, t, bool(rng.random() < r)))
    return out


def torch_map_scale(samples, prior_sd: float = PRIOR_SD) -> float:
    """The oracle: the same posterior (Bernoulli likelihood of R = (1 + FACTOR t / (k S))
    ** DECAY, log k ~ Normal(0, prior_sd)) maximised by torch's L-BFGS on log k."""
    s = torch.tensor([x[0] for x in samples], dtype=torch.float64)
    t = torch.tensor([x[1] for x in samples], dtype=torch.float64)
    y = torch.tensor([float(x[2]) for x in samples], dtype=torch.float64)
    u = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([u], lr=0.5, max_iter=200, tolerance_grad=1e-12,
                            tolerance_change=1e-14, line_search_fn="strong_wolfe")

    def loss():
        opt.zero_grad()
        r = torch.pow(1 + FACTOR * t / (s * torch.exp(u)), DECAY).clamp(1e-9, 1 - 1e-9)
        value = -(y * torch.log(r) + (1 - y) * torch.log(1 - r)).sum() + u[0] ** 2 / (
            2 * prior_sd**2)
        value.backward()
        return value

    opt.step(loss)
    return float(torch.exp(u.detach())[0])


@pytest.mark.parametrize(("true_scale", "n"), [(0.5, 3000), (1.0, 2000), (1.8, 2000)])
def test_the_stability_scale_is_the_posterior_maximum(true_scale, n):
    samples = samples_of(true_scale, n, seed=int(true_scale * 100))
    k = fit_scale(samples, DECAY, FACTOR)
    assert k == pytest.approx(torch_map_scale(samples), rel=1e-5)
    assert k == pytest.approx(true_scale, rel=0.2)  # thousands of reviews: close to the truth


def test_few_answers_stay_near_the_assumed_memory():
    # 20 reviews at the interval FSRS chose (predicted 0.90): half of them forgotten.
    samples = [(10.0, 10.0, i % 2 == 0) for i in range(20)]
    k = fit_scale(samples, DECAY, FACTOR)
    assert k == pytest.approx(torch_map_scale(samples), rel=1e-5)
    data_only = fit_scale(samples, DECAY, FACTOR, prior_sd=100.0)
    assert data_only < k < 1.0  # the prior pulls 20 answers' estimate toward 1
    assert fit_scale([], DECAY, FACTOR) == 1.0


def test_calibration_compares_predicted_and_observed_by_bins():
    samples = samples_of(0.6, 1500, seed=9) + [(5.0, 0.1, True), (None, 3.0, False)]
    found = calibrate(samples, DECAY, FACTOR)
    kept = usable(samples)
    assert found.reviews == len(kept) == 1500  # same-day and unknown ones left out
    predicted = [(1 + FACTOR * t / s) ** DECAY for s, t, _ in kept]
    assert found.predicted == pytest.approx(sum(predicted) / 1500, abs=1e-12)
    assert found.observed == sum(y for _, _, y in kept) / 1500
    assert found.observed < found.predicted  # a learner who forgets faster than assumed
    assert found.scale < 1
    assert abs(found.calibrated - found.observed) < abs(found.predicted - found.observed)
    assert sum(b.reviews for b in found.bins) == 1500
    for b in found.bins:
        inside = [(p, y) for p, (_, _, y) in zip(predicted, kept, strict=True)
                  if b.low <= p < (b.high if b.high < 1 else 1.0001)]
        assert b.reviews == len(inside)
        if inside:
            assert b.predicted == pytest.approx(sum(p for p, _ in inside) / len(inside))
            assert b.observed == pytest.approx(sum(y for _, y in inside) / len(inside))


def test_a_weaker_memory_brings_more_cards_forward():
    plan = make_plan(NOW.date() + timedelta(days=20), 0.9, NOW, 4, UTC_ZONE)
    cards = [FsrsCard(card_id=i, state=State.Review, step=None, stability=10.0 + i,
                      difficulty=5.0, last_review=NOW - timedelta(days=1),
                      due=NOW + timedelta(days=60)) for i in range(30)]
    projector = Projector(SCHEDULER)
    workload = Workload(per_day=200)
    assumed = plan_schedule(projector, plan, cards, 0, workload, scale=1.0)
    weaker = plan_schedule(projector, plan, cards, 0, workload, scale=0.5)
    assert set(assumed.moves) < set(weaker.moves)
    assert weaker.ready == pytest.approx(30) and weaker.feasible


def random_cards(rng: random.Random, n: int):
    """Cards in every state the look-ahead meets, with a review moment after each."""
    base = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for i in range(n):
        kind = rng.choice(["new", "learning", "review", "relearning"])
        last = base + timedelta(days=rng.uniform(0, 30))
        when = last + timedelta(days=rng.choice([0.004, 0.3, 0.99, 1.0, 1.7, 3, 9.5, 40]))
        if kind == "new":
            yield FsrsCard(card_id=i, due=base), base
            continue
        state = {"learning": State.Learning, "review": State.Review,
                 "relearning": State.Relearning}[kind]
        step = None if state == State.Review else rng.choice([0, 1, 2])
        card = FsrsCard(card_id=i, state=state, step=step, stability=rng.uniform(0.05, 200),
                        difficulty=rng.uniform(1, 10), last_review=last,
                        due=last + timedelta(days=1))
        yield card, when


@pytest.mark.parametrize("variant", ["defaults", "fitted", "one step", "no relearning"])
def test_the_lean_steps_are_the_library_steps(variant):
    rng = random.Random(7)
    if variant == "fitted":  # every parameter moved, inside the library's bounds
        from benchmarks.interview_sim import panel_parameters

        scheduler = Scheduler(parameters=panel_parameters(5), desired_retention=0.85,
                              enable_fuzzing=False)
    elif variant == "one step":
        scheduler = Scheduler(learning_steps=(timedelta(minutes=5),), enable_fuzzing=False)
    elif variant == "no relearning":
        scheduler = Scheduler(relearning_steps=(), learning_steps=(), enable_fuzzing=False)
    else:
        scheduler = SCHEDULER
    lean = LeanFsrs(scheduler)
    for card, when in random_cards(rng, 400):
        for rating in Rating:
            ours = lean.review(card, int(rating), when)
            theirs, _ = scheduler.review_card(card, rating, when)
            assert (ours.state, ours.step, ours.due, ours.last_review) == (
                theirs.state, theirs.step, theirs.due, theirs.last_review)
            assert ours.stability == pytest.approx(theirs.stability, rel=1e-12)
            assert ours.difficulty == pytest.approx(theirs.difficulty, rel=1e-12)
    assert math.isclose(lean.factor, 0.9 ** (1 / lean.decay) - 1)
