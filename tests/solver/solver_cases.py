"""Differential cases for the solver: config generators, PyTorch references, solver runners.

Shared by the tests in this folder and by ``scripts/make_torch_fixtures.py``.  Each case
draws ``N_CONFIGS`` configurations from a seeded ``numpy.random.Generator``; torch's
result for each (or the fact that it raised) is stored in ``data/torch_fixtures`` so that
the default test run needs no torch.  torch is only imported inside ``torch_*`` functions.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from solver_cases_training import cases as training_cases
from solver_cases_transformer import cases as transformer_cases

from trainer.exercises import solver as S
from trainer.exercises.solver import SolverError

REPO = Path(__file__).resolve().parents[2]
FIXTURE_DIR = REPO / "data" / "torch_fixtures"
TORCH_VERSION = "2.13.0"
N_CONFIGS = 1000
RTOL = 1e-9
ATOL = 1e-12  # times max(1, largest |expected|): for results that cancel to ~0

Config = dict[str, Any]
Result = dict[str, Any]


# ----------------------------------------------------------------------------- random helpers

def _ri(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Uniform int in [lo, hi]."""
    return int(rng.integers(lo, hi + 1))


def _chance(rng: np.random.Generator, p: float) -> bool:
    return bool(rng.random() < p)


def _pick(rng: np.random.Generator, seq: list[Any] | tuple[Any, ...]) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _collapse(values: list[int], rng: np.random.Generator) -> int | list[int]:
    """An int when both dims agree (mostly), else the pair."""
    if values[0] == values[1] and _chance(rng, 0.8):
        return values[0]
    return list(values)


def _dim(rng: np.random.Generator, lo: int, hi: int, bad: tuple[int, ...] = (),
         p_bad: float = 0.0, p_pair: float = 0.3) -> int | list[int]:
    """An int (or [h, w]) in [lo, hi], with probability p_bad one component from ``bad``."""
    if _chance(rng, p_pair):
        vals = [_ri(rng, lo, hi), _ri(rng, lo, hi)]
    else:
        v = _ri(rng, lo, hi)
        vals = [v, v]
    if bad and _chance(rng, p_bad):
        vals[_ri(rng, 0, 1)] = _pick(rng, bad)
        if _chance(rng, 0.5):
            vals = [vals[0], vals[0]] if vals[0] in bad else [vals[1], vals[1]]
    return _collapse(vals, rng)


def _pair(v: int | list[int] | None) -> list[int]:
    if isinstance(v, list):
        return v
    return [v, v]  # type: ignore[list-item]


def _input_hw(rng: np.random.Generator, lo: int = 1, hi: int = 12, p_zero: float = 0.02,
              p_tiny: float = 0.3) -> list[int]:
    if _chance(rng, p_tiny):
        hw = [_ri(rng, 1, 3), _ri(rng, 1, 4)]
    else:
        hw = [_ri(rng, lo, hi), _ri(rng, lo, hi)]
    if _chance(rng, p_zero):
        hw[_ri(rng, 0, 1)] = 0
    return hw


def _channels(rng: np.random.Generator, zero_in: bool = True, zero_out: bool = True
              ) -> tuple[int, int, int]:
    groups = _pick(rng, [1, 1, 1, 1, 2, 3, 4])
    if _chance(rng, 0.04):
        groups = _pick(rng, [0, -1])
    g = max(groups, 1)
    cin, cout = g * _ri(rng, 1, 3), g * _ri(rng, 1, 3)
    if g > 1 and _chance(rng, 0.1):
        if _chance(rng, 0.5):
            cin += _ri(rng, 1, g - 1)
        else:
            cout += _ri(rng, 1, g - 1)
    if zero_in and _chance(rng, 0.02):
        cin = 0
    if zero_out and _chance(rng, 0.02):
        cout = 0
    if _chance(rng, 0.01):
        cin = -g
    return cin, cout, groups


def _real(rng: np.random.Generator, shape: Any, p_full: float = 0.25) -> np.ndarray:
    """Random reals: mostly dyadic k/16 (exact, compress well), sometimes full normals."""
    if _chance(rng, p_full):
        return rng.standard_normal(shape)
    return rng.integers(-64, 65, size=shape) / 16.0


def grad_pattern(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Deterministic upstream gradient of any shape (dyadic values, no RNG)."""
    n = int(np.prod(shape, dtype=np.int64))
    return ((((np.arange(n) * 7 + seed) % 11) - 5) * 0.25).reshape(shape).astype(np.float64)


def _torch():
    import torch

    return torch


def _t(a: np.ndarray, grad: bool = False):
    torch = _torch()
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


# ----------------------------------------------------------------------------- sizes

def gen_conv2d(rng: np.random.Generator, ndim: int = 2) -> Config:
    cin, cout, groups = _channels(rng)
    stride = _dim(rng, 1, 3, bad=(0, -1), p_bad=0.04)
    if _chance(rng, 0.3):
        padding: Any = "same" if _chance(rng, 0.7) else "valid"
        if padding == "same" and _chance(rng, 0.6):
            stride = 1
        if _chance(rng, 0.02):
            padding = "full"
    else:
        padding = _dim(rng, 0, 3, bad=(-1,), p_bad=0.03)
    cfg = {
        "input_size": _input_hw(rng),
        "kernel_size": _dim(rng, 1, 6, bad=(0, -1), p_bad=0.03),
        "stride": stride,
        "padding": padding,
        "dilation": _dim(rng, 1, 3, bad=(0,), p_bad=0.03),
        "in_channels": cin,
        "out_channels": cout,
        "groups": groups,
    }
    if ndim == 1:
        for key in ("kernel_size", "stride", "padding", "dilation"):
            if isinstance(cfg[key], list):
                cfg[key] = cfg[key][0] if _chance(rng, 0.5) else [cfg[key][0]]
        cfg["input_size"] = cfg["input_size"][1] if _chance(rng, 0.6) else _ri(rng, 1, 20)
    return cfg


def gen_conv1d(rng: np.random.Generator) -> Config:
    return gen_conv2d(rng, ndim=1)


def _conv_module(cfg: Config, ndim: int):
    torch = _torch()
    cls = torch.nn.Conv2d if ndim == 2 else torch.nn.Conv1d
    return cls(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"], stride=cfg["stride"],
               padding=cfg["padding"], dilation=cfg["dilation"], groups=cfg["groups"],
               bias=False, dtype=torch.float64)


def _same_pads(cfg: Config, module) -> Result:
    """torch's own 'same' padding amounts, as [left, right] per spatial dim."""
    if cfg["padding"] != "same":
        return {}
    rev = list(module._reversed_padding_repeated_twice)
    pairs = [rev[i:i + 2] for i in range(0, len(rev), 2)]
    return {"same_padding": pairs[::-1]}


def _check_lengths(cfg: Config, out: tuple[int, ...], ndim: int) -> None:
    """conv_output_length agrees with the validated size (numeric padding)."""
    if isinstance(cfg["padding"], str):
        return
    dims = [cfg[k] if isinstance(cfg[k], list) else [cfg[k]] * ndim
            for k in ("input_size", "kernel_size", "stride", "padding", "dilation")]
    lengths = tuple(S.conv_output_length(n, k, s, p, d)
                    for n, k, s, p, d in zip(*dims, strict=True))
    assert lengths == out


def _solver_same_pads(cfg: Config, ndim: int) -> Result:
    if cfg["padding"] != "same":
        return {}
    return {"same_padding": [list(p) for p in S.same_padding(cfg["kernel_size"],
                                                             cfg["dilation"], ndim)]}


def torch_conv2d(cfg: Config) -> Result:
    torch = _torch()
    m = _conv_module(cfg, 2)
    h, w = cfg["input_size"]
    y = m(torch.zeros(1, cfg["in_channels"], h, w, dtype=torch.float64))
    return {"out": list(y.shape[2:]), **_same_pads(cfg, m)}


def solver_conv2d(cfg: Config) -> Result:
    out = S.conv2d_output_size(cfg["input_size"], cfg["kernel_size"], cfg["stride"],
                               cfg["padding"], cfg["dilation"], in_channels=cfg["in_channels"],
                               out_channels=cfg["out_channels"], groups=cfg["groups"])
    _check_lengths(cfg, out, 2)
    return {"out": list(out), **_solver_same_pads(cfg, 2)}


def torch_conv1d(cfg: Config) -> Result:
    torch = _torch()
    m = _conv_module(cfg, 1)
    y = m(torch.zeros(1, cfg["in_channels"], cfg["input_size"], dtype=torch.float64))
    return {"out": int(y.shape[2]), **_same_pads(cfg, m)}


def solver_conv1d(cfg: Config) -> Result:
    out = S.conv1d_output_size(cfg["input_size"], cfg["kernel_size"], cfg["stride"],
                               cfg["padding"], cfg["dilation"], in_channels=cfg["in_channels"],
                               out_channels=cfg["out_channels"], groups=cfg["groups"])
    _check_lengths(cfg, (out,), 1)
    return {"out": out, **_solver_same_pads(cfg, 1)}


def _pool_geometry(rng: np.random.Generator, dilation: bool, p_bad: float,
                   p_over: float = 0.125) -> Config:
    """Pooling arguments; padding near the k // 2 limit, over it with probability p_over."""
    k = [_ri(rng, 1, 5), _ri(rng, 1, 5)]
    if _chance(rng, 0.6):
        k[1] = k[0]
    pad = []
    for kk in k:
        p = kk // 2 + (1 if _chance(rng, p_over) else _pick(rng, [-2, -1, -1, 0, 0, 0]))
        pad.append(max(p, 0))
    if _chance(rng, 0.7):
        pad[1] = min(pad[0], k[1] // 2 + (1 if _chance(rng, p_over) else 0))
    cfg: Config = {
        "kernel_size": _collapse(k, rng),
        "stride": None if _chance(rng, 0.25) else _dim(rng, 1, 4, bad=(0, -1), p_bad=p_bad),
        "padding": _collapse(pad, rng),
        "ceil_mode": _chance(rng, 0.5),
    }
    if dilation:
        cfg["dilation"] = _dim(rng, 1, 3, bad=(0,), p_bad=p_bad)
        if p_over < 0.1 and _chance(rng, 0.5):
            cfg["dilation"] = 1
    if _chance(rng, p_bad):
        key = _pick(rng, ["kernel_size", "padding"])
        cfg[key] = _pick(rng, [0, -1]) if key == "kernel_size" else -1
    return cfg


def gen_max_pool_size(rng: np.random.Generator) -> Config:
    cfg = _pool_geometry(rng, dilation=True, p_bad=0.04)
    cfg["input_size"] = _input_hw(rng, hi=10)
    return cfg


def gen_avg_pool_size(rng: np.random.Generator) -> Config:
    cfg = _pool_geometry(rng, dilation=False, p_bad=0.04)
    cfg["input_size"] = _input_hw(rng, hi=10)
    cfg["divisor_override"] = None if _chance(rng, 0.8) else _ri(rng, 0, 6)
    return cfg


def torch_max_pool_size(cfg: Config) -> Result:
    torch = _torch()
    h, w = cfg["input_size"]
    y = torch.nn.functional.max_pool2d(torch.zeros(1, 1, h, w, dtype=torch.float64),
                                       cfg["kernel_size"], cfg["stride"], cfg["padding"],
                                       cfg["dilation"], cfg["ceil_mode"])
    return {"out": list(y.shape[2:])}


def solver_max_pool_size(cfg: Config) -> Result:
    out = S.max_pool2d_output_size(cfg["input_size"], cfg["kernel_size"], cfg["stride"],
                                   cfg["padding"], cfg["dilation"], cfg["ceil_mode"])
    k = _pair(cfg["kernel_size"])
    s = k if cfg["stride"] is None else _pair(cfg["stride"])
    lengths = tuple(S.pool_output_length(n, kk, ss, p, d, cfg["ceil_mode"]) for n, kk, ss, p, d in
                    zip(cfg["input_size"], k, s, _pair(cfg["padding"]), _pair(cfg["dilation"]),
                        strict=True))
    assert lengths == out
    return {"out": list(out)}


def torch_avg_pool_size(cfg: Config) -> Result:
    torch = _torch()
    h, w = cfg["input_size"]
    y = torch.nn.functional.avg_pool2d(torch.zeros(1, 1, h, w, dtype=torch.float64),
                                       cfg["kernel_size"], cfg["stride"], cfg["padding"],
                                       cfg["ceil_mode"], True, cfg["divisor_override"])
    return {"out": list(y.shape[2:])}


def solver_avg_pool_size(cfg: Config) -> Result:
    return {"out": list(S.avg_pool2d_output_size(cfg["input_size"], cfg["kernel_size"],
                                                 cfg["stride"], cfg["padding"], cfg["ceil_mode"],
                                                 cfg["divisor_override"]))}


def gen_conv_transpose_size(rng: np.random.Generator) -> Config:
    cin, cout, groups = _channels(rng)
    s = [_ri(rng, 1, 4), _ri(rng, 1, 4)]
    d = [_ri(rng, 1, 3), _ri(rng, 1, 3)]
    if _chance(rng, 0.6):
        s[1], d[1] = s[0], d[0]
    op = [_ri(rng, 0, max(si, di)) for si, di in zip(s, d, strict=True)]
    if _chance(rng, 0.5):
        op = [min(o, max(si, di) - 1) for o, si, di in zip(op, s, d, strict=True)]
    cfg: Config = {
        "input_size": _input_hw(rng, hi=8),
        "kernel_size": _dim(rng, 1, 5),
        "stride": _collapse(s, rng),
        "padding": _dim(rng, 0, 4),
        "output_padding": _collapse(op, rng),
        "dilation": _collapse(d, rng),
        "in_channels": cin,
        "out_channels": cout,
        "groups": groups,
    }
    if _chance(rng, 0.05):
        key = _pick(rng, ["kernel_size", "stride", "padding", "output_padding", "dilation"])
        cfg[key] = {"kernel_size": 0, "stride": 0, "padding": -1, "output_padding": -1,
                    "dilation": 0}[key]
    return cfg


def torch_conv_transpose_size(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.ConvTranspose2d(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"],
                                 stride=cfg["stride"], padding=cfg["padding"],
                                 output_padding=cfg["output_padding"], groups=cfg["groups"],
                                 bias=False, dilation=cfg["dilation"], dtype=torch.float64)
    h, w = cfg["input_size"]
    y = m(torch.zeros(1, cfg["in_channels"], h, w, dtype=torch.float64))
    return {"out": list(y.shape[2:])}


def solver_conv_transpose_size(cfg: Config) -> Result:
    out = S.conv_transpose2d_output_size(
        cfg["input_size"], cfg["kernel_size"], cfg["stride"], cfg["padding"],
        cfg["output_padding"], cfg["dilation"], in_channels=cfg["in_channels"],
        out_channels=cfg["out_channels"], groups=cfg["groups"])
    return {"out": list(out)}


def gen_adaptive_size(rng: np.random.Generator) -> Config:
    if _chance(rng, 0.4):
        out: Any = _ri(rng, 0, 10)
    else:
        out = [_ri(rng, 0, 10), _ri(rng, 0, 10)]
        if _chance(rng, 0.2):
            out[_ri(rng, 0, 1)] = None
    if _chance(rng, 0.04):
        out = -1 if _chance(rng, 0.5) else [_ri(rng, 1, 4), -_ri(rng, 1, 3)]
    return {"input_size": _input_hw(rng, hi=10), "output_size": out}


def torch_adaptive_size(cfg: Config) -> Result:
    torch = _torch()
    h, w = cfg["input_size"]
    y = torch.nn.functional.adaptive_avg_pool2d(torch.zeros(1, 1, h, w, dtype=torch.float64),
                                                cfg["output_size"])
    return {"out": list(y.shape[2:])}


def solver_adaptive_size(cfg: Config) -> Result:
    return {"out": list(S.adaptive_avg_pool2d_output_size(cfg["input_size"],
                                                          cfg["output_size"]))}


_SCALES = [0.5, 1.5, 2.0, 2.5, 3.0, 0.25, 1 / 3, 2 / 3, 1.1, 1.7, 0.7, 0.3, 0.1, 2.2, 3.3,
           1.01, 0.999, 1.0, 4.0, 0.6, 1.9, 2.9, 0.15]


def _scale(rng: np.random.Generator, hi: float = 4.0, lo: float = 0.05) -> float:
    r = rng.random()
    if r < 0.5:
        return float(_pick(rng, [s for s in _SCALES if s >= lo]))
    if r < 0.8:
        return round(float(rng.uniform(lo, hi)), 2)
    return float(rng.uniform(lo, hi))


def _interp_spec(rng: np.random.Generator, max_scale: float, max_size: int, p_bad: float,
                 min_scale: float = 0.05) -> Config:
    spec: Config = {"size": None, "scale_factor": None, "recompute_scale_factor": None}
    if _chance(rng, 0.4):
        spec["size"] = (_ri(rng, 1, max_size) if _chance(rng, 0.4)
                        else [_ri(rng, 1, max_size), _ri(rng, 1, max_size)])
    else:
        spec["scale_factor"] = (_scale(rng, max_scale, min_scale) if _chance(rng, 0.5)
                                else [_scale(rng, max_scale, min_scale),
                                      _scale(rng, max_scale, min_scale)])
        spec["recompute_scale_factor"] = _pick(rng, [None, None, True, False])
    if _chance(rng, p_bad):
        kind = _ri(rng, 0, 4)
        if kind == 0:
            spec["size"], spec["scale_factor"] = _ri(rng, 1, 5), 2.0
        elif kind == 1:
            spec["size"] = spec["scale_factor"] = None
        elif kind == 2:
            spec["size"], spec["scale_factor"] = [_ri(rng, 1, 4), _pick(rng, [0, -2])], None
        elif kind == 3:
            spec["size"], spec["scale_factor"] = None, _pick(rng, [0.0, -1.5, 0.01])
        else:
            spec["size"], spec["scale_factor"] = _ri(rng, 1, 5), None
            spec["recompute_scale_factor"] = True
    return spec


def gen_upsample_size(rng: np.random.Generator) -> Config:
    cfg = _interp_spec(rng, 4.0, 30, p_bad=0.1)
    cfg["input_size"] = _input_hw(rng, hi=40, p_zero=0.02)
    return cfg


def _interp(x, cfg: Config, mode: str, align_corners: bool | None = None):
    torch = _torch()
    return torch.nn.functional.interpolate(x, size=cfg["size"], scale_factor=cfg["scale_factor"],
                                           mode=mode, align_corners=align_corners,
                                           recompute_scale_factor=cfg["recompute_scale_factor"])


def torch_upsample_size(cfg: Config) -> Result:
    torch = _torch()
    h, w = cfg["input_size"]
    y = _interp(torch.zeros(1, 1, h, w, dtype=torch.float64), cfg, "nearest")
    return {"out": list(y.shape[2:])}


def solver_upsample_size(cfg: Config) -> Result:
    return {"out": list(S.upsample_output_size(cfg["input_size"], cfg["size"],
                                               cfg["scale_factor"],
                                               cfg["recompute_scale_factor"]))}


def gen_unfold(rng: np.random.Generator) -> Config:
    return {
        "input_size": _input_hw(rng, hi=10),
        "channels": _ri(rng, 1, 4),
        "kernel_size": _dim(rng, 1, 5, bad=(0,), p_bad=0.03),
        "dilation": _dim(rng, 1, 3, bad=(0,), p_bad=0.03),
        "padding": _dim(rng, 0, 3, bad=(-1,), p_bad=0.03),
        "stride": _dim(rng, 1, 3, bad=(0,), p_bad=0.03),
    }


def torch_unfold(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.Unfold(cfg["kernel_size"], cfg["dilation"], cfg["padding"], cfg["stride"])
    h, w = cfg["input_size"]
    y = m(torch.zeros(1, cfg["channels"], h, w, dtype=torch.float64))
    return {"out": list(y.shape[1:])}


def solver_unfold(cfg: Config) -> Result:
    shape = S.unfold_output_shape(cfg["input_size"], cfg["kernel_size"], cfg["dilation"],
                                  cfg["padding"], cfg["stride"], channels=cfg["channels"])
    blocks = S.unfold_num_blocks(cfg["input_size"], cfg["kernel_size"], cfg["dilation"],
                                 cfg["padding"], cfg["stride"])
    assert blocks == shape[1]
    return {"out": list(shape)}


# ----------------------------------------------------------------------------- receptive field

def _ref_len(n: int, layer: Config) -> int:
    """Output length of one layer per the torch docs (test-side, used to pick a unit)."""
    eff = layer["d"] * (layer["k"] - 1) + 1
    num = n + 2 * layer["p"] - eff
    if layer["ceil"]:
        out = -(-num // layer["s"]) + 1
        if (out - 1) * layer["s"] >= n + layer["p"]:
            out -= 1
        return out
    return num // layer["s"] + 1


def gen_receptive_field(rng: np.random.Generator) -> Config:
    while True:
        layers = []
        for _ in range(_ri(rng, 1, 6)):
            if _chance(rng, 0.6):
                k = _ri(rng, 1, 5)
                layers.append({"kind": "conv", "k": k, "s": _pick(rng, [1, 1, 1, 2, 2, 3]),
                               "p": _ri(rng, 0, 3), "d": _pick(rng, [1, 1, 1, 2, 3]),
                               "ceil": False})
            else:
                k = _ri(rng, 2, 3)
                layers.append({"kind": "pool", "k": k,
                               "s": k if _chance(rng, 0.6) else _ri(rng, 1, 3),
                               "p": _ri(rng, 0, k // 2), "d": 1, "ceil": _chance(rng, 0.3)})
        n = _ri(rng, 8, 80)
        size = n
        for layer in layers:
            size = _ref_len(size, layer)
            if size < 1:
                break
        if size >= 1:
            return {"layers": layers, "input_size": n, "unit": _ri(rng, 0, size - 1)}


def torch_receptive_field(cfg: Config) -> Result:
    torch = _torch()
    f = torch.nn.functional
    x = torch.ones(1, 1, cfg["input_size"], dtype=torch.float64, requires_grad=True)
    y = x
    sizes = []
    for layer in cfg["layers"]:
        if layer["kind"] == "conv":
            weight = torch.ones(1, 1, layer["k"], dtype=torch.float64)
            y = f.conv1d(y, weight, stride=layer["s"], padding=layer["p"],
                         dilation=layer["d"])
        else:
            y = f.avg_pool1d(y, layer["k"], layer["s"], layer["p"], ceil_mode=layer["ceil"],
                             count_include_pad=True)
        sizes.append(int(y.shape[-1]))
    y[0, 0, cfg["unit"]].backward()
    support = torch.nonzero(x.grad[0, 0]).flatten().numpy().astype(np.int64)
    return {"sizes": sizes, "support": support}


def _layers(cfg: Config) -> list[S.Layer]:
    out = []
    for ly in cfg["layers"]:
        if ly["kind"] == "conv":
            layer = S.conv(ly["k"], ly["s"], ly["p"], ly["d"])
        else:
            layer = S.pool(ly["k"], ly["s"], ly["p"], ly["d"], ceil_mode=ly["ceil"])
        assert layer == S.Layer(ly["k"], ly["s"], ly["p"], ly["d"], ly["kind"], ly["ceil"])
        out.append(layer)
    return out


def solver_receptive_field(cfg: Config) -> Result:
    layers = _layers(cfg)
    table = S.receptive_field_table(layers, cfg["input_size"])
    support = S.input_footprint(layers, cfg["unit"], cfg["input_size"])
    return {"sizes": [row.output_size for row in table], "support": support}


def check_receptive_field_formula(cfg: Config, expected: Result) -> str | None:
    """For a unit whose closed-form window lies inside the input (so no layer clips it),
    torch's gradient support must span exactly ``[u*J - P, u*J - P + r - 1]``."""
    rf = S.stack_receptive_field(_layers(cfg))
    lo = cfg["unit"] * rf.stride - rf.padding
    hi = lo + rf.size - 1
    if lo < 0 or hi >= cfg["input_size"]:
        return None
    support = np.asarray(expected["support"])
    if support.size == 0 or support[0] != lo or support[-1] != hi:
        got = (int(support[0]), int(support[-1])) if support.size else None
        return f"formula window {(lo, hi)} (r={rf.size}) but torch support spans {got}"
    emp = S.empirical_receptive_field(_layers(cfg), cfg["unit"])
    if emp != (rf.size, lo):
        return f"unclipped footprint {emp} != formula {(rf.size, lo)}"
    return None


# ----------------------------------------------------------------------------- params / MACs

def _flops(module, x) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        module(x)
    return int(counter.get_total_flops())


def _nparams(module) -> int:
    return int(sum(p.numel() for p in module.parameters()))


def gen_conv2d_params(rng: np.random.Generator) -> Config:
    cin, cout, groups = _channels(rng, zero_in=False, zero_out=False)
    return {"in_channels": cin, "out_channels": cout, "groups": groups,
            "kernel_size": _dim(rng, 1, 5), "stride": _dim(rng, 1, 2),
            "padding": _dim(rng, 0, 2), "bias": _chance(rng, 0.5),
            "input_size": [_ri(rng, 5, 12), _ri(rng, 5, 12)], "batch": _ri(rng, 1, 3)}


def torch_conv2d_params(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.Conv2d(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"],
                        cfg["stride"], cfg["padding"], groups=cfg["groups"], bias=cfg["bias"],
                        dtype=torch.float64)
    x = torch.zeros(cfg["batch"], cfg["in_channels"], *cfg["input_size"], dtype=torch.float64)
    return {"params": _nparams(m), "flops": _flops(m, x)}


def solver_conv2d_params(cfg: Config) -> Result:
    params = S.conv2d_params(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"],
                             cfg["groups"], cfg["bias"])
    out = S.conv2d_output_size(cfg["input_size"], cfg["kernel_size"], cfg["stride"],
                               cfg["padding"], in_channels=cfg["in_channels"],
                               out_channels=cfg["out_channels"], groups=cfg["groups"])
    macs = S.conv2d_macs(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"], out,
                         cfg["groups"], cfg["batch"])
    return {"params": params, "flops": S.flops(macs)}


def gen_separable(rng: np.random.Generator) -> Config:
    cin = _ri(rng, 1, 12)
    if _chance(rng, 0.02):
        cin = 0
    return {"in_channels": cin, "out_channels": _ri(rng, 1, 16), "kernel_size": _dim(rng, 1, 7),
            "stride": _dim(rng, 1, 2), "padding": _dim(rng, 0, 3), "bias": _chance(rng, 0.5),
            "input_size": [_ri(rng, 7, 12), _ri(rng, 7, 12)], "batch": _ri(rng, 1, 2)}


def torch_separable(cfg: Config) -> Result:
    torch = _torch()
    nn = torch.nn
    cin, cout, k = cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"]
    m = nn.Sequential(
        nn.Conv2d(cin, cin, k, cfg["stride"], cfg["padding"], groups=cin, bias=cfg["bias"],
                  dtype=torch.float64),
        nn.Conv2d(cin, cout, 1, bias=cfg["bias"], dtype=torch.float64))
    x = torch.zeros(cfg["batch"], cin, *cfg["input_size"], dtype=torch.float64)
    sep_nobias = sum(p.numel() for n_, p in m.named_parameters() if n_.endswith("weight"))
    standard = nn.Conv2d(cin, cout, k, bias=False, dtype=torch.float64)
    ratio = Fraction(int(sep_nobias), _nparams(standard))
    return {"params": _nparams(m), "flops": _flops(m, x),
            "ratio": [ratio.numerator, ratio.denominator]}


def solver_separable(cfg: Config) -> Result:
    cin, cout, k = cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"]
    params = S.depthwise_separable_params(cin, cout, k, cfg["bias"])
    out = S.conv2d_output_size(cfg["input_size"], k, cfg["stride"], cfg["padding"],
                               in_channels=cin, out_channels=cin, groups=cin)
    macs = S.depthwise_separable_macs(cin, cout, k, out, cfg["batch"])
    ratio = S.separable_cost_ratio(cin, cout, k)
    assert ratio == S.separable_cost_ratio_formula(cout, k)
    return {"params": params, "flops": S.flops(macs),
            "ratio": [ratio.numerator, ratio.denominator]}


def gen_conv_transpose_params(rng: np.random.Generator) -> Config:
    cin, cout, groups = _channels(rng, zero_in=False, zero_out=False)
    return {"in_channels": cin, "out_channels": cout,
            "groups": groups, "kernel_size": _dim(rng, 1, 5), "stride": _dim(rng, 1, 3),
            "padding": _dim(rng, 0, 1), "bias": _chance(rng, 0.5),
            "input_size": [_ri(rng, 2, 8), _ri(rng, 2, 8)], "batch": _ri(rng, 1, 3)}


def torch_conv_transpose_params(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.ConvTranspose2d(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"],
                                 cfg["stride"], cfg["padding"], groups=cfg["groups"],
                                 bias=cfg["bias"], dtype=torch.float64)
    x = torch.zeros(cfg["batch"], cfg["in_channels"], *cfg["input_size"], dtype=torch.float64)
    return {"params": _nparams(m), "flops": _flops(m, x)}


def solver_conv_transpose_params(cfg: Config) -> Result:
    params = S.conv_transpose2d_params(cfg["in_channels"], cfg["out_channels"],
                                       cfg["kernel_size"], cfg["groups"], cfg["bias"])
    S.conv_transpose2d_output_size(cfg["input_size"], cfg["kernel_size"], cfg["stride"],
                                   cfg["padding"], in_channels=cfg["in_channels"],
                                   out_channels=cfg["out_channels"], groups=cfg["groups"])
    macs = S.conv_transpose2d_macs(cfg["in_channels"], cfg["out_channels"], cfg["kernel_size"],
                                   cfg["input_size"], cfg["groups"], cfg["batch"])
    return {"params": params, "flops": S.flops(macs)}


def gen_linear(rng: np.random.Generator) -> Config:
    fin, fout = _ri(rng, 0, 64), _ri(rng, 1, 64)
    if _chance(rng, 0.02):
        fin = -1
    return {"in_features": fin, "out_features": fout, "bias": _chance(rng, 0.5),
            "batch": _ri(rng, 1, 5)}


def torch_linear(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.Linear(cfg["in_features"], cfg["out_features"], cfg["bias"],
                        dtype=torch.float64)
    x = torch.zeros(cfg["batch"], cfg["in_features"], dtype=torch.float64)
    return {"params": _nparams(m), "flops": _flops(m, x)}


def solver_linear(cfg: Config) -> Result:
    return {"params": S.linear_params(cfg["in_features"], cfg["out_features"], cfg["bias"]),
            "flops": S.flops(S.linear_macs(cfg["in_features"], cfg["out_features"],
                                           cfg["batch"]))}


def gen_batchnorm_counts(rng: np.random.Generator) -> Config:
    c = _ri(rng, 0, 512)
    if _chance(rng, 0.02):
        c = -_ri(rng, 1, 3)
    return {"num_features": c, "affine": _chance(rng, 0.7),
            "track_running_stats": _chance(rng, 0.7)}


def torch_batchnorm_counts(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.BatchNorm2d(cfg["num_features"], affine=cfg["affine"],
                             track_running_stats=cfg["track_running_stats"])
    buffers = list(m.buffers())
    return {"learnable": _nparams(m), "buffer_elements": int(sum(b.numel() for b in buffers)),
            "buffers": len(buffers)}


def solver_batchnorm_counts(cfg: Config) -> Result:
    c = S.batchnorm2d_counts(cfg["num_features"], cfg["affine"], cfg["track_running_stats"])
    return {"learnable": c.learnable, "buffer_elements": c.buffer_elements, "buffers": c.buffers}


def gen_layernorm(rng: np.random.Generator) -> Config:
    if _chance(rng, 0.3):
        shape: Any = _ri(rng, 0, 1024)
    else:
        shape = [_ri(rng, 0, 12) for _ in range(_ri(rng, 0, 3))]
        if shape and _chance(rng, 0.03):
            shape[-1] = -1
    return {"normalized_shape": shape, "elementwise_affine": _chance(rng, 0.8),
            "bias": _chance(rng, 0.7)}


def torch_layernorm(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.LayerNorm(cfg["normalized_shape"], elementwise_affine=cfg["elementwise_affine"],
                           bias=cfg["bias"])
    return {"params": _nparams(m)}


def solver_layernorm(cfg: Config) -> Result:
    return {"params": S.layernorm_params(cfg["normalized_shape"], cfg["elementwise_affine"],
                                         cfg["bias"])}


# ----------------------------------------------------------------------------- pooling values

def _value_shape(rng: np.random.Generator, hi: int = 8, lo: int = 1) -> list[int]:
    hw = [_ri(rng, 1, 2), _ri(rng, 1, hi)] if _chance(rng, 0.05) else \
        [_ri(rng, lo, hi), _ri(rng, lo, hi)]
    if _chance(rng, 0.25):
        return [_ri(rng, 1, 2), *hw]
    return [_ri(rng, 1, 2), _ri(rng, 1, 2), *hw]


def gen_max_pool_values(rng: np.random.Generator) -> Config:
    cfg = _pool_geometry(rng, dilation=True, p_bad=0.02, p_over=0.04)
    shape = _value_shape(rng, lo=3)
    if _chance(rng, 0.04):  # dilation steps over a width-2 input: a window with no element
        shape[-1] = 2
        cfg.update(kernel_size=[_ri(rng, 1, 3), 2], stride=None, padding=[0, 1],
                   dilation=[1, 3], ceil_mode=_chance(rng, 0.5))
    x = rng.integers(-3, 4, size=shape).astype(np.float64)
    if _chance(rng, 0.1):
        x[rng.random(shape) < 0.3] = -np.inf
    if _chance(rng, 0.03):
        x[...] = -np.inf
    if _chance(rng, 0.05):
        x[rng.random(shape) < 0.2] = np.nan
    cfg["x"] = x
    cfg["grad_seed"] = _ri(rng, 0, 10)
    return cfg


def _window_empty(n: int, out: int, k: int, s: int, p: int, d: int) -> bool:
    for o in range(out):
        taps = [o * s - p + t * d for t in range(k)]
        if not any(0 <= t < n for t in taps):
            return True
    return False


def torch_max_pool_values(cfg: Config) -> Result:
    torch = _torch()
    x = _t(cfg["x"], grad=True)
    y, idx = torch.nn.functional.max_pool2d(x, cfg["kernel_size"], cfg["stride"],
                                            cfg["padding"], cfg["dilation"], cfg["ceil_mode"],
                                            return_indices=True)
    res: Result = {"out": _np(y), "indices": _np(idx)}
    k, d, p = _pair(cfg["kernel_size"]), _pair(cfg["dilation"]), _pair(cfg["padding"])
    s = k if cfg["stride"] is None else _pair(cfg["stride"])
    if any(_window_empty(x.shape[a], y.shape[a], k[i], s[i], p[i], d[i])
           for i, a in enumerate((-2, -1))):
        res["grad_undefined"] = True  # ATen's backward would write out of bounds
    else:
        y.backward(_t(grad_pattern(tuple(y.shape), cfg["grad_seed"])))
        res["grad"] = _np(x.grad)
    return res


def solver_max_pool_values(cfg: Config) -> Result:
    args = (cfg["kernel_size"], cfg["stride"], cfg["padding"], cfg["dilation"], cfg["ceil_mode"])
    out, idx = S.max_pool2d_with_indices(cfg["x"], *args)
    plain = S.max_pool2d(cfg["x"], *args)
    assert np.array_equal(plain, out, equal_nan=True)
    res: Result = {"out": out, "indices": idx}
    try:
        res["grad"] = S.max_pool2d_backward(grad_pattern(out.shape, cfg["grad_seed"]), cfg["x"],
                                            *args)
    except SolverError:
        res["grad_undefined"] = True
    return res


def gen_avg_pool_values(rng: np.random.Generator) -> Config:
    cfg = _pool_geometry(rng, dilation=False, p_bad=0.02, p_over=0.04)
    shape = _value_shape(rng, lo=2)
    cfg["x"] = _real(rng, shape) if _chance(rng, 0.7) else \
        rng.integers(-5, 6, size=shape).astype(np.float64)
    cfg["count_include_pad"] = _chance(rng, 0.5)
    cfg["divisor_override"] = None if _chance(rng, 0.75) else _ri(rng, 0, 7)
    cfg["grad_seed"] = _ri(rng, 0, 10)
    return cfg


def torch_avg_pool_values(cfg: Config) -> Result:
    torch = _torch()
    x = _t(cfg["x"], grad=True)
    y = torch.nn.functional.avg_pool2d(x, cfg["kernel_size"], cfg["stride"], cfg["padding"],
                                       cfg["ceil_mode"], cfg["count_include_pad"],
                                       cfg["divisor_override"])
    y.backward(_t(grad_pattern(tuple(y.shape), cfg["grad_seed"])))
    return {"out": _np(y), "grad": _np(x.grad)}


def solver_avg_pool_values(cfg: Config) -> Result:
    args = (cfg["kernel_size"], cfg["stride"], cfg["padding"], cfg["ceil_mode"],
            cfg["count_include_pad"], cfg["divisor_override"])
    out = S.avg_pool2d(cfg["x"], *args)
    grad = S.avg_pool2d_backward(grad_pattern(out.shape, cfg["grad_seed"]), cfg["x"].shape,
                                 *args)
    return {"out": out, "grad": grad}


def gen_adaptive_values(rng: np.random.Generator) -> Config:
    cfg = gen_adaptive_size(rng)
    del cfg["input_size"]
    shape = _value_shape(rng, hi=7)
    if _chance(rng, 0.03):  # empty input: only a (1, 1) output (ATen's mean shortcut) works
        shape[-_ri(rng, 1, 2)] = 0
        if _chance(rng, 0.7):
            cfg["output_size"] = 1
    cfg["x"] = _real(rng, shape)
    cfg["grad_seed"] = _ri(rng, 0, 10)
    return cfg


def torch_adaptive_values(cfg: Config) -> Result:
    torch = _torch()
    x = _t(cfg["x"], grad=True)
    y = torch.nn.functional.adaptive_avg_pool2d(x, cfg["output_size"])
    res: Result = {"out": _np(y)}
    try:
        y.backward(_t(grad_pattern(tuple(y.shape), cfg["grad_seed"])))
        res["grad"] = _np(x.grad)
    except RuntimeError:
        res["grad_error"] = True
    return res


def solver_adaptive_values(cfg: Config) -> Result:
    out = S.adaptive_avg_pool2d(cfg["x"], cfg["output_size"])
    res: Result = {"out": out}
    try:
        res["grad"] = S.adaptive_avg_pool2d_backward(grad_pattern(out.shape, cfg["grad_seed"]),
                                                     cfg["x"].shape, cfg["output_size"])
    except SolverError:
        res["grad_error"] = True
    return res


# ----------------------------------------------------------------------------- normalisation

def gen_batchnorm(rng: np.random.Generator) -> Config:
    n, c = _ri(rng, 1, 3), _ri(rng, 1, 3)
    h, w = (1, 1) if _chance(rng, 0.15) else (_ri(rng, 1, 3), _ri(rng, 1, 3))
    if _chance(rng, 0.02):
        n = 0
    scale = float(_pick(rng, [1.0, 1 / 128, 16.0, 1024.0]))
    x = _real(rng, (n, c, h, w)) * scale + _ri(rng, -32, 32) / 8 * scale
    affine = _chance(rng, 0.7)
    return {
        "x": x,
        "weight": _real(rng, c) if affine else None,
        "bias": _real(rng, c) if affine else None,
        "running_mean": _real(rng, c),
        "running_var": rng.random(c) + 0.5,
        "momentum": _pick(rng, [0.1, 0.1, None, 0.01, 0.5, 1.0, round(float(rng.random()), 3)]),
        "eps": _pick(rng, [1e-5, 1e-5, 1e-3, 0.1, 1e-8]),
        "num_batches_tracked": _ri(rng, 0, 6),
    }


def _bn_module(cfg: Config):
    torch = _torch()
    c = cfg["x"].shape[1]
    affine = cfg["weight"] is not None
    m = torch.nn.BatchNorm2d(c, eps=cfg["eps"], momentum=cfg["momentum"], affine=affine,
                             dtype=torch.float64)
    with torch.no_grad():
        if affine:
            m.weight.copy_(_t(cfg["weight"]))
            m.bias.copy_(_t(cfg["bias"]))
        m.running_mean.copy_(_t(cfg["running_mean"]))
        m.running_var.copy_(_t(cfg["running_var"]))
        m.num_batches_tracked.fill_(cfg["num_batches_tracked"])
    return m


def torch_batchnorm_train(cfg: Config) -> Result:
    m = _bn_module(cfg)
    m.train()
    y = m(_t(cfg["x"]))
    return {"out": _np(y), "running_mean": _np(m.running_mean),
            "running_var": _np(m.running_var),
            "num_batches_tracked": int(m.num_batches_tracked.item())}


def solver_batchnorm_train(cfg: Config) -> Result:
    r = S.batch_norm2d_train(cfg["x"], cfg["weight"], cfg["bias"], cfg["running_mean"],
                             cfg["running_var"], cfg["momentum"], cfg["eps"],
                             cfg["num_batches_tracked"])
    return {"out": r.output, "running_mean": r.running_mean, "running_var": r.running_var,
            "num_batches_tracked": r.num_batches_tracked}


def torch_batchnorm_eval(cfg: Config) -> Result:
    m = _bn_module(cfg)
    m.eval()
    return {"out": _np(m(_t(cfg["x"])))}


def solver_batchnorm_eval(cfg: Config) -> Result:
    return {"out": S.batch_norm2d_eval(cfg["x"], cfg["running_mean"], cfg["running_var"],
                                       cfg["weight"], cfg["bias"], cfg["eps"])}


def _norm_input(rng: np.random.Generator) -> tuple[np.ndarray, Any]:
    ndim = _ri(rng, 1, 3)
    shape = [_ri(rng, 1 if _chance(rng, 0.1) else 2, 5) for _ in range(ndim)]
    if _chance(rng, 0.8):
        x = _real(rng, shape) * float(_pick(rng, [1.0, 128.0, 1 / 1024]))
    else:
        x = rng.integers(-4, 5, size=shape).astype(np.float64)
    r = rng.random()
    axis: Any = None if r < 0.4 else (_ri(rng, -ndim, ndim - 1) if r < 0.8 else
                                      sorted({_ri(rng, 0, ndim - 1), _ri(rng, 0, ndim - 1)}))
    if _chance(rng, 0.08):  # a constant slice: the range / std is exactly zero
        x = np.full(shape, float(_ri(rng, -3, 3)))
    return x, axis


def gen_min_max(rng: np.random.Generator) -> Config:
    x, axis = _norm_input(rng)
    lo = float(_pick(rng, [0.0, 0.0, -1.0, 2.5]))
    span = float(_pick(rng, [1.0, 2.0, 10.0]))
    return {"x": x, "axis": axis, "new_min": lo, "new_max": lo + span}


def _dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def torch_min_max(cfg: Config) -> Result:
    x = _t(cfg["x"])
    dims = _dims(cfg["axis"], x.ndim)
    lo = x.amin(dim=dims, keepdim=True)
    hi = x.amax(dim=dims, keepdim=True)
    if bool(((hi - lo) == 0).any()):
        return {"error": "zero range: (x - min) / (max - min) is 0/0"}
    y = (x - lo) / (hi - lo) * (cfg["new_max"] - cfg["new_min"]) + cfg["new_min"]
    return {"out": _np(y)}


def solver_min_max(cfg: Config) -> Result:
    return {"out": S.min_max_normalize(cfg["x"], cfg["new_min"], cfg["new_max"], cfg["axis"])}


def gen_z_score(rng: np.random.Generator) -> Config:
    x, axis = _norm_input(rng)
    return {"x": x, "axis": axis, "eps": float(_pick(rng, [0.0, 0.0, 0.0, 1e-5]))}


def torch_z_score(cfg: Config) -> Result:
    torch = _torch()
    x = _t(cfg["x"])
    dims = _dims(cfg["axis"], x.ndim)
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    denom = torch.sqrt(var + cfg["eps"])
    if bool((denom == 0).any()):
        return {"error": "zero standard deviation"}
    if cfg["axis"] is None or list(dims) == list(range(x.ndim - len(dims), x.ndim)):
        shape = x.shape[x.ndim - len(dims):]
        ln = torch.nn.functional.layer_norm(x, shape, eps=cfg["eps"])
        assert torch.allclose(ln, (x - mean) / denom, rtol=1e-9, atol=1e-9)
    return {"out": _np((x - mean) / denom)}


def solver_z_score(cfg: Config) -> Result:
    return {"out": S.z_score_normalize(cfg["x"], cfg["axis"], cfg["eps"])}


# ----------------------------------------------------------------------------- upsampling

def _interp_input(rng: np.random.Generator, integers: bool) -> np.ndarray:
    if _chance(rng, 0.2):  # long rows: H_out + W_out > 128 switches ATen's nearest kernel
        shape = [1, 1, _ri(rng, 1, 2), _ri(rng, 2, 40)]
    else:  # C = 1 is also channels-last contiguous: a different bilinear kernel than C = 2..4
        shape = [1, _pick(rng, [1, 1, 2, 4]), _ri(rng, 1, 6), _ri(rng, 1, 6)]
    if integers:
        return rng.integers(-100, 101, size=shape).astype(np.float64)
    return _real(rng, shape)


# (W_in, W_out or scale, exact) where ATen's two nearest kernels pick different pixels
# (found by a brute-force search; torch confirms them in the live test).
_NEAREST_SPLIT_SIZES = [(2, 141, 1), (2, 194, 0), (4, 165, 1), (6, 141, 0), (6, 183, 0),
                        (8, 165, 1), (8, 194, 1), (12, 158, 1), (14, 166, 0), (16, 159, 1),
                        (20, 134, 1), (22, 162, 0), (24, 158, 0), (26, 194, 0), (28, 184, 0),
                        (36, 142, 1), (40, 148, 1)]
_NEAREST_SPLIT_SCALES = [(16, 9.2, 0), (18, 10.8, 0), (20, 6.7, 1), (21, 6.9, 1), (22, 7.4, 0),
                         (26, 5.4, 0), (27, 6.7, 1), (30, 7.4, 0), (32, 6.9, 0), (35, 4.6, 0),
                         (36, 3.7, 0), (39, 3.7, 0), (40, 4.6, 0)]


def gen_upsample_nearest(rng: np.random.Generator) -> Config:
    x = _interp_input(rng, integers=True)
    max_size = 100 if x.shape[-1] > 6 else 18
    cfg = _interp_spec(rng, 3.0, max_size, p_bad=0.06, min_scale=0.25)
    if _chance(rng, 0.05):
        if _chance(rng, 0.5):
            w, out, exact = _pick(rng, _NEAREST_SPLIT_SIZES)
            cfg.update(size=[1, out], scale_factor=None, recompute_scale_factor=None)
        else:
            w, scale, exact = _pick(rng, _NEAREST_SPLIT_SCALES)
            cfg.update(size=None, scale_factor=[1.0, scale], recompute_scale_factor=None)
        cfg.update(x=rng.integers(-100, 101, size=(1, 1, 1, w)).astype(np.float64),
                   mode="nearest-exact" if exact else "nearest", align_corners=None)
        return cfg
    if x.shape[-1] > 6 and _chance(rng, 0.8):  # H_out + W_out > 128: ATen's generic kernel
        w = x.shape[-1]
        if _chance(rng, 0.5):
            cfg.update(size=[_ri(rng, 1, 3), _ri(rng, 126, 200)], scale_factor=None,
                       recompute_scale_factor=None)
        else:
            cfg.update(size=None, scale_factor=[_pick(rng, [1.0, 1.5, 0.5]),
                                                float(rng.uniform(130 / w, 200 / w))],
                       recompute_scale_factor=_pick(rng, [None, True, False]))
    cfg["x"] = x
    cfg["mode"] = "nearest" if _chance(rng, 0.6) else "nearest-exact"
    cfg["align_corners"] = None if _chance(rng, 0.98) else False
    return cfg


def gen_upsample_bilinear(rng: np.random.Generator) -> Config:
    x = _interp_input(rng, integers=False)
    max_size = 60 if x.shape[-1] > 6 else 12
    cfg = _interp_spec(rng, 2.5, max_size, p_bad=0.06, min_scale=0.25)
    if x.shape[-1] > 6 and cfg["size"] is not None:
        cfg["size"] = [_ri(rng, 1, 3), _ri(rng, 1, max_size)]
    cfg["x"] = x
    cfg["mode"] = "bilinear"
    cfg["align_corners"] = _pick(rng, [None, True, False])
    return cfg


def torch_interpolate(cfg: Config) -> Result:
    y = _interp(_t(cfg["x"]), cfg, cfg["mode"], cfg["align_corners"])
    return {"out": _np(y)}


def solver_interpolate(cfg: Config) -> Result:
    out = S.interpolate(cfg["x"], cfg["size"], cfg["scale_factor"], cfg["mode"],
                        cfg["align_corners"], cfg["recompute_scale_factor"])
    if cfg["mode"] == "bilinear":
        alt = S.upsample_bilinear(cfg["x"], cfg["size"], cfg["scale_factor"],
                                  bool(cfg["align_corners"]), cfg["recompute_scale_factor"])
    else:
        alt = S.upsample_nearest(cfg["x"], cfg["size"], cfg["scale_factor"],
                                 cfg["recompute_scale_factor"], cfg["mode"] == "nearest-exact")
    assert np.array_equal(out, alt)
    return {"out": out}


def gen_conv_transpose_values(rng: np.random.Generator) -> Config:
    s = [_ri(rng, 1, 3), _ri(rng, 1, 3)]
    d = [_pick(rng, [1, 1, 2, 3]), _pick(rng, [1, 1, 2, 3])]
    if _chance(rng, 0.6):
        s[1], d[1] = s[0], d[0]
    op = [_ri(rng, 0, max(si, di) - 1) for si, di in zip(s, d, strict=True)]
    if _chance(rng, 0.05):
        op[_ri(rng, 0, 1)] = max(s + d)
    k = [_ri(rng, 1, 4), _ri(rng, 1, 4)]
    if _chance(rng, 0.6):
        k[1] = k[0]
    single = _chance(rng, 0.25)
    cin, cout = (1, 1) if single else (_ri(rng, 1, 3), _ri(rng, 1, 3))
    hw = [_ri(rng, 1, 5), _ri(rng, 1, 5)]
    integers = _chance(rng, 0.6)
    if single:
        xshape, wshape = hw, k
    else:
        xshape = [cin, *hw] if _chance(rng, 0.3) else [_ri(rng, 1, 2), cin, *hw]
        wshape = [cin, cout, *k]
    if integers:
        x = rng.integers(-3, 4, size=xshape).astype(np.float64)
        w = rng.integers(-2, 3, size=wshape).astype(np.float64)
    else:
        x, w = _real(rng, xshape, 0.5), _real(rng, wshape, 0.5)
    bias = None if single or _chance(rng, 0.5) else rng.integers(-2, 3, size=cout).astype(
        np.float64)
    return {"x": x, "weight": w, "bias": bias, "stride": _collapse(s, rng),
            "padding": _dim(rng, 0, 4 if _chance(rng, 0.2) else 1),
            "output_padding": _collapse(op, rng),
            "dilation": _collapse(d, rng)}


def torch_conv_transpose_values(cfg: Config) -> Result:
    torch = _torch()
    x, w = _t(cfg["x"]), _t(cfg["weight"])
    single = x.ndim == 2
    if single:
        x, w = x[None, None], w[None, None]
    bias = None if cfg["bias"] is None else _t(cfg["bias"])
    y = torch.nn.functional.conv_transpose2d(x, w, bias, cfg["stride"], cfg["padding"],
                                             cfg["output_padding"], 1, cfg["dilation"])
    return {"out": _np(y[0, 0] if single else y)}


def solver_conv_transpose_values(cfg: Config) -> Result:
    args = (cfg["x"], cfg["weight"], cfg["bias"], cfg["stride"], cfg["padding"],
            cfg["output_padding"], cfg["dilation"])
    routes = {"zero_insertion": S.conv_transpose2d_zero_insertion(*args),
              "scatter": S.conv_transpose2d_scatter(*args)}
    for method, value in routes.items():
        assert np.array_equal(S.conv_transpose2d(*args, method=method), value)
    return routes


def expand_conv_transpose(expected: Result) -> Result:
    """torch has one output; the solver two routes that must both equal it."""
    if "error" in expected:
        return expected
    return {"zero_insertion": expected["out"], "scatter": expected["out"]}


# ----------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class Case:
    name: str
    functions: tuple[str, ...]
    generate: Callable[[np.random.Generator], Config]
    torch_ref: Callable[[Config], Result]
    solver: Callable[[Config], Result]
    seed: int
    arrays: bool = False
    expand: Callable[[Result], Result] | None = None
    extra_check: Callable[[Config, Result], str | None] | None = None

    @property
    def fixture_path(self) -> Path:
        return FIXTURE_DIR / f"{self.name}.{'npz' if self.arrays else 'json'}"

    def expected_for_solver(self, torch_result: Result) -> Result:
        return self.expand(torch_result) if self.expand else torch_result


CASES: dict[str, Case] = {c.name: c for c in [
    Case("conv2d_output_size", ("sizes.conv2d_output_size", "sizes.same_padding",
                                "sizes.conv_output_length"),
         gen_conv2d, torch_conv2d, solver_conv2d, 101),
    Case("conv1d_output_size", ("sizes.conv1d_output_size", "sizes.same_padding",
                                "sizes.conv_output_length"),
         gen_conv1d, torch_conv1d, solver_conv1d, 102),
    Case("max_pool2d_output_size", ("sizes.max_pool2d_output_size", "sizes.pool_output_length"),
         gen_max_pool_size, torch_max_pool_size, solver_max_pool_size, 103),
    Case("avg_pool2d_output_size", ("sizes.avg_pool2d_output_size",), gen_avg_pool_size,
         torch_avg_pool_size, solver_avg_pool_size, 104),
    Case("conv_transpose2d_output_size", ("sizes.conv_transpose2d_output_size",),
         gen_conv_transpose_size, torch_conv_transpose_size, solver_conv_transpose_size, 105),
    Case("adaptive_avg_pool2d_output_size", ("sizes.adaptive_avg_pool2d_output_size",),
         gen_adaptive_size, torch_adaptive_size, solver_adaptive_size, 106),
    Case("upsample_output_size", ("sizes.upsample_output_size",), gen_upsample_size,
         torch_upsample_size, solver_upsample_size, 107),
    Case("unfold_output_shape", ("sizes.unfold_output_shape", "sizes.unfold_num_blocks"),
         gen_unfold, torch_unfold, solver_unfold, 108),
    Case("receptive_field", ("receptive_field.receptive_field_table", "receptive_field.conv",
                             "receptive_field.pool", "receptive_field.layer_output_size",
                             "receptive_field.input_footprint",
                             "receptive_field.stack_receptive_field",
                             "receptive_field.empirical_receptive_field"),
         gen_receptive_field, torch_receptive_field, solver_receptive_field, 201, arrays=True,
         extra_check=check_receptive_field_formula),
    Case("conv2d_params", ("params.conv2d_params", "params.conv2d_macs", "params.flops"),
         gen_conv2d_params, torch_conv2d_params, solver_conv2d_params, 301),
    Case("depthwise_separable", ("params.depthwise_separable_params",
                                 "params.depthwise_separable_macs",
                                 "params.separable_cost_ratio",
                                 "params.separable_cost_ratio_formula"),
         gen_separable, torch_separable, solver_separable, 302),
    Case("conv_transpose2d_params", ("params.conv_transpose2d_params",
                                     "params.conv_transpose2d_macs"),
         gen_conv_transpose_params, torch_conv_transpose_params, solver_conv_transpose_params,
         303),
    Case("linear_params", ("params.linear_params", "params.linear_macs"), gen_linear,
         torch_linear, solver_linear, 304),
    Case("batchnorm2d_counts", ("params.batchnorm2d_counts",), gen_batchnorm_counts,
         torch_batchnorm_counts, solver_batchnorm_counts, 305),
    Case("layernorm_params", ("params.layernorm_params",), gen_layernorm, torch_layernorm,
         solver_layernorm, 306),
    Case("max_pool2d_values", ("pooling_grad.max_pool2d", "pooling_grad.max_pool2d_with_indices",
                               "pooling_grad.max_pool2d_backward"),
         gen_max_pool_values, torch_max_pool_values, solver_max_pool_values, 401, arrays=True),
    Case("avg_pool2d_values", ("pooling_grad.avg_pool2d", "pooling_grad.avg_pool2d_backward"),
         gen_avg_pool_values, torch_avg_pool_values, solver_avg_pool_values, 402, arrays=True),
    Case("adaptive_avg_pool2d_values", ("pooling_grad.adaptive_avg_pool2d",
                                        "pooling_grad.adaptive_avg_pool2d_backward",
                                        "pooling_grad.adaptive_pool_bounds"),
         gen_adaptive_values, torch_adaptive_values, solver_adaptive_values, 403, arrays=True),
    Case("batch_norm2d_train", ("normalization.batch_norm2d_train",), gen_batchnorm,
         torch_batchnorm_train, solver_batchnorm_train, 501, arrays=True),
    Case("batch_norm2d_eval", ("normalization.batch_norm2d_eval",), gen_batchnorm,
         torch_batchnorm_eval, solver_batchnorm_eval, 502, arrays=True),
    Case("min_max_normalize", ("normalization.min_max_normalize",), gen_min_max, torch_min_max,
         solver_min_max, 503, arrays=True),
    Case("z_score_normalize", ("normalization.z_score_normalize",), gen_z_score, torch_z_score,
         solver_z_score, 504, arrays=True),
    Case("upsample_nearest", ("upsampling.interpolate", "upsampling.upsample_nearest",
                              "upsampling.nearest_source_indices"),
         gen_upsample_nearest, torch_interpolate, solver_interpolate, 601, arrays=True),
    Case("upsample_bilinear", ("upsampling.interpolate", "upsampling.upsample_bilinear",
                               "upsampling.bilinear_source_indices"),
         gen_upsample_bilinear, torch_interpolate, solver_interpolate, 602, arrays=True),
    Case("conv_transpose2d_values", ("upsampling.conv_transpose2d_zero_insertion",
                                     "upsampling.conv_transpose2d_scatter",
                                     "upsampling.conv_transpose2d"),
         gen_conv_transpose_values, torch_conv_transpose_values, solver_conv_transpose_values,
         603, arrays=True, expand=expand_conv_transpose),
]}
# attention, norms, losses, long context and decoding: in their own module
CASES.update({c.name: c for c in transformer_cases(Case)})
# optimizers, schedules, init, RNNs, detection, conv backward, training memory
CASES.update({c.name: c for c in training_cases(Case)})


def generate_configs(case: Case, n: int = N_CONFIGS) -> list[Config]:
    rng = np.random.default_rng(case.seed)
    return [case.generate(rng) for _ in range(n)]


# ----------------------------------------------------------------------------- running

def run_torch(case: Case, cfg: Config) -> Result:
    """torch's result, or ``{"error": message}`` when torch raises RuntimeError/ValueError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return case.torch_ref(cfg)
        except (RuntimeError, ValueError) as exc:
            return {"error": f"{type(exc).__name__}: {str(exc)[:100]}"}


def run_solver(case: Case, cfg: Config) -> Result:
    try:
        return case.solver(cfg)
    except SolverError as exc:
        return {"error": f"SolverError: {str(exc)[:300]}"}


_SOLVER_CACHE: dict[tuple[str, int], tuple[list[Config], list[Result]]] = {}


def solver_results(case: Case, configs: list[Config]) -> list[Result]:
    """The solver on every config, cached per case for the fixture and live tests."""
    key = (case.name, len(configs))
    cached = _SOLVER_CACHE.get(key)
    if cached is not None and (cached[0] is configs or same_config(cached[0], configs)):
        return cached[1]
    results = [run_solver(case, cfg) for cfg in configs]
    _SOLVER_CACHE[key] = (configs, results)
    return results


def _compare_value(expected: Any, actual: Any) -> str | None:
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        e, a = np.asarray(expected), np.asarray(actual)
        if e.shape != a.shape:
            return f"shape {a.shape} != torch {e.shape}"
        if e.dtype.kind in "iu" and a.dtype.kind in "iu":
            return None if np.array_equal(e, a) else _diff("integers differ", e, a, e != a)
        e, a = e.astype(np.float64), a.astype(np.float64)
        if not np.array_equal(np.isnan(e), np.isnan(a)):
            return _diff("NaN positions differ", e, a, np.isnan(e) != np.isnan(a))
        fin = np.isfinite(e)
        if not np.array_equal(e[~fin & ~np.isnan(e)], a[~fin & ~np.isnan(e)]) or \
                not np.array_equal(fin, np.isfinite(a)):
            return _diff("infinities differ", e, a, np.isfinite(e) != np.isfinite(a))
        if fin.any():
            scale = max(1.0, float(np.abs(e[fin]).max()))
            bad = np.zeros(e.shape, dtype=bool)
            bad[fin] = np.abs(a[fin] - e[fin]) > RTOL * np.abs(e[fin]) + ATOL * scale
            if bad.any():
                return _diff(f"values differ (rtol {RTOL})", e, a, bad)
        return None
    if _plain(expected) != _plain(actual):
        return f"{actual!r} != torch {expected!r}"
    return None


def _diff(what: str, e: np.ndarray, a: np.ndarray, bad: np.ndarray, limit: int = 6) -> str:
    where = np.argwhere(bad)
    shown = ", ".join(f"{tuple(int(i) for i in w)}: solver {a[tuple(w)]!r} torch {e[tuple(w)]!r}"
                      for w in where[:limit])
    return f"{what} at {len(where)} of {e.size} positions: {shown}"


def _plain(v: Any) -> Any:
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if isinstance(v, np.integer):
        return int(v)
    return v


def compare(expected: Result, actual: Result) -> str | None:
    """None when the solver's result matches torch's (errors must coincide)."""
    e_err, a_err = "error" in expected, "error" in actual
    if e_err or a_err:
        if e_err and a_err:
            return None
        if e_err:
            return f"torch raised ({expected['error']}) but the solver returned {_brief(actual)}"
        return f"the solver raised ({actual['error']}) but torch returned {_brief(expected)}"
    if set(expected) != set(actual):
        return f"result keys {sorted(actual)} != torch {sorted(expected)}"
    for key in expected:
        msg = _compare_value(expected[key], actual[key])
        if msg:
            return f"{key}: {msg}"
    return None


def check_case(case: Case, configs: list[Config], torch_results: list[Result],
               solver_results: list[Result], limit: int = 5) -> list[str]:
    """Human-readable failures (first ``limit``)."""
    failures = []
    for i, (cfg, exp, act) in enumerate(zip(configs, torch_results, solver_results,
                                            strict=True)):
        msg = compare(case.expected_for_solver(exp), act)
        if msg is None and case.extra_check is not None and "error" not in exp:
            msg = case.extra_check(cfg, exp)
        if msg:
            failures.append(f"[{case.name} #{i}] {describe(cfg)}\n  {msg}")
            if len(failures) >= limit:
                break
    return failures


def _brief(result: Result) -> str:
    return "{" + ", ".join(f"{k}: array{v.shape}" if isinstance(v, np.ndarray) else f"{k}: {v!r}"
                           for k, v in result.items()) + "}"


def describe(cfg: Config) -> str:
    parts = []
    for k, v in cfg.items():
        if isinstance(v, np.ndarray):
            parts.append(f"{k}=array{v.shape}" if v.size > 12 else f"{k}={v.tolist()}")
        else:
            parts.append(f"{k}={v!r}")
    return ", ".join(parts)


# ----------------------------------------------------------------------------- fixtures I/O

def _encode(obj: Any, pools: dict[str, list[np.ndarray]], sizes: dict[str, int]) -> Any:
    if isinstance(obj, np.ndarray):
        kind = "i8" if obj.dtype.kind in "iub" else "f8"
        flat = obj.astype(np.int64 if kind == "i8" else np.float64).ravel()
        ref = {"__nd__": kind, "shape": list(obj.shape), "offset": sizes[kind]}
        pools[kind].append(flat)
        sizes[kind] += flat.size
        return ref
    if isinstance(obj, dict):
        return {k: _encode(v, pools, sizes) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_encode(v, pools, sizes) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def _decode(obj: Any, pools: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, dict):
        if "__nd__" in obj:
            shape = tuple(obj["shape"])
            n = int(np.prod(shape, dtype=np.int64))
            return pools[obj["__nd__"]][obj["offset"]: obj["offset"] + n].reshape(shape).copy()
        return {k: _decode(v, pools) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v, pools) for v in obj]
    return obj


def save_fixture(case: Case, configs: list[Config], results: list[Result],
                 torch_version: str) -> Path:
    meta = {"case": case.name, "functions": list(case.functions), "seed": case.seed,
            "torch_version": torch_version, "numpy_version": np.__version__,
            "count": len(configs)}
    path = case.fixture_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if not case.arrays:
        meta["configs"], meta["results"] = configs, results
        path.write_text(json.dumps(meta, separators=(",", ":")) + "\n")
        return path
    pools: dict[str, list[np.ndarray]] = {"f8": [], "i8": []}
    sizes = {"f8": 0, "i8": 0}
    meta["configs"] = _encode(configs, pools, sizes)
    meta["results"] = _encode(results, pools, sizes)
    blob = np.frombuffer(json.dumps(meta, separators=(",", ":")).encode(), dtype=np.uint8)
    arrays = {k: (np.concatenate(v) if v else np.zeros(0, dtype=np.float64 if k == "f8"
                                                       else np.int64))
              for k, v in pools.items()}
    np.savez_compressed(path, meta=blob, pool_f8=arrays["f8"], pool_i8=arrays["i8"])
    return path


def load_fixture(case: Case) -> tuple[dict[str, Any], list[Config], list[Result]]:
    path = case.fixture_path
    if not case.arrays:
        meta = json.loads(path.read_text())
        return meta, meta.pop("configs"), meta.pop("results")
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode())
        pools = {"f8": data["pool_f8"], "i8": data["pool_i8"]}
    configs = _decode(meta.pop("configs"), pools)
    results = _decode(meta.pop("results"), pools)
    return meta, configs, results


def same_config(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_config(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_config(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


# ----------------------------------------------------------------------------- torch gate

def torch_status() -> tuple[Any, str | None]:
    """(torch module or None, reason it cannot be used)."""
    try:
        import torch
    except ImportError as exc:
        return None, f"torch is not importable ({exc})"
    version = torch.__version__.split("+")[0]
    if version != TORCH_VERSION:
        return None, f"torch {torch.__version__} is installed, the fixtures pin {TORCH_VERSION}"
    return torch, None


def require_torch():
    """torch for the live tests: skip locally when missing, FAIL when CI=true."""
    import pytest

    torch, reason = torch_status()
    if torch is not None:
        return torch
    message = (f"{reason}: the live PyTorch differential tests need torch=={TORCH_VERSION} "
               f"(pip install torch=={TORCH_VERSION})")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: torch=={TORCH_VERSION} must be installed. {message}",
                    pytrace=False)
    pytest.skip(message)
