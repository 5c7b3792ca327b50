"""The optimizer, schedule, init, RNN, detection, conv-backward and memory families against
PyTorch itself.

Each family's expected answers on 1,000 generated instances (levels 1..3 in turn) are
compared with torch: real optimizers and schedulers stepped, the scale torch's own
``nn.init`` code passes to its samplers, module parameter counts, autograd, and the bytes of
real tensors after an AdamW step.  The configurations the families refuse are checked to be
ones torch refuses.  Skipped when torch is not importable, except under CI=true, where a
missing torch FAILS.  torch is the oracle here only: the exercises never import it.

Detection: torchvision 0.28 (the build for torch 2.13) does not import on this machine (a
CUDA build), so IoU, GIoU and NMS are checked against a torch transcription of torchvision's
code (tests/solver/solver_cases_training.py), which the fixture tests share.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainer.exercises.families import FAMILIES
from trainer.exercises.solver import SolverError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "solver"))
import solver_cases_training as sct  # noqa: E402  (the shared torch references)

from tests.helpers import require_torch, torch_mismatches

N_INSTANCES = 1000
UNITS = {"GB": 10**9, "GiB": 2**30, "MB": 10**6, "MiB": 2**20}




def _t(torch: Any, value: Any) -> Any:
    return torch.tensor(np.asarray(value, dtype=np.float64), dtype=torch.float64)


# ------------------------------------------------------------------ oracles

def _optimizer(torch: Any, p: dict[str, Any]) -> Any:
    theta = _t(torch, p["param"]).requires_grad_(True)
    if p["optimizer"] == "sgd":
        opt = torch.optim.SGD([theta], lr=p["lr"], momentum=p.get("momentum", 0.0),
                              dampening=p.get("dampening", 0.0),
                              weight_decay=p.get("weight_decay", 0.0),
                              nesterov=p.get("nesterov", False))
    else:
        cls = torch.optim.AdamW if p["optimizer"] == "adamw" else torch.optim.Adam
        opt = cls([theta], lr=p["lr"], betas=tuple(p["betas"]), eps=p["eps"],
                  weight_decay=p["weight_decay"])
    for g in p["grads"]:
        theta.grad = _t(torch, g)
        opt.step()
    return [theta.detach().numpy()]


def _schedule(torch: Any, p: dict[str, Any]) -> float:
    lrs = torch.optim.lr_scheduler
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=p.get("base_lr", 0.1),
                          momentum=0.9)
    if p["schedule"] == "step":
        sched = lrs.StepLR(opt, step_size=p["step_size"], gamma=p["gamma"])
    elif p["schedule"] == "multistep":
        sched = lrs.MultiStepLR(opt, milestones=p["milestones"], gamma=p["gamma"])
    elif p["schedule"] == "warmup_cosine":
        warmup = lrs.LinearLR(opt, start_factor=p["start_factor"], total_iters=p["warmup"])
        cosine = lrs.CosineAnnealingLR(opt, T_max=p["t_max"], eta_min=p["eta_min"])
        sched = lrs.SequentialLR(opt, [warmup, cosine], milestones=[p["warmup"]])
    else:
        sched = lrs.OneCycleLR(opt, max_lr=p["max_lr"], total_steps=p["total_steps"])
    for _ in range(p["t"]):
        opt.step()
        sched.step()
    return sched.get_last_lr()[0]


def _init(torch: Any, p: dict[str, Any]) -> float:
    """The bound or std torch's own code hands to ``uniform_``/``normal_`` (meta tensors)."""
    nn = torch.nn
    layer: list[Any] = []

    def build() -> None:
        if p["layer"] == "linear":
            layer.append(nn.Linear(p["in"], p["out"], device="meta"))
        else:
            layer.append(nn.Conv2d(p["in"], p["out"], p["kernel"], groups=p.get("groups", 1),
                                   device="meta"))

    defaults = sct._captured_init(build)  # reset_parameters: [weight bound, bias bound]
    if p["init"] == "default":
        return defaults[0 if p["target"] == "weight" else 1]
    w = layer[0].weight
    if p["init"].startswith("xavier"):
        fn = getattr(nn.init, p["init"] + "_")
        seen = sct._captured_init(lambda: fn(w, gain=nn.init.calculate_gain(p["gain_of"])))
    else:
        fn = getattr(nn.init, p["init"] + "_")
        seen = sct._captured_init(lambda: fn(w, a=p.get("a", 0), mode=p["mode"],
                                             nonlinearity=p["nonlinearity"]))
    (scale,) = seen
    return scale


def _rnn(torch: Any, p: dict[str, Any]) -> int:
    cls = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[p["mode"]]
    kwargs = {"num_layers": p.get("num_layers", 1), "bias": p.get("bias", True),
              "bidirectional": p.get("bidirectional", False), "device": "meta"}
    if "proj_size" in p:
        kwargs["proj_size"] = p["proj_size"]
    return int(sum(q.numel() for q in cls(p["input_size"], p["hidden_size"],
                                          **kwargs).parameters()))


def _detection(torch: Any, p: dict[str, Any]) -> Any:
    boxes = _t(torch, p["boxes"])
    if p["ask"] == "nms":
        return [i + 1 for i in sct._tv_nms(boxes, _t(torch, p["scores"]), p["threshold"])]
    result = sct.torch_boxes({"boxes1": p["boxes"][:1], "boxes2": p["boxes"][1:],
                              "scores": [1.0], "threshold": 0.5})
    return float(result[p["ask"]][0, 0])


def _conv_backward(torch: Any, p: dict[str, Any]) -> Any:
    if p["ask"] == "dx":
        x = torch.zeros(p["input_size"], dtype=torch.float64, requires_grad=True)
        w = _t(torch, p["weight"]).requires_grad_(True)
    else:
        x = _t(torch, p["x"]).requires_grad_(True)
        w = torch.zeros(2, 2, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(x[None, None], w[None, None], stride=p["stride"],
                                   padding=p["padding"])
    y.backward(_t(torch, p["grad"])[None, None])
    return (x.grad if p["ask"] == "dx" else w.grad).numpy()


@functools.cache
def _measured_memory(key: str) -> tuple[int, ...]:
    measured = sct.torch_memory(json.loads(key))  # a meta model, one AdamW step, .nbytes
    return tuple(int(x) for x in measured["parts"])


def _memory(torch: Any, p: dict[str, Any]) -> float:
    cfg = {key: p[key] for key in ("precision", "widths", "bias", "n_params") if key in p}
    # many seeds repeat a model: measure each distinct one once
    weights, grads, master, m, v = _measured_memory(json.dumps(cfg, sort_keys=True))
    part = {"total": weights + grads + master + m + v, "optimizer": master + m + v,
            "weights_grads": weights + grads}[p["ask"]]
    return part / UNITS[p["unit"]]


ORACLES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "optimizer-step": _optimizer,
    "lr-schedule": _schedule,
    "init-bounds": _init,
    "rnn-params": _rnn,
    "iou-nms": _detection,
    "conv-backward": _conv_backward,
    "training-memory": _memory,
}


def test_these_families_exist_and_have_an_oracle() -> None:
    assert set(ORACLES) <= set(FAMILIES)
    assert len(ORACLES) == 7


@pytest.mark.parametrize("name", list(ORACLES))
def test_expected_answers_match_torch(name: str) -> None:
    torch = require_torch()  # in the body: under CI=true a missing torch is a failure
    failures = torch_mismatches(
        FAMILIES[name], ORACLES[name], torch, N_INSTANCES, atol=1e-12,
        exact=lambda inst: inst.expected.kind in ("integer", "shape", "sequence"))
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:5])


# ------------------------------------------------------------------ second checks

def test_sampled_init_weights_follow_the_asked_scale() -> None:
    """Real CPU samples: |w| stays within the uniform bound and nearly reaches it; a normal
    init's sample std is close to the asked std (loose, statistical tolerances)."""
    torch = require_torch()
    family = FAMILIES["init-bounds"]
    checked = 0
    for seed in range(300):
        inst = family.generate(1 + seed % 3, seed)
        p = inst.params
        size = p["in"] * p["out"] * (p.get("kernel", 1) ** 2) // p.get("groups", 1)
        if size > 300_000:
            continue  # big layers: sampling them costs more than it tells
        torch.manual_seed(seed)
        nn = torch.nn
        layer = nn.Linear(p["in"], p["out"]) if p["layer"] == "linear" else \
            nn.Conv2d(p["in"], p["out"], p["kernel"], groups=p.get("groups", 1))
        w = layer.weight if p.get("target", "weight") == "weight" else layer.bias
        if p["init"].startswith("xavier"):
            getattr(nn.init, p["init"] + "_")(w, gain=nn.init.calculate_gain(p["gain_of"]))
        elif p["init"].startswith("kaiming"):
            getattr(nn.init, p["init"] + "_")(w, a=p.get("a", 0), mode=p["mode"],
                                              nonlinearity=p["nonlinearity"])
        value = float(inst.expected.value)
        sample = w.detach().double()
        if p["init"].endswith("normal") and sample.numel() >= 1000:
            assert float(sample.std()) == pytest.approx(value, rel=0.1), (seed, p)
            checked += 1
        elif not p["init"].endswith("normal") and sample.numel() >= 200:
            top = float(sample.abs().max())
            assert 0.9 * value <= top <= value * (1 + 1e-6), (seed, p, top, value)
            checked += 1
    assert checked > 100


def test_memory_measured_on_real_cpu_tensors_too() -> None:
    """Small models on the CPU, a real forward/backward and AdamW step: the same bytes."""
    torch = require_torch()
    nn = torch.nn
    for widths, bias, precision in [([8, 32, 8], True, "fp32"), ([16, 64, 64, 4], False, "fp32"),
                                    ([8, 32, 8], True, "bf16-mixed"),
                                    ([5, 7, 3], False, "bf16-mixed")]:
        layers: list[Any] = []
        for a, b in zip(widths[:-1], widths[1:], strict=False):
            layers += [nn.Linear(a, b, bias=bias), nn.GELU()]
        model = nn.Sequential(*layers[:-1])
        if precision == "bf16-mixed":
            model = model.to(torch.bfloat16)
        model(torch.randn(4, widths[0], dtype=next(model.parameters()).dtype)).sum().backward()
        params = list(model.parameters())
        if precision == "bf16-mixed":
            masters = [nn.Parameter(q.detach().float()) for q in params]
            for m, q in zip(masters, params, strict=True):
                m.grad = q.grad.float()
            opt = torch.optim.AdamW(masters)
            opt.step()
            extra = sum(m.nbytes for m in masters)
            states = [opt.state[m] for m in masters]
        else:
            opt = torch.optim.AdamW(params)
            opt.step()
            extra, states = 0, [opt.state[q] for q in params]
        measured = (sum(q.nbytes for q in params) + sum(q.grad.nbytes for q in params) + extra
                    + sum(s["exp_avg"].nbytes + s["exp_avg_sq"].nbytes for s in states))
        inst = FAMILIES["training-memory"].pose(
            {"precision": precision, "widths": widths, "bias": bias, "ask": "total",
             "unit": "MiB"}, 3, None)
        assert inst.expected.value == pytest.approx(measured / 2**20, rel=1e-12)
        meta = sct.torch_memory({"precision": precision, "widths": widths, "bias": bias})
        assert int(meta["parts"].sum()) == measured


def test_the_worked_dx_is_the_full_convolution_torch_computes() -> None:
    """The solution's stride-1 route (pad dY by k - 1, correlate with the rotated kernel)
    equals torch's input gradient, computed as conv_transpose2d of dY with W."""
    torch = require_torch()
    family = FAMILIES["conv-backward"]
    for seed in range(200):
        inst = family.generate(2, seed)
        p = inst.params
        g = _t(torch, p["grad"])[None, None]
        w = _t(torch, p["weight"])[None, None]
        full = torch.nn.functional.conv2d(torch.nn.functional.pad(g, (1, 1, 1, 1)),
                                          torch.flip(w, dims=(2, 3)))[0, 0]
        pad = p["padding"]
        full = full[pad:full.shape[0] - pad, pad:full.shape[1] - pad]
        transposed = torch.nn.functional.conv_transpose2d(g, w, padding=pad)[0, 0]
        np.testing.assert_allclose(full.numpy(), transposed.numpy())
        np.testing.assert_allclose(np.asarray(inst.expected.value), full.numpy())


# ------------------------------------------------------------------ refusals

REFUSALS: list[tuple[str, dict[str, Any]]] = [
    ("optimizer-step", {"optimizer": "sgd", "param": [1.0], "grads": [[1.0]], "lr": 0.1,
                        "momentum": 0.0, "nesterov": True}),
    ("optimizer-step", {"optimizer": "sgd", "param": [1.0], "grads": [[1.0]], "lr": 0.1,
                        "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("optimizer-step", {"optimizer": "sgd", "param": [1.0], "grads": [[1.0]], "lr": -0.1}),
    ("optimizer-step", {"optimizer": "adam", "param": [1.0, 2.0], "grads": [[1.0]],
                        "lr": 0.1, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0}),
    ("optimizer-step", {"optimizer": "adamw", "param": [1.0], "grads": [[1.0]], "lr": 0.1,
                        "betas": [1.0, 0.999], "eps": 1e-8, "weight_decay": 0.01}),
    ("optimizer-step", {"optimizer": "adam", "param": [1.0], "grads": [[1.0]], "lr": 0.1,
                        "betas": [0.9, 0.999], "eps": -1e-8, "weight_decay": 0.0}),
    ("lr-schedule", {"schedule": "warmup_cosine", "base_lr": 0.1, "warmup": 5,
                     "start_factor": 0.0, "t_max": 10, "eta_min": 0.0, "t": 3}),
    ("lr-schedule", {"schedule": "onecycle", "max_lr": 0.1, "total_steps": 10, "t": 11}),
    ("lr-schedule", {"schedule": "onecycle", "max_lr": 0.1, "total_steps": 0, "t": 0}),
    ("lr-schedule", {"schedule": "step", "base_lr": 0.1, "step_size": 0, "gamma": 0.1,
                     "t": 3}),
    ("init-bounds", {"layer": "conv2d", "in": 6, "out": 4, "kernel": 3, "groups": 4,
                     "init": "default", "target": "weight"}),
    ("init-bounds", {"layer": "linear", "in": 8, "out": 4, "init": "kaiming_normal",
                     "mode": "fan_avg", "nonlinearity": "relu"}),
    ("init-bounds", {"layer": "linear", "in": 8, "out": 4, "init": "kaiming_uniform",
                     "mode": "fan_in", "nonlinearity": "leaky_relu", "a": True}),
    ("rnn-params", {"mode": "GRU", "input_size": 8, "hidden_size": 16, "proj_size": 4}),
    ("rnn-params", {"mode": "LSTM", "input_size": 8, "hidden_size": 16, "proj_size": 16}),
    ("rnn-params", {"mode": "LSTM", "input_size": 8, "hidden_size": 0}),
    ("rnn-params", {"mode": "RNN", "input_size": 8, "hidden_size": 4, "num_layers": 0}),
    ("iou-nms", {"ask": "nms", "boxes": [[0, 0, 2, 2], [1, 1, 3, 3]], "scores": [0.9],
                 "threshold": 0.5}),
    ("conv-backward", {"ask": "dx", "input_size": [3, 3], "weight": [[1, 2], [3, 4]],
                       "grad": [[1, 2, 3], [4, 5, 6]], "stride": 1, "padding": 0}),
    ("conv-backward", {"ask": "dw", "x": [[1, 2], [3, 4]], "grad": [[1]], "stride": 0,
                       "padding": 0}),
    ("conv-backward", {"ask": "dx", "input_size": [1, 1], "weight": [[1, 2], [3, 4]],
                       "grad": [[1]], "stride": 1, "padding": 0}),
    ("conv-backward", {"ask": "dw", "x": [[1, 2], [3, 4]], "grad": [[1]], "stride": 1,
                       "padding": -1}),
    ("training-memory", {"precision": "fp32", "n_params": 0, "ask": "total", "unit": "GB"}),
    ("training-memory", {"precision": "fp32", "n_params": -5, "ask": "total", "unit": "GB"}),
]

_TORCH_CALLS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "iou-nms": lambda torch, p: sct._tv_nms(_t(torch, p["boxes"]), _t(torch, p["scores"]),
                                            p["threshold"]),
    "init-bounds": lambda torch, p: _init(torch, p),
}


@pytest.mark.parametrize(("name", "params"), REFUSALS)
def test_refused_where_torch_refuses(name: str, params: dict[str, Any]) -> None:
    torch = require_torch()
    with pytest.raises((RuntimeError, ValueError, TypeError, ZeroDivisionError)):
        (_TORCH_CALLS.get(name) or ORACLES[name])(torch, params)
    with pytest.raises(SolverError) as info:
        FAMILIES[name].pose(params, 1, None)
    assert str(info.value)  # a message saying why


# Refused by the families only: inputs outside what the exercise poses (torchvision documents
# 0 <= x1 < x2, 0 <= y1 < y2 but computes on other boxes too), unknown options.
FAMILY_ONLY = [
    ("iou-nms", {"ask": "iou", "boxes": [[2, 2, 1, 3], [0, 0, 2, 2]]}),
    ("iou-nms", {"ask": "giou", "boxes": [[0, 0, 2, 2]]}),
    ("training-memory", {"precision": "fp8", "n_params": 10, "ask": "total", "unit": "GB"}),
]


@pytest.mark.parametrize(("name", "params"), FAMILY_ONLY)
def test_out_of_domain_inputs_are_refused(name: str, params: dict[str, Any]) -> None:
    with pytest.raises(SolverError):
        FAMILIES[name].pose(params, 1, None)


def test_gain_and_fan_conventions_spot_values() -> None:
    """Anchors from the torch docs: gains, and Linear's default bound 1/sqrt(fan_in)."""
    torch = require_torch()
    assert torch.nn.init.calculate_gain("tanh") == 5.0 / 3
    assert torch.nn.init.calculate_gain("relu") == math.sqrt(2.0)
    inst = FAMILIES["init-bounds"].pose({"layer": "linear", "in": 400, "out": 7,
                                         "init": "default", "target": "weight"}, 1, None)
    assert inst.expected.value == pytest.approx(1 / 20, rel=1e-12)
