"""What the learner's own answers say about the memory model, before ``trainer optimize``
has the 1,000 reviews it needs: predicted against observed recall, and a stability scale.

Each sample is one scheduled review of a card in the Review state: the stability the
scheduler held for it, the time since its previous review (continuous days) and whether
it was recalled (any grade but Again). FSRS predicted ``R = (1 + FACTOR t / S) ** DECAY``;
a learner who forgets faster than the parameters assume passes fewer of them.

**The scale** ``k`` multiplies every stability the interview plan uses
(``R = (1 + FACTOR t / (k S)) ** DECAY``). It is the maximum a-posteriori estimate under a
log-normal prior centred on 1 (``log k ~ Normal(0, PRIOR_SD)``): with a few reviews it
stays near 1, with hundreds the answers decide. Found by Newton's method on ``log k``
with Fisher scoring (the log-likelihood of Bernoulli outcomes, concave enough here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PRIOR_SD = 0.5  # log k: a stability half or double the assumed one is one sd away
SCALE_BOUNDS = (0.1, 10.0)
MIN_ELAPSED_DAYS = 0.5  # same-day reviews say little about long-term memory
BIN_EDGES = (0.0, 0.80, 0.85, 0.90, 0.95, 1.0001)  # predicted recall, for the table


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    reviews: int
    predicted: float | None
    observed: float | None


@dataclass(frozen=True)
class Calibration:
    """``predicted``: mean predicted recall of the samples (the scheduler's own stability);
    ``observed``: the share recalled; ``scale``: the stability multiplier the answers
    support (1.0 without samples); ``calibrated``: mean predicted recall with it."""

    reviews: int
    predicted: float | None
    observed: float | None
    scale: float
    calibrated: float | None
    bins: tuple[CalibrationBin, ...] = ()


def recall(stability: float, elapsed_days: float, decay: float, factor: float,
           scale: float = 1.0) -> float:
    """FSRS-6's forgetting curve with continuous elapsed time: (1 + f t / (k S)) ** decay."""
    return (1 + factor * max(0.0, elapsed_days) / (scale * stability)) ** decay


def usable(samples: Iterable[tuple[float, float, bool]]) -> list[tuple[float, float, bool]]:
    """The samples that say something about long-term memory: positive stability, at least
    ``MIN_ELAPSED_DAYS`` since the previous review."""
    return [(s, t, bool(y)) for s, t, y in samples
            if s is not None and s > 0 and t is not None and t >= MIN_ELAPSED_DAYS]


def fit_scale(samples: Sequence[tuple[float, float, bool]], decay: float, factor: float,
              prior_sd: float = PRIOR_SD) -> float:
    """The MAP stability scale k for ``samples`` (stability, elapsed days, recalled)."""
    if not samples:
        return 1.0
    lo, hi = (math.log(b) for b in SCALE_BOUNDS)
    xs = [(factor * elapsed / stability, int(recalled))
          for stability, elapsed, recalled in samples]
    u = 0.0
    for _ in range(50):
        shrink = math.exp(-u)
        score, info = -u / prior_sd**2, 1 / prior_sd**2
        for x0, y in xs:
            x = x0 * shrink
            r = min(max((1 + x) ** decay, 1e-9), 1 - 1e-9)
            slope = -decay * x * r / (1 + x)  # dR/du, > 0: a larger k, a higher recall
            spread = r * (1 - r)
            score += (y - r) / spread * slope
            info += slope * slope / spread
        step = score / info
        u = min(max(u + step, lo), hi)
        if abs(step) < 1e-6:
            break
    return math.exp(u)


def calibrate(samples: Iterable[tuple[float, float, bool]], decay: float, factor: float,
              prior_sd: float = PRIOR_SD) -> Calibration:
    """Predicted against observed recall over ``samples``, by bins of predicted recall, and
    the stability scale they support."""
    kept = usable(samples)
    if not kept:
        return Calibration(reviews=0, predicted=None, observed=None, scale=1.0,
                           calibrated=None)
    predicted = [recall(s, t, decay, factor) for s, t, _ in kept]
    scale = fit_scale(kept, decay, factor, prior_sd)
    bins = []
    for low, high in zip(BIN_EDGES, BIN_EDGES[1:], strict=False):
        inside = [(p, y) for p, (_, _, y) in zip(predicted, kept, strict=True)
                  if low <= p < high]
        bins.append(CalibrationBin(
            low=low, high=min(high, 1.0), reviews=len(inside),
            predicted=sum(p for p, _ in inside) / len(inside) if inside else None,
            observed=sum(y for _, y in inside) / len(inside) if inside else None))
    return Calibration(
        reviews=len(kept), predicted=sum(predicted) / len(kept),
        observed=sum(y for _, _, y in kept) / len(kept), scale=scale,
        calibrated=sum(recall(s, t, decay, factor, scale) for s, t, _ in kept) / len(kept),
        bins=tuple(bins))
