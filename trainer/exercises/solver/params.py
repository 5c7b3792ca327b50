"""Parameter counts and multiply-accumulate counts (MACs) of common layers.

Conventions (the ones of ``torch.utils.flop_counter.FlopCounterMode``, which reports
FLOPs = 2 * MACs):

* Convolution: each output element costs ``C_in / groups * kh * kw`` multiply-adds, so
  ``MACs = C_out * H_out * W_out * C_in / groups * kh * kw`` per sample.
* Transposed convolution: each *input* element is multiplied by ``C_out / groups * kh * kw``
  weights (direct scatter), so ``MACs = C_in * H_in * W_in * C_out / groups * kh * kw``;
  products that land in the cropped padding are counted too.
* Linear: ``in_features * out_features`` per sample.
* Bias additions, activations and normalisation arithmetic are not counted.
* FLOPs = 2 * MACs (:func:`flops`).

Counts are per sample (batch 1) unless a ``batch`` argument says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

from ._args import as_int, as_pair, check_groups
from .errors import SolverError

__all__ = [
    "BatchNormCounts",
    "batchnorm2d_counts",
    "conv2d_macs",
    "conv2d_params",
    "conv_transpose2d_macs",
    "conv_transpose2d_params",
    "depthwise_separable_macs",
    "depthwise_separable_params",
    "flops",
    "layernorm_params",
    "linear_macs",
    "linear_params",
    "separable_cost_ratio",
    "separable_cost_ratio_formula",
]


def _nonneg(value: int, name: str) -> int:
    value = as_int(value, name)
    if value < 0:
        raise SolverError(f"Trying to create tensor with negative dimension: {name}={value}")
    return value


def _groups(in_channels: int, out_channels: int, groups: int) -> int:
    return check_groups(in_channels, out_channels, groups)[2]


def _kernel(kernel_size: int | Sequence[int]) -> tuple[int, int]:
    kh, kw = as_pair(kernel_size, "kernel_size")
    return _nonneg(kh, "kernel_size"), _nonneg(kw, "kernel_size")


def flops(macs: int) -> int:
    """FLOPs = 2 * MACs (one multiply plus one add), FlopCounterMode's convention."""
    return 2 * macs


def conv2d_params(in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                  groups: int = 1, bias: bool = True) -> int:
    """``C_out * C_in/groups * kh * kw (+ C_out)``: torch.nn.Conv2d weight/bias shapes (docs)."""
    cin = _nonneg(in_channels, "in_channels")
    cout = _nonneg(out_channels, "out_channels")
    g = _groups(cin, cout, groups)
    kh, kw = _kernel(kernel_size)
    return cout * (cin // g) * kh * kw + (cout if bias else 0)


def conv2d_macs(in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                output_size: int | Sequence[int], groups: int = 1, batch: int = 1) -> int:
    """``N * C_out * H_out * W_out * C_in/groups * kh * kw`` (FlopCounterMode conv count / 2)."""
    cin = _nonneg(in_channels, "in_channels")
    cout = _nonneg(out_channels, "out_channels")
    g = _groups(cin, cout, groups)
    kh, kw = _kernel(kernel_size)
    ho, wo = (_nonneg(v, "output_size") for v in as_pair(output_size, "output_size"))
    return _nonneg(batch, "batch") * cout * ho * wo * (cin // g) * kh * kw


def depthwise_separable_params(in_channels: int, out_channels: int,
                               kernel_size: int | Sequence[int], bias: bool = True) -> int:
    """Depthwise kxk conv (groups=C_in) then pointwise 1x1: ``C_in k^2 + C_in C_out`` (+ biases)."""
    cin = _nonneg(in_channels, "in_channels")
    depthwise = conv2d_params(cin, cin, kernel_size, groups=cin, bias=bias)
    pointwise = conv2d_params(cin, out_channels, 1, bias=bias)
    return depthwise + pointwise


def depthwise_separable_macs(in_channels: int, out_channels: int,
                             kernel_size: int | Sequence[int], output_size: int | Sequence[int],
                             batch: int = 1) -> int:
    """``N * H_out * W_out * (C_in k^2 + C_in C_out)``: depthwise then pointwise at output size."""
    cin = _nonneg(in_channels, "in_channels")
    depthwise = conv2d_macs(cin, cin, kernel_size, output_size, groups=cin, batch=batch)
    pointwise = conv2d_macs(cin, out_channels, 1, output_size, batch=batch)
    return depthwise + pointwise


def separable_cost_ratio(in_channels: int, out_channels: int,
                         kernel_size: int | Sequence[int]) -> Fraction:
    """Separable / standard cost (params without bias, equally MACs), as an exact fraction.

    Equals ``1/C_out + 1/(kh*kw)`` (MobileNet, Howard et al. 2017, section 3.1).
    """
    standard = conv2d_params(in_channels, out_channels, kernel_size, bias=False)
    if standard == 0:
        raise SolverError("the standard convolution has no weights: ratio undefined")
    return Fraction(depthwise_separable_params(in_channels, out_channels, kernel_size,
                                               bias=False), standard)


def separable_cost_ratio_formula(out_channels: int, kernel_size: int | Sequence[int]) -> Fraction:
    """The textbook ``1/C_out + 1/K^2`` (``1/(kh*kw)`` for rectangular kernels)."""
    kh, kw = _kernel(kernel_size)
    cout = _nonneg(out_channels, "out_channels")
    if cout == 0 or kh * kw == 0:
        raise SolverError("out_channels and kernel size must be positive")
    return Fraction(1, cout) + Fraction(1, kh * kw)


def conv_transpose2d_params(in_channels: int, out_channels: int,
                            kernel_size: int | Sequence[int], groups: int = 1,
                            bias: bool = True) -> int:
    """``C_in * C_out/groups * kh * kw (+ C_out)``: torch.nn.ConvTranspose2d's weight has shape
    ``(C_in, C_out/groups, kh, kw)`` (ConvTranspose2d docs, "Variables")."""
    cin = _nonneg(in_channels, "in_channels")
    cout = _nonneg(out_channels, "out_channels")
    g = _groups(cin, cout, groups)
    kh, kw = _kernel(kernel_size)
    return cin * (cout // g) * kh * kw + (cout if bias else 0)


def conv_transpose2d_macs(in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                          input_size: int | Sequence[int], groups: int = 1, batch: int = 1) -> int:
    """``N * C_in * H_in * W_in * C_out/groups * kh * kw``: scatter count (FlopCounterMode / 2)."""
    cin = _nonneg(in_channels, "in_channels")
    cout = _nonneg(out_channels, "out_channels")
    g = _groups(cin, cout, groups)
    kh, kw = _kernel(kernel_size)
    hi, wi = (_nonneg(v, "input_size") for v in as_pair(input_size, "input_size"))
    return _nonneg(batch, "batch") * cin * hi * wi * (cout // g) * kh * kw


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """``in * out (+ out)``: torch.nn.Linear weight (out, in) and bias (out,)."""
    fin = _nonneg(in_features, "in_features")
    fout = _nonneg(out_features, "out_features")
    return fin * fout + (fout if bias else 0)


def linear_macs(in_features: int, out_features: int, batch: int = 1) -> int:
    """``N * in * out`` multiply-adds (bias not counted; FlopCounterMode addmm/mm / 2)."""
    return (_nonneg(batch, "batch") * _nonneg(in_features, "in_features")
            * _nonneg(out_features, "out_features"))


class BatchNormCounts(NamedTuple):
    """BatchNorm2d sizes: learnable parameters vs buffer elements and buffer tensors."""

    learnable: int
    """weight (gamma) and bias (beta): 2C when affine."""
    buffer_elements: int
    """running_mean + running_var (2C) + num_batches_tracked (a 0-d tensor: 1 element)."""
    buffers: int
    """number of buffer tensors (3 when tracking running stats)."""


def batchnorm2d_counts(num_features: int, affine: bool = True,
                       track_running_stats: bool = True) -> BatchNormCounts:
    """torch.nn.BatchNorm2d: learnable 2C (affine) vs buffers 2C + 1 (num_batches_tracked)."""
    c = as_int(num_features, "num_features")
    if affine or track_running_stats:  # no tensor is created otherwise, so torch accepts c < 0
        c = _nonneg(c, "num_features")
    learnable = 2 * c if affine else 0
    if track_running_stats:
        return BatchNormCounts(learnable, 2 * c + 1, 3)
    return BatchNormCounts(learnable, 0, 0)


def layernorm_params(normalized_shape: int | Sequence[int], elementwise_affine: bool = True,
                     bias: bool = True) -> int:
    """torch.nn.LayerNorm: weight (and bias) of shape ``normalized_shape`` if elementwise_affine."""
    raw = normalized_shape if isinstance(normalized_shape, Sequence) else [normalized_shape]
    if not elementwise_affine:  # no tensor is created, so torch accepts any shape
        return 0
    shape = [_nonneg(v, "normalized_shape") for v in raw]
    n = math.prod(shape)
    return n * (2 if bias else 1)
