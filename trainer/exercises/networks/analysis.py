"""Per-layer analysis of a network: output shape, receptive field, jump, padding, params, MACs.

Every number comes from :mod:`trainer.exercises.solver`: output sizes from its PyTorch-exact
size functions, parameters and MACs from :mod:`~trainer.exercises.solver.params` (conv and
linear MACs only, FlopCounterMode's convention, FLOPs = 2 * MACs), and the receptive field
from :func:`~trainer.exercises.solver.stack_receptive_field` (Distill 2019 recurrences).

Receptive field through the DAG, per spatial axis, as ``(r, J, P)`` (size, effective stride
or *jump*, effective padding): output unit ``u`` of a layer sees input indices
``u*J - P .. u*J - P + r - 1`` (borders ignored: ``r`` may exceed the input size).

* conv / pool: the stack ``[equivalent layer (r, J, P), this layer]`` through the solver.
* ``add`` / ``concat``: the span of the union of the branches' windows.  With equal jumps,
  ``P = max P_i`` and ``r = max_i (r_i - P_i - 1) + max_i P_i + 1``: from the leftmost first
  pixel to the rightmost last pixel.  When the branches are centred alike (every layer of
  the built-in nets) this is the largest receptive field among the paths, ``max r_i``.
  Jumps that differ between branches give a warning, and the largest jump is reported.
* adaptive average pooling: uniform windows are exactly a pool with kernel = window and
  stride = window step; non-uniform windows give the largest window and step (an upper
  bound, with a warning).  A ``(1, 1)`` output is global pooling.
* ``flatten`` and ``linear``: every output depends on the whole input: ``r``, ``J``, ``P``
  become ``None`` ("whole input") and stay so downstream.
* ``batchnorm2d``, activations, ``dropout``: unchanged.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Sequence
from typing import Any

from pydantic import Field, computed_field

from trainer.core.model import Model

from ..solver import (
    Layer,
    ReceptiveField,
    SolverError,
    adaptive_avg_pool2d_output_size,
    adaptive_pool_bounds,
    avg_pool2d_output_size,
    batchnorm2d_counts,
    conv2d_macs,
    conv2d_output_size,
    conv2d_params,
    flops,
    linear_macs,
    linear_params,
    max_pool2d_output_size,
    same_padding,
    stack_receptive_field,
)
from .errors import NetworkError
from .network import (
    ActivationLayer,
    AdaptiveAvgPool2dLayer,
    AddLayer,
    AvgPool2dLayer,
    BatchNorm2dLayer,
    ConcatLayer,
    Conv2dLayer,
    DropoutLayer,
    FlattenLayer,
    InputLayer,
    LinearLayer,
    MaxPool2dLayer,
    Network,
)

__all__ = [
    "DEFAULT_INPUT_SHAPE", "WHOLE_INPUT", "Analysis", "LayerAnalysis", "analyze", "rows",
    "shape_cell",
]

DEFAULT_INPUT_SHAPE: tuple[int, int, int] = (3, 224, 224)

_AXES = ("H", "W")
# Per spatial axis (H, W): a ReceptiveField(size, stride, padding); None: the whole input.
_RF = tuple[ReceptiveField, ReceptiveField] | None


class LayerAnalysis(Model):
    """One row: the layer's output and the receptive field of one of its output units.

    ``receptive_field``, ``jump`` and ``effective_padding`` are ``(H, W)`` pairs, or ``None``
    when every output depends on the whole input (from a ``flatten`` or ``linear`` on).
    """

    name: str
    type: str
    inputs: list[str]
    output_shape: tuple[int, ...]
    """``(C, H, W)`` or ``(F,)``, per sample."""
    receptive_field: tuple[int, int] | None
    jump: tuple[int, int] | None
    """Effective stride: input pixels between neighbouring output units."""
    effective_padding: tuple[int, int] | None
    """Input pixels the first output unit's window starts before the input (left/top)."""
    params: int
    """Learnable parameters (BatchNorm: 2C; running statistics are buffers, not counted)."""
    macs: int
    """Multiply-accumulates per sample: convolutions and linear layers only."""
    warnings: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def whole_input(self) -> bool:
        """True when the receptive field is the whole input (after flatten / linear)."""
        return self.receptive_field is None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def flops(self) -> int:
        """FLOPs = 2 * MACs."""
        return flops(self.macs)


class Analysis(Model):
    """The result of :func:`analyze`: one row per layer (input first) and the totals."""

    network: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    layers: list[LayerAnalysis]
    total_params: int
    total_macs: int
    total_flops: int
    """2 * total_macs."""
    warnings: list[str] = Field(default_factory=list)
    """Every layer's warnings, prefixed with the layer name."""

    def layer(self, name: str) -> LayerAnalysis:
        """The row of layer ``name`` (``KeyError`` if there is none)."""
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(name)

    def rows(self, *, totals: bool = True, raw: bool = False) -> list[dict[str, Any]]:
        """Plain table rows, see :func:`rows`."""
        return rows(self, totals=totals, raw=raw)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: pairs become ``[h, w]`` lists, "whole input" is ``null``."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


# Table rows: what a table of the analysis shows, as cells (render.py lays them out).

WHOLE_INPUT = "whole input"
"""What the RF, jump and padding cells show once every output depends on the whole input."""


def shape_cell(shape: Sequence[int]) -> str:
    """``(64, 56, 56)`` -> ``64×56×56``."""
    return "×".join(str(v) for v in shape)


def _pair_cell(pair: tuple[int, int] | None) -> str:
    if pair is None:
        return WHOLE_INPUT
    h, w = pair
    return str(h) if h == w else f"{h}×{w}"


def _row(layer: LayerAnalysis, raw: bool) -> dict[str, Any]:
    if raw:
        return {
            "name": layer.name, "type": layer.type, "output": list(layer.output_shape),
            "rf": None if layer.receptive_field is None else list(layer.receptive_field),
            "jump": None if layer.jump is None else list(layer.jump),
            "padding": (None if layer.effective_padding is None
                        else list(layer.effective_padding)),
            "params": layer.params, "macs": layer.macs,
        }
    return {
        "name": layer.name, "type": layer.type, "output": shape_cell(layer.output_shape),
        "rf": _pair_cell(layer.receptive_field), "jump": _pair_cell(layer.jump),
        "padding": _pair_cell(layer.effective_padding),
        "params": f"{layer.params:,}", "macs": f"{layer.macs:,}",
    }


def rows(analysis: Analysis, *, totals: bool = True, raw: bool = False) -> list[dict[str, Any]]:
    """One dict per layer with the keys of ``render.COLUMNS``, then a ``total`` row.

    Display strings by default; ``raw=True`` keeps numbers (pairs as ``[h, w]`` lists,
    ``None`` for "whole input").  The total row has the network's output shape, total
    params and MACs, and empty (``None`` if raw) RF cells.
    """
    out = [_row(layer, raw) for layer in analysis.layers]
    if totals:
        empty = None if raw else ""
        out.append({
            "name": "total", "type": empty,
            "output": list(analysis.output_shape) if raw else shape_cell(analysis.output_shape),
            "rf": empty, "jump": empty, "padding": empty,
            "params": analysis.total_params if raw else f"{analysis.total_params:,}",
            "macs": analysis.total_macs if raw else f"{analysis.total_macs:,}",
        })
    return out


def _extend(rf: _RF, layers: tuple[Layer, Layer]) -> _RF:
    """Append one conv/pool layer per axis to the stack that ``rf`` stands for.

    The stack so far is replaced by its equivalent single layer ``(k=r, s=J, p=P)`` (whose
    own receptive field is exactly ``(r, J, P)``), and the solver composes the two.
    """
    if rf is None:
        return None
    out = []
    for axis_rf, layer in zip(rf, layers, strict=True):
        equivalent = Layer(axis_rf.size, axis_rf.stride, axis_rf.padding, name="so far")
        out.append(stack_receptive_field([equivalent, layer]))
    return out[0], out[1]


def _merge(rfs: list[_RF], warn: list[str]) -> _RF:
    """Receptive field of an add/concat: span of the union of the branches' windows."""
    if any(rf is None for rf in rfs):
        return None
    merged = []
    for axis, name in enumerate(_AXES):
        parts = [rf[axis] for rf in rfs if rf is not None]
        jumps = sorted({p.stride for p in parts})
        if len(jumps) > 1:
            warn.append(f"branches have different effective strides {jumps} along {name}: "
                        f"the receptive field assumes the largest, {jumps[-1]}")
        pad = max(p.padding for p in parts)
        right = max(p.size - 1 - p.padding for p in parts)
        merged.append(ReceptiveField(right + pad + 1, jumps[-1], pad))
    return merged[0], merged[1]


def _adaptive_layer(n: int, m: int, warn: list[str], axis: str) -> Layer:
    """The pool equivalent to adaptive pooling from ``n`` to ``m`` along one axis."""
    bounds = adaptive_pool_bounds(n, m)
    widths = {hi - lo for lo, hi in bounds}
    steps = {b[0] - a[0] for a, b in zip(bounds, bounds[1:], strict=False)}
    if m == 1:
        return Layer(n, n, 0, name="adaptive")
    if len(widths) == 1 and len(steps) == 1:
        return Layer(widths.pop(), steps.pop(), 0, name="adaptive")
    warn.append(f"adaptive pooling {n} -> {m} along {axis} has windows of sizes "
                f"{sorted(widths)} and steps {sorted(steps)}: the receptive field and jump "
                "shown are upper bounds (largest window and step)")
    return Layer(max(widths), max(steps), 0, name="adaptive")


def _shape_str(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ")"


class _Analyzer:
    def __init__(self, network: Network, input_shape: tuple[int, ...]) -> None:
        self.net = network
        self.input_shape = input_shape
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.rfs: dict[str, _RF] = {}

    def run(self) -> Analysis:
        rows = [self.layer(layer) for layer in self.net.layers]
        warnings = [f"{row.name}: {w}" for row in rows for w in row.warnings]
        total_macs = sum(row.macs for row in rows)
        return Analysis(
            network=self.net.name,
            input_shape=self.input_shape,
            output_shape=rows[-1].output_shape,
            layers=rows,
            total_params=sum(row.params for row in rows),
            total_macs=total_macs,
            total_flops=flops(total_macs),
            warnings=warnings,
        )

    def spatial(self, layer: Any, shape: tuple[int, ...]) -> tuple[int, int, int]:
        if len(shape) != 3:
            raise self.net.error(layer, f"needs a (C, H, W) input, got the flat shape "
                                        f"{_shape_str(shape)} from {layer.inputs[0]!r}")
        c, h, w = shape
        return c, h, w

    def layer(self, layer: Any) -> LayerAnalysis:
        warn: list[str] = []
        try:
            shape, rf, params, macs = self.compute(layer, warn)
        except NetworkError:
            raise
        except SolverError as exc:
            raise self.net.error(layer, str(exc)) from exc
        if any(v < 1 for v in shape):
            raise self.net.error(layer, f"output shape {_shape_str(shape)} has a size < 1")
        self.shapes[layer.name] = shape
        self.rfs[layer.name] = rf
        return LayerAnalysis(
            name=layer.name, type=layer.kind, inputs=list(layer.inputs), output_shape=shape,
            receptive_field=None if rf is None else (rf[0].size, rf[1].size),
            jump=None if rf is None else (rf[0].stride, rf[1].stride),
            effective_padding=None if rf is None else (rf[0].padding, rf[1].padding),
            params=params, macs=macs, warnings=warn,
        )

    def compute(self, layer: Any, warn: list[str]
                ) -> tuple[tuple[int, ...], _RF, int, int]:
        net = self.net
        if isinstance(layer, InputLayer):
            shape = self.input_shape
            rf: _RF = None
            if len(shape) == 3:
                rf = (ReceptiveField(1, 1, 0), ReceptiveField(1, 1, 0))
            return shape, rf, 0, 0
        shapes = [self.shapes[name] for name in layer.inputs]
        rfs = [self.rfs[name] for name in layer.inputs]
        shape, rf = shapes[0], rfs[0]

        if isinstance(layer, Conv2dLayer):
            c, h, w = self.spatial(layer, shape)
            cin = c if layer.in_channels is None else layer.in_channels
            if cin != c:
                raise net.error(layer, f"in_channels={cin} but its input {layer.inputs[0]!r} "
                                       f"has {c} channels (shape {_shape_str(shape)})")
            k, s, d, g = layer.kernel_size, layer.stride, layer.dilation, layer.groups
            out = conv2d_output_size((h, w), k, s, layer.padding, d, in_channels=cin,
                                     out_channels=layer.out_channels, groups=g)
            if layer.padding == "same":
                pads = tuple(left for left, _ in same_padding(k, d))
            elif layer.padding == "valid":
                pads = (0, 0)
            else:
                pads = layer.padding
            params = conv2d_params(cin, layer.out_channels, k, g, layer.bias)
            macs = conv2d_macs(cin, layer.out_channels, k, out, g)
            axes = tuple(Layer(k[a], s[a], pads[a], d[a], layer.name) for a in range(2))
            return (layer.out_channels, *out), _extend(rf, axes), params, macs

        if isinstance(layer, MaxPool2dLayer | AvgPool2dLayer):
            c, h, w = self.spatial(layer, shape)
            k, p = layer.kernel_size, layer.padding
            s = k if layer.stride is None else layer.stride
            if isinstance(layer, MaxPool2dLayer):
                d = layer.dilation
                out = max_pool2d_output_size((h, w), k, s, p, d, layer.ceil_mode)
            else:
                d = (1, 1)
                out = avg_pool2d_output_size((h, w), k, s, p, layer.ceil_mode)
            axes = tuple(Layer(k[a], s[a], p[a], d[a], layer.name, layer.ceil_mode)
                         for a in range(2))
            return (c, *out), _extend(rf, axes), 0, 0

        if isinstance(layer, AdaptiveAvgPool2dLayer):
            c, h, w = self.spatial(layer, shape)
            out = adaptive_avg_pool2d_output_size((h, w), layer.output_size)
            if min(out) < 1:
                raise net.error(layer, f"output_size {out} must be at least 1")
            axes = (_adaptive_layer(h, out[0], warn, "H"), _adaptive_layer(w, out[1], warn, "W"))
            return (c, *out), _extend(rf, axes), 0, 0

        if isinstance(layer, BatchNorm2dLayer):
            c, _, _ = self.spatial(layer, shape)
            n = c if layer.num_features is None else layer.num_features
            if n != c:
                raise net.error(layer, f"num_features={n} but its input {layer.inputs[0]!r} "
                                       f"has {c} channels")
            return shape, rf, batchnorm2d_counts(n, affine=layer.affine).learnable, 0

        if isinstance(layer, ActivationLayer | DropoutLayer):
            if isinstance(layer, DropoutLayer) and not 0 <= layer.p <= 1:
                raise net.error(layer, f"dropout probability has to be between 0 and 1, "
                                       f"but got {layer.p}")
            return shape, rf, 0, 0

        if isinstance(layer, FlattenLayer):
            return (math.prod(shape),), None, 0, 0

        if isinstance(layer, LinearLayer):
            if len(shape) != 1:
                raise net.error(layer, f"needs a flat (F,) input, got {_shape_str(shape)} from "
                                       f"{layer.inputs[0]!r}: put a flatten layer before it")
            fin = shape[0] if layer.in_features is None else layer.in_features
            if fin != shape[0]:
                raise net.error(layer, f"in_features={fin} but its input {layer.inputs[0]!r} "
                                       f"has {shape[0]} features")
            params = linear_params(fin, layer.out_features, layer.bias)
            return ((layer.out_features,), None, params,
                    linear_macs(fin, layer.out_features))

        if isinstance(layer, AddLayer):
            if any(other != shape for other in shapes):
                listing = ", ".join(f"{name!r} {_shape_str(sh)}"
                                    for name, sh in zip(layer.inputs, shapes, strict=True))
                raise net.error(layer, f"add needs inputs of identical shape, got {listing}")
            return shape, _merge(rfs, warn), 0, 0

        if isinstance(layer, ConcatLayer):
            ranks = {len(sh) for sh in shapes}
            listing = ", ".join(f"{name!r} {_shape_str(sh)}"
                                for name, sh in zip(layer.inputs, shapes, strict=True))
            if len(ranks) != 1:
                raise net.error(layer, f"cannot concatenate flat and (C, H, W) inputs: {listing}")
            if len(shape) == 3 and any(sh[1:] != shape[1:] for sh in shapes):
                raise net.error(layer, "concat joins channels: every input needs the same "
                                       f"H and W, got {listing}")
            merged = (sum(sh[0] for sh in shapes), *shape[1:])
            return merged, _merge(rfs, warn), 0, 0

        raise net.error(layer, f"unsupported layer type {layer.kind!r}")  # pragma: no cover


def analyze(network: Network, input_shape: Sequence[int] | None = None) -> Analysis:
    """Analyse ``network`` for one sample of ``input_shape`` (``(C, H, W)`` or ``(F,)``).

    ``input_shape`` defaults to the network's own (a spec's ``input:``), else
    ``(3, 224, 224)``.  Raises :class:`NetworkError` (a ``SolverError``/``ValueError``)
    naming the layer for an invalid graph or configuration.
    """
    network.check()
    first = network.layers[0]
    assert isinstance(first, InputLayer)
    if input_shape is None:
        input_shape = first.shape or network.input_shape or DEFAULT_INPUT_SHAPE
    shape = tuple(input_shape)
    if (any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in shape)
            or len(shape) not in (1, 3) or min(shape) < 1):
        raise NetworkError(f"input shape must be (C, H, W) or (F,) of positive integers, "
                           f"got {input_shape!r}", layer=first.name, layer_type="input",
                           location=network.location(first.name))
    return _Analyzer(network, tuple(int(v) for v in shape)).run()
