"""Initialization scales of ``torch.nn.init`` (PyTorch 2.13): gains, fans, bounds and stds.

Each function repeats the arithmetic of ``torch/nn/init.py`` in the same order (Python
floats), so the numbers equal the ones torch passes to ``uniform_``/``normal_``.  Shapes are
weight shapes: ``(out_features, in_features)`` for Linear, ``(C_out, C_in/groups, kh, kw)``
for Conv2d.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from ._args import as_int, as_pair, check_groups
from .errors import SolverError

__all__ = [
    "LINEAR_GAIN_NAMES",
    "DefaultInit",
    "calculate_gain",
    "conv2d_weight_shape",
    "default_init_bounds",
    "fan_in_and_fan_out",
    "kaiming_normal_std",
    "kaiming_uniform_bound",
    "xavier_normal_std",
    "xavier_uniform_bound",
]

LINEAR_GAIN_NAMES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                     "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """nn.init.calculate_gain: 1 (linear, conv, sigmoid), 5/3 (tanh), √2 (relu),
    √(2/(1 + a²)) (leaky_relu, a = 0.01 when None), 3/4 (selu)."""
    if nonlinearity in LINEAR_GAIN_NAMES or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope: float = 0.01
        elif not isinstance(param, bool) and isinstance(param, int | float):
            slope = param
        else:
            raise SolverError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise SolverError(f"Unsupported nonlinearity {nonlinearity}")


def _shape(shape: Sequence[int]) -> tuple[int, ...]:
    dims = tuple(as_int(d, "shape") for d in shape)
    if any(d < 0 for d in dims):
        raise SolverError(f"Trying to create tensor with negative dimension: {list(dims)}")
    return dims


def fan_in_and_fan_out(shape: Sequence[int]) -> tuple[int, int]:
    """``_calculate_fan_in_and_fan_out``: fan_in = size(1)·rf, fan_out = size(0)·rf with rf the
    product of the dims after the first two; fewer than 2 dims is refused."""
    dims = _shape(shape)
    if len(dims) < 2:
        raise SolverError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                          "dimensions")
    receptive = math.prod(dims[2:])
    return dims[1] * receptive, dims[0] * receptive


def _xavier_std(shape: Sequence[int], gain: float) -> float:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if fan_in + fan_out == 0:  # torch: ZeroDivisionError in 2.0 / float(0)
        raise SolverError("fan_in + fan_out is 0: the Xavier scale divides by zero")
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform_bound(shape: Sequence[int], gain: float = 1.0) -> float:
    """xavier_uniform_: U(−a, a) with ``a = √3 · gain · √(2 / (fan_in + fan_out))``."""
    return math.sqrt(3.0) * _xavier_std(shape, gain)


def xavier_normal_std(shape: Sequence[int], gain: float = 1.0) -> float:
    """xavier_normal_: N(0, std²) with ``std = gain · √(2 / (fan_in + fan_out))``."""
    return _xavier_std(shape, gain)


def _kaiming_std(shape: Sequence[int], a: float, mode: str, nonlinearity: str) -> float:
    dims = _shape(shape)
    if 0 in dims:  # torch warns "Initializing zero-element tensors is a no-op" and returns
        raise SolverError("a zero-element tensor is left as it is (torch: initializing "
                          "zero-element tensors is a no-op), so it has no scale")
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise SolverError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = fan_in_and_fan_out(dims)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_uniform_bound(shape: Sequence[int], a: float = 0, mode: str = "fan_in",
                          nonlinearity: str = "leaky_relu") -> float:
    """kaiming_uniform_: U(−b, b) with ``b = √3 · gain / √fan`` (gain of ``nonlinearity`` with
    ``a``; fan = fan_in or fan_out by ``mode``)."""
    return math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)


def kaiming_normal_std(shape: Sequence[int], a: float = 0, mode: str = "fan_in",
                       nonlinearity: str = "leaky_relu") -> float:
    """kaiming_normal_: N(0, std²) with ``std = gain / √fan``."""
    return _kaiming_std(shape, a, mode, nonlinearity)


def conv2d_weight_shape(in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                        groups: int = 1) -> tuple[int, int, int, int]:
    """The Conv2d weight shape ``(C_out, C_in/groups, kh, kw)``, with torch's group checks."""
    cin, cout, g = check_groups(in_channels, out_channels, groups)
    shape = (cout, cin // g, *as_pair(kernel_size, "kernel_size"))
    _shape(shape)  # negative sizes: torch cannot create the weight
    return shape  # type: ignore[return-value]


class DefaultInit(NamedTuple):
    """The default ``reset_parameters`` of nn.Linear / nn.Conv2d."""

    fan_in: int
    weight_bound: float  # kaiming_uniform_(weight, a=√5): √3 · √(2/(1 + 5)) / √fan_in
    bias_bound: float  # 1/√fan_in (0 when fan_in is 0)


def default_init_bounds(weight_shape: Sequence[int]) -> DefaultInit:
    """nn.Linear / nn.Conv2d ``reset_parameters``: weight ~ kaiming_uniform_(a=√5), i.e.
    U(±1/√fan_in) up to rounding; bias ~ U(±1/√fan_in)."""
    fan_in, _ = fan_in_and_fan_out(weight_shape)
    weight = kaiming_uniform_bound(weight_shape, a=math.sqrt(5))
    bias = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    return DefaultInit(fan_in, weight, bias)
