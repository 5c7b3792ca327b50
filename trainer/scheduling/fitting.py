"""FSRS parameters from a review history: fsrs-rs's fit (``fsrs-rs-python``, the optimizer
Anki uses, no torch; an optional extra) and the recall the ``fsrs`` library predicts for
each review of a replayed history. ``trainer.app.optimize`` decides what to keep."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from trainer.scheduling.memory import (
    DEFAULT_PARAMETERS,
    Grade,
    Scheduler,
    clamp_parameters,
    new_card,
)


class Answer(Protocol):
    """One scheduled review of a history (``trainer.store.planning.HistoryReview``)."""

    card_id: int
    rating: int
    reviewed_at: datetime


def optimizer_installed() -> bool:
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


def fit_parameters(train: Sequence[Answer], day: Callable[[datetime], int]) -> list[float]:
    """fsrs-rs's fit on ``train`` (``day``: a moment's study-day number); rounded to 4
    decimals, inside the fsrs library's bounds."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    by_card: dict[int, list[Answer]] = defaultdict(list)
    for review in train:
        by_card[review.card_id].append(review)
    items = []
    for reviews in by_card.values():
        sequence: list = []
        last = day(reviews[0].reviewed_at)
        for review in reviews:
            today = day(review.reviewed_at)
            sequence.append(FSRSReview(review.rating, today - last))
            if today > last:
                item = FSRSItem(list(sequence))
                if item.long_term_review_cnt() > 0:
                    items.append(item)
            last = today
    fitted = FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items)
    return [round(w, 4) for w in clamp_parameters(fitted)]


def held_out_predictions(history: Sequence[Answer], split_at: datetime, scheduler: Scheduler
                         ) -> list[tuple[float, int]]:
    """(predicted recall, recalled: 0 or 1) of each review from ``split_at`` on that came
    a day or more after the card's previous one, replaying every card's whole history
    through ``scheduler``."""
    by_card: dict[int, list[Answer]] = defaultdict(list)
    for review in history:
        by_card[review.card_id].append(review)
    predictions: list[tuple[float, int]] = []
    for card_id, reviews in by_card.items():
        card = new_card(card_id, reviews[0].reviewed_at)
        for review in reviews:
            if (review.reviewed_at >= split_at and card.last_review is not None
                    and (review.reviewed_at - card.last_review).days >= 1):
                predicted = scheduler.get_card_retrievability(card, review.reviewed_at)
                predictions.append((float(predicted), int(review.rating != Grade.AGAIN)))
            card, _ = scheduler.review_card(card, Grade(review.rating).rating,
                                            review.reviewed_at)
    return predictions
