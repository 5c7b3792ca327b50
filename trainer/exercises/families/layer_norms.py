"""LayerNorm and RMSNorm output values on a short vector or a 2 × n input."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError, layer_norm, rms_norm

from ._common import (
    LANGS,
    MATRIX_HINT,
    ExerciseFamily,
    Text,
    approx,
    exact_decimals,
    fenced,
    grid,
    matrix_value,
    need,
    num,
    one_of,
    pick,
    rounding,
)

DEFAULT_EPS = {"layer": 1e-5, "rms": 1e-6}


class NormWork(NamedTuple):
    kind: str  # "layer" or "rms"
    x: np.ndarray  # (rows, n)
    eps: float
    weight: np.ndarray | None
    bias: np.ndarray | None
    center: np.ndarray  # per row: the mean (LayerNorm) or 0 (RMSNorm)
    spread: np.ndarray  # per row: the biased variance (LayerNorm) or mean of squares (RMSNorm)
    normalized: np.ndarray  # before the affine step
    out: np.ndarray


def _vector(params: dict[str, Any], key: str, n: int) -> np.ndarray | None:
    if params.get(key) is None:
        return None
    value = np.asarray(params[key], dtype=np.float64)
    if value.shape != (n,) or not np.all(np.isfinite(value)):
        raise SolverError(f"{key} must list {n} finite numbers (one per feature)")
    return value


def _eps_text(value: float) -> str:
    """``1e-5`` (for code)."""
    return f"{value:.0e}".replace("e-0", "e-")


def _eps_tex(value: float) -> str:
    """``10^{-5}`` (for formulas)."""
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else f"{mantissa} \\cdot {power}"


class LayerNormRMSNorm(ExerciseFamily):
    name = "layernorm-rmsnorm"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            return {"norm": "layer", "x": rng.integers(0, 10, size=(1, 4)).tolist()}
        kind = "rms" if level == 2 else pick(rng, ["layer", "rms"])
        n = pick(rng, [3, 4])
        params: dict[str, Any] = {"norm": kind, "x": rng.integers(-3, 6, size=(2, n)).tolist(),
                                  "eps": DEFAULT_EPS[kind]}
        if level == 3:
            params["weight"] = [pick(rng, [0.5, 1.5, 2.0, -1.0, 1.0, 3.0]) for _ in range(n)]
            if kind == "layer":
                params["bias"] = [pick(rng, [0.0, 0.5, -1.0, 1.0, 2.0]) for _ in range(n)]
        return params

    def solve(self, params: dict[str, Any]) -> NormWork:
        kind = one_of(params, "norm", ["layer", "rms"])
        x = np.asarray(need(params, "x"), dtype=np.float64)
        if x.ndim != 2 or not 1 <= x.shape[0] <= 3 or not 2 <= x.shape[1] <= 8:
            raise SolverError("x must be 1 to 3 rows of 2 to 8 numbers")
        n = x.shape[1]
        eps = float(params.get("eps", DEFAULT_EPS[kind]))
        if not eps >= 0:
            raise SolverError(f"eps must be a non-negative number, got {eps}")
        weight, bias = _vector(params, "weight", n), _vector(params, "bias", n)
        if kind == "rms" and bias is not None:
            raise SolverError("nn.RMSNorm has no bias")
        if kind == "layer":
            out = layer_norm(x, n, weight, bias, eps)
            center = x.mean(axis=1)
            spread = ((x - center[:, None]) ** 2).mean(axis=1)
        else:
            out = rms_norm(x, n, weight, eps)
            center, spread = np.zeros(x.shape[0]), (x * x).mean(axis=1)
        normalized = (x - center[:, None]) / np.sqrt(spread + eps)[:, None]
        return NormWork(kind, x, eps, weight, bias, center, spread, normalized, out)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return bool(np.all(solved.spread > 0.2))  # no (near-)constant row: eps stays negligible

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work: NormWork = self.solved(params)
        decimals = exact_decimals(work.out)
        note = rounding(decimals)
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.out), decimals=decimals,
                                  rows=work.out.shape[0], cols=work.out.shape[1])
        return self.instance(params, level, seed, expected, _norm_prompt(work, note),
                             _norm_solution(work, decimals), note)


def _module(work: NormWork) -> str:
    n = work.x.shape[1]
    if work.kind == "layer":
        eps = "" if work.eps == 1e-5 else f", eps={_eps_text(work.eps)}"
        return f"nn.LayerNorm({n}{eps})"
    return f"nn.RMSNorm({n}, eps={_eps_text(work.eps)})"


def _norm_prompt(work: NormWork, note: Text) -> Text:
    rows, n = work.x.shape
    code = _module(work)
    if work.kind == "layer":
        rule = {"en": f"It normalizes each row with the row's mean and *biased* variance "
                      f"(divide by $n = {n}$), with $\\epsilon = {_eps_tex(work.eps)}$ "
                      "added to the variance inside the square root.",
                "zh": f"它用每一行的均值和*有偏*方差（除以 $n = {n}$）做归一化，"
                      f"$\\epsilon = {_eps_tex(work.eps)}$ 加在根号内的方差上。"}
    else:
        rule = {"en": f"It divides each row by $\\sqrt{{\\mathrm{{mean}}(x^2) + \\epsilon}}$ with "
                      f"$\\epsilon = {_eps_tex(work.eps)}$, passed explicitly (the default "
                      "`eps=None` would use the machine epsilon of the computation type, "
                      "`torch.finfo(torch.float32).eps` ≈ 1.19e-7 for a float32 input); there is "
                      "no mean subtraction and no bias.",
                "zh": f"它把每一行除以 $\\sqrt{{\\mathrm{{mean}}(x^2) + \\epsilon}}$，"
                      f"$\\epsilon = {_eps_tex(work.eps)}$ 是显式传入的（默认 `eps=None` "
                      "会用计算类型的机器精度，float32 输入为 "
                      "`torch.finfo(torch.float32).eps` ≈ 1.19e-7）；"
                      "不减均值，也没有偏置。"}
    if work.weight is None:
        affine = {"en": "The layer is freshly constructed: weight $\\gamma = 1$"
                        + (", bias $\\beta = 0$." if work.kind == "layer" else "."),
                  "zh": "该层刚刚创建：权重 $\\gamma = 1$"
                        + ("，偏置 $\\beta = 0$。" if work.kind == "layer" else "。")}
    else:
        gamma = ", ".join(num(v) for v in work.weight)
        beta = "" if work.bias is None else ", ".join(num(v) for v in work.bias)
        affine = {"en": f"Its weight has been set to $\\gamma$ = ({gamma})"
                        + (f" and its bias to $\\beta$ = ({beta})." if beta else "."),
                  "zh": f"它的权重已设为 $\\gamma$ = ({gamma})"
                        + (f"，偏置设为 $\\beta$ = ({beta})。" if beta else "。")}
    shown = fenced(grid(work.x))
    what = {"en": "the row vector $x$ below" if rows == 1 else f"each row of the ${rows} "
                  f"\\times {n}$ input $x$ below (normalizing over the last dimension)",
            "zh": "下面的行向量 $x$" if rows == 1 else
                  f"下面 ${rows} \\times {n}$ 输入 $x$ 的每一行（在最后一维上归一化）"}
    return {
        "en": f"`{code}` is applied to {what['en']}. {rule['en']} {affine['en']}\n\n{shown}\n\n"
              f"What is the output (a ${rows} \\times {n}$ matrix)? {note['en']}\n\n"
              f"{MATRIX_HINT['en']}",
        "zh": f"把 `{code}` 作用于{what['zh']}。{rule['zh']}{affine['zh']}\n\n{shown}\n\n"
              f"输出（${rows} \\times {n}$ 矩阵）是什么？{note['zh']}\n\n{MATRIX_HINT['zh']}",
    }


def _norm_solution(work: NormWork, decimals: int | None) -> Text:
    lines: Text = {"en": "", "zh": ""}
    eps = _eps_tex(work.eps)
    for r, row in enumerate(work.x):
        values = ", ".join(num(v) for v in row)
        scale = approx(np.sqrt(work.spread[r] + work.eps), 4)
        normalized = ", ".join(approx(v, 4) for v in work.normalized[r])
        label = {"en": f"row {r + 1}" if work.x.shape[0] > 1 else "the vector",
                 "zh": f"第 {r + 1} 行" if work.x.shape[0] > 1 else "该向量"}
        if work.kind == "layer":
            stats = (f"$\\mu = {num(work.center[r])}$, $\\sigma^2 = {num(work.spread[r])}$, "
                     f"$\\sqrt{{\\sigma^2 + {eps}}} \\approx {scale}$")
            step = "(x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon}"
        else:
            stats = (f"$\\mathrm{{mean}}(x^2) = {num(work.spread[r])}$, "
                     f"$\\sqrt{{\\mathrm{{mean}}(x^2) + {eps}}} \\approx {scale}$")
            step = "x / \\sqrt{\\mathrm{mean}(x^2) + \\epsilon}"
        lines["en"] += f"- {label['en']} ({values}): {stats}; ${step}$ ≈ ({normalized})\n"
        stats_zh = stats.replace("$, $", "$，$")
        lines["zh"] += f"- {label['zh']}（{values}）：{stats_zh}；${step}$ ≈ （{normalized}）\n"
    affine = {"en": "", "zh": ""}
    if work.weight is not None:
        formula = "\\gamma \\odot \\hat{x}" + (" + \\beta" if work.bias is not None else "")
        affine = {"en": f"\nThen the affine step ${formula}$, element by element, with "
                        "$\\hat{x}$ the normalized row.\n",
                  "zh": f"\n然后逐元素做仿射变换 ${formula}$，$\\hat{{x}}$ 为归一化后的行。\n"}
    fmt = (lambda v: approx(v, decimals)) if decimals is not None else num
    result = fenced(grid(work.out, fmt))
    intro = {"en": ("LayerNorm: $y = (x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon} \\cdot \\gamma + "
                    "\\beta$ with the row mean $\\mu$ and biased variance $\\sigma^2$."
                    if work.kind == "layer" else
                    "RMSNorm: $y = x / \\sqrt{\\mathrm{mean}(x^2) + \\epsilon} \\cdot "
                    "\\gamma$ with the row's mean square $\\mathrm{mean}(x^2)$."),
             "zh": ("LayerNorm：$y = (x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon} \\cdot \\gamma + "
                    "\\beta$，$\\mu$ 为行均值，$\\sigma^2$ 为有偏方差。"
                    if work.kind == "layer" else
                    "RMSNorm：$y = x / \\sqrt{\\mathrm{mean}(x^2) + \\epsilon} \\cdot \\gamma$，"
                    "$\\mathrm{mean}(x^2)$ 为该行的均方。")}
    end = {"en": "The output, which is the answer:", "zh": "输出（即答案）："}
    return {lang: f"{intro[lang]}\n\n{lines[lang]}{affine[lang]}\n{end[lang]}\n\n{result}"
            for lang in LANGS}
