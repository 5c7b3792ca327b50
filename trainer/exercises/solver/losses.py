"""Cross-entropy from logits and class indices: the loss and its gradient w.r.t. the logits.

``logits`` is ``(N, C)``, ``target`` holds N class indices.  Mirrors
``torch.nn.functional.cross_entropy`` (ATen ``cross_entropy_loss_label_smoothing``): with
class weights ``w`` and smoothing ``ε`` each sample's loss is
``(1 - ε) · w[y] · (-log p_y) + (ε / C) · Σ_c w_c · (-log p_c)``; reduction ``'mean'``
divides the sum by ``Σ_n w[y_n]`` (by N without weights), ``'sum'`` does not divide.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._args import as_float_array
from .errors import SolverError

__all__ = ["CrossEntropyParts", "cross_entropy", "cross_entropy_grad", "cross_entropy_parts"]

_REDUCTIONS = ("mean", "sum", "none")


class CrossEntropyParts(NamedTuple):
    """The pieces of the computation, for worked solutions."""

    probs: np.ndarray
    """softmax of the logits, ``(N, C)``."""
    weights: np.ndarray
    """class weights, ``(C,)`` (ones when none are given)."""
    per_sample: np.ndarray
    """each sample's (weighted, smoothed) loss before the reduction, ``(N,)``."""
    divisor: float
    """what the summed loss is divided by: ``Σ w[y_n]`` for 'mean', 1 otherwise."""
    targets: np.ndarray
    """the smoothed target distributions ``(1 - ε) onehot + ε / C``, ``(N, C)``."""


def _inputs(logits: object, target: object, weight: object, label_smoothing: float,
            reduction: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    z = as_float_array(logits, "logits")
    if z.ndim != 2:
        raise SolverError(f"logits must be an (N, C) matrix, got shape {z.shape}")
    n, c = z.shape
    y = np.asarray(target)
    if y.shape != (n,) or (y.size and y.dtype.kind not in "iu"):
        raise SolverError(f"target must hold {n} class indices, got {target!r}")
    if reduction not in _REDUCTIONS:
        raise SolverError(f"{reduction} is not a valid value for reduction")
    if weight is None:
        w = np.ones(c)
    else:
        w = as_float_array(weight, "weight")
        if w.shape != (c,):
            raise SolverError(f"weight tensor should be defined either for all {c} classes or "
                              f"no classes but got weight tensor of shape: {list(w.shape)}")
    smoothing = float(label_smoothing)
    if smoothing > 1.0:  # torch checks only inside its smoothing branch (> 0): < 0 acts as 0
        raise SolverError(f"label_smoothing must be between 0.0 and 1.0. Got: {smoothing}")
    bad = [int(t) for t in y if not 0 <= int(t) < c]
    if bad:
        raise SolverError(f"Target {bad[0]} is out of bounds (classes 0 to {c - 1})")
    return z, y.astype(np.int64), w, max(smoothing, 0.0)


def cross_entropy_parts(logits: object, target: object, weight: object = None,
                        label_smoothing: float = 0.0, reduction: str = "mean"
                        ) -> CrossEntropyParts:
    """Softmax, per-sample losses and the divisor of F.cross_entropy (see the module doc)."""
    z, y, w, eps = _inputs(logits, target, weight, label_smoothing, reduction)
    n, c = z.shape
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    nll = -w[y] * log_p[rows, y]
    smooth = -(log_p * w).sum(axis=1)
    per_sample = (1.0 - eps) * nll + (eps / c) * smooth
    divisor = float(w[y].sum()) if reduction == "mean" else 1.0
    onehot = np.zeros((n, c))
    onehot[rows, y] = 1.0
    return CrossEntropyParts(np.exp(log_p), w, per_sample, divisor,
                             (1.0 - eps) * onehot + eps / c)


def cross_entropy(logits: object, target: object, weight: object = None,
                  label_smoothing: float = 0.0, reduction: str = "mean") -> float | np.ndarray:
    """F.cross_entropy with class-index targets: a float ('mean', 'sum') or an (N,) array."""
    parts = cross_entropy_parts(logits, target, weight, label_smoothing, reduction)
    if reduction == "none":
        return parts.per_sample
    total = float(parts.per_sample.sum())
    return total / parts.divisor if reduction == "mean" else total


def cross_entropy_grad(logits: object, target: object, weight: object = None,
                       label_smoothing: float = 0.0, reduction: str = "mean") -> np.ndarray:
    """d loss / d logits, ``(N, C)``: ``((1-ε) w[y] (p - onehot) + (ε/C)(p Σw - w)) / divisor``
    (``(p - y)/N`` without weights or smoothing); for 'none', the gradient of the sum."""
    parts = cross_entropy_parts(logits, target, weight, label_smoothing, reduction)
    p, w, n = parts.probs, parts.weights, parts.probs.shape[0]
    y = np.asarray(target, dtype=np.int64)
    c = p.shape[1]
    eps = max(float(label_smoothing), 0.0)
    onehot = np.zeros_like(p)
    onehot[np.arange(n), y] = 1.0
    grad = (1.0 - eps) * w[y][:, None] * (p - onehot) + (eps / c) * (p * w.sum() - w)
    out: np.ndarray = grad / parts.divisor
    return out
