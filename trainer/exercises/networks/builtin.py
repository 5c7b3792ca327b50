"""Built-in networks, layer for layer as torchvision defines them (torchvision.models, v0.2x).

Layer names follow torchvision's module names (``features.0``, ``layer1.0.conv1``,
``layer1.0.downsample.0``, ``classifier.1``), so a row can be matched with
``model.named_modules()``; operations done in ``forward`` rather than by a module get
descriptive names (``flatten``, ``layer1.0.add``, ``features.2.add``).  Input 3x224x224.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import NetworkError
from .network import (
    ActivationLayer,
    AdaptiveAvgPool2dLayer,
    AddLayer,
    BatchNorm2dLayer,
    Conv2dLayer,
    DropoutLayer,
    FlattenLayer,
    LinearLayer,
    MaxPool2dLayer,
    Network,
)

__all__ = ["BUILTIN_NETWORKS", "alexnet", "builtin_network", "mobilenet_v2", "resnet18",
           "resnet50", "vgg16"]

_INPUT = (3, 224, 224)


class _Builder:
    """Appends layers; each returns its name, ``src`` defaults to the previous layer."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.layers: list[Any] = []

    def _add(self, layer: Any) -> str:
        self.layers.append(layer)
        return layer.name

    @staticmethod
    def _inputs(src: str | None) -> list[str]:
        return [] if src is None else [src]

    def conv(self, name: str, cin: int, cout: int, k: int, s: int = 1, p: int = 0, *,
             groups: int = 1, bias: bool = True, src: str | None = None) -> str:
        return self._add(Conv2dLayer(name=name, inputs=self._inputs(src), in_channels=cin,
                                     out_channels=cout, kernel_size=k, stride=s, padding=p,
                                     groups=groups, bias=bias))

    def bn(self, name: str, c: int) -> str:
        return self._add(BatchNorm2dLayer(name=name, num_features=c))

    def act(self, name: str, kind: str = "relu") -> str:
        return self._add(ActivationLayer(name=name, type=kind))

    def maxpool(self, name: str, k: int, s: int, p: int = 0) -> str:
        return self._add(MaxPool2dLayer(name=name, kernel_size=k, stride=s, padding=p))

    def adaptive(self, name: str, size: int) -> str:
        return self._add(AdaptiveAvgPool2dLayer(name=name, output_size=size))

    def flatten(self) -> str:
        return self._add(FlattenLayer(name="flatten"))

    def dropout(self, name: str, p: float = 0.5) -> str:
        return self._add(DropoutLayer(name=name, p=p))

    def linear(self, name: str, fin: int, fout: int) -> str:
        return self._add(LinearLayer(name=name, in_features=fin, out_features=fout))

    def add(self, name: str, a: str, b: str) -> str:
        return self._add(AddLayer(name=name, inputs=[a, b]))

    def build(self) -> Network:
        return Network(name=self.name, input_shape=_INPUT, layers=self.layers)


def alexnet() -> Network:
    """torchvision AlexNet (the "one weird trick" variant): 61,100,840 parameters."""
    b = _Builder("alexnet")
    convs = [(3, 64, 11, 4, 2), (64, 192, 5, 1, 2), (192, 384, 3, 1, 1),
             (384, 256, 3, 1, 1), (256, 256, 3, 1, 1)]
    i = 0
    for n, (cin, cout, k, s, p) in enumerate(convs):
        b.conv(f"features.{i}", cin, cout, k, s, p)
        b.act(f"features.{i + 1}")
        i += 2
        if n in (0, 1, 4):
            b.maxpool(f"features.{i}", 3, 2)
            i += 1
    b.adaptive("avgpool", 6)
    b.flatten()
    b.dropout("classifier.0")
    b.linear("classifier.1", 256 * 6 * 6, 4096)
    b.act("classifier.2")
    b.dropout("classifier.3")
    b.linear("classifier.4", 4096, 4096)
    b.act("classifier.5")
    b.linear("classifier.6", 4096, 1000)
    return b.build()


_VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"]  # torchvision cfgs["D"]


def vgg16() -> Network:
    """torchvision VGG-16 (configuration D, no batch norm): 138,357,544 parameters."""
    b = _Builder("vgg16")
    cin, i = 3, 0
    for v in _VGG16:
        if v == "M":
            b.maxpool(f"features.{i}", 2, 2)
            i += 1
        else:
            assert isinstance(v, int)
            b.conv(f"features.{i}", cin, v, 3, 1, 1)
            b.act(f"features.{i + 1}")
            cin, i = v, i + 2
    b.adaptive("avgpool", 7)
    b.flatten()
    b.linear("classifier.0", 512 * 7 * 7, 4096)
    b.act("classifier.1")
    b.dropout("classifier.2")
    b.linear("classifier.3", 4096, 4096)
    b.act("classifier.4")
    b.dropout("classifier.5")
    b.linear("classifier.6", 4096, 1000)
    return b.build()


def _basic_block(b: _Builder, prefix: str, cin: int, planes: int, stride: int) -> int:
    """torchvision BasicBlock: 3x3 (stride) - BN - ReLU - 3x3 - BN, + identity, ReLU."""
    x = b.layers[-1].name
    b.conv(f"{prefix}.conv1", cin, planes, 3, stride, 1, bias=False)
    b.bn(f"{prefix}.bn1", planes)
    b.act(f"{prefix}.relu1")
    b.conv(f"{prefix}.conv2", planes, planes, 3, 1, 1, bias=False)
    out = b.bn(f"{prefix}.bn2", planes)
    identity = x
    if stride != 1 or cin != planes:
        b.conv(f"{prefix}.downsample.0", cin, planes, 1, stride, bias=False, src=x)
        identity = b.bn(f"{prefix}.downsample.1", planes)
    b.add(f"{prefix}.add", out, identity)
    b.act(f"{prefix}.relu2")
    return planes


def _bottleneck(b: _Builder, prefix: str, cin: int, planes: int, stride: int) -> int:
    """torchvision Bottleneck (ResNet v1.5: the stride on the 3x3): 1x1 - 3x3 - 1x1 (x4)."""
    x = b.layers[-1].name
    width, cout = planes, planes * 4
    b.conv(f"{prefix}.conv1", cin, width, 1, bias=False)
    b.bn(f"{prefix}.bn1", width)
    b.act(f"{prefix}.relu1")
    b.conv(f"{prefix}.conv2", width, width, 3, stride, 1, bias=False)
    b.bn(f"{prefix}.bn2", width)
    b.act(f"{prefix}.relu2")
    b.conv(f"{prefix}.conv3", width, cout, 1, bias=False)
    out = b.bn(f"{prefix}.bn3", cout)
    identity = x
    if stride != 1 or cin != cout:
        b.conv(f"{prefix}.downsample.0", cin, cout, 1, stride, bias=False, src=x)
        identity = b.bn(f"{prefix}.downsample.1", cout)
    b.add(f"{prefix}.add", out, identity)
    b.act(f"{prefix}.relu3")
    return cout


def _resnet(name: str, block: Callable[[_Builder, str, int, int, int], int],
            counts: list[int]) -> Network:
    b = _Builder(name)
    b.conv("conv1", 3, 64, 7, 2, 3, bias=False)
    b.bn("bn1", 64)
    b.act("relu")
    b.maxpool("maxpool", 3, 2, 1)
    cin = 64
    for stage, (planes, count) in enumerate(zip([64, 128, 256, 512], counts, strict=True)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            cin = block(b, f"layer{stage + 1}.{i}", cin, planes, stride)
    b.adaptive("avgpool", 1)
    b.flatten()
    b.linear("fc", cin, 1000)
    return b.build()


def resnet18() -> Network:
    """torchvision ResNet-18 (BasicBlock x [2, 2, 2, 2]): 11,689,512 parameters."""
    return _resnet("resnet18", _basic_block, [2, 2, 2, 2])


def resnet50() -> Network:
    """torchvision ResNet-50 (Bottleneck x [3, 4, 6, 3], v1.5): 25,557,032 parameters."""
    return _resnet("resnet50", _bottleneck, [3, 4, 6, 3])


# torchvision MobileNetV2 inverted_residual_setting: t (expansion), c, n (repeats), s
_MOBILENET_V2 = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                 (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def _conv_bn_relu6(b: _Builder, prefix: str, cin: int, cout: int, k: int, s: int = 1,
                   groups: int = 1) -> str:
    """torchvision Conv2dNormActivation(norm=BatchNorm2d, activation=ReLU6): pad (k-1)/2."""
    b.conv(f"{prefix}.0", cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False)
    b.bn(f"{prefix}.1", cout)
    return b.act(f"{prefix}.2", "relu6")


def mobilenet_v2() -> Network:
    """torchvision MobileNetV2 (width 1.0): 3,504,872 parameters."""
    b = _Builder("mobilenet_v2")
    cin = 32
    _conv_bn_relu6(b, "features.0", 3, cin, 3, 2)
    index = 1
    for t, c, n, s in _MOBILENET_V2:
        for i in range(n):
            stride = s if i == 0 else 1
            prefix = f"features.{index}.conv"
            x = b.layers[-1].name
            hidden = cin * t
            j = 0
            if t != 1:
                _conv_bn_relu6(b, f"{prefix}.0", cin, hidden, 1)
                j = 1
            _conv_bn_relu6(b, f"{prefix}.{j}", hidden, hidden, 3, stride, groups=hidden)
            b.conv(f"{prefix}.{j + 1}", hidden, c, 1, bias=False)
            out = b.bn(f"{prefix}.{j + 2}", c)
            if stride == 1 and cin == c:
                b.add(f"features.{index}.add", out, x)
            cin, index = c, index + 1
    _conv_bn_relu6(b, f"features.{index}", cin, 1280, 1)
    b.adaptive("avgpool", 1)  # forward: nn.functional.adaptive_avg_pool2d(x, (1, 1))
    b.flatten()
    b.dropout("classifier.0", 0.2)
    b.linear("classifier.1", 1280, 1000)
    return b.build()


BUILTIN_NETWORKS: dict[str, Callable[[], Network]] = {
    "alexnet": alexnet,
    "vgg16": vgg16,
    "resnet18": resnet18,
    "resnet50": resnet50,
    "mobilenet_v2": mobilenet_v2,
}
"""Name -> builder of every built-in network (input 3x224x224)."""


def builtin_network(name: str) -> Network:
    """The built-in network ``name`` (``-`` and case ignored: ``MobileNet-V2`` works)."""
    key = name.strip().lower().replace("-", "_")
    aliases = {"vgg_16": "vgg16", "resnet_18": "resnet18", "resnet_50": "resnet50",
               "mobilenetv2": "mobilenet_v2"}
    key = aliases.get(key, key)
    if key not in BUILTIN_NETWORKS:
        raise NetworkError(f"unknown network {name!r}; built-in networks: "
                           + ", ".join(BUILTIN_NETWORKS))
    return BUILTIN_NETWORKS[key]()
