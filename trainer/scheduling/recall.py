"""Predicted recall from FSRS's forgetting curve: for one scheduler, and for many cards at
once (NumPy, imported only when called)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from trainer.core.time import require_utc
from trainer.scheduling.memory import Scheduler, make_scheduler

if TYPE_CHECKING:
    import numpy as np


def forgetting_curve(scheduler: Scheduler) -> tuple[float, float]:
    """(DECAY, FACTOR) of ``scheduler``, as fsrs computes them in ``Scheduler.__init__``:
    DECAY = -w20, FACTOR = 0.9 ** (1 / DECAY) - 1 (so R = 0.9 when t = S)."""
    decay = -float(scheduler.parameters[20])
    return decay, 0.9 ** (1 / decay) - 1


def recall_now(stability: np.ndarray, last_review: np.ndarray, now: datetime,
               scheduler: Scheduler) -> np.ndarray:
    """Predicted recall R = (1 + FACTOR * t / S) ** DECAY for many cards at once.

    ``stability`` is float (NaN: never studied), ``last_review`` datetime64[us] in UTC
    (NaT: never studied). t is whole days elapsed, floored and never negative, exactly as
    ``fsrs.Scheduler.get_card_retrievability``; a card never studied has R = 0, as there.
    """
    import numpy as np

    decay, factor = forgetting_curve(scheduler)
    moment = np.datetime64(require_utc(now).replace(tzinfo=None), "us")
    studied = ~np.isnan(stability) & ~np.isnat(last_review)
    elapsed = np.where(studied, moment - np.where(studied, last_review, moment),
                       np.timedelta64(0, "us"))
    days = np.maximum(elapsed // np.timedelta64(1, "D"), 0).astype(float)
    safe = np.where(studied, stability, 1.0)
    return np.where(studied, (1 + factor * days / safe) ** decay, 0.0)


def scheduler_for(parameters: Sequence[float] | None = None) -> Scheduler:
    """The fsrs scheduler whose forgetting curve these parameters imply (the defaults when
    there are none; personal ones come from ``trainer optimize``)."""
    return make_scheduler(parameters=parameters)
