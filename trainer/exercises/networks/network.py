"""The network model: a DAG of named layers (pydantic), sequential by default.

Each layer has a ``name`` and ``inputs`` (names of earlier layers).  Left empty, ``inputs``
means "the previous layer in the list" and ``name`` becomes ``<type>_<n>`` (``conv2d_3``), so a
plain list of layers is a sequential network; ``add`` and ``concat`` name their 2+ inputs.
A network starts with one ``input`` layer (added, named ``input``, when the list has none).

Field validation happens in pydantic; graph rules (unique names, references to earlier
layers only, arity) are checked by :meth:`Network.check`, which raises :class:`NetworkError`
naming the layer and, for spec files, its ``path:line``.  Shape rules (channel counts,
output sizes) are checked by :func:`trainer.exercises.networks.analyze`.
"""

from __future__ import annotations

import numbers
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from trainer.core.model import Model

from .errors import NetworkError

__all__ = [
    "ActivationLayer",
    "AdaptiveAvgPool2dLayer",
    "AddLayer",
    "AnyLayer",
    "AvgPool2dLayer",
    "BatchNorm2dLayer",
    "ConcatLayer",
    "Conv2dLayer",
    "DropoutLayer",
    "FlattenLayer",
    "InputLayer",
    "LAYER_TYPES",
    "LinearLayer",
    "MaxPool2dLayer",
    "Network",
    "Pair",
]


def _to_pair(value: object) -> object:
    """An int ``k`` -> ``(k, k)``; a list/tuple of two ints -> ``(h, w)``; bools rejected."""
    if isinstance(value, bool):
        raise ValueError(f"expected an integer or a pair [h, w], got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value), int(value)
    if isinstance(value, list | tuple):
        if len(value) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                                  for v in value):
            raise ValueError(f"expected an integer or a pair [h, w] of integers, got {value!r}")
        return int(value[0]), int(value[1])
    raise ValueError(f"expected an integer or a pair [h, w], got {value!r}")


Pair = Annotated[tuple[int, int], BeforeValidator(_to_pair)]
"""An ``int`` or an ``(h, w)`` pair, stored as ``(h, w)`` (torch's ``_pair``)."""


def _alias(*names: str) -> Any:
    return AliasChoices(*names)


class _Layer(Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = ""
    """Unique name; empty: ``<type>_<n>`` is given by :class:`Network`."""
    inputs: list[str] = Field(default_factory=list, validation_alias=_alias("inputs", "input"))
    """Names of the layers feeding this one; empty: the previous layer in the list."""

    @field_validator("inputs", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @property
    def kind(self) -> str:
        """The type as shown in tables (``relu6`` for an activation with that function)."""
        return str(getattr(self, "type"))  # noqa: B009 - every subclass declares ``type``


class InputLayer(_Layer):
    """The network input, ``(C, H, W)`` or ``(F,)``.  ``shape`` defaults to the network's."""

    type: Literal["input"] = "input"
    shape: tuple[StrictInt, ...] | None = None


class Conv2dLayer(_Layer):
    """torch.nn.Conv2d.  ``in_channels`` left out: taken from the input (checked if given)."""

    type: Literal["conv2d"] = "conv2d"
    in_channels: StrictInt | None = Field(None, validation_alias=_alias("in_channels", "in"))
    out_channels: StrictInt = Field(validation_alias=_alias("out_channels", "out"))
    kernel_size: Pair = Field(validation_alias=_alias("kernel_size", "kernel"))
    stride: Pair = (1, 1)
    padding: Pair | Literal["same", "valid"] = (0, 0)
    dilation: Pair = (1, 1)
    groups: StrictInt = 1
    bias: StrictBool = True


class MaxPool2dLayer(_Layer):
    """torch.nn.MaxPool2d; ``stride`` defaults to ``kernel_size``."""

    type: Literal["maxpool2d"] = "maxpool2d"
    kernel_size: Pair = Field(validation_alias=_alias("kernel_size", "kernel"))
    stride: Pair | None = None
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    ceil_mode: StrictBool = False


class AvgPool2dLayer(_Layer):
    """torch.nn.AvgPool2d; ``stride`` defaults to ``kernel_size``."""

    type: Literal["avgpool2d"] = "avgpool2d"
    kernel_size: Pair = Field(validation_alias=_alias("kernel_size", "kernel"))
    stride: Pair | None = None
    padding: Pair = (0, 0)
    ceil_mode: StrictBool = False
    count_include_pad: StrictBool = True


class AdaptiveAvgPool2dLayer(_Layer):
    """torch.nn.AdaptiveAvgPool2d with an ``(h, w)`` (or int) ``output_size``."""

    type: Literal["adaptive_avg_pool2d"] = "adaptive_avg_pool2d"
    output_size: Pair = Field(validation_alias=_alias("output_size", "size"))


class BatchNorm2dLayer(_Layer):
    """torch.nn.BatchNorm2d: ``2C`` learnable parameters when ``affine`` (buffers not counted)."""

    type: Literal["batchnorm2d"] = "batchnorm2d"
    num_features: StrictInt | None = None
    affine: StrictBool = True


class ActivationLayer(_Layer):
    """A parameter-free element-wise activation: ``relu``, ``relu6`` or ``activation``
    (with any ``function`` name, e.g. ``gelu``, shown in tables)."""

    type: Literal["relu", "relu6", "activation"] = "relu"
    function: str | None = None

    @property
    def kind(self) -> str:
        return self.function or self.type


class DropoutLayer(_Layer):
    """torch.nn.Dropout: no parameters, shape unchanged."""

    type: Literal["dropout"] = "dropout"
    p: float = 0.5


class FlattenLayer(_Layer):
    """torch.flatten(x, 1): ``(C, H, W) -> (C*H*W,)``."""

    type: Literal["flatten"] = "flatten"


class LinearLayer(_Layer):
    """torch.nn.Linear on a flat ``(F,)`` input; ``in_features`` left out: taken from it."""

    type: Literal["linear"] = "linear"
    in_features: StrictInt | None = Field(None, validation_alias=_alias("in_features", "in"))
    out_features: StrictInt = Field(validation_alias=_alias("out_features", "out"))
    bias: StrictBool = True


class AddLayer(_Layer):
    """Element-wise sum of 2+ inputs of identical shape (a residual connection)."""

    type: Literal["add"] = "add"


class ConcatLayer(_Layer):
    """torch.cat(dim=1) of 2+ inputs: channels add up, ``H`` and ``W`` must match."""

    type: Literal["concat"] = "concat"


AnyLayer = Annotated[
    InputLayer | Conv2dLayer | MaxPool2dLayer | AvgPool2dLayer | AdaptiveAvgPool2dLayer
    | BatchNorm2dLayer | ActivationLayer | DropoutLayer | FlattenLayer | LinearLayer
    | AddLayer | ConcatLayer,
    Field(discriminator="type"),
]

LAYER_TYPES: dict[str, type[_Layer]] = {
    "input": InputLayer,
    "conv2d": Conv2dLayer,
    "maxpool2d": MaxPool2dLayer,
    "avgpool2d": AvgPool2dLayer,
    "adaptive_avg_pool2d": AdaptiveAvgPool2dLayer,
    "batchnorm2d": BatchNorm2dLayer,
    "relu": ActivationLayer,
    "relu6": ActivationLayer,
    "activation": ActivationLayer,
    "dropout": DropoutLayer,
    "flatten": FlattenLayer,
    "linear": LinearLayer,
    "add": AddLayer,
    "concat": ConcatLayer,
}
"""Every ``type`` value and the model class that holds it."""

_MERGES = ("add", "concat")


class Network(Model):
    """A named DAG of layers in a topological order (each layer reads earlier ones only)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = "network"
    input_shape: tuple[StrictInt, ...] | None = Field(
        None, validation_alias=_alias("input_shape", "input"))
    """``(C, H, W)`` or ``(F,)``; :func:`analyze` defaults to ``(3, 224, 224)``."""
    layers: list[AnyLayer]
    locations: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)
    """Layer name -> ``path:line`` of its definition (set by the spec loader)."""

    @model_validator(mode="after")
    def _fill_defaults(self) -> Network:
        """Add the implicit input layer, name unnamed layers, link unlinked ones to the previous.

        Cannot fail: the graph rules are checked by :meth:`check`.
        """
        # copies: a layer object given to two networks is named and linked in each
        self.layers = [layer.model_copy() for layer in self.layers]
        if not any(isinstance(layer, InputLayer) for layer in self.layers):
            self.layers.insert(0, InputLayer(name="input"))
        taken = {layer.name for layer in self.layers if layer.name}
        counters: dict[str, int] = {}
        for index, layer in enumerate(self.layers):
            if not layer.name:
                base = layer.kind
                while True:
                    counters[base] = counters.get(base, 0) + 1
                    candidate = f"{base}_{counters[base]}"
                    if candidate not in taken:
                        break
                layer.name = candidate
                taken.add(candidate)
            if (not layer.inputs and index > 0 and not isinstance(layer, InputLayer)
                    and layer.type not in _MERGES):
                layer.inputs = [self.layers[index - 1].name]
        return self

    def location(self, name: str) -> str | None:
        """``path:line`` where layer ``name`` is defined, if known."""
        return self.locations.get(name)

    def error(self, layer: _Layer, message: str) -> NetworkError:
        """A :class:`NetworkError` about ``layer``, with its location when known."""
        return NetworkError(message, layer=layer.name, layer_type=layer.kind,
                            location=self.location(layer.name))

    def check(self) -> None:
        """Raise :class:`NetworkError` unless the graph is well formed.

        One ``input`` layer, first; unique names; inputs name earlier layers; ``add`` and
        ``concat`` take 2+ distinct inputs, every other layer exactly one.
        """
        for index, layer in enumerate(self.layers):
            if isinstance(layer, InputLayer) and index != 0:
                raise self.error(layer, "a network has one input layer, and it comes first")
        seen: set[str] = set()
        for index, layer in enumerate(self.layers):
            if layer.name in seen:
                first = self.location(layer.name)
                where = f" (first defined at {first})" if first else ""
                raise self.error(layer, f"duplicate layer name {layer.name!r}{where}")
            if isinstance(layer, InputLayer):
                if layer.inputs:
                    raise self.error(layer, "an input layer takes no inputs")
            else:
                for ref in layer.inputs:
                    if ref not in seen:
                        later = any(other.name == ref for other in self.layers[index:])
                        why = ("is defined later: a layer may only read earlier layers"
                               if later else "is not defined")
                        raise self.error(layer, f"input {ref!r} {why}")
                if layer.type in _MERGES:
                    if len(layer.inputs) < 2:
                        raise self.error(layer, f"{layer.type} needs at least 2 inputs, got "
                                                f"{len(layer.inputs)}: give them as inputs: [a, b]")
                    if len(set(layer.inputs)) != len(layer.inputs):
                        raise self.error(layer, f"inputs {layer.inputs} name a layer twice")
                elif len(layer.inputs) != 1:
                    raise self.error(layer, f"takes exactly one input, got {layer.inputs}")
            seen.add(layer.name)
        if len(self.layers) < 2:
            raise NetworkError(f"network {self.name!r} has no layers")

    @property
    def output(self) -> str:
        """Name of the output layer: the last one in the list."""
        return self.layers[-1].name

    def __getitem__(self, name: str) -> _Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)
