"""BatchNorm2d (train and eval mode), min-max and z-score normalisation, in float64."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._args import as_float_array
from .errors import SolverError

__all__ = [
    "BatchNormTrainResult",
    "batch_norm2d_eval",
    "batch_norm2d_train",
    "min_max_normalize",
    "z_score_normalize",
]


class BatchNormTrainResult(NamedTuple):
    """Output and updated buffers of one BatchNorm2d training step."""

    output: np.ndarray
    running_mean: np.ndarray
    running_var: np.ndarray
    num_batches_tracked: int
    batch_mean: np.ndarray
    batch_var: np.ndarray
    """Biased (population) variance used to normalise the batch."""


def _channel_vector(value: object, c: int, name: str, default: float) -> np.ndarray:
    if value is None:
        return np.full(c, default, dtype=np.float64)
    vec = as_float_array(value, name)
    if vec.shape != (c,):
        raise SolverError(f"{name} must have shape ({c},), got {vec.shape}")
    return vec


def _check_4d(x: np.ndarray) -> int:
    if x.ndim != 4:
        raise SolverError(f"expected 4D input (got {x.ndim}D input)")
    return int(x.shape[1])


def _affine(xhat: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    out: np.ndarray = xhat * weight[None, :, None, None] + bias[None, :, None, None]
    return out


def batch_norm2d_train(x: object, weight: object = None, bias: object = None,
                       running_mean: object = None, running_var: object = None,
                       momentum: float | None = 0.1, eps: float = 1e-5,
                       num_batches_tracked: int = 0) -> BatchNormTrainResult:
    """torch.nn.BatchNorm2d in training mode on an (N, C, H, W) array.

    BatchNorm2d docs: ``y = (x - mean) / sqrt(var_biased + eps) * gamma + beta`` with the
    per-channel batch statistics over (N, H, W); running stats are updated with the
    *unbiased* variance: ``r <- (1 - m) r + m * stat``.  ``momentum=None`` is the cumulative
    average ``m = 1 / num_batches_tracked`` (after its increment).  Defaults: gamma = 1,
    beta = 0, running_mean = 0, running_var = 1.  Raises when a channel holds a single value
    (``N * H * W == 1``), as ``F.batch_norm`` does in training.
    """
    arr = as_float_array(x, "x")
    c = _check_4d(arr)
    w = _channel_vector(weight, c, "weight", 1.0)
    b = _channel_vector(bias, c, "bias", 0.0)
    rm = _channel_vector(running_mean, c, "running_mean", 0.0)
    rv = _channel_vector(running_var, c, "running_var", 1.0)
    n = arr.shape[0] * arr.shape[2] * arr.shape[3]
    if n == 1:
        raise SolverError(f"Expected more than 1 value per channel when training, "
                          f"got input size {arr.shape}")
    tracked = int(num_batches_tracked) + 1
    factor = 1.0 / tracked if momentum is None else float(momentum)
    if n == 0:
        empty = np.full(c, np.nan)
        return BatchNormTrainResult(arr.copy(), rm.copy(), rv.copy(), tracked, empty, empty)
    mean = arr.mean(axis=(0, 2, 3))
    centered = arr - mean[None, :, None, None]
    var = (centered * centered).sum(axis=(0, 2, 3)) / n
    out = _affine(centered / np.sqrt(var + eps)[None, :, None, None], w, b)
    new_rm = (1.0 - factor) * rm + factor * mean
    new_rv = (1.0 - factor) * rv + factor * var * n / (n - 1)
    return BatchNormTrainResult(out, new_rm, new_rv, tracked, mean, var)


def batch_norm2d_eval(x: object, running_mean: object, running_var: object,
                      weight: object = None, bias: object = None, eps: float = 1e-5
                      ) -> np.ndarray:
    """torch.nn.BatchNorm2d in eval mode (BatchNorm2d docs), with the running statistics:

    ``y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta``.
    """
    arr = as_float_array(x, "x")
    c = _check_4d(arr)
    rm = _channel_vector(running_mean, c, "running_mean", 0.0)
    rv = _channel_vector(running_var, c, "running_var", 1.0)
    w = _channel_vector(weight, c, "weight", 1.0)
    b = _channel_vector(bias, c, "bias", 0.0)
    xhat = (arr - rm[None, :, None, None]) / np.sqrt(rv + eps)[None, :, None, None]
    return _affine(xhat, w, b)


def _axes(axis: int | Sequence[int] | None) -> int | tuple[int, ...] | None:
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(axis)


def min_max_normalize(x: object, new_min: float = 0.0, new_max: float = 1.0,
                      axis: int | Sequence[int] | None = None) -> np.ndarray:
    """``(x - min) / (max - min) * (new_max - new_min) + new_min`` (min/max over ``axis``).

    Raises when max == min along a reduced slice (the range is zero).
    """
    arr = as_float_array(x, "x")
    if arr.size == 0:
        raise SolverError("cannot min-max normalise an empty array")
    ax = _axes(axis)
    lo = arr.min(axis=ax, keepdims=True)
    hi = arr.max(axis=ax, keepdims=True)
    span = hi - lo
    if np.any(span == 0):
        raise SolverError("min-max normalisation is undefined: max == min (zero range)")
    out: np.ndarray = (arr - lo) / span * (new_max - new_min) + new_min
    return out


def z_score_normalize(x: object, axis: int | Sequence[int] | None = None,
                      eps: float = 0.0) -> np.ndarray:
    """``(x - mean) / sqrt(var + eps)`` with the *population* variance (ddof = 0).

    This is ``F.layer_norm`` without affine over the reduced axes (eps 0 by default), i.e.
    ``(x - x.mean()) / x.std(unbiased=False)``; not ``torch.std``'s default unbiased estimate.
    Raises when the standard deviation is zero and ``eps == 0``.
    """
    arr = as_float_array(x, "x")
    if arr.size == 0:
        raise SolverError("cannot z-score an empty array")
    ax = _axes(axis)
    mean = arr.mean(axis=ax, keepdims=True)
    centered = arr - mean
    var = (centered * centered).mean(axis=ax, keepdims=True)
    denom = np.sqrt(var + eps)
    if np.any(denom == 0):
        raise SolverError("z-score is undefined: standard deviation is zero")
    out: np.ndarray = centered / denom
    return out
