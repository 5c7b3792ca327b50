"""Back-propagation through max pooling and average pooling: the input-gradient matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    avg_pool2d_backward,
    max_pool2d_backward,
    max_pool2d_output_size,
    max_pool2d_with_indices,
)

from ._common import (
    MATRIX_HINT,
    ExerciseFamily,
    exact_decimals,
    fenced,
    grid,
    matrix_value,
    need,
    num,
    pick,
    rounding,
    side_by_side,
)

_MAX_SIZE = 6


def _matrix(params: dict[str, Any], key: str) -> np.ndarray:
    value = np.asarray(need(params, key), dtype=np.float64)
    if value.ndim != 2 or value.size == 0:
        raise SolverError(f"{key} must be a non-empty matrix (a list of rows)")
    if not np.all(np.isfinite(value)):
        raise SolverError(f"{key} must hold finite numbers")
    return value


def _rows(value: np.ndarray) -> list[list[Any]]:
    """JSON-friendly rows: ints where the values are whole."""
    if np.all(value == np.round(value)):
        return [[int(v) for v in row] for row in value]
    return [[float(v) for v in row] for row in value]


def _pool_code(layer: str, k: int, s: int, p: int, ceil_mode: bool = False,
               count_include_pad: bool | None = None) -> str:
    args = [f"kernel_size={k}", f"stride={s}"]
    if p:
        args.append(f"padding={p}")
    if ceil_mode:
        args.append("ceil_mode=True")
    if count_include_pad is not None and (p or ceil_mode):
        args.append(f"count_include_pad={count_include_pad}")
    return f"`nn.{layer}({', '.join(args)})`"


def _span(index: int, k: int, s: int, p: int, n: int) -> range:
    """Input indices of window ``index`` along one axis (padding left out)."""
    start = index * s - p
    return range(max(start, 0), min(start + k, n))


def _labelled(title: str, lines: list[str]) -> list[str]:
    return [title, *lines]


def _prompt(intro: dict[str, str], x_lines: list[str] | None, g: np.ndarray,
            note: dict[str, str], size: tuple[int, int]) -> dict[str, str]:
    g_block = fenced(grid(g))
    if x_lines is not None:
        x_block = fenced(x_lines)
        body = {"en": f"Input $X$:\n\n{x_block}\n\nUpstream gradient $G = \\partial L / "
                      f"\\partial Y$:\n\n{g_block}",
                "zh": f"输入 $X$：\n\n{x_block}\n\n上游梯度 $G = \\partial L / \\partial Y$："
                      f"\n\n{g_block}"}
    else:
        body = {"en": f"Upstream gradient $G = \\partial L / \\partial Y$:\n\n{g_block}",
                "zh": f"上游梯度 $G = \\partial L / \\partial Y$：\n\n{g_block}"}
    h, w = size
    question = {
        "en": f"What is the gradient $\\partial L / \\partial X$ (a ${h} \\times {w}$ matrix)?",
        "zh": f"求 $\\partial L / \\partial X$（一个 ${h} \\times {w}$ 的矩阵）。",
    }
    sep = {"en": " ", "zh": ""}
    return {lang: f"{intro[lang]}\n\n{body[lang]}\n\n"
                  + sep[lang].join(t for t in (question[lang], note[lang]) if t)
                  + f"\n\n{MATRIX_HINT[lang]}" for lang in ("en", "zh")}


def _divisor_rule(count_include_pad: bool, ceil_mode: bool) -> dict[str, str]:
    """PyTorch's average-pooling divisor (``avg_pool2d`` on CPU): the window is first clipped
    to the padded input, ``[-p, n + p)``; ``count_include_pad`` counts what is left, padding
    included, else only the real inputs in it."""
    if not count_include_pad:
        return {"en": "Divide each window by the number of real inputs it covers (padding is "
                      "not counted).",
                "zh": "每个窗口除以它覆盖的真实输入个数（padding 不计入）。"}
    rule = {"en": "Divide each window by the number of its cells inside the padded input "
                  "(padding zeros included).",
            "zh": "每个窗口除以它落在补零后输入之内的格子数（补的 0 也计入）。"}
    if ceil_mode:
        rule["en"] += (" A `ceil_mode` window that runs past the padded input's right or "
                       "bottom edge is clipped there and divided by its clipped size.")
        rule["zh"] += ("`ceil_mode` 下越过补零后输入右边缘或下边缘的窗口在边缘处截断，"
                       "除以截断后的大小。")
    return rule


class MaxPoolBackward(ExerciseFamily):
    name = "maxpool-backward"

    _CONFIGS = {  # (n, k, s, p)
        1: [(4, 2, 2, 0)],
        2: [(4, 2, 1, 0), (3, 2, 1, 0), (5, 3, 2, 0), (4, 3, 1, 0), (5, 3, 1, 0)],
        3: [(4, 2, 1, 0), (4, 3, 2, 1), (5, 3, 2, 1), (4, 2, 2, 1), (5, 3, 2, 0), (3, 2, 1, 0)],
    }

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        n, k, s, p = pick(rng, self._CONFIGS[level])
        if level == 3:
            x = rng.integers(0, 5, size=(n, n))
        else:
            x = rng.choice(np.arange(1, n * n + 6), size=n * n, replace=False).reshape(n, n)
        oh, ow = max_pool2d_output_size((n, n), k, s, p)
        g = rng.integers(1, 10 if level == 1 else 7, size=(oh, ow))
        return {"x": _rows(x), "grad": _rows(g), "kernel": k, "stride": s, "padding": p}

    def _args(self, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, int, int, int]:
        x, g = _matrix(params, "x"), _matrix(params, "grad")
        if max(x.shape) > _MAX_SIZE:
            raise SolverError(f"the input is at most {_MAX_SIZE} × {_MAX_SIZE} in this exercise")
        k = int(need(params, "kernel"))
        return x, g, k, int(params.get("stride", k)), int(params.get("padding", 0))

    def solve(self, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        x, g, k, s, p = self._args(params)
        grad = max_pool2d_backward(g, x, k, s, p)
        _, indices = max_pool2d_with_indices(x, k, s, p)
        return grad, indices

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        if level == 1:
            return True
        x, _, k, s, p = self._args(params)
        _, indices = solved
        overlap = len(set(indices.ravel().tolist())) < indices.size
        if level == 2:
            return overlap
        n_h, n_w = x.shape
        for i in range(indices.shape[0]):
            for j in range(indices.shape[1]):
                window = x[np.ix_(list(_span(i, k, s, p, n_h)), list(_span(j, k, s, p, n_w)))]
                if np.count_nonzero(window == window.max()) > 1:
                    return True  # at least one tie: the first maximum rule matters
        return False

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        grad, indices = self.solved(params)
        x, g, k, s, p = self._args(params)
        n_h, n_w = x.shape
        code = _pool_code("MaxPool2d", k, s, p)
        tie = {"en": "", "zh": ""}
        if level == 3:  # the answer rests on these conventions: the prompt states them
            tie = {"en": " Follow PyTorch (CPU): when a window's maximum appears more than "
                         "once, the gradient goes to the first maximum in row-major order (top "
                         "row first, left to right within a row).",
                   "zh": "按 PyTorch（CPU）的规则：窗口内最大值出现不止一次时，梯度只给按行优先顺序"
                         "（先上后下，同一行从左到右）的第一个最大值。"}
            if p:
                tie["en"] += " Padding counts as $-\\infty$: it never wins a window."
                tie["zh"] += "padding 位置视为 $-\\infty$，永远不会成为窗口的最大值。"
        intro = {"en": f"A max-pooling layer $Y = $ {code} is applied to the input $X$ below."
                       + tie["en"],
                 "zh": f"对下面的输入 $X$ 做最大池化 $Y = $ {code}。" + tie["zh"]}
        prompt = _prompt(intro, grid(x), g, {"en": "", "zh": ""}, (n_h, n_w))
        # one small drawing per window, the chosen maximum in [brackets]
        blocks_by_row = []
        ties: dict[str, list[str]] = {"en": [], "zh": []}
        contributions: dict[tuple[int, int], list[tuple[tuple[int, int], float]]] = {}
        for i in range(indices.shape[0]):
            row_blocks = []
            for j in range(indices.shape[1]):
                start_r, start_c = i * s - p, j * s - p
                chosen = divmod(int(indices[i, j]), n_w)
                cells, marks, blank = [], set(), set()
                for a in range(k):
                    line = []
                    for b in range(k):
                        r, c = start_r + a, start_c + b
                        if 0 <= r < n_h and 0 <= c < n_w:
                            line.append(x[r, c])
                            if (r, c) == chosen:
                                marks.add((a, b))
                        else:
                            line.append(0.0)
                            blank.add((a, b))
                    cells.append(line)
                inside = [cells[a][b] for a in range(k) for b in range(k) if (a, b) not in blank]
                best = max(inside)
                if inside.count(best) > 1:
                    ties["en"].append(
                        f"- window ({i + 1},{j + 1}): the maximum {num(best)} appears "
                        f"{inside.count(best)} times; the first one, $X$ row {chosen[0] + 1}, "
                        f"column {chosen[1] + 1}, gets the gradient")
                    ties["zh"].append(
                        f"- 窗口 ({i + 1},{j + 1})：最大值 {num(best)} 出现了 {inside.count(best)} "
                        f"次，取第一个，即 $X$ 第 {chosen[0] + 1} 行第 {chosen[1] + 1} 列")
                title = f"({i + 1},{j + 1}) g={num(g[i, j])}"
                row_blocks.append(_labelled(title, grid(cells, marks=marks, blank=blank)))
                contributions.setdefault(chosen, []).append(((i, j), float(g[i, j])))
            blocks_by_row.append(side_by_side(row_blocks))
        drawing = []
        for block in blocks_by_row:
            drawing.extend([*block, ""])
        sums = {"en": [], "zh": []}
        for (r, c), items in sorted(contributions.items()):
            if len(items) > 1:
                terms = " + ".join(num(v) for _, v in items)
                wins = ", ".join(f"({i + 1},{j + 1})" for (i, j), _ in items)
                total = num(sum(v for _, v in items))
                sums["en"].append(f"- $X$ row {r + 1}, column {c + 1} is the maximum of windows "
                                  f"{wins}: ${terms} = {total}$")
                sums["zh"].append(f"- $X$ 第 {r + 1} 行第 {c + 1} 列是窗口 {wins} 的最大值："
                                  f"${terms} = {total}$")
        tie_text = {"en": "", "zh": ""}
        if ties["en"]:
            tie_text = {"en": "Ties:\n\n" + "\n".join(ties["en"]) + "\n\n",
                        "zh": "并列最大值：\n\n" + "\n".join(ties["zh"]) + "\n\n"}
        overlap = {"en": "", "zh": ""}
        if sums["en"]:
            overlap = {"en": "Overlapping windows add their gradients:\n\n"
                             + "\n".join(sums["en"]) + "\n\n",
                       "zh": "窗口重叠时梯度相加：\n\n" + "\n".join(sums["zh"]) + "\n\n"}
        padding_note = {"en": "", "zh": ""}
        if p:
            padding_note = {"en": " Padding cells (`·`) act as $-\\infty$ and never win.",
                            "zh": "padding 位置（`·`）相当于 $-\\infty$，永远不会被选中。"}
        answer = fenced(grid(grad))
        solution = {
            "en": "Max pooling routes each upstream gradient to the single input that was the "
                  "maximum of its window; the other inputs of the window get 0. On a tie "
                  "PyTorch picks the first maximum in row-major order (top row first, then "
                  "left to right)." + padding_note["en"] + "\n\nEach window (output row, "
                  "column) with its upstream gradient $g$, the chosen maximum in [brackets]:"
                  f"\n\n{fenced(drawing[:-1])}\n\n{tie_text['en']}{overlap['en']}"
                  f"$\\partial L / \\partial X$:\n\n{answer}",
            "zh": "最大池化把每个上游梯度只传给窗口里取得最大值的那个输入，窗口内其余输入得到 0。"
                  "若有并列最大值，PyTorch 取按行优先顺序（先上后下、从左到右）的第一个。"
                  + padding_note["zh"] + "\n\n每个窗口（输出的行、列）及其上游梯度 $g$，"
                  f"被选中的最大值用 [方括号] 标出：\n\n{fenced(drawing[:-1])}\n\n"
                  f"{tie_text['zh']}{overlap['zh']}$\\partial L / \\partial X$：\n\n{answer}",
        }
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(grad), decimals=None,
                                  rows=n_h, cols=n_w)
        return self.instance(params, level, seed, expected, prompt, solution)


class AvgPoolBackward(ExerciseFamily):
    name = "avgpool-backward"

    _CONFIGS = {  # (n, k, s, p, ceil_mode)
        1: [(4, 2, 2, 0, False)],
        2: [(3, 2, 1, 0, False), (4, 2, 1, 0, False), (5, 3, 2, 0, False), (4, 3, 1, 0, False)],
        3: [(4, 3, 2, 1, False), (4, 2, 2, 1, False), (5, 2, 2, 0, True), (5, 3, 2, 1, False),
            (3, 2, 2, 0, True), (5, 3, 3, 1, True)],
    }

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        n, k, s, p, ceil_mode = pick(rng, self._CONFIGS[level])
        oh, ow = max_pool2d_output_size((n, n), k, s, p, 1, ceil_mode)
        if level == 2 and k == 3:
            g = 9 * rng.integers(1, 4, size=(oh, ow))  # divisible: exact answers
        else:
            g = rng.integers(1, 9 if level < 3 else 7, size=(oh, ow))
        params: dict[str, Any] = {"input_size": [n, n], "grad": _rows(g), "kernel": k,
                                  "stride": s, "padding": p, "ceil_mode": ceil_mode,
                                  "count_include_pad": True}
        if level == 3 and p:
            params["count_include_pad"] = bool(rng.random() < 0.5)
        return params

    def _args(self, params: dict[str, Any]) -> tuple[list[int], np.ndarray, dict[str, Any]]:
        size = need(params, "input_size")
        if not isinstance(size, list | tuple) or len(size) != 2:
            raise SolverError("input_size must be [H, W]")
        size = [int(v) for v in size]
        if max(size) > _MAX_SIZE:
            raise SolverError(f"the input is at most {_MAX_SIZE} × {_MAX_SIZE} in this exercise")
        k = int(need(params, "kernel"))
        options = {"kernel_size": k, "stride": int(params.get("stride", k)),
                   "padding": int(params.get("padding", 0)),
                   "ceil_mode": bool(params.get("ceil_mode", False)),
                   "count_include_pad": bool(params.get("count_include_pad", True))}
        return size, _matrix(params, "grad"), options

    def solve(self, params: dict[str, Any]) -> np.ndarray:
        size, g, options = self._args(params)
        return avg_pool2d_backward(g, size, **options)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        grad = self.solved(params)
        size, g, options = self._args(params)
        k, s, p = options["kernel_size"], options["stride"], options["padding"]
        ceil_mode, include = options["ceil_mode"], options["count_include_pad"]
        decimals = exact_decimals(grad)
        note = rounding(decimals)
        code = _pool_code("AvgPool2d", k, s, p, ceil_mode, include)
        h, w = size
        intro = {"en": f"An average-pooling layer $Y = $ {code} is applied to an input $X$ of "
                       f"size ${h} \\times {w}$.",
                 "zh": f"对尺寸为 ${h} \\times {w}$ 的输入 $X$ 做平均池化 $Y = $ {code}。"}
        if p or ceil_mode:  # the divisor is a convention: state PyTorch's
            divisor = _divisor_rule(include, ceil_mode)
            intro = {lang: f"{intro[lang]}{' ' if lang == 'en' else ''}{divisor[lang]}"
                     for lang in ("en", "zh")}
        prompt = _prompt(intro, None, g, note, (h, w))
        lines = {"en": [], "zh": []}
        for i in range(g.shape[0]):
            for j in range(g.shape[1]):
                one_hot = np.zeros_like(g)
                one_hot[i, j] = 1.0
                share = avg_pool2d_backward(one_hot, size, **options)  # 1/divisor on the window
                rows, cols = np.nonzero(share)
                divisor = 1.0 / share[rows[0], cols[0]]
                r_lo, r_hi, c_lo, c_hi = rows.min() + 1, rows.max() + 1, cols.min() + 1, \
                    cols.max() + 1
                count = (r_hi - r_lo + 1) * (c_hi - c_lo + 1)
                value = g[i, j] / divisor
                if divisor == 1:
                    shown = num(value)
                elif exact_decimals([value], 4) is None:
                    shown = f"{num(g[i, j])}/{num(divisor)} = {num(value)}"
                else:
                    shown = f"{num(g[i, j])}/{num(divisor)} \\approx {value:.4f}"
                rows_en = f"row {r_lo}" if r_lo == r_hi else f"rows {r_lo}–{r_hi}"
                cols_en = f"column {c_lo}" if c_lo == c_hi else f"columns {c_lo}–{c_hi}"
                rows_zh = f"第 {r_lo} 行" if r_lo == r_hi else f"第 {r_lo}–{r_hi} 行"
                cols_zh = f"第 {c_lo} 列" if c_lo == c_hi else f"第 {c_lo}–{c_hi} 列"
                inputs = "1 input" if count == 1 else f"{count} inputs"
                lines["en"].append(
                    f"- window ({i + 1},{j + 1}): $g = {num(g[i, j])}$, covers {rows_en}, "
                    f"{cols_en} ({inputs}), divisor {num(divisor)}: each gets ${shown}$")
                lines["zh"].append(
                    f"- 窗口 ({i + 1},{j + 1})：$g = {num(g[i, j])}$，覆盖{rows_zh}、{cols_zh}"
                    f"（{count} 个输入），除数 {num(divisor)}：每个得到 ${shown}$")
        rule = {
            "en": "Average pooling gives every input of a window the same share $g / "
                  "\\text{divisor}$ of the window's upstream gradient; inputs in several "
                  "windows add their shares, and padding receives nothing.",
            "zh": "平均池化把窗口的上游梯度平均分给窗口内的每个输入，每份为 $g / \\text{除数}$；"
                  "同时属于多个窗口的输入把各份相加，padding 位置不接收梯度。",
        }
        if p or ceil_mode:
            rule["en"] += (" The divisor: with `count_include_pad=True` it is the window size "
                           "counted over the padded input (zeros included); with `False` it is "
                           "the number of real inputs in the window.")
            rule["zh"] += ("除数的规则：`count_include_pad=True` 时按补零后的输入计窗口大小"
                           "（包括补的 0）；`False` 时只数窗口里真实输入的个数。")
        if ceil_mode:
            rule["en"] += (" A `ceil_mode` window that runs past the right/bottom padding is cut "
                           "there, so its divisor shrinks even with `count_include_pad=True`.")
            rule["zh"] += ("`ceil_mode` 下超出右侧/下方 padding 的窗口会在那里截断，所以即使 "
                           "`count_include_pad=True` 它的除数也会变小。")
        answer = fenced(grid(grad, fmt=num))
        tail = {"en": "", "zh": ""}
        if decimals is not None:
            tail = {"en": f"\n\nRounded to {decimals} decimals:\n\n"
                          + fenced(grid(grad, fmt=lambda v: f"{v:.{decimals}f}")),
                    "zh": f"\n\n保留 {decimals} 位小数：\n\n"
                          + fenced(grid(grad, fmt=lambda v: f"{v:.{decimals}f}"))}
        solution = {
            "en": f"{rule['en']}\n\n" + "\n".join(lines["en"])
                  + f"\n\nAdding the shares, $\\partial L / \\partial X$ =\n\n{answer}"
                  + tail["en"],
            "zh": f"{rule['zh']}\n\n" + "\n".join(lines["zh"])
                  + f"\n\n把各份相加，$\\partial L / \\partial X$ =\n\n{answer}" + tail["zh"],
        }
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(grad), decimals=decimals,
                                  rows=h, cols=w)
        return self.instance(params, level, seed, expected, prompt, solution, note)
