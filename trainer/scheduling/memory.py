"""FSRS-6 through the ``fsrs`` library: our card state in, the library's answer out.

The one place the rest of the trainer meets the library: the stored state <-> ``fsrs.Card``
mapping (``to_fsrs``, ``studied_card``, ``from_fsrs``), the grade <-> ``fsrs.Rating``
mapping (``Grade.rating``), the scheduler factory (``make_scheduler``) and the parameters'
bounds. Other modules annotate with the names below (``FsrsCard``, ``Scheduler``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Protocol

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import (
    DEFAULT_PARAMETERS,
    FUZZ_RANGES,
    LOWER_BOUNDS_PARAMETERS,
    UPPER_BOUNDS_PARAMETERS,
)

from trainer.core.time import require_utc

__all__ = [
    "DEFAULT_PARAMETERS", "FsrsCard", "Grade", "MemoryModel", "Scheduler", "State",
    "StoredCard", "check_parameters", "clamp_parameters", "from_fsrs",
    "make_scheduler", "new_card", "require_utc", "studied_card", "to_fsrs",
]


class Grade(IntEnum):
    """The four answers, numbered as the keys that give them (and as ``fsrs.Rating``)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def rating(self) -> Rating:
        """The library's name for this grade."""
        return Rating(self.value)


# -- the stored state <-> fsrs.Card --------------------------------------------------------
class StoredCard(Protocol):
    """A card's scheduling state as the store keeps it (``trainer.store.records.CardState``):
    FSRS's state code, step, memory, due date (None: never studied) and last review."""

    id: int
    state: int | None
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None


def new_card(card_id: int, now: datetime) -> FsrsCard:
    """A card never studied: learning, first step, due ``now``."""
    return FsrsCard(card_id=card_id, state=State.Learning, step=0, due=now)


def studied_card(stored: StoredCard) -> FsrsCard | None:
    """The stored state as an ``fsrs.Card``; None for a card never studied."""
    if stored.due is None:
        return None
    return FsrsCard(card_id=stored.id, state=State(stored.state), step=stored.step,
                    stability=stored.stability, difficulty=stored.difficulty, due=stored.due,
                    last_review=stored.last_review)


def to_fsrs(stored: StoredCard, now: datetime) -> FsrsCard:
    """The stored state as an ``fsrs.Card``; a card never studied is a new one due ``now``."""
    card = studied_card(stored)
    return new_card(stored.id, now) if card is None else card


def from_fsrs(card: FsrsCard) -> dict[str, object]:
    """What the store keeps of ``card``: the scheduling fields of ``CardState``."""
    return dict(state=int(card.state), step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due, last_review=card.last_review)


# -- the scheduler -------------------------------------------------------------------------
class _SteadyFuzzScheduler(Scheduler):
    """The library's scheduler, with its interval fuzz drawn from a generator seeded by
    the card and its last review instead of the process-wide one: previewing the same
    card twice shows the same intervals (Easy read 8d, then 7d, on the same card), and the
    answer gives what the button said. The fuzz range is the library's own
    (``fsrs.scheduler.FUZZ_RANGES``, as its ``_get_fuzzed_interval`` computes it)."""

    fuzz_key: str = ""

    def _get_fuzzed_interval(self, *, interval: timedelta) -> timedelta:
        days = interval.days
        if days < 2.5:
            return interval
        delta = 1.0
        for fuzz in FUZZ_RANGES:
            delta += fuzz["factor"] * max(min(float(days), fuzz["end"]) - fuzz["start"], 0.0)
        high = min(round(days + delta), self.maximum_interval)
        low = min(max(2, round(days - delta)), high)
        draw = random.Random(self.fuzz_key).random()
        return timedelta(days=min(round(draw * (high - low + 1) + low), self.maximum_interval))


def make_scheduler(
    *,
    parameters: Sequence[float] | None = None,
    desired_retention: float = 0.9,
    learning_steps: Sequence[timedelta] = (timedelta(minutes=1), timedelta(minutes=10)),
    relearning_steps: Sequence[timedelta] = (timedelta(minutes=10),),
    maximum_interval: int = 36500,
    enable_fuzzing: bool = True,
) -> Scheduler:
    """The scheduler the settings' values ask for (the library's defaults for the rest;
    its default parameters when ``parameters`` is None or empty). Its fuzz, when on, is
    the same for a preview and the answer (``_SteadyFuzzScheduler``). ValueError, with the
    library's message, for parameters it refuses."""
    kwargs: dict = dict(
        desired_retention=desired_retention,
        learning_steps=tuple(learning_steps),
        relearning_steps=tuple(relearning_steps),
        maximum_interval=maximum_interval,
        enable_fuzzing=enable_fuzzing,
    )
    if parameters:
        kwargs["parameters"] = tuple(parameters)
    return _SteadyFuzzScheduler(**kwargs)


def check_parameters(parameters: Sequence[float]) -> None:
    """ValueError, with the library's message, when it refuses ``parameters`` (not 21 of
    them, or one outside its bounds)."""
    Scheduler(parameters=tuple(parameters))


def clamp_parameters(parameters: Sequence[float]) -> list[float]:
    """``parameters`` moved inside the library's bounds."""
    return [min(max(float(w), lo), hi) for w, lo, hi in
            zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)]


class MemoryModel:
    """Wraps ``fsrs.Scheduler``: previews the four grades and applies one."""

    def __init__(
        self,
        *,
        desired_retention: float = 0.9,
        learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10)),
        relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),),
        maximum_interval: int = 36500,
        enable_fuzzing: bool = True,
        parameters: tuple[float, ...] | None = None,
    ) -> None:
        self.scheduler = make_scheduler(
            parameters=parameters,
            desired_retention=desired_retention,
            learning_steps=learning_steps,
            relearning_steps=relearning_steps,
            maximum_interval=maximum_interval,
            enable_fuzzing=enable_fuzzing,
        )

    def review(self, card: FsrsCard, grade: Grade, now: datetime) -> FsrsCard:
        # One draw per card and review: the same for a preview and for the answer.
        self.scheduler.fuzz_key = f"{card.card_id}:{card.last_review}"
        updated, _log = self.scheduler.review_card(card, Grade(grade).rating, require_utc(now))
        return updated

    def preview(self, card: FsrsCard, now: datetime) -> dict[Grade, timedelta]:
        """How long until the card comes back after each grade."""
        now = require_utc(now)
        return {g: self.review(card, g, now).due - now for g in Grade}


