"""Sampling filters of text generation: temperature, top-k and top-p (nucleus).

Mirrors Hugging Face transformers' ``TemperatureLogitsWarper``, ``TopKLogitsWarper`` and
``TopPLogitsWarper`` (``min_tokens_to_keep=1``), applied in ``generate``'s order:
temperature, then top-k, then top-p.  Removed tokens get the logit ``-inf``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._args import as_float_array
from .errors import SolverError

__all__ = ["filter_logits", "sampling_distribution", "top_k_mask", "top_p_mask"]


def _vector(logits: object) -> np.ndarray:
    z = as_float_array(logits, "logits")
    if z.ndim != 1 or z.size == 0:
        raise SolverError(f"logits must be a non-empty vector, got shape {z.shape}")
    return z


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    out: np.ndarray = e / e.sum()
    return out


def top_k_mask(logits: object, top_k: int) -> np.ndarray:
    """TopKLogitsWarper: keep the tokens whose logit is >= the k-th largest (ties kept);
    ``top_k`` must be a positive int and is capped at the vocabulary size."""
    z = _vector(logits)
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k <= 0:
        raise SolverError(f"`top_k` has to be a strictly positive integer, but is {top_k}")
    kth = np.sort(z)[::-1][min(int(top_k), z.size) - 1]
    keep: np.ndarray = z >= kth
    return keep


def top_p_mask(logits: object, top_p: float) -> np.ndarray:
    """TopPLogitsWarper: sort ascending, remove tokens whose cumulative probability is
    <= 1 - top_p; the most likely token always stays.  That keeps the smallest set of top
    tokens whose probability reaches top_p (the token that crosses it included)."""
    z = _vector(logits)
    p = float(top_p)
    if p < 0 or p > 1.0:
        raise SolverError(f"`top_p` must be between 0 and 1, got {p}")
    order = np.argsort(z, kind="stable")
    cumulative = np.cumsum(_softmax(z[order]))
    remove = cumulative <= 1 - p
    remove[-1] = False
    keep = np.ones(z.size, dtype=bool)
    keep[order[remove]] = False
    return keep


def filter_logits(logits: object, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> np.ndarray:
    """The logits ``generate`` samples from: divided by the temperature, then -inf outside
    top-k, then -inf outside top-p (computed on what top-k left)."""
    z = _vector(logits)
    t = float(temperature)
    if not t > 0:
        raise SolverError(f"`temperature` (={temperature}) has to be a strictly positive float")
    z = z / t
    if top_k is not None:
        z = np.where(top_k_mask(z, top_k), z, -np.inf)
    if top_p is not None:
        z = np.where(top_p_mask(z, top_p), z, -np.inf)
    return z


def sampling_distribution(logits: object, temperature: float = 1.0, top_k: int | None = None,
                          top_p: float | None = None) -> np.ndarray:
    """softmax of :func:`filter_logits`: the renormalised probabilities of the survivors."""
    return _softmax(filter_logits(logits, temperature, top_k, top_p))
