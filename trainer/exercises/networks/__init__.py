"""Network analysis for ``trainer solve``: per-layer output shape, receptive field, effective
stride (jump) and padding, parameters and MACs, and the totals.

Pure Python on top of :mod:`trainer.exercises.solver` (every size, parameter, MAC and
receptive-field number comes from there); pydantic models, YAML/TOML spec files.

Typical use (what the CLI does)::

    from trainer.exercises.networks import analyze, format_table, resolve_network

    network = resolve_network("resnet18")          # a built-in name or a spec file path
    analysis = analyze(network)                    # input (3, 224, 224) unless the spec says
    print(format_table(analysis))                  # or analysis.rows(), analysis.to_json()

Modules: :mod:`.model` (layers and :class:`Network`), :mod:`.analysis` (:func:`analyze`),
:mod:`.spec` (spec files, ``docs/network-spec.md``), :mod:`.builtin` (torchvision nets),
:mod:`.render` (rows and text table), :mod:`.errors` (:class:`NetworkError`).
"""

from __future__ import annotations

from pathlib import Path

from .analysis import DEFAULT_INPUT_SHAPE, WHOLE_INPUT, Analysis, LayerAnalysis, analyze, rows
from .builtin import (
    BUILTIN_NETWORKS,
    alexnet,
    builtin_network,
    mobilenet_v2,
    resnet18,
    resnet50,
    vgg16,
)
from .errors import NetworkError
from .network import (
    LAYER_TYPES,
    ActivationLayer,
    AdaptiveAvgPool2dLayer,
    AddLayer,
    AnyLayer,
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
from .render import COLUMNS, format_table, human_count
from .spec import TYPE_ALIASES, dump_spec, load_spec, parse_spec, spec_data

__all__ = [
    "BUILTIN_NETWORKS",
    "COLUMNS",
    "DEFAULT_INPUT_SHAPE",
    "LAYER_TYPES",
    "TYPE_ALIASES",
    "WHOLE_INPUT",
    "ActivationLayer",
    "AdaptiveAvgPool2dLayer",
    "AddLayer",
    "Analysis",
    "AnyLayer",
    "AvgPool2dLayer",
    "BatchNorm2dLayer",
    "ConcatLayer",
    "Conv2dLayer",
    "DropoutLayer",
    "FlattenLayer",
    "InputLayer",
    "LayerAnalysis",
    "LinearLayer",
    "MaxPool2dLayer",
    "Network",
    "NetworkError",
    "alexnet",
    "analyze",
    "builtin_network",
    "dump_spec",
    "format_table",
    "human_count",
    "load_spec",
    "mobilenet_v2",
    "parse_spec",
    "resnet18",
    "resnet50",
    "resolve_network",
    "rows",
    "spec_data",
    "vgg16",
]


def resolve_network(name_or_path: str | Path) -> Network:
    """A built-in network by name (``resnet18``), else the spec file at that path.

    Raises :class:`NetworkError` when it is neither (listing the built-in names).
    """
    text = str(name_or_path)
    path = Path(text)
    if not isinstance(name_or_path, Path):
        key = text.strip().lower().replace("-", "_")
        if key in BUILTIN_NETWORKS or not (path.suffix or path.exists()):
            return builtin_network(text)
    return load_spec(path)
