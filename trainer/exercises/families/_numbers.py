"""Number formatting and rounding guards shared by the optimizer, schedule, init, memory,
detection and conv-backward families."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from trainer.exercises.base import ExpectedAnswer

VECTOR_HINT = {
    "en": "Type the vector as one row, e.g. `0.1234 -0.5`.",
    "zh": "把向量写成一行，例如 `0.1234 -0.5`。",
}


def short(value: float, digits: int = 6) -> str:
    """A number with up to ``digits`` decimals, trailing zeros dropped (``-0`` shown as ``0``)."""
    value = float(value)
    if abs(value - round(value)) < 10.0 ** -(digits + 3):
        return str(int(round(value)))
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def sci(value: float) -> str:
    """``1e-8`` rather than Python's ``1e-08``; plain decimals otherwise."""
    value = float(value)
    if value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e6):
        mantissa, exponent = f"{value:e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    return short(value, 8)


def sci_tex(value: float) -> str:
    """:func:`sci` for inside a formula: ``4 \\times 10^{-8}``."""
    text = sci(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return (f"{mantissa} \\times " if mantissa != "1" else "") + f"10^{{{exponent}}}"


def vec(values: Iterable[float], digits: int = 6, tex: bool = False) -> str:
    """``(0.47, -1.02)``; ``tex=True`` keeps the space after each comma inside a formula."""
    return "(" + (",\\ " if tex else ", ").join(short(v, digits) for v in values) + ")"


def significant_decimals(value: float, significant: int = 4, low: int = 2, high: int = 6) -> int:
    """Decimals that keep about ``significant`` significant digits of ``value`` (at most
    ``high``: typed answers are compared at that many decimals)."""
    value = abs(float(value))
    if value == 0:
        return low
    return max(low, min(high, significant - 1 - math.floor(math.log10(value))))


def near_tie(values: Any, decimals: int, margin: float = 1e-4) -> bool:
    """True when a value lies within ``margin`` (in units of the last decimal) of a rounding
    boundary: hand computation could round it either way, so the sampler avoids it."""
    scaled = np.abs(np.asarray(values, dtype=np.float64)) * 10.0**decimals
    return bool(np.any(np.abs(scaled - np.floor(scaled) - 0.5) < margin))


def rounded(value: float, decimals: int) -> str:
    """The value as the answer is displayed (and checked): ``ExpectedAnswer.display``."""
    return ExpectedAnswer(kind="number", value=float(value), decimals=decimals).display()


def row_answer(values: Iterable[float], decimals: int) -> ExpectedAnswer:
    row = [float(v) + 0.0 for v in values]
    return ExpectedAnswer(kind="matrix", value=[row], decimals=decimals, rows=1, cols=len(row))
