"""Scaled dot-product attention values, and the parameter counts of attention modules.

Values in float64; shapes follow ``torch.nn.functional.scaled_dot_product_attention``
(query ``(..., L, E)``, key ``(..., S, E)``, value ``(..., S, Ev)``).  Parameter counts are
those of ``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer`` and
``nn.TransformerDecoderLayer`` in PyTorch 2.13.
"""

from __future__ import annotations

import numpy as np

from ._args import as_float_array, as_int
from .errors import SolverError
from .params import layernorm_params, linear_params

__all__ = [
    "attention_weights",
    "multihead_attention_params",
    "scaled_dot_product_attention",
    "transformer_decoder_layer_params",
    "transformer_encoder_layer_params",
]


def _scores_mask(attn_mask: object, is_causal: bool, shape: tuple[int, ...]) -> np.ndarray:
    """The additive mask (0 or -inf for booleans, the values for floats) over the scores."""
    length, source = shape[-2], shape[-1]
    if is_causal:
        if attn_mask is not None:
            raise SolverError("Explicit attn_mask should not be set when is_causal=True")
        allowed = np.tril(np.ones((length, source), dtype=bool))
        return np.where(allowed, 0.0, -np.inf)
    if attn_mask is None:
        return np.zeros((length, source))
    mask = np.asarray(attn_mask)
    try:
        fits = np.broadcast_shapes(mask.shape, shape) == shape  # added in place to the scores
    except ValueError:
        fits = False
    if not fits:
        raise SolverError(f"attn_mask of shape {mask.shape} does not broadcast to the "
                          f"attention scores of shape {shape}")
    if mask.dtype == bool:
        return np.where(mask, 0.0, -np.inf)
    return mask.astype(np.float64)


def attention_weights(query: object, key: object, attn_mask: object = None,
                      is_causal: bool = False, scale: float | None = None) -> np.ndarray:
    """``softmax(Q Kᵀ · scale + mask)``, the weights inside F.scaled_dot_product_attention.

    Its reference code: scale ``1/√E`` by default; a boolean mask keeps the True entries;
    ``is_causal`` uses ``ones(L, S).tril()``.  A row with every key masked gives zeros.
    """
    q = as_float_array(query, "query", min_ndim=2)
    k = as_float_array(key, "key", min_ndim=2)
    if q.shape[-1] != k.shape[-1]:
        raise SolverError(f"query and key need the same embedding size, got {q.shape[-1]} "
                          f"and {k.shape[-1]}")
    try:
        scores = q @ np.swapaxes(k, -1, -2)
    except ValueError as error:
        raise SolverError(f"query and key batch shapes do not broadcast: {error}") from None
    factor = 1.0 / np.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = scores * factor + _scores_mask(attn_mask, bool(is_causal), scores.shape)
    top = np.max(scores, axis=-1, keepdims=True)
    dead = ~np.isfinite(top)  # every key masked: torch 2.13 returns zeros for such a row
    shifted = np.exp(scores - np.where(dead, 0.0, top))
    total = shifted.sum(axis=-1, keepdims=True)
    weights: np.ndarray = np.where(dead, 0.0, shifted / np.where(dead, 1.0, total))
    return weights


def scaled_dot_product_attention(query: object, key: object, value: object,
                                 attn_mask: object = None, is_causal: bool = False,
                                 scale: float | None = None) -> np.ndarray:
    """F.scaled_dot_product_attention (dropout 0): ``softmax(Q Kᵀ/√E + mask) V``."""
    k = as_float_array(key, "key", min_ndim=2)
    v = as_float_array(value, "value", min_ndim=2)
    if k.shape[-2] != v.shape[-2]:
        raise SolverError(f"key and value need the same length, got {k.shape[-2]} "
                          f"and {v.shape[-2]}")
    weights = attention_weights(query, k, attn_mask, is_causal, scale)
    try:
        out: np.ndarray = weights @ v
    except ValueError as error:
        raise SolverError(f"attention weights and value do not broadcast: {error}") from None
    return out


def _size(value: object, name: str) -> int:
    size = as_int(value, name)
    if size < 0:
        raise SolverError(f"Trying to create tensor with negative dimension: {name}={size}")
    return size


def multihead_attention_params(embed_dim: int, num_heads: int, bias: bool = True,
                               add_bias_kv: bool = False, kdim: int | None = None,
                               vdim: int | None = None) -> int:
    """nn.MultiheadAttention: Q/K/V projections ``E·(E + kdim + vdim)`` (+ ``3E`` in_proj_bias),
    out_proj ``E² (+ E)``, and ``bias_k``, ``bias_v`` (``E`` each) when add_bias_kv.

    Raises as torch does: ``embed_dim, num_heads > 0``; ``embed_dim % num_heads == 0``.
    """
    e, h = as_int(embed_dim, "embed_dim"), as_int(num_heads, "num_heads")
    if e <= 0 or h <= 0:
        raise SolverError(f"embed_dim and num_heads must be greater than 0, got embed_dim={e} "
                          f"and num_heads={h} instead")
    if e % h:
        raise SolverError(f"embed_dim must be divisible by num_heads (embed_dim={e}, "
                          f"num_heads={h})")
    k_in = e if kdim is None else _size(kdim, "kdim")
    v_in = e if vdim is None else _size(vdim, "vdim")
    projections = e * (e + k_in + v_in) + (3 * e if bias else 0)
    return projections + linear_params(e, e, bias) + (2 * e if add_bias_kv else 0)


def _feedforward(d_model: int, dim_feedforward: int, bias: bool) -> int:
    ff = _size(dim_feedforward, "dim_feedforward")
    return linear_params(d_model, ff, bias) + linear_params(ff, d_model, bias)


def transformer_encoder_layer_params(d_model: int, nhead: int, dim_feedforward: int = 2048,
                                     bias: bool = True) -> int:
    """nn.TransformerEncoderLayer: self_attn (MHA), linear1, linear2, norm1, norm2; ``bias``
    reaches every Linear, the attention and the LayerNorms (weight only when False)."""
    attention = multihead_attention_params(d_model, nhead, bias)
    norms = 2 * layernorm_params(d_model, bias=bias)
    return attention + _feedforward(d_model, dim_feedforward, bias) + norms


def transformer_decoder_layer_params(d_model: int, nhead: int, dim_feedforward: int = 2048,
                                     bias: bool = True) -> int:
    """nn.TransformerDecoderLayer: self_attn and multihead_attn (cross-attention, both MHA of
    ``d_model``), linear1, linear2 and norm1..norm3, ``bias`` as in the encoder layer."""
    attention = 2 * multihead_attention_params(d_model, nhead, bias)
    norms = 3 * layernorm_params(d_model, bias=bias)
    return attention + _feedforward(d_model, dim_feedforward, bias) + norms
