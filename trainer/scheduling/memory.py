"""FSRS-6 through the ``fsrs`` library: our card state in, the library's answer out."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from fsrs.scheduler import FUZZ_RANGES


class Grade(IntEnum):
    """The four answers, numbered as the keys that give them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


def require_utc(moment: datetime) -> datetime:
    """Refuse naive datetimes (as py-fsrs does); return the moment in UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware datetime")
    return moment.astimezone(UTC)


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
        kwargs = dict(
            desired_retention=desired_retention,
            learning_steps=learning_steps,
            relearning_steps=relearning_steps,
            maximum_interval=maximum_interval,
            enable_fuzzing=enable_fuzzing,
        )
        if parameters is not None:
            kwargs["parameters"] = parameters
        self.scheduler = _SteadyFuzzScheduler(**kwargs)

    def review(self, card: FsrsCard, grade: Grade, now: datetime) -> FsrsCard:
        # One draw per card and review: the same for a preview and for the answer.
        self.scheduler.fuzz_key = f"{card.card_id}:{card.last_review}"
        updated, _log = self.scheduler.review_card(card, Rating(int(grade)), require_utc(now))
        return updated

    def preview(self, card: FsrsCard, now: datetime) -> dict[Grade, timedelta]:
        """How long until the card comes back after each grade."""
        now = require_utc(now)
        return {g: self.review(card, g, now).due - now for g in Grade}

    def retrievability(self, card: FsrsCard, now: datetime) -> float:
        return self.scheduler.get_card_retrievability(card, require_utc(now))


def format_interval(delta: timedelta) -> str:
    """Compact, like Anki's buttons: 1m, 10m, 3h, 4d, 1.5mo, 2.1y."""
    minutes = delta.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"
