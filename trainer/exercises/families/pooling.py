"""Back-propagation through max pooling and average pooling: the input-gradient matrix."""

from __future__ import annotations

from typing import Any, NamedTuple

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


def _prompt(intro: Text, x_lines: list[str] | None, g: np.ndarray, note: Text,
            size: tuple[int, int]) -> Text:
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
                  + f"\n\n{MATRIX_HINT[lang]}" for lang in LANGS}


def _divisor_rule(count_include_pad: bool, ceil_mode: bool) -> Text:
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
        work = _maxpool_work(*self._args(params), *self.solved(params))
        n_h, n_w = work.x.shape
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.grad), decimals=None,
                                  rows=n_h, cols=n_w)
        return self.instance(params, level, seed, expected, _maxpool_prompt(work, level),
                             _maxpool_solution(work))


class MaxWindow(NamedTuple):
    """One max-pooling window: its k × k cells and the input that wins it."""

    at: tuple[int, int]  # output row, column (0-based)
    g: float  # its upstream gradient
    cells: list[list[float]]  # k × k, padding as 0.0
    blank: set[tuple[int, int]]  # the padding cells (drawn as ·)
    marks: set[tuple[int, int]]  # the chosen cell (drawn in [brackets])
    chosen: tuple[int, int]  # the input that wins: row, column (0-based)
    best: float  # the window's maximum
    copies: int  # how often the maximum appears in the window


class MaxPoolWork(NamedTuple):
    x: np.ndarray
    g: np.ndarray  # the upstream gradient
    k: int
    s: int
    p: int
    grad: np.ndarray  # the answer, dL/dX
    windows: list[list[MaxWindow]]  # by output row, then column
    wins: dict[tuple[int, int], list[tuple[tuple[int, int], float]]]  # input -> (window, g)


def _maxpool_work(x: np.ndarray, g: np.ndarray, k: int, s: int, p: int, grad: np.ndarray,
                  indices: np.ndarray) -> MaxPoolWork:
    windows = [[_max_window(x, g, k, s, p, (i, j), divmod(int(indices[i, j]), x.shape[1]))
                for j in range(indices.shape[1])] for i in range(indices.shape[0])]
    wins: dict[tuple[int, int], list[tuple[tuple[int, int], float]]] = {}
    for window in (w for row in windows for w in row):
        wins.setdefault(window.chosen, []).append((window.at, window.g))
    return MaxPoolWork(x, g, k, s, p, grad, windows, wins)


def _max_window(x: np.ndarray, g: np.ndarray, k: int, s: int, p: int, at: tuple[int, int],
                chosen: tuple[int, int]) -> MaxWindow:
    (i, j), (n_h, n_w) = at, x.shape
    start_r, start_c = i * s - p, j * s - p
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
    return MaxWindow(at, float(g[i, j]), cells, blank, marks, chosen, best, inside.count(best))


def _maxpool_prompt(work: MaxPoolWork, level: int) -> Text:
    code = _pool_code("MaxPool2d", work.k, work.s, work.p)
    tie = {"en": "", "zh": ""}
    if level == 3:  # the answer rests on these conventions: the prompt states them
        tie = {"en": " Follow PyTorch (CPU): when a window's maximum appears more than "
                     "once, the gradient goes to the first maximum in row-major order (top "
                     "row first, left to right within a row).",
               "zh": "按 PyTorch（CPU）的规则：窗口内最大值出现不止一次时，梯度只给按行优先顺序"
                     "（先上后下，同一行从左到右）的第一个最大值。"}
        if work.p:
            tie["en"] += " Padding counts as $-\\infty$: it never wins a window."
            tie["zh"] += "padding 位置视为 $-\\infty$，永远不会成为窗口的最大值。"
    intro = {"en": f"A max-pooling layer $Y = $ {code} is applied to the input $X$ below."
                   + tie["en"],
             "zh": f"对下面的输入 $X$ 做最大池化 $Y = $ {code}。" + tie["zh"]}
    return _prompt(intro, grid(work.x), work.g, {"en": "", "zh": ""}, work.x.shape)


def _maxpool_solution(work: MaxPoolWork) -> Text:
    drawing = fenced(_window_drawing(work))
    ties, overlap = _ties_text(work), _overlap_text(work)
    padding_note = {"en": "", "zh": ""}
    if work.p:
        padding_note = {"en": " Padding cells (`·`) act as $-\\infty$ and never win.",
                        "zh": "padding 位置（`·`）相当于 $-\\infty$，永远不会被选中。"}
    answer = fenced(grid(work.grad))
    return {
        "en": "Max pooling routes each upstream gradient to the single input that was the "
              "maximum of its window; the other inputs of the window get 0. On a tie "
              "PyTorch picks the first maximum in row-major order (top row first, then "
              "left to right)." + padding_note["en"] + "\n\nEach window (output row, "
              "column) with its upstream gradient $g$, the chosen maximum in [brackets]:"
              f"\n\n{drawing}\n\n{ties['en']}{overlap['en']}"
              f"$\\partial L / \\partial X$:\n\n{answer}",
        "zh": "最大池化把每个上游梯度只传给窗口里取得最大值的那个输入，窗口内其余输入得到 0。"
              "若有并列最大值，PyTorch 取按行优先顺序（先上后下、从左到右）的第一个。"
              + padding_note["zh"] + "\n\n每个窗口（输出的行、列）及其上游梯度 $g$，"
              f"被选中的最大值用 [方括号] 标出：\n\n{drawing}\n\n"
              f"{ties['zh']}{overlap['zh']}$\\partial L / \\partial X$：\n\n{answer}",
    }


def _window_drawing(work: MaxPoolWork) -> list[str]:
    """One small drawing per window, side by side by output row, a blank line between rows."""
    lines: list[str] = []
    for row in work.windows:
        blocks = [_labelled(f"({w.at[0] + 1},{w.at[1] + 1}) g={num(w.g)}",
                            grid(w.cells, marks=w.marks, blank=w.blank)) for w in row]
        lines.extend([*side_by_side(blocks), ""])
    return lines[:-1]


def _ties_text(work: MaxPoolWork) -> Text:
    ties: dict[str, list[str]] = {"en": [], "zh": []}
    for w in (w for row in work.windows for w in row if w.copies > 1):
        (i, j), (r, c) = w.at, w.chosen
        ties["en"].append(
            f"- window ({i + 1},{j + 1}): the maximum {num(w.best)} appears "
            f"{w.copies} times; the first one, $X$ row {r + 1}, "
            f"column {c + 1}, gets the gradient")
        ties["zh"].append(
            f"- 窗口 ({i + 1},{j + 1})：最大值 {num(w.best)} 出现了 {w.copies} "
            f"次，取第一个，即 $X$ 第 {r + 1} 行第 {c + 1} 列")
    if not ties["en"]:
        return {"en": "", "zh": ""}
    return {"en": "Ties:\n\n" + "\n".join(ties["en"]) + "\n\n",
            "zh": "并列最大值：\n\n" + "\n".join(ties["zh"]) + "\n\n"}


def _overlap_text(work: MaxPoolWork) -> Text:
    """The inputs that win several windows: their gradients add."""
    sums: dict[str, list[str]] = {"en": [], "zh": []}
    for (r, c), items in sorted(work.wins.items()):
        if len(items) > 1:
            terms = " + ".join(num(v) for _, v in items)
            wins = ", ".join(f"({i + 1},{j + 1})" for (i, j), _ in items)
            total = num(sum(v for _, v in items))
            sums["en"].append(f"- $X$ row {r + 1}, column {c + 1} is the maximum of windows "
                              f"{wins}: ${terms} = {total}$")
            sums["zh"].append(f"- $X$ 第 {r + 1} 行第 {c + 1} 列是窗口 {wins} 的最大值："
                              f"${terms} = {total}$")
    if not sums["en"]:
        return {"en": "", "zh": ""}
    return {"en": "Overlapping windows add their gradients:\n\n" + "\n".join(sums["en"]) + "\n\n",
            "zh": "窗口重叠时梯度相加：\n\n" + "\n".join(sums["zh"]) + "\n\n"}


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
        work = _avgpool_work(*self._args(params), self.solved(params))
        note = rounding(work.decimals)
        h, w = work.size
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.grad),
                                  decimals=work.decimals, rows=h, cols=w)
        return self.instance(params, level, seed, expected, _avgpool_prompt(work, note),
                             _avgpool_solution(work), note)


class AvgWindow(NamedTuple):
    """One average-pooling window: the inputs it covers and what each of them gets."""

    at: tuple[int, int]  # output row, column (0-based)
    g: float  # its upstream gradient
    rows: tuple[int, int]  # first and last input row covered (1-based)
    cols: tuple[int, int]  # first and last input column covered (1-based)
    divisor: float
    share: float  # g / divisor: what each covered input gets

    @property
    def count(self) -> int:
        return (self.rows[1] - self.rows[0] + 1) * (self.cols[1] - self.cols[0] + 1)


class AvgPoolWork(NamedTuple):
    size: list[int]  # the input's [H, W]
    g: np.ndarray  # the upstream gradient
    options: dict[str, Any]  # avg_pool2d's keyword arguments
    grad: np.ndarray  # the answer, dL/dX
    decimals: int | None  # None: the answer is exact
    windows: list[AvgWindow]  # row-major


def _avgpool_work(size: list[int], g: np.ndarray, options: dict[str, Any],
                  grad: np.ndarray) -> AvgPoolWork:
    windows = []
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            one_hot = np.zeros_like(g)
            one_hot[i, j] = 1.0
            share = avg_pool2d_backward(one_hot, size, **options)  # 1/divisor on the window
            rows, cols = np.nonzero(share)
            divisor = 1.0 / share[rows[0], cols[0]]
            windows.append(AvgWindow((i, j), g[i, j], (rows.min() + 1, rows.max() + 1),
                                     (cols.min() + 1, cols.max() + 1), divisor,
                                     g[i, j] / divisor))
    return AvgPoolWork(size, g, options, grad, exact_decimals(grad), windows)


def _avgpool_prompt(work: AvgPoolWork, note: Text) -> Text:
    o = work.options
    ceil_mode, include = o["ceil_mode"], o["count_include_pad"]
    code = _pool_code("AvgPool2d", o["kernel_size"], o["stride"], o["padding"], ceil_mode,
                      include)
    h, w = work.size
    intro = {"en": f"An average-pooling layer $Y = $ {code} is applied to an input $X$ of "
                   f"size ${h} \\times {w}$.",
             "zh": f"对尺寸为 ${h} \\times {w}$ 的输入 $X$ 做平均池化 $Y = $ {code}。"}
    if o["padding"] or ceil_mode:  # the divisor is a convention: state PyTorch's
        divisor = _divisor_rule(include, ceil_mode)
        intro = {lang: f"{intro[lang]}{' ' if lang == 'en' else ''}{divisor[lang]}"
                 for lang in LANGS}
    return _prompt(intro, None, work.g, note, (h, w))


def _avgpool_solution(work: AvgPoolWork) -> Text:
    lines = _avg_window_lines(work)
    rule = _avg_rule(work.options["padding"], work.options["ceil_mode"])
    answer = fenced(grid(work.grad, fmt=num))
    tail = {"en": "", "zh": ""}
    if work.decimals is not None:
        rounded = fenced(grid(work.grad, fmt=lambda v: f"{v:.{work.decimals}f}"))
        tail = {"en": f"\n\nRounded to {work.decimals} decimals:\n\n{rounded}",
                "zh": f"\n\n保留 {work.decimals} 位小数：\n\n{rounded}"}
    return {
        "en": f"{rule['en']}\n\n" + "\n".join(lines["en"])
              + f"\n\nAdding the shares, $\\partial L / \\partial X$ =\n\n{answer}"
              + tail["en"],
        "zh": f"{rule['zh']}\n\n" + "\n".join(lines["zh"])
              + f"\n\n把各份相加，$\\partial L / \\partial X$ =\n\n{answer}" + tail["zh"],
    }


def _avg_window_lines(work: AvgPoolWork) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {"en": [], "zh": []}
    for w in work.windows:
        (i, j), (r_lo, r_hi), (c_lo, c_hi), count = w.at, w.rows, w.cols, w.count
        if w.divisor == 1:
            shown = num(w.share)
        elif exact_decimals([w.share], 4) is None:
            shown = f"{num(w.g)}/{num(w.divisor)} = {num(w.share)}"
        else:
            shown = f"{num(w.g)}/{num(w.divisor)} \\approx {w.share:.4f}"
        rows_en = f"row {r_lo}" if r_lo == r_hi else f"rows {r_lo}–{r_hi}"
        cols_en = f"column {c_lo}" if c_lo == c_hi else f"columns {c_lo}–{c_hi}"
        rows_zh = f"第 {r_lo} 行" if r_lo == r_hi else f"第 {r_lo}–{r_hi} 行"
        cols_zh = f"第 {c_lo} 列" if c_lo == c_hi else f"第 {c_lo}–{c_hi} 列"
        inputs = "1 input" if count == 1 else f"{count} inputs"
        lines["en"].append(
            f"- window ({i + 1},{j + 1}): $g = {num(w.g)}$, covers {rows_en}, "
            f"{cols_en} ({inputs}), divisor {num(w.divisor)}: each gets ${shown}$")
        lines["zh"].append(
            f"- 窗口 ({i + 1},{j + 1})：$g = {num(w.g)}$，覆盖{rows_zh}、{cols_zh}"
            f"（{count} 个输入），除数 {num(w.divisor)}：每个得到 ${shown}$")
    return lines


def _avg_rule(padding: int, ceil_mode: bool) -> Text:
    rule = {
        "en": "Average pooling gives every input of a window the same share $g / "
              "\\text{divisor}$ of the window's upstream gradient; inputs in several "
              "windows add their shares, and padding receives nothing.",
        "zh": "平均池化把窗口的上游梯度平均分给窗口内的每个输入，每份为 $g / \\text{除数}$；"
              "同时属于多个窗口的输入把各份相加，padding 位置不接收梯度。",
    }
    if padding or ceil_mode:
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
    return rule
