"""Argument normalisation shared by the solver modules (private)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from .errors import SolverError

IntPair = int | tuple[int, int] | Sequence[int]


def as_int(value: object, name: str) -> int:
    """Return ``value`` as a Python int; bools and non-integers are rejected."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SolverError(f"{name} must be an integer, got {value!r}")
    return int(value)


def check_groups(in_channels: object, out_channels: object, groups: object
                 ) -> tuple[int, int, int]:
    """Channels and groups as ints, with torch's rules: groups > 0 divides both counts."""
    groups = as_int(groups, "groups")
    in_channels = as_int(in_channels, "in_channels")
    out_channels = as_int(out_channels, "out_channels")
    if groups <= 0:
        raise SolverError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise SolverError(f"in_channels ({in_channels}) must be divisible by groups ({groups})")
    if out_channels % groups != 0:
        raise SolverError(f"out_channels ({out_channels}) must be divisible by groups ({groups})")
    return in_channels, out_channels, groups


def as_tuple(value: object, n: int, name: str) -> tuple[int, ...]:
    """Expand an int to an ``n``-tuple, or check a sequence of ``n`` ints (torch's ``_pair``)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n:
            raise SolverError(f"{name} must be an int or a sequence of {n} ints, got {value!r}")
        return tuple(as_int(v, name) for v in value)
    return (as_int(value, name),) * n


def as_pair(value: object, name: str) -> tuple[int, int]:
    a, b = as_tuple(value, 2, name)
    return a, b


def as_float_array(x: object, name: str, min_ndim: int = 0) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim < min_ndim:
        raise SolverError(f"{name} must have at least {min_ndim} dimensions, got shape {arr.shape}")
    return arr


def scale_pair(scale_factor: object) -> tuple[float, float]:
    if isinstance(scale_factor, Sequence) and not isinstance(scale_factor, str):
        if len(scale_factor) != 2:
            raise SolverError("scale_factor must be a number or a sequence of 2 numbers")
        a, b = (float(v) for v in scale_factor)
        return a, b
    if isinstance(scale_factor, bool) or not isinstance(scale_factor, numbers.Real):
        raise SolverError(f"scale_factor must be a number, got {scale_factor!r}")
    return float(scale_factor), float(scale_factor)
