"""Exercises: one instance generated, solved and checked (rendering excluded)."""

from __future__ import annotations

import time

from benchmarks.rows import Row, median, percentile
from trainer.exercises.base import LEVELS
from trainer.exercises.families import FAMILIES

GOAL_P99_MS = 1.0


def measure(seeds: int) -> tuple[list[Row], dict[str, tuple[float, float]]]:
    """Per family (all levels): median and p99 in ms of generate + check of the display."""
    per_family: dict[str, tuple[float, float]] = {}
    everything: list[float] = []
    for name, family in FAMILIES.items():
        times = []
        for seed in range(seeds):
            level = LEVELS[seed % len(LEVELS)]
            start = time.perf_counter()
            instance = family.generate(level, seed)
            family.check(instance, instance.expected.display())
            times.append((time.perf_counter() - start) * 1000)
        per_family[name] = (median(times), percentile(times, 99))
        everything += times
    p99 = percentile(everything, 99)
    rows = [
        Row("exercise instance median", round(median(everything), 4), "ms",
            "informational", True),
        Row("exercise instance p99", round(p99, 4), "ms", f"p99 ≤ {GOAL_P99_MS} ms",
            p99 <= GOAL_P99_MS),
    ]
    return rows, per_family
