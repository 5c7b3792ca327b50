"""LayerNorm and RMSNorm outputs, in float64, over the trailing ``normalized_shape`` dims."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._args import as_float_array, as_int
from .errors import SolverError

__all__ = ["layer_norm", "rms_norm"]


def _normalized(x: np.ndarray, normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    """The trailing axes, checked as F.layer_norm / F.rms_norm check them."""
    raw = [normalized_shape] if not isinstance(normalized_shape, Sequence) else normalized_shape
    shape = tuple(as_int(v, "normalized_shape") for v in raw)
    if not shape:
        raise SolverError("Expected normalized_shape to be at least 1-dimensional")
    if x.ndim < len(shape) or x.shape[x.ndim - len(shape):] != shape:
        raise SolverError(f"Given normalized_shape={list(shape)}, expected input with shape "
                          f"[*, {', '.join(map(str, shape))}], but got input of size "
                          f"{list(x.shape)}")
    return tuple(range(x.ndim - len(shape), x.ndim))


def _param(value: object, shape: tuple[int, ...], name: str) -> np.ndarray | None:
    if value is None:
        return None
    arr = as_float_array(value, name)
    if arr.shape != shape:
        raise SolverError(f"Expected {name} to be of same shape as normalized_shape, but got "
                          f"{name} of shape {list(arr.shape)} and normalized_shape = "
                          f"{list(shape)}")
    return arr


def layer_norm(x: object, normalized_shape: int | Sequence[int], weight: object = None,
               bias: object = None, eps: float = 1e-5) -> np.ndarray:
    """nn.LayerNorm: ``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dims,
    with the biased variance (LayerNorm docs); eps 1e-5 by default."""
    arr = as_float_array(x, "x")
    axes = _normalized(arr, normalized_shape)
    shape = tuple(arr.shape[a] for a in axes)
    w, b = _param(weight, shape, "weight"), _param(bias, shape, "bias")
    mean = arr.mean(axis=axes, keepdims=True)
    var = ((arr - mean) ** 2).mean(axis=axes, keepdims=True)
    out: np.ndarray = (arr - mean) / np.sqrt(var + float(eps))
    if w is not None:
        out = out * w
    if b is not None:
        out = out + b
    return out


def rms_norm(x: object, normalized_shape: int | Sequence[int], weight: object = None,
             eps: float | None = None) -> np.ndarray:
    """nn.RMSNorm: ``x / sqrt(eps + mean(x²)) * weight`` over the last dims (RMSNorm docs).

    ``eps=None`` is torch's default: the machine epsilon of the computation type, here
    float64's ``torch.finfo(torch.float64).eps`` (float32's for fp32/fp16/bf16 inputs).
    """
    arr = as_float_array(x, "x")
    axes = _normalized(arr, normalized_shape)
    w = _param(weight, tuple(arr.shape[a] for a in axes), "weight")
    e = float(np.finfo(np.float64).eps) if eps is None else float(eps)
    out: np.ndarray = arr / np.sqrt((arr * arr).mean(axis=axes, keepdims=True) + e)
    return out if w is None else out * w
