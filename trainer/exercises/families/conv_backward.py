"""Back-propagation through a single-channel conv2d: the input gradient dX or the kernel
gradient dW."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError
from trainer.exercises.solver.conv_grad import (
    conv2d_input_grad,
    conv2d_input_grad_full,
    conv2d_weight_grad,
    dilate_and_pad,
)
from trainer.exercises.solver.sizes import conv2d_output_size

from ._common import (
    LANGS,
    MATRIX_HINT,
    ExerciseFamily,
    Text,
    fenced,
    grid,
    matrix_value,
    need,
    one_of,
    pick,
)

_MAX = 5
_CONFIGS = {  # (input size, stride, padding, ask)
    1: [(3, 1, 0, "dw")],
    2: [(3, 1, 0, "dx"), (4, 1, 0, "dx"), (3, 1, 1, "dx")],
    3: [(4, 2, 0, "dx"), (4, 2, 1, "dx"), (3, 2, 1, "dx"), (4, 2, 0, "dw"), (4, 2, 1, "dw"),
        (3, 1, 1, "dw")],
}


class ConvGrad(NamedTuple):
    ask: str
    grad: np.ndarray  # dY
    x: np.ndarray | None
    weight: np.ndarray | None
    size: tuple[int, int]
    stride: int
    padding: int
    result: np.ndarray


def _matrix(params: dict[str, Any], key: str) -> np.ndarray:
    try:
        value = np.asarray(need(params, key), dtype=np.float64)
    except (TypeError, ValueError):
        raise SolverError(f"{key} must be a matrix of numbers") from None
    if value.ndim != 2 or value.size == 0 or max(value.shape) > _MAX:
        raise SolverError(f"{key} must be a non-empty matrix of at most {_MAX} × {_MAX}")
    if not np.all(np.isfinite(value)):
        raise SolverError(f"{key} must hold finite numbers")
    return value


def _rows(value: np.ndarray) -> list[list[int]]:
    return [[int(v) for v in row] for row in value]


class ConvBackward(ExerciseFamily):
    name = "conv-backward"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        n, s, p, ask = pick(rng, _CONFIGS[level])
        oh, ow = conv2d_output_size((n, n), 2, s, p)
        params: dict[str, Any] = {"ask": ask, "input_size": [n, n], "stride": s, "padding": p,
                                  "grad": _rows(rng.choice([-3, -2, -1, 1, 2, 3], size=(oh, ow)))}
        if ask == "dx":
            params["weight"] = _rows(rng.integers(-2, 3, size=(2, 2)))
        else:
            params["x"] = _rows(rng.integers(-3, 4, size=(n, n)))
        return params

    def solve(self, params: dict[str, Any]) -> ConvGrad:
        ask = one_of(params, "ask", ["dx", "dw"])
        stride, padding = need(params, "stride"), params.get("padding", 0)
        for name, value in (("stride", stride), ("padding", padding)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise SolverError(f"{name} must be an integer, got {value!r}")
        grad = _matrix(params, "grad")
        if ask == "dx":
            weight = _matrix(params, "weight")
            size = need(params, "input_size")
            if not isinstance(size, list) or len(size) != 2 or max(size) > _MAX:
                raise SolverError(f"input_size must be [H, W] with sides of at most {_MAX}")
            size = (int(size[0]), int(size[1]))
            result = conv2d_input_grad(grad, weight, size, stride, padding)
            return ConvGrad(ask, grad, None, weight, size, stride, padding, result)
        x = _matrix(params, "x")
        kernel = params.get("kernel_size", [2, 2])
        result = conv2d_weight_grad(grad, x, kernel, stride, padding)
        return ConvGrad(ask, grad, x, None, x.shape, stride, padding, result)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return bool(np.count_nonzero(solved.result) >= solved.result.size // 2)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        c = self.solved(params)
        prompt = _prompt(c)
        work = _dx_work(c) if c.ask == "dx" else _dw_work(c)
        answer = fenced(grid(c.result))
        name = "$\\partial L / \\partial X$" if c.ask == "dx" else "$\\partial L / \\partial W$"
        solution = {"en": f"{work['en']}\n\n{name}:\n\n{answer}",
                    "zh": f"{work['zh']}\n\n{name}：\n\n{answer}"}
        rows, cols = c.result.shape
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(c.result), decimals=None,
                                  rows=rows, cols=cols)
        return self.instance(params, level, seed, expected, prompt, solution)


def _code(c: ConvGrad) -> str:
    args = [f"stride={c.stride}"]
    if c.padding:
        args.append(f"padding={c.padding}")
    return f"`Y = F.conv2d(X, W, {', '.join(args)})`"


def _prompt(c: ConvGrad) -> Text:
    h, w = c.size
    kh, kw = c.result.shape if c.ask == "dw" else c.weight.shape  # type: ignore[union-attr]
    intro = {
        "en": f"{_code(c)} with one input and one output channel, no bias, an input $X$ of size "
              f"${h} \\times {w}$ and a ${kh} \\times {kw}$ kernel $W$ (PyTorch's conv2d is a "
              "cross-correlation: the kernel is not flipped in the forward pass).",
        "zh": f"{_code(c)}，单输入通道、单输出通道、无偏置，输入 $X$ 为 ${h} \\times {w}$，卷积核 "
              f"$W$ 为 ${kh} \\times {kw}$（PyTorch 的 conv2d 是互相关：前向时卷积核不翻转）。",
    }
    g_block = fenced(grid(c.grad))
    if c.ask == "dx":
        given = {"en": f"Kernel $W$:\n\n{fenced(grid(c.weight))}",
                 "zh": f"卷积核 $W$：\n\n{fenced(grid(c.weight))}"}
        question = {"en": f"What is $\\partial L / \\partial X$ (a ${h} \\times {w}$ matrix)?",
                    "zh": f"求 $\\partial L / \\partial X$（一个 ${h} \\times {w}$ 的矩阵）。"}
    else:
        given = {"en": f"Input $X$:\n\n{fenced(grid(c.x))}",
                 "zh": f"输入 $X$：\n\n{fenced(grid(c.x))}"}
        question = {"en": f"What is $\\partial L / \\partial W$ (a ${kh} \\times {kw}$ matrix)?",
                    "zh": f"求 $\\partial L / \\partial W$（一个 ${kh} \\times {kw}$ 的矩阵）。"}
    grad = {"en": f"Upstream gradient $dY = \\partial L / \\partial Y$:\n\n{g_block}",
            "zh": f"上游梯度 $dY = \\partial L / \\partial Y$：\n\n{g_block}"}
    return {lang: f"{intro[lang]}\n\n{given[lang]}\n\n{grad[lang]}\n\n{question[lang]}\n\n"
                  f"{MATRIX_HINT[lang]}" for lang in LANGS}


def _dx_work(c: ConvGrad) -> Text:
    assert c.weight is not None
    kh, kw = c.weight.shape
    s, p = c.stride, c.padding
    big = dilate_and_pad(c.grad, (kh, kw), c.size, s, p)
    full = conv2d_input_grad_full(c.grad, c.weight, c.size, s, p)
    assert np.array_equal(full, c.result)
    rotated = c.weight[::-1, ::-1]
    if s == 1:
        prep = {"en": f"Pad $dY$ with $k - 1 = {kh - 1}$ {_rings(kh - 1)} of zeros:",
                "zh": f"给 $dY$ 四周补 $k - 1 = {kh - 1}$ 圈 0："}
    else:
        prep = {"en": f"With stride {s}, first put $s - 1 = {s - 1}$ zero{'s' if s > 2 else ''} "
                      "between neighbouring entries of $dY$ (the positions the stride skipped), "
                      f"then pad with $k - 1 = {kh - 1}$ {_rings(kh - 1)} of zeros; input rows or "
                      "columns that no window reached get extra zeros at the bottom/right:",
                "zh": f"步长为 {s} 时，先在 $dY$ 相邻元素之间插入 $s - 1 = {s - 1}$ 个 0（步长跳过"
                      f"的位置），再四周补 $k - 1 = {kh - 1}$ 圈 0；没有任何窗口覆盖到的输入行/列在"
                      "下方/右侧再补 0："}
    padded_h, padded_w = c.size[0] + 2 * p, c.size[1] + 2 * p
    crop = {"en": "", "zh": ""}
    body_full = fenced(grid(conv2d_full_uncropped(big, rotated)))
    if p:
        crop = {"en": f"\n\nThis is the gradient of the padded ${padded_h} \\times {padded_w}$ "
                      f"input; drop the outer {p} {_rings(p)} (the padding).",
                "zh": f"\n\n这是补零后 ${padded_h} \\times {padded_w}$ 输入的梯度；"
                      f"去掉最外面 {p} 圈（它们属于 padding）。"}
    pos = "(i \\cdot s + a,\\ j \\cdot s + b)"
    rule = {
        "en": "Each $dY[i, j]$ flows back to the inputs of its window, weighted by $W$: it adds "
              f"$dY[i, j] \\cdot W[a, b]$ to the (padded) input position ${pos}$. Collected per "
              "input position, this is a *full* convolution of $dY$ with the kernel rotated by "
              "180°.",
        "zh": "每个 $dY[i, j]$ 按 $W$ 加权流回它所在窗口的输入：把 $dY[i, j] \\cdot W[a, b]$ 加到"
              f"（补零后）输入的位置 ${pos}$ 上。按输入位置汇总，就是 $dY$ 与旋转 180° 的卷积核"
              "做*全*卷积（full convolution）。",
    }
    rot = {"en": f"Kernel rotated by 180°:\n\n{fenced(grid(rotated))}",
           "zh": f"旋转 180° 的卷积核：\n\n{fenced(grid(rotated))}"}
    slide = {"en": "Slide it over the padded $dY$ with stride 1 (multiply and add):",
             "zh": "用它以步长 1 在补零后的 $dY$ 上滑动（对应相乘再相加）："}
    return {lang: f"{rule[lang]}\n\n{prep[lang]}\n\n{fenced(grid(big))}\n\n{rot[lang]}\n\n"
                  f"{slide[lang]}\n\n{body_full}{crop[lang]}" for lang in LANGS}


def conv2d_full_uncropped(big: np.ndarray, rotated: np.ndarray) -> np.ndarray:
    """The stride-1 correlation of the prepared dY with the rotated kernel (before cropping)."""
    kh, kw = rotated.shape
    out = np.zeros((big.shape[0] - kh + 1, big.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(big[i:i + kh, j:j + kw] * rotated)
    return out


def _dw_work(c: ConvGrad) -> Text:
    assert c.x is not None
    s, p = c.stride, c.padding
    xp = np.pad(c.x, p) if p else c.x
    oh, ow = c.grad.shape
    lines = []
    for a in range(c.result.shape[0]):
        for b in range(c.result.shape[1]):
            terms = []
            for i in range(oh):
                for j in range(ow):
                    g, v = c.grad[i, j], xp[i * s + a, j * s + b]
                    if g != 0 and v != 0:
                        terms.append(f"{_paren(g)} \\cdot {_paren(v)}")
            sum_tex = " + ".join(terms) if terms else "0"
            lines.append(f"- $dW[{a + 1}, {b + 1}] = {sum_tex} = {int(c.result[a, b])}$")
    xp_at = "X_p[i \\cdot s + a,\\ j \\cdot s + b]"
    formula = f"$dW[a, b] = \\sum_{{i, j}} dY[i, j] \\cdot {xp_at}$"
    rule = {
        "en": f"Each weight $W[a, b]$ multiplies ${xp_at}$ in output $Y[i, j]$, so {formula}: "
              f"the correlation of the{' padded' if p else ''} input with $dY$"
              + (f", stepping by the stride {s}" if s > 1 else "") + ". Terms with a zero are "
              "left out below (indices from 1).",
        "zh": f"权重 $W[a, b]$ 在输出 $Y[i, j]$ 中乘的是 ${xp_at}$，所以 {formula}：即"
              f"{'补零后的' if p else ''}输入与 $dY$ 的互相关"
              + (f"（每隔 {s} 个位置取一次）" if s > 1 else "") + "。下面省略了含 0 的项"
              "（下标从 1 开始）。",
    }
    padded = {"en": "", "zh": ""}
    if p:
        padded = {"en": f"\n\nPadded input $X_p$:\n\n{fenced(grid(xp))}",
                  "zh": f"\n\n补零后的输入 $X_p$：\n\n{fenced(grid(xp))}"}
    return {lang: f"{rule[lang]}{padded[lang]}\n\n" + "\n".join(lines) for lang in LANGS}


def _rings(n: int) -> str:
    return "ring" if n == 1 else "rings"


def _paren(value: float) -> str:
    return f"({int(value)})" if value < 0 else str(int(value))
