"""Differential cases for the optimizer, schedule, init, RNN, detection, conv-backward and
training-memory solvers.

Kept apart from ``solver_cases`` (which adds them to its ``CASES`` through :func:`cases`), in
the same form: a seeded config generator, a PyTorch reference (torch imported inside the
functions only) and a solver runner; every generator mixes in configurations torch refuses.

Detection: torchvision 0.28 (the build matching torch 2.13) could not be imported on the
machine that wrote these fixtures (its wheel is a CUDA build: ``libc10_cuda.so`` missing), so
the reference is a torch transcription of torchvision's ``_box_inter_union``,
``generalized_box_iou`` (torchvision/ops/boxes.py) and the CPU NMS kernel
(torchvision/csrc/ops/cpu/nms_kernel.cpp, its TORCH_CHECKs included).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np

from trainer.exercises import solver as S

Config = dict[str, Any]
Result = dict[str, Any]

# What torch raises for refused configurations besides RuntimeError and ValueError.
REFUSALS = (RuntimeError, ValueError, TypeError, ZeroDivisionError, IndexError)


def _ri(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def _chance(rng: np.random.Generator, p: float) -> bool:
    return bool(rng.random() < p)


def _pick(rng: np.random.Generator, seq: list[Any] | tuple[Any, ...]) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _torch():
    import torch

    return torch


def _t(a: Any):
    torch = _torch()
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


def refused(fn: Callable[[], Result]) -> Result:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn()
        except REFUSALS as exc:
            return {"error": f"{type(exc).__name__}: {str(exc)[:100]}"}


def _guarded(fn: Callable[[Config], Result]) -> Callable[[Config], Result]:
    def run(cfg: Config) -> Result:
        return refused(lambda: fn(cfg))

    run.__name__ = fn.__name__
    return run


# ----------------------------------------------------------------------------- optimizers

def _vector_and_grads(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n, steps = _ri(rng, 1, 3), _ri(rng, 1, 3)
    param = rng.integers(-20, 21, size=n) / 10
    grads = rng.integers(-16, 17, size=(steps, n)) / 8
    if _chance(rng, 0.1):
        grads = rng.standard_normal((steps, n))
    if _chance(rng, 0.03):  # a gradient of the wrong shape
        grads = rng.integers(-4, 5, size=(steps, n + 1)) / 4
    return param, grads


def gen_sgd(rng: np.random.Generator) -> Config:
    param, grads = _vector_and_grads(rng)
    momentum = _pick(rng, [0.0, 0.0, 0.5, 0.9, 0.99])
    nesterov = momentum > 0 and _chance(rng, 0.4)
    cfg = {"param": param, "grads": grads, "lr": _pick(rng, [0.1, 0.01, 0.5, 1.0, 0.0]),
           "momentum": momentum, "dampening": _pick(rng, [0.0, 0.0, 0.0, 0.1, 0.5]),
           "weight_decay": _pick(rng, [0.0, 0.0, 0.01, 0.1]), "nesterov": nesterov}
    if nesterov:
        cfg["dampening"] = 0.0 if _chance(rng, 0.9) else 0.1  # nonzero: torch refuses
    if _chance(rng, 0.03):
        cfg["nesterov"], cfg["momentum"] = True, 0.0
    if _chance(rng, 0.04):
        key = _pick(rng, ["lr", "momentum", "weight_decay"])
        cfg[key] = -0.1
    return cfg


def _run_optimizer(make: Callable[[Any], Any], cfg: Config) -> Result:
    torch = _torch()
    p = torch.tensor(np.asarray(cfg["param"], dtype=np.float64), requires_grad=True)
    opt = make(p)
    trajectory = []
    for g in np.asarray(cfg["grads"]):
        p.grad = _t(g)
        opt.step()
        trajectory.append(p.detach().numpy().copy())
    return {"trajectory": np.asarray(trajectory)}


def torch_sgd(cfg: Config) -> Result:
    torch = _torch()
    return _run_optimizer(lambda p: torch.optim.SGD(
        [p], lr=cfg["lr"], momentum=cfg["momentum"], dampening=cfg["dampening"],
        weight_decay=cfg["weight_decay"], nesterov=cfg["nesterov"]), cfg)


def solver_sgd(cfg: Config) -> Result:
    steps = S.sgd_steps(cfg["param"], list(cfg["grads"]), cfg["lr"], cfg["momentum"],
                        cfg["dampening"], cfg["weight_decay"], cfg["nesterov"])
    return {"trajectory": np.asarray([s.param for s in steps])}


def gen_adam(rng: np.random.Generator) -> Config:
    param, grads = _vector_and_grads(rng)
    cfg = {"param": param, "grads": grads, "decoupled": _chance(rng, 0.5),
           "lr": _pick(rng, [1e-3, 0.01, 0.1, 0.5]),
           "betas": [_pick(rng, [0.9, 0.8, 0.0, 0.5]), _pick(rng, [0.999, 0.99, 0.9])],
           "eps": _pick(rng, [1e-8, 1e-6, 1e-3, 0.1]),
           "weight_decay": _pick(rng, [0.0, 0.01, 0.1, 0.5])}
    if _chance(rng, 0.05):
        key = _pick(rng, ["lr", "eps", "beta1", "beta2", "weight_decay"])
        if key.startswith("beta"):
            cfg["betas"][int(key[-1]) - 1] = _pick(rng, [1.0, -0.1])
        else:
            cfg[key] = -0.01
    return cfg


def torch_adam(cfg: Config) -> Result:
    torch = _torch()
    cls = torch.optim.AdamW if cfg["decoupled"] else torch.optim.Adam
    return _run_optimizer(lambda p: cls([p], lr=cfg["lr"], betas=tuple(cfg["betas"]),
                                        eps=cfg["eps"], weight_decay=cfg["weight_decay"]), cfg)


def solver_adam(cfg: Config) -> Result:
    steps = S.adam_steps(cfg["param"], list(cfg["grads"]), cfg["lr"], tuple(cfg["betas"]),
                         cfg["eps"], cfg["weight_decay"], decoupled=cfg["decoupled"])
    return {"trajectory": np.asarray([s.param for s in steps])}


# ----------------------------------------------------------------------------- schedules

def gen_schedule(rng: np.random.Generator) -> Config:
    kind = _pick(rng, ["step", "multistep", "warmup_cosine", "onecycle", "onecycle"])
    cfg: Config = {"kind": kind, "base_lr": _pick(rng, [0.1, 0.01, 1.0, 3e-4])}
    if kind == "step":
        cfg.update(step_size=_ri(rng, 1, 12), gamma=_pick(rng, [0.1, 0.5, 0.9]),
                   steps=_ri(rng, 0, 40))
    elif kind == "multistep":
        ms = sorted({_ri(rng, 1, 30) for _ in range(_ri(rng, 1, 4))})
        cfg.update(milestones=ms, gamma=_pick(rng, [0.1, 0.2, 0.5]), steps=_ri(rng, 0, 40))
    elif kind == "warmup_cosine":
        cfg.update(warmup=_ri(rng, 1, 8), start_factor=_pick(rng, [0.1, 0.25, 1 / 3, 0.5, 1.0]),
                   t_max=_ri(rng, 1, 15), eta_min=_pick(rng, [0.0, 0.0, 1e-4, 0.001]))
        cfg["steps"] = _ri(rng, 0, cfg["warmup"] + 2 * cfg["t_max"] + 2)
        if _chance(rng, 0.05):
            cfg["start_factor"] = _pick(rng, [0.0, 1.5])
    else:
        total = _ri(rng, 1, 40)
        cfg.update(total_steps=total, pct_start=_pick(rng, [0.3, 0.3, 0.25, 0.4, 0.5, 1.0]),
                   three_phase=_chance(rng, 0.25), steps=_ri(rng, 0, total))
        if _chance(rng, 0.08):
            cfg["steps"] = total + _ri(rng, 1, 3)  # torch: "Tried to step ... times"
        if _chance(rng, 0.03):
            cfg["total_steps"] = 0
    return cfg


def torch_schedule(cfg: Config) -> Result:
    torch = _torch()
    sched_mod = torch.optim.lr_scheduler
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=cfg["base_lr"], momentum=0.9)
    kind = cfg["kind"]
    if kind == "step":
        sched = sched_mod.StepLR(opt, cfg["step_size"], cfg["gamma"])
    elif kind == "multistep":
        sched = sched_mod.MultiStepLR(opt, cfg["milestones"], cfg["gamma"])
    elif kind == "warmup_cosine":
        warm = sched_mod.LinearLR(opt, start_factor=cfg["start_factor"],
                                  total_iters=cfg["warmup"])
        cos = sched_mod.CosineAnnealingLR(opt, T_max=cfg["t_max"], eta_min=cfg["eta_min"])
        sched = sched_mod.SequentialLR(opt, [warm, cos], milestones=[cfg["warmup"]])
    else:
        sched = sched_mod.OneCycleLR(opt, max_lr=cfg["base_lr"], total_steps=cfg["total_steps"],
                                     pct_start=cfg["pct_start"], three_phase=cfg["three_phase"])
    lrs = [sched.get_last_lr()[0]]
    for _ in range(cfg["steps"]):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return {"lr": np.asarray(lrs, dtype=np.float64)}


def solver_schedule(cfg: Config) -> Result:
    kind, base = cfg["kind"], cfg["base_lr"]
    lrs = []
    for t in range(cfg["steps"] + 1):
        if kind == "step":
            lrs.append(S.step_lr(base, cfg["step_size"], cfg["gamma"], t))
        elif kind == "multistep":
            lrs.append(S.multistep_lr(base, cfg["milestones"], cfg["gamma"], t))
        elif kind == "warmup_cosine":
            lrs.append(S.warmup_cosine_lr(base, cfg["warmup"], cfg["start_factor"],
                                          cfg["t_max"], cfg["eta_min"], t))
        else:
            args = (base, cfg["total_steps"], t, cfg["pct_start"])
            lr = S.one_cycle_lr(*args, three_phase=cfg["three_phase"])
            phase = S.one_cycle_phase(*args, three_phase=cfg["three_phase"])
            # the phase record reproduces the value
            assert math.isclose(lr, phase.end_lr + (phase.start_lr - phase.end_lr) / 2
                                * (math.cos(math.pi * phase.pct) + 1), rel_tol=1e-12)
            lrs.append(lr)
    return {"lr": np.asarray(lrs, dtype=np.float64)}


# ----------------------------------------------------------------------------- init

_GAINS = ["linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


def gen_init(rng: np.random.Generator) -> Config:
    kind = _pick(rng, ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
                       "linear_default", "conv2d_default"])
    if kind == "conv2d_default":
        groups = _pick(rng, [1, 1, 2, 3])
        cfg: Config = {"kind": kind, "in": groups * _ri(rng, 1, 6), "out": groups * _ri(rng, 1, 6),
                       "kernel": _ri(rng, 1, 5), "groups": groups}
        if _chance(rng, 0.06):
            cfg["in"] += 1  # not divisible by groups: torch refuses
        return cfg
    ndim = _pick(rng, [2, 2, 3, 4, 4])
    shape = [_ri(rng, 1, 64), _ri(rng, 1, 64)] + [_ri(rng, 1, 5) for _ in range(ndim - 2)]
    if _chance(rng, 0.03):
        shape = shape[:1]  # fans need >= 2 dims
    if _chance(rng, 0.03):
        shape[_ri(rng, 0, len(shape) - 1)] = 0  # kaiming: a no-op
    cfg = {"kind": kind, "shape": shape}
    if kind == "linear_default":  # nn.Linear(in, out): a positive (out, in) weight
        cfg["shape"] = [_ri(rng, 1, 64), _ri(rng, 1, 64)]
    elif kind.startswith("xavier"):
        cfg["gain"] = _pick(rng, [1.0, 5 / 3, math.sqrt(2.0), 0.5])
    else:
        cfg["mode"] = _pick(rng, ["fan_in", "fan_out", "fan_in", "Fan_Out"])
        cfg["nonlinearity"] = _pick(rng, _GAINS)
        cfg["a"] = _pick(rng, [0, 0.01, 0.2, math.sqrt(5), 1])
        if _chance(rng, 0.04):
            cfg["nonlinearity"] = "gelu"  # unsupported
        if _chance(rng, 0.03):
            cfg["mode"] = "fan_avg"
        if _chance(rng, 0.03):
            cfg["nonlinearity"], cfg["a"] = "leaky_relu", True  # a bool slope is refused
    return cfg


def _captured_init(fn: Callable[[], Any]) -> list[float]:
    """The scale torch's own init code passes to ``uniform_`` (bound) or ``normal_`` (std)."""
    torch = _torch()
    seen: list[float] = []

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        seen.append(float(b))
        assert a == -b
        return self

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        seen.append(float(std))
        return self

    with mock.patch.object(torch.Tensor, "uniform_", uniform_), \
            mock.patch.object(torch.Tensor, "normal_", normal_):
        fn()
    return seen


def torch_init(cfg: Config) -> Result:
    torch = _torch()
    init, kind = torch.nn.init, cfg["kind"]
    if kind == "conv2d_default":
        layer: list[Any] = []
        seen = _captured_init(lambda: layer.append(torch.nn.Conv2d(
            cfg["in"], cfg["out"], cfg["kernel"], groups=cfg["groups"], device="meta")))
        return {"shape": np.asarray(layer[0].weight.shape), "scales": np.asarray(seen)}
    if kind == "linear_default":
        out_f, in_f = cfg["shape"]
        seen = _captured_init(lambda: torch.nn.Linear(in_f, out_f, device="meta"))
        return {"scales": np.asarray(seen)}
    w = torch.empty(cfg["shape"], device="meta")
    fans = init._calculate_fan_in_and_fan_out(w)
    if kind.startswith("xavier"):
        fn = init.xavier_uniform_ if kind == "xavier_uniform" else init.xavier_normal_
        seen = _captured_init(lambda: fn(w, gain=cfg["gain"]))
        return {"fans": np.asarray(fans), "scales": np.asarray(seen)}
    fn = init.kaiming_uniform_ if kind == "kaiming_uniform" else init.kaiming_normal_
    seen = _captured_init(lambda: fn(w, a=cfg["a"], mode=cfg["mode"],
                                     nonlinearity=cfg["nonlinearity"]))
    if not seen:  # torch warned "Initializing zero-element tensors is a no-op"
        raise RuntimeError("no-op: zero-element tensor, no scale")
    gain = init.calculate_gain(cfg["nonlinearity"], cfg["a"])
    return {"fans": np.asarray(fans), "gain": np.asarray([gain]), "scales": np.asarray(seen)}


def solver_init(cfg: Config) -> Result:
    kind = cfg["kind"]
    if kind == "conv2d_default":
        shape = S.conv2d_weight_shape(cfg["in"], cfg["out"], cfg["kernel"], cfg["groups"])
        d = S.default_init_bounds(shape)
        return {"shape": np.asarray(shape), "scales": np.asarray([d.weight_bound, d.bias_bound])}
    if kind == "linear_default":
        d = S.default_init_bounds(cfg["shape"])
        return {"scales": np.asarray([d.weight_bound, d.bias_bound])}
    fans = S.fan_in_and_fan_out(cfg["shape"])
    if kind.startswith("xavier"):
        fn = S.xavier_uniform_bound if kind == "xavier_uniform" else S.xavier_normal_std
        return {"fans": np.asarray(fans), "scales": np.asarray([fn(cfg["shape"], cfg["gain"])])}
    fn = S.kaiming_uniform_bound if kind == "kaiming_uniform" else S.kaiming_normal_std
    scale = fn(cfg["shape"], cfg["a"], cfg["mode"], cfg["nonlinearity"])
    return {"fans": np.asarray(fans),
            "gain": np.asarray([S.calculate_gain(cfg["nonlinearity"], cfg["a"])]),
            "scales": np.asarray([scale])}


# ----------------------------------------------------------------------------- RNNs

def gen_rnn(rng: np.random.Generator) -> Config:
    mode = _pick(rng, ["RNN", "LSTM", "GRU"])
    cfg: Config = {"mode": mode, "input_size": _ri(rng, 1, 40), "hidden_size": _ri(rng, 1, 40),
                   "num_layers": _ri(rng, 1, 3), "bias": _chance(rng, 0.7),
                   "bidirectional": _chance(rng, 0.5), "proj_size": None}
    if mode == "LSTM" and _chance(rng, 0.5):
        cfg["proj_size"] = _ri(rng, 0, cfg["hidden_size"] + 1)  # >= hidden: refused
    if mode != "LSTM" and _chance(rng, 0.05):
        cfg["proj_size"] = _ri(rng, 0, 3)  # any proj_size on RNN/GRU: refused
    if _chance(rng, 0.05):
        cfg[_pick(rng, ["input_size", "hidden_size", "num_layers"])] = _pick(rng, [0, -2])
    return cfg


def torch_rnn(cfg: Config) -> Result:
    torch = _torch()
    cls = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[cfg["mode"]]
    kwargs: dict[str, Any] = {"num_layers": cfg["num_layers"], "bias": cfg["bias"],
                              "bidirectional": cfg["bidirectional"], "device": "meta"}
    if cfg["proj_size"] is not None:
        kwargs["proj_size"] = cfg["proj_size"]
    module = cls(cfg["input_size"], cfg["hidden_size"], **kwargs)
    per = {}
    for name, p in module.named_parameters():
        suffix = name.split("_l")[-1]  # "0" or "0_reverse"
        per[suffix] = per.get(suffix, 0) + p.numel()
    order = [f"{layer}{'_reverse' if d else ''}" for layer in range(cfg["num_layers"])
             for d in range(2 if cfg["bidirectional"] else 1)]
    return {"total": np.asarray([sum(p.numel() for p in module.parameters())]),
            "per_layer": np.asarray([per[k] for k in order])}


def solver_rnn(cfg: Config) -> Result:
    args = (cfg["mode"], cfg["input_size"], cfg["hidden_size"], cfg["num_layers"], cfg["bias"],
            cfg["bidirectional"], cfg["proj_size"])
    counts = S.rnn_layer_counts(*args)
    return {"total": np.asarray([S.rnn_params(*args)]),
            "per_layer": np.asarray([c.total for c in counts])}


# ----------------------------------------------------------------------------- detection

def gen_boxes(rng: np.random.Generator) -> Config:
    def boxes(n: int) -> np.ndarray:
        xy = rng.integers(0, 12, size=(n, 2)).astype(np.float64)
        wh = rng.integers(1, 9, size=(n, 2)).astype(np.float64)
        if _chance(rng, 0.1):  # mostly integers: exact, and the fixture compresses well
            xy, wh = xy + rng.random((n, 2)), wh * rng.uniform(0.5, 1.5, size=(n, 2))
        return np.concatenate([xy, xy + wh], axis=1)

    n, m = _ri(rng, 1, 5), _ri(rng, 1, 3)
    cfg: Config = {"boxes1": boxes(n), "boxes2": boxes(m),
                   "scores": rng.permutation(np.arange(1, n + 1)) / 10 + rng.random(n) / 100,
                   "threshold": _pick(rng, [0.0, 0.3, 0.5, 0.7, 1.0])}
    if _chance(rng, 0.04):
        cfg["scores"] = cfg["scores"][:-1]  # scores/boxes count mismatch
    if _chance(rng, 0.03):
        cfg["boxes1"] = cfg["boxes1"][:, :3]  # not (N, 4)
    return cfg


def _tv_inter_union(b1, b2):
    torch = _torch()
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    lt = torch.max(b1[:, None, :2], b2[None, :, :2])
    rb = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, area1[:, None] + area2[None, :] - inter


def _tv_nms(boxes, scores, threshold: float) -> list[int]:
    torch = _torch()
    if boxes.dim() != 2 or boxes.shape[1] != 4:
        raise RuntimeError("boxes should be a 2d tensor with 4 elements in dimension 1")
    if scores.dim() != 1 or boxes.shape[0] != scores.shape[0]:
        raise RuntimeError("boxes and scores should have same number of elements in dimension 0")
    order = torch.sort(scores, descending=True, stable=True).indices.tolist()
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    suppressed = [False] * len(order)
    keep = []
    for pos, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order[pos + 1:]:
            if suppressed[j]:
                continue
            w = torch.clamp(torch.min(boxes[i, 2], boxes[j, 2])
                            - torch.max(boxes[i, 0], boxes[j, 0]), min=0)
            h = torch.clamp(torch.min(boxes[i, 3], boxes[j, 3])
                            - torch.max(boxes[i, 1], boxes[j, 1]), min=0)
            inter = w * h
            if float(inter / (areas[i] + areas[j] - inter)) > threshold:
                suppressed[j] = True
    return keep


def torch_boxes(cfg: Config) -> Result:
    torch = _torch()
    b1, b2 = _t(cfg["boxes1"]), _t(cfg["boxes2"])
    if b1.shape[-1] != 4:
        raise IndexError("boxes1 must be (N, 4)")
    inter, union = _tv_inter_union(b1, b2)
    lti = torch.min(b1[:, None, :2], b2[None, :, :2])
    rbi = torch.max(b1[:, None, 2:], b2[None, :, 2:])
    whi = (rbi - lti).clamp(min=0)
    areai = whi[..., 0] * whi[..., 1]
    iou = inter / union
    return {"area": (b1[:, 2] - b1[:, 0]).mul(b1[:, 3] - b1[:, 1]).numpy(),
            "iou": iou.numpy(), "giou": (iou - (areai - union) / areai).numpy(),
            "keep": np.asarray(_tv_nms(b1, _t(cfg["scores"]), cfg["threshold"]),
                               dtype=np.int64)}


def solver_boxes(cfg: Config) -> Result:
    trace = S.nms_trace(cfg["boxes1"], cfg["scores"], cfg["threshold"])
    keep = S.nms(cfg["boxes1"], cfg["scores"], cfg["threshold"])
    assert keep == trace.keep
    return {"area": S.box_area(cfg["boxes1"]), "iou": S.box_iou(cfg["boxes1"], cfg["boxes2"]),
            "giou": S.generalized_box_iou(cfg["boxes1"], cfg["boxes2"]),
            "keep": np.asarray(keep, dtype=np.int64)}


# ----------------------------------------------------------------------------- conv backward

def gen_conv_grad(rng: np.random.Generator) -> Config:
    h, w = _ri(rng, 1, 5), _ri(rng, 1, 5)
    kh, kw = _ri(rng, 1, 3), _ri(rng, 1, 3)
    stride, padding = _ri(rng, 1, 3), _ri(rng, 0, 2)
    if _chance(rng, 0.03):
        stride = 0
    if _chance(rng, 0.03):
        padding = -1
    x = rng.integers(-3, 4, size=(h, w)).astype(np.float64)
    weight = rng.integers(-2, 3, size=(kh, kw)).astype(np.float64)
    if _chance(rng, 0.1):
        x, weight = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    oh = (h + 2 * padding - kh) // stride + 1 if stride > 0 else 1
    ow = (w + 2 * padding - kw) // stride + 1 if stride > 0 else 1
    grad = rng.integers(-3, 4, size=(max(oh, 1) + (1 if _chance(rng, 0.03) else 0),
                                     max(ow, 1))).astype(np.float64)
    return {"x": x, "weight": weight, "grad": grad, "stride": stride, "padding": padding}


def torch_conv_grad(cfg: Config) -> Result:
    torch = _torch()
    x = _t(cfg["x"]).requires_grad_(True)
    w = _t(cfg["weight"]).requires_grad_(True)
    y = torch.nn.functional.conv2d(x[None, None], w[None, None], stride=cfg["stride"],
                                   padding=cfg["padding"])
    y.backward(_t(cfg["grad"])[None, None])
    return {"y": y[0, 0].detach().numpy(), "dx": x.grad.numpy(), "dw": w.grad.numpy()}


def solver_conv_grad(cfg: Config) -> Result:
    x, w, g = cfg["x"], cfg["weight"], cfg["grad"]
    s, p = cfg["stride"], cfg["padding"]
    dx = S.conv2d_input_grad(g, w, x.shape, s, p)
    full = S.conv2d_input_grad_full(g, w, x.shape, s, p)
    big = S.dilate_and_pad(g, w.shape, x.shape, s, p)
    manual = S.conv2d_single(big, np.asarray(w)[::-1, ::-1], 1, 0)
    h, wd = x.shape
    assert np.allclose(manual[p:p + h, p:p + wd], dx) and np.allclose(full, dx)
    return {"y": S.conv2d_single(x, w, s, p), "dx": dx,
            "dw": S.conv2d_weight_grad(g, x, w.shape, s, p)}


# ----------------------------------------------------------------------------- memory

def gen_memory(rng: np.random.Generator) -> Config:
    cfg: Config = {"precision": _pick(rng, ["fp32", "bf16-mixed"])}
    if _chance(rng, 0.5):
        cfg["widths"] = [_ri(rng, 1, 3000) for _ in range(_ri(rng, 2, 5))]
        cfg["bias"] = _chance(rng, 0.7)
    else:
        cfg["n_params"] = _pick(rng, [_ri(rng, 1, 10**6), _ri(rng, 1, 10**11)])
        if _chance(rng, 0.05):
            cfg["n_params"] = _pick(rng, [0, -5])
    return cfg


def torch_memory(cfg: Config) -> Result:
    """Measured: a meta-device model of that size, one AdamW step, ``.nbytes`` summed."""
    torch = _torch()
    nn = torch.nn
    if "widths" in cfg:
        widths = cfg["widths"]
        layers: list[Any] = []
        for a, b in zip(widths[:-1], widths[1:], strict=False):
            layers += [nn.Linear(a, b, bias=cfg["bias"], device="meta"), nn.GELU()]
        model = nn.Sequential(*layers[:-1])
    else:
        model = nn.Module()
        if cfg["n_params"] != 0:  # no parameters at all: AdamW refuses the empty list
            model.weight = nn.Parameter(torch.empty(cfg["n_params"], device="meta"))
    n = sum(p.numel() for p in model.parameters())
    if cfg["precision"] == "bf16-mixed":
        model = model.to(torch.bfloat16)
        params = list(model.parameters())
        for p in params:
            p.grad = torch.zeros_like(p)
        masters = [nn.Parameter(p.detach().float()) for p in params]
        opt = torch.optim.AdamW(masters)
        for m, p in zip(masters, params, strict=True):
            m.grad = p.grad.float()  # transient: dropped after the step
        opt.step()
        for m in masters:
            m.grad = None
        master = sum(m.nbytes for m in masters)
        states = [opt.state[m] for m in masters]
    else:
        params = list(model.parameters())
        for p in params:
            p.grad = torch.zeros_like(p)
        opt = torch.optim.AdamW(params)
        opt.step()
        master = 0
        states = [opt.state[p] for p in params]
    assert all(st["step"].dim() == 0 for st in states)  # the per-tensor counter, not counted
    return {"n": np.asarray([n]), "parts": np.asarray([
        sum(p.nbytes for p in params), sum(p.grad.nbytes for p in params), master,
        sum(st["exp_avg"].nbytes for st in states),
        sum(st["exp_avg_sq"].nbytes for st in states)], dtype=np.int64)}


def solver_memory(cfg: Config) -> Result:
    n = S.mlp_params(cfg["widths"], cfg["bias"]) if "widths" in cfg else cfg["n_params"]
    parts = S.adamw_training_memory(n, cfg["precision"])
    return {"n": np.asarray([n]), "parts": np.asarray(list(parts), dtype=np.int64)}


# ----------------------------------------------------------------------------- registry

def cases(case: type) -> list[Any]:
    """The cases of this module, built with ``solver_cases.Case`` (passed in: no cycle)."""
    return [
        case("sgd_steps", ("optim.sgd_steps",), gen_sgd, _guarded(torch_sgd), solver_sgd, 801,
             arrays=True),
        case("adam_steps", ("optim.adam_steps",), gen_adam, _guarded(torch_adam), solver_adam,
             802, arrays=True),
        case("lr_schedules", ("optim.step_lr", "optim.multistep_lr", "optim.warmup_cosine_lr",
                              "optim.one_cycle_lr", "optim.one_cycle_phase"),
             gen_schedule, _guarded(torch_schedule), solver_schedule, 803, arrays=True),
        case("init_scales", ("initialization.calculate_gain", "initialization.fan_in_and_fan_out",
                             "initialization.xavier_uniform_bound",
                             "initialization.xavier_normal_std",
                             "initialization.kaiming_uniform_bound",
                             "initialization.kaiming_normal_std",
                             "initialization.default_init_bounds",
                             "initialization.conv2d_weight_shape"),
             gen_init, _guarded(torch_init), solver_init, 804, arrays=True),
        case("rnn_params", ("recurrent.rnn_params", "recurrent.rnn_layer_counts"), gen_rnn,
             _guarded(torch_rnn), solver_rnn, 805, arrays=True),
        case("box_ops", ("detection.box_area", "detection.box_iou",
                         "detection.generalized_box_iou", "detection.nms", "detection.nms_trace"),
             gen_boxes, _guarded(torch_boxes), solver_boxes, 806, arrays=True),
        case("conv2d_grads", ("conv_grad.conv2d_single", "conv_grad.conv2d_input_grad",
                              "conv_grad.conv2d_input_grad_full", "conv_grad.conv2d_weight_grad",
                              "conv_grad.dilate_and_pad"),
             gen_conv_grad, _guarded(torch_conv_grad), solver_conv_grad, 807, arrays=True),
        case("adamw_training_memory", ("memory.adamw_training_memory", "memory.mlp_params"),
             gen_memory, _guarded(torch_memory), solver_memory, 808, arrays=True),
    ]
