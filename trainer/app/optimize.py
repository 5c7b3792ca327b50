"""Personal FSRS parameters (``trainer optimize``): fitted to the user's own review history.

* **Enough history first**: at least ``MIN_REVIEWS`` (1,000) scheduled reviews over at least
  ``MIN_CARDS`` (100) cards (drills do not count: they never moved the FSRS state). Below
  that, a message and nothing changes.
* **Time-based split**: the whole log sorted by time; the last ``HOLDOUT`` (20 %) of it is
  held out. The parameters are fitted on the earlier 80 % only.
* **The fit**: fsrs-rs (``fsrs-rs-python``, the optimizer Anki uses, no torch), on the items
  the fsrs-rs examples build: one per review a day or more after the previous one, with the
  card's history before it. Study days roll over at the configured hour, in local time.
* **The judgement**: both parameter sets predict each held-out review made a day or more
  after the previous one, replaying every card's whole history through the ``fsrs``
  library's own scheduler (the model the app runs, with the configured learning steps).
  Log loss, and RMSE (bins): the calibration error over 20 bins of predicted recall,
  weighted by their sizes. The new parameters are kept only when both are better (lower log
  loss, RMSE not higher), and are then saved to config.toml as ``fsrs-parameters``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Literal

from trainer.config.file import save_setting
from trainer.config.settings import Settings
from trainer.core.model import Model
from trainer.scheduling.fitting import fit_parameters, held_out_predictions, optimizer_installed
from trainer.scheduling.interview import study_date
from trainer.scheduling.memory import DEFAULT_PARAMETERS, make_scheduler
from trainer.store.database import Database
from trainer.store.planning import HistoryReview, scheduled_history

MIN_REVIEWS = 1000
MIN_CARDS = 100
MIN_HELD_OUT = 50  # held-out reviews a day or more after the previous one, to judge by
HOLDOUT = 0.20
BINS = 20
EXTRA_HINT = ("trainer optimize needs the optimizer extra: pip install 'trainer[optimizer]' "
              "(from a checkout of trainer: pip install '.[optimizer]')")


class OptimizerMissing(RuntimeError):
    """fsrs-rs-python is not installed; the message says how to install it."""


class Metrics(Model):
    log_loss: float
    rmse_bins: float
    reviews: int  # held-out reviews judged


class OptimizeReport(Model):
    status: Literal["not-enough-history", "kept", "not-better"]
    message: str
    reviews: int
    cards: int
    train_reviews: int = 0
    held_out_reviews: int = 0
    split_at: datetime | None = None
    current: Metrics | None = None  # the parameters in use (defaults or saved ones)
    fitted: Metrics | None = None
    parameters: list[float] | None = None  # the fitted parameters
    saved: bool = False


def optimize(
    settings: Settings, db: Database, *, tz: tzinfo | None = None, save: bool = True
) -> OptimizeReport:
    """Fit, judge on held-out reviews, keep when better (written to config.toml if ``save``).

    Raises ``OptimizerMissing`` when there is enough history but no fsrs-rs-python."""
    history = scheduled_history(db)
    cards = len({r.card_id for r in history})
    if len(history) < MIN_REVIEWS or cards < MIN_CARDS:
        return OptimizeReport(
            status="not-enough-history", reviews=len(history), cards=cards,
            message=(f"not enough review history to fit your own parameters yet: "
                     f"{len(history):,} scheduled reviews over {cards:,} cards; it needs at "
                     f"least {MIN_REVIEWS:,} reviews over {MIN_CARDS:,} cards. Nothing "
                     "changed."))
    if not optimizer_installed():
        raise OptimizerMissing(EXTRA_HINT)

    split_index = min(len(history) - 1, math.ceil(len(history) * (1 - HOLDOUT)))
    split_at = history[split_index].reviewed_at
    train = [r for r in history if r.reviewed_at < split_at]
    held_out = len(history) - len(train)
    day = _day_numbering(settings, tz)
    fitted = fit_parameters(train, day)
    current = list(settings.fsrs_parameters or DEFAULT_PARAMETERS)
    before = evaluate(history, split_at, current, settings)
    after = evaluate(history, split_at, fitted, settings)
    common = dict(reviews=len(history), cards=cards, train_reviews=len(train),
                  held_out_reviews=held_out, split_at=split_at, current=before, fitted=after,
                  parameters=fitted)
    if before.reviews < MIN_HELD_OUT:
        return OptimizeReport(
            status="not-enough-history", **common,
            message=(f"only {before.reviews} held-out reviews came a day or more after the "
                     f"previous one; at least {MIN_HELD_OUT} are needed to judge new "
                     "parameters. Nothing changed."))
    better = after.log_loss < before.log_loss and after.rmse_bins <= before.rmse_bins
    if not better:
        return OptimizeReport(
            status="not-better", **common,
            message="the fitted parameters are not better on the held-out reviews: kept the "
                    "current ones, config.toml unchanged.")
    if save:
        save_setting(settings.config_path, "fsrs_parameters", fitted)
    return OptimizeReport(
        status="kept", saved=save, **common,
        message=("the fitted parameters are better on the held-out reviews: "
                 + (f"saved to {settings.config_path} (fsrs-parameters); they apply from the "
                    "next start." if save else "not saved (--dry-run).")))


def run(settings: Settings, *, tz: tzinfo | None = None, save: bool = True) -> OptimizeReport:
    """``optimize`` on the database named by ``settings`` (opened, then closed)."""
    from trainer.store.database import open_database

    db = open_database(settings.db_path)
    try:
        return optimize(settings, db, tz=tz, save=save)
    finally:
        db.close()


def _day_numbering(settings: Settings, tz: tzinfo | None):
    def day(moment: datetime) -> int:
        return study_date(moment, settings.rollover_hour, tz).toordinal()
    return day


def evaluate(
    history: Sequence[HistoryReview], split_at: datetime, parameters: Sequence[float],
    settings: Settings,
) -> Metrics:
    """Log loss and RMSE (bins) of ``parameters`` on the reviews from ``split_at`` on that
    came a day or more after the card's previous review (replaying each card's history)."""
    scheduler = make_scheduler(parameters=parameters,
                               desired_retention=settings.desired_retention,
                               learning_steps=settings.learning_steps,
                               relearning_steps=settings.relearning_steps, enable_fuzzing=False)
    predictions = held_out_predictions(history, split_at, scheduler)
    return Metrics(log_loss=log_loss(predictions), rmse_bins=rmse_bins(predictions),
                   reviews=len(predictions))


def log_loss(predictions: Sequence[tuple[float, int]]) -> float:
    if not predictions:
        return math.nan
    eps = 1e-6
    total = 0.0
    for p, y in predictions:
        p = min(max(p, eps), 1 - eps)
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / len(predictions)


def rmse_bins(predictions: Sequence[tuple[float, int]], bins: int = BINS) -> float:
    """sqrt(sum_b n_b (mean predicted_b - mean observed_b)^2 / N), bins of predicted recall."""
    if not predictions:
        return math.nan
    groups: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for p, y in predictions:
        groups[min(int(p * bins), bins - 1)].append((p, y))
    total = 0.0
    for group in groups.values():
        mean_p = sum(p for p, _ in group) / len(group)
        mean_y = sum(y for _, y in group) / len(group)
        total += len(group) * (mean_p - mean_y) ** 2
    return math.sqrt(total / len(predictions))
