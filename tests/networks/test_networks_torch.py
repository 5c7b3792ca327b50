"""The network analysis against PyTorch itself (torch==2.13.0, CPU).

* The five built-in nets against the same nets built here with ``torch.nn`` from
  torchvision's definitions (torchvision itself is not installed): output shape of every
  module, parameters of every module, total parameters, and conv/linear FLOPs per module
  from ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs = 2 * MACs).
* The receptive field through a DAG against the gradient footprint of a central output
  unit (all-ones weights and input, so nothing cancels).

Skipped without torch, except under CI=true, where a missing torch FAILS these tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from trainer.exercises.networks import (
    AvgPool2dLayer,
    Network,
    analyze,
    builtin_network,
    load_spec,
    parse_spec,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "networks"
TORCH_VERSION = "2.13.0"


def require_torch() -> Any:
    """torch, or skip (FAIL under CI=true) when it cannot be imported."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the machine
        message = (f"torch is not importable ({exc}): the network oracle tests need "
                   f"torch=={TORCH_VERSION} (pip install torch=={TORCH_VERSION})")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: torch must be installed. {message}", pytrace=False)
        pytest.skip(message)
    return torch


# --- torchvision's definitions, written out by hand --------------------------------------

def torchvision_models(torch: Any) -> dict[str, Any]:
    """Constructors of alexnet, vgg16, resnet18, resnet50, mobilenet_v2 (torchvision 0.2x)."""
    nn = torch.nn

    class AlexNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2),
            )
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(
                nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
                nn.Dropout(p=0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
                nn.Linear(4096, 1000),
            )

        def forward(self, x: Any) -> Any:
            x = self.avgpool(self.features(x))
            return self.classifier(torch.flatten(x, 1))

    class VGG(nn.Module):
        def __init__(self, cfg: list[Any]) -> None:
            super().__init__()
            layers: list[Any] = []
            cin = 3
            for v in cfg:
                if v == "M":
                    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                else:
                    layers += [nn.Conv2d(cin, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                    cin = v
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            self.classifier = nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=0.5),
                nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=0.5), nn.Linear(4096, 1000),
            )

        def forward(self, x: Any) -> Any:
            x = self.avgpool(self.features(x))
            return self.classifier(torch.flatten(x, 1))

    def conv3x3(cin: int, cout: int, stride: int = 1) -> Any:
        return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)

    def conv1x1(cin: int, cout: int, stride: int = 1) -> Any:
        return nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False)

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inplanes: int, planes: int, stride: int = 1,
                     downsample: Any = None) -> None:
            super().__init__()
            self.conv1 = conv3x3(inplanes, planes, stride)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = conv3x3(planes, planes)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = downsample

        def forward(self, x: Any) -> Any:
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            return self.relu(out + identity)

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, inplanes: int, planes: int, stride: int = 1,
                     downsample: Any = None) -> None:
            super().__init__()
            width = planes
            self.conv1 = conv1x1(inplanes, width)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = conv3x3(width, width, stride)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = conv1x1(width, planes * self.expansion)
            self.bn3 = nn.BatchNorm2d(planes * self.expansion)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x: Any) -> Any:
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            return self.relu(out + identity)

    class ResNet(nn.Module):
        def __init__(self, block: Any, layers: list[int]) -> None:
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(block, 64, layers[0])
            self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
            self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
            self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512 * block.expansion, 1000)

        def _make_layer(self, block: Any, planes: int, blocks: int, stride: int = 1) -> Any:
            downsample = None
            if stride != 1 or self.inplanes != planes * block.expansion:
                downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion,
                                                   stride),
                                           nn.BatchNorm2d(planes * block.expansion))
            layers = [block(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes * block.expansion
            layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
            return nn.Sequential(*layers)

        def forward(self, x: Any) -> Any:
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    def conv_bn_relu6(cin: int, cout: int, k: int = 3, stride: int = 1,
                      groups: int = 1) -> Any:  # Conv2dNormActivation(activation=ReLU6)
        return nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups,
                                       bias=False),
                             nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))

    class InvertedResidual(nn.Module):
        def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int) -> None:
            super().__init__()
            hidden = int(round(inp * expand_ratio))
            self.use_res_connect = stride == 1 and inp == oup
            layers: list[Any] = []
            if expand_ratio != 1:
                layers.append(conv_bn_relu6(inp, hidden, k=1))
            layers += [conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
                       nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]
            self.conv = nn.Sequential(*layers)

        def forward(self, x: Any) -> Any:
            return x + self.conv(x) if self.use_res_connect else self.conv(x)

    class MobileNetV2(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2],
                       [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
            cin = 32
            features = [conv_bn_relu6(3, cin, stride=2)]
            for t, c, n, s in setting:
                for i in range(n):
                    features.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                    cin = c
            features.append(conv_bn_relu6(cin, 1280, k=1))
            self.features = nn.Sequential(*features)
            self.classifier = nn.Sequential(nn.Dropout(p=0.2), nn.Linear(1280, 1000))

        def forward(self, x: Any) -> Any:
            x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
            return self.classifier(torch.flatten(x, 1))

    vgg16_cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                 512, 512, 512, "M"]
    return {
        "alexnet": AlexNet,
        "vgg16": lambda: VGG(vgg16_cfg),
        "resnet18": lambda: ResNet(BasicBlock, [2, 2, 2, 2]),
        "resnet50": lambda: ResNet(Bottleneck, [3, 4, 6, 3]),
        "mobilenet_v2": MobileNetV2,
    }


# --- one forward pass per net, shared by the tests ---------------------------------------

_TRACES: dict[str, dict[str, Any]] = {}


def trace(name: str) -> dict[str, Any]:
    """Per-module output shapes, calls, own parameters and FLOPs of the torch reference."""
    torch = require_torch()
    if name in _TRACES:
        return _TRACES[name]
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):  # no weight initialisation: values do not matter here
        model = torchvision_models(torch)[name]()
    model = model.to_empty(device="cpu").eval()
    shapes: dict[str, list[tuple[int, ...]]] = {}
    handles = []
    for mod_name, module in model.named_modules():
        if not mod_name:
            continue

        def hook(_m: Any, _i: Any, out: Any, key: str = mod_name) -> None:
            shapes.setdefault(key, []).append(tuple(out.shape[1:]))

        handles.append(module.register_forward_hook(hook))
    params = {mod_name: sum(p.numel() for p in module.parameters(recurse=False))
              for mod_name, module in model.named_modules() if mod_name}
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        out = model(torch.zeros(1, 3, 224, 224))
    for handle in handles:
        handle.remove()
    root = type(model).__name__
    flops = {key.removeprefix(root + "."): sum(ops.values())
             for key, ops in counter.get_flop_counts().items()}
    result = {"shapes": shapes, "params": params, "flops": flops,
              "total_flops": counter.get_total_flops(),
              "total_params": sum(p.numel() for p in model.parameters()),
              "output": tuple(out.shape[1:]),
              "leaves": {n for n, m in model.named_modules() if n and not list(m.children())}}
    _TRACES[name] = result
    return result


NETS = ["alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2"]


@pytest.mark.parametrize("name", NETS)
def test_builtin_matches_torch_layer_by_layer(name: str) -> None:
    ref = trace(name)
    analysis = analyze(builtin_network(name))
    rows = {row.name: row for row in analysis.layers}
    assert analysis.total_params == ref["total_params"]
    assert analysis.output_shape == ref["output"]
    # every torch module with parameters is a row with the same parameter count
    with_params = {n for n, p in ref["params"].items() if p}
    assert with_params <= set(rows), sorted(with_params - set(rows))
    for module in with_params:
        assert rows[module].params == ref["params"][module], module
    assert {r.name for r in analysis.layers if r.params} == with_params
    # every module called once that has a row: same output shape
    compared = 0
    for module, calls in ref["shapes"].items():
        if module in rows and len(calls) == 1:
            assert rows[module].output_shape == calls[0], module
            compared += 1
    assert compared >= len(ref["leaves"]) // 2
    # every container (block, stage, Sequential): its output is its last row's output
    order = [row.name for row in analysis.layers]
    for module, calls in ref["shapes"].items():
        inside = [n for n in order if n.startswith(module + ".")]
        if inside and len(calls) == 1:
            assert rows[inside[-1]].output_shape == calls[0], module


@pytest.mark.parametrize("name", NETS)
def test_builtin_macs_match_flop_counter(name: str) -> None:
    ref = trace(name)
    analysis = analyze(builtin_network(name))
    assert analysis.total_flops == ref["total_flops"] == 2 * analysis.total_macs
    for row in analysis.layers:
        if row.type in ("conv2d", "linear"):
            assert 2 * row.macs == ref["flops"][row.name], row.name
        else:
            assert row.macs == 0


# --- receptive field through a DAG, against the gradient footprint ------------------------

def torch_interpreter(torch: Any, network: Network) -> Any:
    """A torch module computing every node of ``network``, for gradient footprints.

    All weights 1, biases 0; max pooling becomes average pooling over the same windows (a
    max sends its gradient to one element only), batch norm and dropout become identity.
    """
    nn = torch.nn

    def module(layer: Any) -> Any:
        if layer.type == "conv2d":
            return nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                             layer.stride, layer.padding, layer.dilation, layer.groups,
                             layer.bias)
        if layer.type in ("maxpool2d", "avgpool2d"):
            assert getattr(layer, "dilation", (1, 1)) == (1, 1)
            return nn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode)
        if layer.type == "adaptive_avg_pool2d":
            return nn.AdaptiveAvgPool2d(layer.output_size)
        if layer.type in ("relu", "relu6", "activation"):
            return nn.ReLU()
        if layer.type == "flatten":
            return nn.Flatten()
        if layer.type == "linear":
            return nn.Linear(layer.in_features, layer.out_features, layer.bias)
        return nn.Identity()  # input, batchnorm2d, dropout; add/concat handled in forward

    class Interpreter(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ops = nn.ModuleDict({str(i): module(layer)
                                      for i, layer in enumerate(network.layers)})

        def forward(self, x: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for i, layer in enumerate(network.layers):
                args = [out[name] for name in layer.inputs] or [x]
                if layer.type == "add":
                    out[layer.name] = sum(args[1:], args[0])
                elif layer.type == "concat":
                    out[layer.name] = torch.cat(args, dim=1)
                else:
                    out[layer.name] = self.ops[str(i)](args[0])
            return out

    model = Interpreter()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0 if p.ndim > 1 else 0.0)
    return model


def with_channels(network: Network, analysis: Any) -> Network:
    """The network with every in_channels / in_features filled in from the analysis."""
    shapes = {row.name: row.output_shape for row in analysis.layers}
    for layer in network.layers:
        if layer.type == "conv2d" and layer.in_channels is None:
            layer.in_channels = shapes[layer.inputs[0]][0]
        if layer.type == "linear" and layer.in_features is None:
            layer.in_features = shapes[layer.inputs[0]][0]
    return network


def footprints(network: Network) -> list[tuple[str, int, list[int], list[int]]]:
    """For every spatial node: (name, axis, expected [first, last], measured [first, last])."""
    torch = require_torch()
    analysis = analyze(network)
    model = torch_interpreter(torch, with_channels(network, analysis))
    results = []
    for row in analysis.layers:
        if row.receptive_field is None or row.type == "input":
            continue
        x = torch.ones((1, *analysis.input_shape), requires_grad=True)
        out = model(x)[row.name]
        units = [(n - 1) // 2 for n in row.output_shape[1:]]
        out[0, :, units[0], units[1]].sum().backward()
        grad = x.grad[0].abs().sum(dim=0)
        for axis in range(2):
            hit = torch.nonzero(grad.sum(dim=1 - axis)).flatten().tolist()
            size = analysis.input_shape[1 + axis]
            first = units[axis] * row.jump[axis] - row.effective_padding[axis]
            last = first + row.receptive_field[axis] - 1
            expected = [max(first, 0), min(last, size - 1)]
            results.append((row.name, axis, expected, [hit[0], hit[-1]]))
    return results


@pytest.mark.parametrize("spec", ["tiny_resnet.yaml", "inception_block.yaml",
                                  "aspp_separable.toml"])
def test_dag_receptive_field_matches_gradient_footprint(spec: str) -> None:
    results = footprints(load_spec(DATA / spec))
    assert len(results) >= 10
    wrong = [r for r in results if r[2] != r[3]]
    assert not wrong, wrong


def test_unclipped_footprint_is_the_whole_receptive_field() -> None:
    """On a big enough input the central unit's footprint spans exactly r pixels."""
    network = load_spec(DATA / "tiny_resnet.yaml")
    network.input_shape = (3, 48, 48)
    analysis = analyze(network)
    results = {(n, a): (e, m) for n, a, e, m in footprints(network)}
    for name in ("b1_add", "b2_add"):
        (first, last), measured = results[(name, 0)]
        assert last - first + 1 == analysis.layer(name).receptive_field[0] == \
            measured[1] - measured[0] + 1


UNALIGNED = """
name: unaligned
input: [1, 32, 32]
layers:
  - {type: input, name: x}
  - {type: conv2d, name: a, out: 1, kernel: 4, stride: 4}             # window [4u, 4u+3]
  - {type: conv2d, name: b, input: x, out: 1, kernel: 3, stride: 4, padding: 1}
  - {type: add, name: sum, inputs: [a, b]}                            # [4u-1, 4u+3]
  - {type: conv2d, name: after, out: 1, kernel: 3, padding: 1}
"""


def test_union_of_unaligned_branches_is_wider_than_either() -> None:
    network = parse_spec(UNALIGNED)
    analysis = analyze(network)
    a, b, merged = (analysis.layer(n) for n in ("a", "b", "sum"))
    assert (a.receptive_field, b.receptive_field) == ((4, 4), (3, 3))
    assert merged.receptive_field == (5, 5) and merged.effective_padding == (1, 1)
    assert analysis.layer("after").receptive_field == (13, 13)
    wrong = [r for r in footprints(network) if r[2] != r[3]]
    assert not wrong, wrong


def test_oracle_torch_matches_solver_sizes_for_odd_inputs() -> None:
    """Same shapes as torch on an input size that makes floor/ceil matter (227 and 193)."""
    torch = require_torch()
    for size in ((3, 227, 193), (3, 97, 64)):
        for spec in ("tiny_resnet.yaml", "aspp_separable.toml"):
            network = load_spec(DATA / spec)
            network.layers.insert(3, AvgPool2dLayer(name="odd", inputs=[network.layers[2].name],
                                                    kernel_size=3, stride=2, padding=1,
                                                    ceil_mode=True))
            network.layers[4].inputs = ["odd"]
            analysis = analyze(network, size)
            model = torch_interpreter(torch, with_channels(network, analysis))
            with torch.no_grad():
                outs = model(torch.ones(1, *size))
            for row in analysis.layers:
                assert tuple(outs[row.name].shape[1:]) == row.output_shape, (spec, row.name)
