"""Receptive field, effective stride and effective padding of a stack of conv/pool layers.

Per spatial axis (apply it to H and W separately).  With ``k_eff = d(k - 1) + 1``:

* ``r = 1 + sum_l (k_eff_l - 1) * prod_{i<l} s_i``
* effective stride (jump) ``J = prod_l s_l``
* effective padding ``P = sum_l p_l * prod_{i<l} s_i``

so that output unit ``u`` of the last layer sees input indices ``u*J - P .. u*J - P + r - 1``
(Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks",
Distill 2019).  :func:`empirical_receptive_field` measures the same thing by walking the
index footprint of one output unit back through the stack in NumPy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._args import as_int
from .errors import SolverError
from .sizes import conv_output_length, pool_output_length

__all__ = [
    "Layer",
    "LayerRF",
    "ReceptiveField",
    "conv",
    "empirical_receptive_field",
    "input_footprint",
    "layer_output_size",
    "pool",
    "stack_receptive_field",
    "receptive_field_table",
]


@dataclass(frozen=True)
class Layer:
    """One conv or pool layer along one axis.  ``ceil_mode`` only changes output sizes."""

    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    name: str = ""
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        k = as_int(self.kernel_size, "kernel_size")
        s = as_int(self.stride, "stride")
        p = as_int(self.padding, "padding")
        d = as_int(self.dilation, "dilation")
        if k < 1 or s < 1 or d < 1 or p < 0:
            raise SolverError(
                f"layer {self.name or '?'}: need kernel_size, stride, dilation >= 1 and "
                f"padding >= 0, got k={k}, s={s}, p={p}, d={d}"
            )

    @property
    def effective_kernel(self) -> int:
        """``d(k - 1) + 1``: the span of a dilated kernel."""
        return self.dilation * (self.kernel_size - 1) + 1


def conv(kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1,
         name: str = "conv") -> Layer:
    """A convolution layer (floor output size, like torch.nn.Conv2d)."""
    return Layer(kernel_size, stride, padding, dilation, name)


def pool(kernel_size: int, stride: int | None = None, padding: int = 0, dilation: int = 1,
         name: str = "pool", ceil_mode: bool = False) -> Layer:
    """A pooling layer; ``stride`` defaults to ``kernel_size`` as in torch.nn.MaxPool2d,
    which also refuses a padding over half the kernel (ATen's pool2d_shape_check)."""
    if as_int(padding, "padding") > as_int(kernel_size, "kernel_size") // 2:
        raise SolverError(f"layer {name}: pad should be at most half of kernel size, but got "
                          f"pad={padding} and kernel_size={kernel_size}")
    return Layer(kernel_size, kernel_size if stride is None else stride, padding, dilation, name,
                 ceil_mode)


class ReceptiveField(NamedTuple):
    """Receptive field ``r``, effective stride ``J`` and effective padding ``P`` of a stack."""

    size: int
    stride: int
    padding: int


class LayerRF(NamedTuple):
    """One row of :func:`receptive_field_table`: the stack up to and including this layer."""

    layer_index: int
    name: str
    kernel_size: int
    stride: int
    padding: int
    dilation: int
    receptive_field: int
    jump: int
    effective_padding: int
    output_size: int | None


def layer_output_size(layer: Layer, input_size: int) -> int:
    """Output length of one layer: Conv2d floor formula, or MaxPool2d's with ``ceil_mode``."""
    if layer.ceil_mode:
        out = pool_output_length(input_size, layer.kernel_size, layer.stride, layer.padding,
                                 layer.dilation, True)
    else:
        out = conv_output_length(input_size, layer.kernel_size, layer.stride, layer.padding,
                                 layer.dilation)
    if out < 1:
        raise SolverError(
            f"layer {layer.name or '?'}: input size {input_size} gives output size {out} < 1"
        )
    return out


def receptive_field_table(layers: Iterable[Layer], input_size: int | None = None
                          ) -> list[LayerRF]:
    """Per-layer r, jump and effective padding (Distill 2019 recurrences, see module docstring).

    ``r_l = r_{l-1} + (k_eff_l - 1) * J_{l-1}``, ``J_l = J_{l-1} * s_l``,
    ``P_l = P_{l-1} + p_l * J_{l-1}``; output sizes too when ``input_size`` is given.
    """
    rows: list[LayerRF] = []
    r, jump, pad = 1, 1, 0
    size = None if input_size is None else as_int(input_size, "input_size")
    if size is not None and size < 1:
        raise SolverError(f"input_size must be positive, got {size}")
    for i, layer in enumerate(layers):
        r += (layer.effective_kernel - 1) * jump
        pad += layer.padding * jump
        jump *= layer.stride
        if size is not None:
            size = layer_output_size(layer, size)
        rows.append(LayerRF(i, layer.name, layer.kernel_size, layer.stride, layer.padding,
                            layer.dilation, r, jump, pad, size))
    return rows


def stack_receptive_field(layers: Iterable[Layer]) -> ReceptiveField:
    """(r, effective stride, effective padding) of the whole stack, closed forms above."""
    rows = receptive_field_table(layers)
    if not rows:
        return ReceptiveField(1, 1, 0)
    last = rows[-1]
    return ReceptiveField(last.receptive_field, last.jump, last.effective_padding)


def input_footprint(layers: Sequence[Layer], unit: int, input_size: int | None = None
                    ) -> np.ndarray:
    """Sorted input indices that output unit ``unit`` of the last layer depends on.

    Walks the footprint back layer by layer: unit ``j`` reads ``j*s - p + t*d``, t < k.
    With ``input_size`` the intermediate sizes are computed and indices that fall in a
    layer's zero padding are dropped (the "clipped by borders" case); without it the
    stack is treated as infinite.
    """
    layers = list(layers)
    sizes: list[int | None] = [None] * (len(layers) + 1)
    if input_size is not None:
        rows = receptive_field_table(layers, input_size)
        sizes = [as_int(input_size, "input_size"), *(row.output_size for row in rows)]
        last = sizes[-1]
        if last is not None and not 0 <= unit < last:
            raise SolverError(f"unit {unit} outside the output of size {last}")
    idx = np.array([unit], dtype=np.int64)
    for li in range(len(layers) - 1, -1, -1):
        layer = layers[li]
        taps = np.arange(layer.kernel_size, dtype=np.int64) * layer.dilation
        idx = np.unique((idx[:, None] * layer.stride - layer.padding + taps[None, :]).ravel())
        n = sizes[li]
        if n is not None:
            idx = idx[(idx >= 0) & (idx < n)]
    return idx


def empirical_receptive_field(layers: Sequence[Layer], unit: int | None = None,
                              input_size: int | None = None) -> tuple[int, int]:
    """Measured (receptive field, first input index) of one output unit, via its footprint.

    ``unit`` defaults to the central output unit (or 0 for an infinite input).  For a unit
    not clipped by borders this equals ``(r, unit * J - P)`` from the closed forms.
    """
    layers = list(layers)
    if unit is None:
        if input_size is None:
            unit = 0
        else:
            rows = receptive_field_table(layers, input_size)
            out = rows[-1].output_size if rows else input_size
            assert out is not None
            unit = (out - 1) // 2
    idx = input_footprint(layers, unit, input_size)
    if idx.size == 0:
        return 0, 0
    return int(idx[-1] - idx[0] + 1), int(idx[0])
