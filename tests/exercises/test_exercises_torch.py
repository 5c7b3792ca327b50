"""Each family's expected answers against PyTorch itself, on 200 generated instances per family.

Skipped when torch is not importable, except under CI=true, where a missing torch FAILS.
torch is the oracle here only: the exercises never import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tests.helpers import require_torch
from trainer.exercises.base import Instance
from trainer.exercises.families import FAMILIES

N_INSTANCES = 200




def _instances(name: str) -> list[Instance]:
    family = FAMILIES[name]
    return [family.generate(1 + seed % 3, seed) for seed in range(N_INSTANCES)]


def _t(torch: Any, value: Any, grad: bool = False) -> Any:
    return torch.tensor(np.asarray(value, dtype=np.float64), requires_grad=grad)


def _maxpool_backward(torch: Any, p: dict[str, Any]) -> Any:
    x = _t(torch, p["x"], grad=True)
    y = torch.nn.functional.max_pool2d(x[None, None], p["kernel"], p["stride"], p["padding"])
    y.backward(_t(torch, p["grad"])[None, None])
    return x.grad.numpy()


def _avgpool_backward(torch: Any, p: dict[str, Any]) -> Any:
    x = torch.zeros(p["input_size"], dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.avg_pool2d(x[None, None], p["kernel"], p["stride"], p["padding"],
                                       ceil_mode=p["ceil_mode"],
                                       count_include_pad=p["count_include_pad"])
    y.backward(_t(torch, p["grad"])[None, None])
    return x.grad.numpy()


def _upsample(torch: Any, p: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {"mode": p["mode"]}
    if "size" in p:
        kwargs["size"] = tuple(p["size"])
    else:
        kwargs["scale_factor"] = p["scale_factor"]
    if p["mode"] == "bilinear":
        kwargs["align_corners"] = p["align_corners"]
    x = _t(torch, p["x"])[None, None]
    return torch.nn.functional.interpolate(x, **kwargs)[0, 0].numpy()


def _batchnorm(torch: Any, p: dict[str, Any]) -> float:
    x = _t(torch, p["x"])[:, :, None, None]
    c = x.shape[1]
    bn = torch.nn.BatchNorm2d(c, eps=1e-5, momentum=0.1).double()
    with torch.no_grad():
        bn.weight.copy_(_t(torch, p.get("gamma", [1.0] * c)))
        bn.bias.copy_(_t(torch, p.get("beta", [0.0] * c)))
        bn.running_mean.copy_(_t(torch, p.get("running_mean", [0.0] * c)))
        bn.running_var.copy_(_t(torch, p.get("running_var", [1.0] * c)))
        bn.train(p["mode"] == "train")
        y = bn(x)
    n, ch = p["index"]
    if p["ask"] == "running_var":
        return float(bn.running_var[ch])
    if p["ask"] == "running_mean":
        return float(bn.running_mean[ch])
    return float(y[n, ch, 0, 0])


def _tconv_values(torch: Any, p: dict[str, Any]) -> Any:
    y = torch.nn.functional.conv_transpose2d(
        _t(torch, p["x"])[None, None], _t(torch, p["weight"])[None, None], stride=p["stride"],
        padding=p["padding"], output_padding=p["output_padding"])
    return y[0, 0].numpy()


def _conv_output_size(torch: Any, p: dict[str, Any]) -> list[int]:
    nn = torch.nn
    if p["layer"] == "conv":
        layer = nn.Conv2d(1, 1, p["kernel"], p["stride"], p["padding"], p["dilation"])
    elif p["layer"] == "maxpool":
        layer = nn.MaxPool2d(p["kernel"], p["stride"], p["padding"], p["dilation"],
                             ceil_mode=p["ceil_mode"])
    else:
        layer = nn.AvgPool2d(p["kernel"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"])
    with torch.no_grad():
        return list(layer(torch.zeros(1, 1, *p["input"])).shape[2:])


def _tconv_size(torch: Any, p: dict[str, Any]) -> list[int]:
    layer = torch.nn.ConvTranspose2d(1, 1, p["kernel"], p["stride"], p["padding"],
                                     p["output_padding"], dilation=p["dilation"])
    with torch.no_grad():
        return list(layer(torch.zeros(1, 1, *p["input"])).shape[2:])


def _receptive_field(torch: Any, p: dict[str, Any]) -> int:
    """Measured: the input span with a non-zero gradient for the central output unit (1-D,
    all-one weights; pools measured as average pools, whose gradient covers the window)."""
    nn = torch.nn
    layers = []
    for spec in p["layers"]:
        if spec["type"] == "conv":
            conv = nn.Conv1d(1, 1, spec["k"], spec["s"], spec["p"], spec["d"], bias=False).double()
            nn.init.ones_(conv.weight)
            layers.append(conv)
        else:
            layers.append(nn.AvgPool1d(spec["k"], spec["s"], spec["p"]))
    size = 1024
    x = torch.zeros(1, 1, size, dtype=torch.float64, requires_grad=True)
    y = nn.Sequential(*layers)(x)
    y[0, 0, y.shape[-1] // 2].backward()
    hit = torch.nonzero(x.grad[0, 0]).flatten()
    assert hit.min() > 0 and hit.max() < size - 1, "clipped by the border: enlarge the input"
    return int(hit.max() - hit.min() + 1)


def _meta_params(torch: Any, *modules: Any) -> int:
    return sum(param.numel() for m in modules for param in m.parameters())


def _conv_params(torch: Any, p: dict[str, Any]) -> int:
    return _meta_params(torch, torch.nn.Conv2d(p["in"], p["out"], p["kernel"],
                                               groups=p["groups"], bias=p["bias"],
                                               device="meta"))


def _conv_macs(torch: Any, p: dict[str, Any]) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    conv = torch.nn.Conv2d(p["in"], p["out"], p["kernel"], p["stride"], p["padding"],
                           groups=p["groups"], device="meta")
    with FlopCounterMode(display=False) as counter:
        conv(torch.empty(1, p["in"], *p["input"], device="meta"))
    flops = counter.get_total_flops()  # FlopCounterMode reports 2 * MACs
    return flops if p["flops"] else flops // 2


def _separable(torch: Any, p: dict[str, Any]) -> float:
    nn = torch.nn
    cin, cout, k = p["in"], p["out"], p["k"]
    standard = _meta_params(torch, nn.Conv2d(cin, cout, k, bias=False, device="meta"))
    separable = _meta_params(torch, nn.Conv2d(cin, cin, k, groups=cin, bias=False,
                                              device="meta"),
                             nn.Conv2d(cin, cout, 1, bias=False, device="meta"))
    return {"separable": separable, "saved": standard - separable,
            "ratio": separable / standard}[p["ask"]]


def _add_vs_concat(torch: Any, p: dict[str, Any]) -> Any:
    maps = [torch.empty(1, *m, device="meta") for m in p["maps"]]
    if p["ask"] == "add":
        return list((maps[0] + maps[1]).shape[1:])
    cat = torch.cat(maps, dim=1)
    if p["ask"] == "concat":
        return list(cat.shape[1:])
    return _meta_params(torch, torch.nn.Conv2d(cat.shape[1], p["out"], p["k"], bias=p["bias"],
                                               device="meta"))


def _scaling(torch: Any, p: dict[str, Any]) -> float:
    x = _t(torch, p["x"])
    if p["method"] == "minmax":
        lo, hi = p["range"]
        y = (x - x.min()) / (x.max() - x.min()) * (hi - lo) + lo
    else:
        y = (x - x.mean()) / x.std(unbiased=False)
    return float(y[p["index"]])


ORACLES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "conv-output-size": _conv_output_size,
    "transposed-conv-output-size": _tconv_size,
    "receptive-field": _receptive_field,
    "conv-params": _conv_params,
    "conv-macs": _conv_macs,
    "separable-vs-standard": _separable,
    "maxpool-backward": _maxpool_backward,
    "avgpool-backward": _avgpool_backward,
    "batchnorm-forward": _batchnorm,
    "minmax-zscore": _scaling,
    "upsample-values": _upsample,
    "add-vs-concat": _add_vs_concat,
    "transposed-conv-values": _tconv_values,
}


# Families whose torch oracles live in test_exercises_torch_transformer.py (it checks them).
ELSEWHERE = {"attention-values", "mha-params", "transformer-layer-params", "layernorm-rmsnorm",
             "cross-entropy-grad", "kv-cache-bytes", "positional-encoding", "top-k-top-p"}
# ... and in test_exercises_torch_training.py (optimizers, init, RNNs, detection, memory).
ELSEWHERE |= {"optimizer-step", "lr-schedule", "init-bounds", "rnn-params", "iou-nms",
              "conv-backward", "training-memory"}


def test_every_family_has_a_torch_oracle() -> None:
    assert set(ORACLES) | ELSEWHERE == set(FAMILIES)


@pytest.mark.parametrize("name", list(ORACLES))
def test_expected_answers_match_torch(name: str) -> None:
    torch = require_torch()  # in the body: under CI=true a missing torch is a failure
    failures = []
    for inst in _instances(name):
        got = ORACLES[name](torch, inst.params)
        want = inst.expected.value
        if inst.expected.kind in ("integer", "shape"):
            ok = want == got
        else:
            ok = np.allclose(np.asarray(want, dtype=float), np.asarray(got, dtype=float),
                             rtol=1e-9, atol=1e-9)
        if not ok:
            failures.append(f"seed {inst.seed} (level {inst.level}): expected {want}, "
                            f"torch {got}, params {inst.params}")
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:5])
