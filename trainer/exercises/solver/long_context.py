"""Long-context quantities: KV-cache bytes, sinusoidal positional encodings and RoPE."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._args import as_float_array, as_int
from .errors import SolverError

__all__ = ["DTYPE_BYTES", "kv_cache_bytes", "rope_rotate", "sinusoidal_positional_encoding"]

DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2,
               "float8_e4m3fn": 1, "float8_e5m2": 1}
"""``torch.<dtype>.itemsize`` of the dtypes a KV cache is stored in."""

PAIRINGS = ("interleaved", "halves")


def _size(value: object, name: str) -> int:
    size = as_int(value, name)
    if size < 0:
        raise SolverError(f"Trying to create tensor with negative dimension: {name}={size}")
    return size


def kv_cache_bytes(num_layers: int, batch: int, context: int, kv_heads: int, head_dim: int,
                   dtype: str) -> int:
    """``2 · layers · batch · context · kv_heads · head_dim · itemsize``: one K and one V tensor
    of shape ``(batch, kv_heads, context, head_dim)`` per layer (a HF DynamicCache layer)."""
    if dtype not in DTYPE_BYTES:
        raise SolverError(f"unknown dtype {dtype!r}; one of {', '.join(DTYPE_BYTES)}")
    layers = as_int(num_layers, "num_layers")
    if layers <= 0:  # no layer, no tensor: nothing for torch to refuse
        return 0
    sizes = [_size(v, n) for v, n in ((batch, "batch"), (context, "context"),
                                      (kv_heads, "kv_heads"), (head_dim, "head_dim"))]
    return 2 * layers * int(np.prod(sizes, dtype=object)) * DTYPE_BYTES[dtype]


def _model_dim(d_model: object) -> int:
    """d_model as the tutorial's code accepts it: positive, and even unless 1 (with d = 1 its
    single sin column takes the one frequency and the empty cos slice broadcasts)."""
    d = as_int(d_model, "d_model")
    if d <= 0 or (d % 2 and d != 1):
        raise SolverError(f"d_model must be a positive even number, got {d} (sin and cos "
                          "fill alternate columns, one frequency per pair)")
    return d


def _inverse_frequencies(d: int, base: float) -> np.ndarray:
    """``base^(-2i/d)`` for i = 0 .. d/2 - 1."""
    return np.asarray(float(base) ** (-np.arange(0, d, 2, dtype=np.float64) / d))


def sinusoidal_positional_encoding(positions: int | Sequence[float], d_model: int,
                                   base: float = 10000.0) -> np.ndarray:
    """``PE[pos, 2i] = sin(pos / base^(2i/d))``, ``PE[pos, 2i+1] = cos(...)``, one row per
    position (Vaswani et al. 2017; the PyTorch Transformer tutorial's PositionalEncoding)."""
    d = _model_dim(d_model)
    pos = np.atleast_1d(as_float_array(positions, "positions"))
    if pos.ndim != 1:
        raise SolverError("positions must be a number or a list of numbers")
    angles = pos[:, None] * _inverse_frequencies(d, base)[None, :]
    pe = np.empty((pos.size, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)[:, : d // 2]
    return pe


def rope_rotate(x: object, position: float, base: float = 10000.0,
                pairing: str = "interleaved") -> np.ndarray:
    """RoPE: rotate pair i of ``x`` by ``position · base^(-2i/d)``.

    ``interleaved`` pairs (2i, 2i+1), as the LLaMA reference code's complex product
    ``view_as_complex(x.reshape(-1, 2)) * polar(1, m θ)``; ``halves`` pairs (i, i + d/2), as
    ``x·cos + rotate_half(x)·sin`` in Hugging Face transformers.
    """
    vec = as_float_array(x, "x")
    if vec.ndim != 1:
        raise SolverError(f"x must be a vector, got shape {vec.shape}")
    if pairing not in PAIRINGS:
        raise SolverError(f"pairing must be one of {PAIRINGS}, got {pairing!r}")
    d = vec.size
    if d % 2:  # torch refuses odd sizes (view_as_complex / rotate_half); an empty x stays empty
        raise SolverError(f"RoPE rotates pairs: the vector's length must be even, got {d}")
    angles = float(position) * _inverse_frequencies(d, base)
    cos, sin = np.cos(angles), np.sin(angles)
    if pairing == "interleaved":
        first, second = vec[0::2], vec[1::2]
    else:
        first, second = vec[: d // 2], vec[d // 2:]
    rotated = (first * cos - second * sin, first * sin + second * cos)
    out = np.empty(d)
    if pairing == "interleaved":
        out[0::2], out[1::2] = rotated
    else:
        out[: d // 2], out[d // 2:] = rotated
    return out
