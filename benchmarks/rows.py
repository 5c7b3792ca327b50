"""A benchmark row and the statistics every row uses."""

from __future__ import annotations

import os
import statistics
from dataclasses import asdict, dataclass


@dataclass
class Row:
    name: str
    value: float
    unit: str
    goal: str
    met: bool
    baseline: float | None = None
    ratio: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


def user_environment() -> dict[str, str]:
    """This environment as on a user's machine, for the commands timed in a fresh
    process: this sandbox sets PYTHONDONTWRITEBYTECODE, which would make every run
    compile trainer's modules from source again (15-25 ms) where an install keeps them."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
