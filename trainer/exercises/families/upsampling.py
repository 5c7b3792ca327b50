"""Value families: nearest / bilinear upsampling and transposed convolution of tiny inputs."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    bilinear_source_indices,
    conv_transpose2d,
    conv_transpose2d_output_size,
    conv_transpose2d_zero_insertion,
    interpolate,
    nearest_source_indices,
)

from ._common import (
    LANGS,
    MATRIX_HINT,
    ExerciseFamily,
    Text,
    exact_decimals,
    fenced,
    grid,
    matrix_value,
    need,
    num,
    one_of,
    pick,
    rounding,
    side_by_side,
)

_MAX_SIZE = 4


def _small_matrix(params: dict[str, Any], key: str, limit: int = _MAX_SIZE) -> np.ndarray:
    value = np.asarray(need(params, key), dtype=np.float64)
    if value.ndim != 2 or value.size == 0 or not np.all(np.isfinite(value)):
        raise SolverError(f"{key} must be a non-empty matrix of finite numbers")
    if max(value.shape) > limit:
        raise SolverError(f"{key} is at most {limit} × {limit} in this exercise")
    return value


def _int_rows(value: np.ndarray) -> list[list[int]]:
    return [[int(v) for v in row] for row in value]


class UpsampleValues(ExerciseFamily):
    name = "upsample-values"

    _L3 = [("bilinear", True, (2, 2), (3, 3)), ("bilinear", True, (2, 2), (4, 4)),
           ("bilinear", False, (2, 2), (3, 3)), ("bilinear", True, (2, 3), (3, 5)),
           ("nearest", None, (2, 2), (3, 3)), ("nearest", None, (3, 3), (4, 4)),
           ("bilinear", False, (2, 3), (4, 4))]

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            x = rng.integers(0, 10, size=(2, 2))
            return {"x": _int_rows(x), "mode": "nearest", "scale_factor": 2}
        if level == 2:
            x = 2 * rng.integers(0, 10, size=(2, 2))  # even values: exact eighths
            return {"x": _int_rows(x), "mode": "bilinear", "scale_factor": 2,
                    "align_corners": False}
        mode, align, size, out = pick(rng, self._L3)
        x = rng.integers(0, 10, size=size)
        params: dict[str, Any] = {"x": _int_rows(x), "mode": mode, "size": list(out)}
        if mode == "bilinear":
            params["align_corners"] = align
        return params

    def _args(self, params: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
        x = _small_matrix(params, "x", 3)
        mode = one_of(params, "mode", ["nearest", "bilinear"])
        options: dict[str, Any] = {"mode": mode}
        if "size" in params:
            size = params["size"]
            options["size"] = [int(v) for v in size] if isinstance(size, list | tuple) \
                else int(size)
        else:
            options["scale_factor"] = float(need(params, "scale_factor"))
        if mode == "bilinear":
            options["align_corners"] = bool(params.get("align_corners", False))
        elif params.get("align_corners") is not None:
            raise SolverError("align_corners is only meaningful for bilinear upsampling")
        return x, options

    def solve(self, params: dict[str, Any]) -> np.ndarray:
        x, options = self._args(params)
        out = interpolate(x, **options)
        if max(out.shape) > 6:
            raise SolverError("the output is at most 6 × 6 in this exercise")
        return out

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work = _upsample_work(*self._args(params), self.solved(params))
        note = rounding(work.decimals) if not work.whole else {"en": "", "zh": ""}
        oh, ow = work.out.shape
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.out),
                                  decimals=work.decimals, rows=oh, cols=ow)
        return self.instance(params, level, seed, expected, _upsample_prompt(work, note),
                             _upsample_solution(work), note)


class AxisMap(NamedTuple):
    """Where the outputs along one axis read the input (indices 0-based)."""

    n_out: int
    source: np.ndarray  # nearest: the input each output copies; bilinear: i0, the lower one
    upper: np.ndarray | None = None  # bilinear: i1
    weight: np.ndarray | None = None  # bilinear: lambda, the weight of i1
    coord: np.ndarray | None = None  # bilinear: the source coordinate x


class UpsampleWork(NamedTuple):
    x: np.ndarray
    out: np.ndarray
    options: dict[str, Any]  # F.interpolate's keyword arguments
    decimals: int | None  # None: the answer is exact
    legacy: bool  # 'nearest' and 'nearest-exact' differ here: the prompt states the rule
    axes: list[AxisMap]  # the rows, then the columns unless they map exactly like the rows
    half: np.ndarray | None  # bilinear: the input interpolated along the width only

    @property
    def whole(self) -> bool:
        return bool(np.all(self.out == np.round(self.out)))


def _upsample_work(x: np.ndarray, options: dict[str, Any], out: np.ndarray) -> UpsampleWork:
    (h, w), (oh, ow) = x.shape, out.shape
    scale = options.get("scale_factor")
    pairs = [(h, oh)] if (h, oh) == (w, ow) else [(h, oh), (w, ow)]
    if options["mode"] == "nearest":
        axes = [AxisMap(n_out, nearest_source_indices(n_in, n_out, scale))
                for n_in, n_out in pairs]
        return UpsampleWork(x, out, options, exact_decimals(out),
                            _legacy_nearest_matters(h, w, oh, ow, options), axes, None)
    align = options["align_corners"]
    axes = [_bilinear_axis(n_in, n_out, align, scale) for n_in, n_out in pairs]
    half = interpolate(x, size=(h, ow), mode="bilinear", align_corners=align)
    return UpsampleWork(x, out, options, exact_decimals(out), False, axes, half)


def _bilinear_axis(n_in: int, n_out: int, align: bool, scale: float | None) -> AxisMap:
    i0, i1, _, lam1 = bilinear_source_indices(n_in, n_out, align, scale)
    if align:
        coords = np.arange(n_out) * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        ratio = 1 / scale if scale else n_in / n_out
        coords = np.maximum((np.arange(n_out) + 0.5) * ratio - 0.5, 0.0)
    return AxisMap(n_out, i0, i1, lam1, coords)


def _upsample_prompt(work: UpsampleWork, note: Text) -> Text:
    x, options = work.x, work.options
    (h, w), (oh, ow) = x.shape, work.out.shape
    how = (f"size=({oh}, {ow})" if "size" in options
           else f"scale_factor={num(options['scale_factor'])}")
    align = (f", align_corners={options['align_corners']}" if options["mode"] == "bilinear"
             else "")
    code = f"`F.interpolate(x, {how}, mode=\"{options['mode']}\"{align})`"
    rule = {"en": "", "zh": ""}
    if work.legacy:
        # a given scale_factor is used as such (1/scale), not recomputed as in/out
        src = ("\\lfloor i \\cdot \\text{in} / \\text{out} \\rfloor" if "size" in options
               else f"\\lfloor i / {num(options['scale_factor'])} \\rfloor")
        rule = {"en": " Use PyTorch's legacy `'nearest'` rule: output index $i$ (0-based) "
                      f"copies input index ${src}$, not the half-pixel rule of "
                      "`'nearest-exact'`.",
                "zh": "按 PyTorch 旧的 `'nearest'` 规则：输出下标 $i$（从 0 开始）取输入下标 "
                      f"${src}$，而不是 `'nearest-exact'` 的半像素规则。"}
    return {
        "en": f"The ${h} \\times {w}$ input below (batch and channel dimensions left out) "
              f"is upsampled with {code}.{rule['en']}\n\n{fenced(grid(x))}\n\nWhat is the "
              f"${oh} \\times {ow}$ output? {note['en']}".rstrip() + f"\n\n{MATRIX_HINT['en']}",
        "zh": f"用 {code} 对下面 ${h} \\times {w}$ 的输入（省略 batch 和通道维）做上采样。"
              f"{rule['zh']}\n\n"
              f"{fenced(grid(x))}\n\n输出的 ${oh} \\times {ow}$ 矩阵是什么？{note['zh']}\n\n"
              f"{MATRIX_HINT['zh']}",
    }


def _axis_tables(work: UpsampleWork) -> dict[str, list[str]]:
    """One table per axis: the input (or the two inputs and the weight) each output reads."""
    tables: dict[str, list[str]] = {"en": [], "zh": []}
    for axis, where in enumerate(work.axes):
        name_en, name_zh = ("row", "行") if axis == 0 else ("column", "列")
        if len(work.axes) == 1:
            name_en, name_zh = "row (and, identically, each column)", "行（列也完全相同）"
        n_out = where.n_out
        if where.upper is None:  # nearest
            row = " | ".join(str(int(v) + 1) for v in where.source)
            head = " | ".join(str(i + 1) for i in range(n_out))
            tables["en"].append(f"Which input each output {name_en} copies:\n\n"
                                f"| output | {head} |"
                                f"\n|---{'|---' * n_out}|\n| input | {row} |")
            tables["zh"].append(f"每个输出{name_zh}取自哪个输入：\n\n| 输出 | {head} |"
                                f"\n|---{'|---' * n_out}|\n| 输入 | {row} |")
            continue
        assert where.coord is not None and where.weight is not None
        lines = [f"| {i + 1} | {num(where.coord[i])} | {int(where.source[i]) + 1} | "
                 f"{int(where.upper[i]) + 1} | {num(where.weight[i])} |" for i in range(n_out)]
        tables["en"].append(f"Each output {name_en} (0-based source coordinate $x$; "
                            "inputs numbered from 1):\n\n| output | $x$ | from | to | "
                            "$\\lambda$ |\n|---|---|---|---|---|\n" + "\n".join(lines))
        tables["zh"].append(f"每个输出{name_zh}（源坐标 $x$ 从 0 开始；"
                            "输入从 1 编号）：\n\n"
                            "| 输出 | $x$ | 从 | 到 | $\\lambda$ |\n|---|---|---|---|---|\n"
                            + "\n".join(lines))
    return tables


_NEAREST_RULE = {
    "en": "Mode `'nearest'` copies, for every output index $i$, the input at "
          "$\\lfloor i \\cdot \\frac{\\text{in}}{\\text{out}} \\rfloor$ "
          "(0-based; this is PyTorch's legacy `'nearest'`, not `'nearest-exact'`), "
          "separately along the rows and the columns.",
    "zh": "`'nearest'` 模式下，每个输出下标 $i$ 取输入中下标为 "
          "$\\lfloor i \\cdot \\frac{\\text{in}}{\\text{out}} \\rfloor$ 的值"
          "（从 0 开始；这是 PyTorch 旧的 `'nearest'`，不是 `'nearest-exact'`），"
          "行和列分别计算。",
}


def _bilinear_rule(align_corners: bool) -> Text:
    if align_corners:
        coord = ("x = i \\cdot \\frac{\\text{in} - 1}{\\text{out} - 1}")
        why = {"en": "`align_corners=True` puts the corner pixels of input and output "
                     "exactly on top of each other.",
               "zh": "`align_corners=True` 让输入和输出的角点像素完全对齐。"}
    else:
        coord = ("x = \\max\\left((i + 0.5) \\cdot \\frac{\\text{in}}{\\text{out}} - 0.5,"
                 " 0\\right)")
        why = {"en": "`align_corners=False` aligns pixel *areas*: pixel centres sit at "
                     "half-integer positions, and coordinates are clamped at the edge.",
               "zh": "`align_corners=False` 对齐的是像素的区域：像素中心位于半整数位置，"
                     "越界的坐标在边缘处截断。"}
    return {
        "en": f"Bilinear interpolation is linear interpolation along the width and then "
              f"along the height. Output index $i$ (0-based) reads the source coordinate"
              f"\n\n$$\n{coord}\n$$\n\n{why['en']} With $x$ between inputs $i_0 = "
              "\\lfloor x \\rfloor$ and $i_1 = i_0 + 1$ (clamped) and $\\lambda = x - i_0$"
              ", the value is $(1 - \\lambda) v_{i_0} + \\lambda v_{i_1}$.",
        "zh": f"双线性插值就是先沿宽度、再沿高度各做一次线性插值。输出下标 $i$"
              f"（从 0 开始）对应的源坐标为\n\n$$\n{coord}\n$$\n\n{why['zh']}设 $x$ 落在"
              "输入 $i_0 = \\lfloor x \\rfloor$ 与 $i_1 = i_0 + 1$（越界则截断）之间，"
              "$\\lambda = x - i_0$，则值为 $(1 - \\lambda) v_{i_0} + \\lambda v_{i_1}$。",
    }


def _upsample_solution(work: UpsampleWork) -> Text:
    if work.half is None:
        rule, steps = _NEAREST_RULE, {"en": "Output:", "zh": "输出："}
    else:
        ow, half = work.out.shape[1], fenced(grid(work.half))
        rule = _bilinear_rule(work.options["align_corners"])
        steps = {"en": f"First interpolate along the width (each input row becomes {ow} "
                       f"values):\n\n{half}\n\nthen along the height, which "
                       "gives the output:",
                 "zh": f"先沿宽度方向插值（每个输入行变成 {ow} 个值）：\n\n"
                       f"{half}\n\n再沿高度方向插值，得到输出："}
    tables, answer = _axis_tables(work), fenced(grid(work.out))
    tail = {"en": "", "zh": ""}
    if work.decimals is not None:
        rounded = fenced(grid(work.out, fmt=lambda v: f"{v:.{work.decimals}f}"))
        tail = {"en": f"\n\nRounded to {work.decimals} decimals:\n\n{rounded}",
                "zh": f"\n\n保留 {work.decimals} 位小数：\n\n{rounded}"}
    return {lang: f"{rule[lang]}\n\n" + "\n\n".join(tables[lang])
                  + f"\n\n{steps[lang]}\n\n{answer}{tail[lang]}" for lang in LANGS}


def _legacy_nearest_matters(h: int, w: int, oh: int, ow: int, options: dict[str, Any]) -> bool:
    """Do `'nearest'` and `'nearest-exact'` copy different inputs here? (Not when doubling.)"""
    scale = options.get("scale_factor")
    return any(not np.array_equal(nearest_source_indices(n_in, n_out, scale),
                                  nearest_source_indices(n_in, n_out, scale, exact=True))
               for n_in, n_out in ((h, oh), (w, ow)))


class TransposedConvValues(ExerciseFamily):
    name = "transposed-conv-values"

    _CONFIGS = {  # (kernel, stride, padding, output_padding)
        1: [(2, 2, 0, 0)],
        2: [(2, 1, 0, 0), (3, 2, 0, 0)],
        3: [(3, 2, 1, 0), (3, 2, 1, 1), (4, 2, 1, 0)],
    }

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        k, s, p, op = pick(rng, self._CONFIGS[level])
        values = [1, 2, 3, 4] if level == 1 else [-2, -1, 1, 2, 3, 4]
        x = np.array([[pick(rng, values) for _ in range(2)] for _ in range(2)])
        kernel_values = [1, 2] if level == 1 else [-1, 1, 1, 2]
        w = np.array([[pick(rng, kernel_values) for _ in range(k)] for _ in range(k)])
        return {"x": _int_rows(x), "weight": _int_rows(w), "stride": s, "padding": p,
                "output_padding": op}

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        x = np.asarray(params["x"])
        w = np.asarray(params["weight"])
        return bool(np.count_nonzero(x) == x.size and np.count_nonzero(w) >= w.size - 1)

    def _args(self, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, int, int, int]:
        x, w = _small_matrix(params, "x", 3), _small_matrix(params, "weight")
        return (x, w, int(need(params, "stride")), int(params.get("padding", 0)),
                int(params.get("output_padding", 0)))

    def solve(self, params: dict[str, Any]) -> np.ndarray:
        x, w, s, p, op = self._args(params)
        return conv_transpose2d(x, w, stride=s, padding=p, output_padding=op)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work = _transposed_work(*self._args(params), self.solved(params))
        oh, ow = work.out.shape
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.out), decimals=None,
                                  rows=oh, cols=ow)
        return self.instance(params, level, seed, expected, _transposed_prompt(work),
                             _transposed_solution(work))


class TransposedConvWork(NamedTuple):
    x: np.ndarray
    w: np.ndarray  # the kernel
    s: int  # stride
    p: int  # padding
    op: int  # output_padding
    out: np.ndarray
    canvas: np.ndarray  # scatter view: x[i, j]·W added at row i·s, column j·s, before cropping
    inserted: np.ndarray  # zero-insertion view: s - 1 zeros between inputs, k - 1 - p around

    @property
    def pad(self) -> int:
        """k - 1 - p: the zero rings of the zero-insertion view (negative: rings cropped)."""
        return self.w.shape[0] - 1 - self.p


def _transposed_work(x: np.ndarray, w: np.ndarray, s: int, p: int, op: int,
                     out: np.ndarray) -> TransposedConvWork:
    (h, wd), (kh, kw) = x.shape, w.shape
    oh, ow = conv_transpose2d_output_size((h, wd), (kh, kw), s, p, op)
    assert out.shape == (oh, ow)
    canvas = np.zeros(((h - 1) * s + kh + op, (wd - 1) * s + kw + op))
    for i in range(h):
        for j in range(wd):
            canvas[i * s: i * s + kh, j * s: j * s + kw] += x[i, j] * w
    assert np.allclose(canvas[p: p + oh, p: p + ow], out)
    up = np.zeros(((h - 1) * s + 1, (wd - 1) * s + 1))
    up[::s, ::s] = x
    pad = kh - 1 - p
    inserted = _pad_or_crop(up, pad, pad + op)  # p > k - 1: a negative padding crops
    check = conv_transpose2d_zero_insertion(x, w, stride=s, padding=p, output_padding=op)
    assert np.allclose(check, out)
    return TransposedConvWork(x, w, s, p, op, out, canvas, inserted)


def _transposed_prompt(work: TransposedConvWork) -> Text:
    args = [f"stride={work.s}"]
    if work.p:
        args.append(f"padding={work.p}")
    if work.op:
        args.append(f"output_padding={work.op}")
    code = f"`F.conv_transpose2d(x, weight, {', '.join(args)})`"
    x, w = fenced(grid(work.x)), fenced(grid(work.w))
    oh, ow = work.out.shape
    return {
        "en": f"Compute {code} for one input channel and one output channel, no bias.\n\n"
              f"Input $x$:\n\n{x}\n\nKernel $W$:\n\n{w}\n\n"
              f"What is the ${oh} \\times {ow}$ output?\n\n{MATRIX_HINT['en']}",
        "zh": f"计算 {code}，单输入通道、单输出通道、无偏置。\n\n输入 $x$：\n\n"
              f"{x}\n\n卷积核 $W$：\n\n{w}\n\n"
              f"输出的 ${oh} \\times {ow}$ 矩阵是什么？\n\n{MATRIX_HINT['zh']}",
    }


def _transposed_solution(work: TransposedConvWork) -> Text:
    scatter, zeros = _scatter_view(work), _zero_insertion_view(work)
    return {lang: scatter[lang] + zeros[lang] for lang in LANGS}


def _scatter_view(work: TransposedConvWork) -> Text:
    """Every input value stamps a scaled copy of the kernel; the stamps add up."""
    x, w, s, p, op = work.x, work.w, work.s, work.p, work.op
    h, wd = x.shape
    stamps = [[f"x[{i + 1},{j + 1}]·W = {num(x[i, j])}·W", *grid(x[i, j] * w)]
              for i in range(h) for j in range(wd)]
    stamp_rows = []
    for r in range(h):
        stamp_rows.extend([*side_by_side(stamps[r * wd:(r + 1) * wd]), ""])
    crop = {"en": "The canvas is the output.\n\n", "zh": "画布就是输出。\n\n"}
    if p or op:
        full_h, full_w = work.canvas.shape
        canvas = fenced(grid(work.canvas))
        crop = {
            "en": (f"The stamps add up on a ${full_h - op} \\times {full_w - op}$ canvas"
                   + (f", extended by `output_padding` = {op} row/column of zeros at the "
                      "bottom/right" if op else "")
                   + (f"; `padding={p}` then removes {p} row(s)/column(s) from every border"
                      if p else "") + f":\n\n{canvas}\n\n"),
            "zh": (f"各块叠加在 ${full_h - op} \\times {full_w - op}$ 的画布上"
                   + (f"，`output_padding` = {op} 在下方/右侧再补 {op} 行/列 0" if op else "")
                   + (f"；然后 `padding={p}` 从四边各裁掉 {p} 行/列" if p else "")
                   + f"：\n\n{canvas}\n\n"),
        }
    overlap = {"en": (" Where stamps overlap (stride < kernel size), they add; uneven overlap "
                      "is the source of checkerboard artefacts." if s < w.shape[0] else
                      " With stride = kernel size the stamps do not overlap."),
               "zh": ("块之间重叠（步长 < 核大小）时相加；重叠次数不均匀正是棋盘格伪影的来源。"
                      if s < w.shape[0] else "步长等于核大小时各块互不重叠。")}
    drawing = fenced(stamp_rows[:-1])
    return {
        "en": "**Scatter view.** Input $(i, j)$ adds $x_{ij} \\cdot W$ to a canvas, "
              "starting at row $i \\cdot s$, column $j \\cdot s$ (0-based)."
              f"{overlap['en']}\n\n{drawing}\n\n{crop['en']}",
        "zh": "**散射（scatter）视角。** 输入 $(i, j)$ 把 $x_{ij} \\cdot W$ 加到画布上以第 "
              "$i \\cdot s$ 行、第 $j \\cdot s$ 列（从 0 开始）为左上角的位置。"
              f"{overlap['zh']}\n\n{drawing}\n\n{crop['zh']}",
    }


def _zero_insertion_view(work: TransposedConvWork) -> Text:
    """Zeros between the inputs, zero rings around, then a stride-1 convolution."""
    pad, op = work.pad, work.op
    inserted, out = fenced(grid(work.inserted)), fenced(grid(work.out))
    flipped = fenced(grid(work.w[::-1, ::-1]))
    return {
        "en": "**Zero-insertion view (same result).** Insert $s - 1$ zeros between input "
              + (f"values, pad $k - 1 - p = {pad}$ ring(s) of zeros around" if pad >= 0 else
                 f"values; $k - 1 - p = {pad}$ is negative, so crop {-pad} ring(s) off "
                 "instead of padding")
              + (f" (plus {op} at the bottom/right for `output_padding`)" if op else "")
              + ", then slide the kernel flipped by 180° with stride 1:\n\n"
              + f"{inserted}\n\nFlipped kernel:\n\n{flipped}\n\nOutput:\n\n{out}",
        "zh": "**插零视角（结果相同）。** 在输入值之间插入 $s - 1$ 个 0，"
              + (f"四周补 $k - 1 - p = {pad}$ 圈 0" if pad >= 0 else
                 f"$k - 1 - p = {pad}$ 为负，改为从四周裁掉 {-pad} 圈")
              + (f"（`output_padding` 再在下方/右侧补 {op} 行/列）" if op else "")
              + "，再用旋转 180° 的卷积核以步长 1 滑动：\n\n"
              + f"{inserted}\n\n翻转后的卷积核：\n\n{flipped}\n\n输出：\n\n{out}",
    }


def _pad_or_crop(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """Zero rings around ``values`` (``before`` on the top/left, ``after`` on the
    bottom/right); a negative count removes that many rows/columns instead."""
    grown = np.pad(values, ((max(before, 0), max(after, 0)), (max(before, 0), max(after, 0))))
    rows, cols = grown.shape
    return grown[max(-before, 0): rows - max(-after, 0), max(-before, 0): cols - max(-after, 0)]
