"""Normalisation families: BatchNorm2d forward (train / eval), min-max and z-score."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    batch_norm2d_eval,
    batch_norm2d_train,
    min_max_normalize,
    z_score_normalize,
)

from ._common import (
    LANGS,
    ExerciseFamily,
    Text,
    approx,
    exact_decimals,
    need,
    num,
    one_of,
    paren,
    pick,
    randint,
    rounding,
    sum_tex,
)

MOMENTUM = 0.1
EPS = 1e-5
_ORDINAL_ZH = "一二三四五六七八九十"


# PyTorch's convention in training mode (torch.nn.functional.batch_norm): the answer rests on
# it, so the prompt states it.
_VARIANCE_RULE = {
    "en": "As in PyTorch, the batch is normalised with the biased batch variance (divide by "
          "$m$, the number of values of a channel in the batch), while `running_var` is "
          "updated with the unbiased one (divide by $m - 1$).",
    "zh": "与 PyTorch 一致：归一化用 batch 的有偏方差（除以 $m$，即该通道在 batch 中的取值个数），"
          "而 `running_var` 用无偏方差（除以 $m - 1$）更新。",
}


def _vector(params: dict[str, Any], key: str, c: int, default: float) -> np.ndarray:
    value = params.get(key)
    if value is None:
        return np.full(c, default)
    arr = np.asarray(value, dtype=np.float64).reshape(-1)
    if arr.shape != (c,) or not np.all(np.isfinite(arr)):
        raise SolverError(f"{key} must list {c} finite numbers (one per channel)")
    return arr


def _list(values: Any) -> list[Any]:
    return [int(v) if float(v).is_integer() else float(v) for v in values]


class BatchNormForward(ExerciseFamily):
    name = "batchnorm-forward"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            x = rng.integers(0, 10, size=(4, 1))
            return {"mode": "train", "x": x.tolist(), "ask": "output",
                    "index": [randint(rng, 0, 3), 0]}
        if level == 2:
            x = rng.integers(-2, 8, size=(4, 1))
            return {"mode": "eval", "x": x.tolist(), "ask": "output",
                    "index": [randint(rng, 0, 3), 0],
                    "gamma": [pick(rng, [0.5, 1, 2, 1.5])], "beta": [pick(rng, [-1, 0, 0.5, 1])],
                    "running_mean": [pick(rng, [0.5, 1, 2, 3])],
                    "running_var": [pick(rng, [0.25, 1, 2, 4])]}
        n = randint(rng, 3, 4)
        x = rng.integers(-3, 10, size=(n, 2))
        params: dict[str, Any] = {
            "mode": "train", "x": x.tolist(), "ask": pick(rng, ["running_var", "running_var",
                                                               "output"]),
            "index": [randint(rng, 0, n - 1), randint(rng, 0, 1)],
            "running_mean": [pick(rng, [0, 0.5, 1]), pick(rng, [0, 0.5, 1])],
            "running_var": [pick(rng, [1, 1, 2, 0.5]), pick(rng, [1, 1, 2, 0.5])]}
        if params["ask"] == "output":
            params["gamma"] = [pick(rng, [0.5, 2, 1.5]), pick(rng, [0.5, 2, 1.5])]
            params["beta"] = [pick(rng, [-1, 0.5, 1]), pick(rng, [-1, 0.5, 1])]
        return params

    def _args(self, params: dict[str, Any]) -> dict[str, Any]:
        x = np.asarray(need(params, "x"), dtype=np.float64)
        if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1 or not np.all(np.isfinite(x)):
            raise SolverError("x must be a matrix: one row per sample, one column per channel")
        c = x.shape[1]
        index = need(params, "index")
        n, ch = int(index[0]), int(index[1])
        if not (0 <= n < x.shape[0] and 0 <= ch < c):
            raise SolverError(f"index {index} is outside x")
        return {"x": x, "c": c, "mode": one_of(params, "mode", ["train", "eval"]),
                "ask": one_of(params, "ask", ["output", "running_var", "running_mean"]),
                "n": n, "ch": ch,
                "gamma": _vector(params, "gamma", c, 1.0), "beta": _vector(params, "beta", c, 0.0),
                "rm": _vector(params, "running_mean", c, 0.0),
                "rv": _vector(params, "running_var", c, 1.0)}

    def solve(self, params: dict[str, Any]) -> float:
        a = self._args(params)
        x4 = a["x"][:, :, None, None]
        if a["mode"] == "eval":
            if a["ask"] != "output":
                raise SolverError("eval mode does not update the running statistics")
            out = batch_norm2d_eval(x4, a["rm"], a["rv"], a["gamma"], a["beta"], eps=EPS)
            return float(out[a["n"], a["ch"], 0, 0])
        result = batch_norm2d_train(x4, a["gamma"], a["beta"], a["rm"], a["rv"],
                                    momentum=MOMENTUM, eps=EPS)
        if a["ask"] == "running_var":
            return float(result.running_var[a["ch"]])
        if a["ask"] == "running_mean":
            return float(result.running_mean[a["ch"]])
        return float(result.output[a["n"], a["ch"], 0, 0])

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        x = np.asarray(params["x"], dtype=np.float64)
        # no constant channel, and no answer that rounds to a signed zero ("-0.000")
        return bool(np.all(x.std(axis=0) > 0)) and (abs(solved) < 1e-12 or abs(solved) >= 5e-4)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work = _batchnorm_work(self._args(params), self.solved(params))
        note = rounding(3)
        expected = ExpectedAnswer(kind="number", value=work.value, decimals=3)
        return self.instance(params, level, seed, expected, _bn_prompt(work, note),
                             _bn_solution(work), note)


class BatchNormWork(NamedTuple):
    """One BatchNorm2d instance computed: the batch, the settings, the asked value."""

    x: np.ndarray  # (samples, channels): every channel of a sample is 1 × 1
    mode: str  # "train" or "eval"
    ask: str  # "output", "running_var" or "running_mean"
    n: int  # the asked sample, 0-based
    ch: int  # the asked channel, 0-based
    gamma: np.ndarray  # per channel, as are beta and the running statistics
    beta: np.ndarray
    rm: np.ndarray  # running mean before the pass
    rv: np.ndarray  # running var before the pass
    value: float  # the answer, a signed zero made 0.0 (no "-0.000")
    col: np.ndarray  # the batch's values of channel ch
    mean: float  # their mean
    var: float  # their biased variance (divide by m)
    xhat: float  # the asked value normalised: batch statistics in training, running in eval

    @property
    def per_channel(self) -> bool:
        return self.x.shape[1] > 1

    @property
    def squares(self) -> np.ndarray:
        return (self.col - self.mean) ** 2

    @property
    def unbiased(self) -> float:
        """The unbiased batch variance (divide by m - 1): what updates running_var."""
        m = len(self.col)
        return self.var * m / (m - 1)


def _batchnorm_work(a: dict[str, Any], value: float) -> BatchNormWork:
    ch = a["ch"]
    col = a["x"][:, ch]
    mean = col.mean()
    var = float(((col - mean) ** 2).mean())
    if a["mode"] == "train":
        xhat = (col[a["n"]] - mean) / np.sqrt(var + EPS)
    else:
        xhat = (col[a["n"]] - a["rm"][ch]) / np.sqrt(a["rv"][ch] + EPS)
    return BatchNormWork(a["x"], a["mode"], a["ask"], a["n"], ch, a["gamma"], a["beta"],
                         a["rm"], a["rv"], 0.0 if abs(value) < 1e-12 else value, col, mean,
                         var, xhat)


def _bn_prompt(w: BatchNormWork, note: Text) -> Text:
    samples, c = w.x.shape
    layout = {
        "en": f"Each of the {samples} samples has {c} channel{'s' if c > 1 else ''} "
              "of size $1 \\times 1$, so the batch is the table below (shape "
              f"$({samples}, {c}, 1, 1)$).",
        "zh": f"batch 中 {samples} 个样本各有 {c} 个 $1 \\times 1$ 的通道，"
              f"即下表（形状 $({samples}, {c}, 1, 1)$）。",
    }
    table = _batch_table(w)
    given, settings, running = _bn_settings(w)
    question = _bn_question(w, settings, running)
    return {
        "en": f"{layout['en']}\n\n{table['en']}{given['en']}\n\n{question['en']} {note['en']}",
        "zh": f"{layout['zh']}\n\n{table['zh']}{given['zh']}\n\n{question['zh']}{note['zh']}",
    }


def _batch_table(w: BatchNormWork) -> Text:
    c = w.x.shape[1]
    header = {"en": "| sample | " + " | ".join(f"channel {j + 1}" for j in range(c)) + " |",
              "zh": "| 样本 | " + " | ".join(f"通道 {j + 1}" for j in range(c)) + " |"}
    body = [f"| {i + 1} | " + " | ".join(num(v) for v in row) + " |" for i, row in enumerate(w.x)]
    return {lang: "\n".join([header[lang], "|---" * (c + 1) + "|", *body]) for lang in LANGS}


def _bn_settings(w: BatchNormWork) -> tuple[Text, Text, Text]:
    """The per-channel table (if any), the affine settings and the running statistics."""
    if not w.per_channel:
        gb = (f"$\\gamma = {num(w.gamma[0])}$, $\\beta = {num(w.beta[0])}$, "
              "$\\epsilon = 10^{-5}$")
        stats_text = f"running mean $= {num(w.rm[0])}$, running var $= {num(w.rv[0])}$"
        return {"en": "", "zh": ""}, {"en": gb, "zh": gb}, {"en": stats_text, "zh": stats_text}
    c = w.x.shape[1]

    def row(label: str, vals: np.ndarray) -> str:
        return f"| {label} | " + " | ".join(num(v) for v in vals) + " |"

    params_table = "\n".join([
        "| | " + " | ".join(f"channel {j + 1}" for j in range(c)) + " |", "|---" * (c + 1) + "|",
        row("$\\gamma$", w.gamma), row("$\\beta$", w.beta),
        row("running mean", w.rm), row("running var", w.rv)])
    given = {"en": f"\n\nPer-channel settings:\n\n{params_table}",
             "zh": f"\n\n各通道的设置：\n\n{params_table.replace('channel', '通道')}"}
    settings = {"en": "the settings above and $\\epsilon = 10^{-5}$",
                "zh": "设置见上表，$\\epsilon = 10^{-5}$"}
    running = {"en": "the running statistics are those of the table above",
               "zh": "滑动统计量如上表所示"}
    return given, settings, running


def _bn_question(w: BatchNormWork, settings: Text, running: Text) -> Text:
    c, n, ch = w.x.shape[1], w.n, w.ch
    target_en = f"sample {n + 1}" + (f", channel {ch + 1}" if w.per_channel else "")
    target_zh = f"第 {n + 1} 个样本" + (f"、第 {ch + 1} 个通道" if w.per_channel else "")
    if w.mode == "eval":
        return {
            "en": f"`nn.BatchNorm2d({c})` is in **eval** mode (`model.eval()`), with "
                  f"{settings['en']}; {running['en']}. What is the output for {target_en}?",
            "zh": f"`nn.BatchNorm2d({c})` 处于 **eval** 模式（`model.eval()`），"
                  f"{settings['zh']}，{running['zh']}。{target_zh}的输出是多少？",
        }
    if w.ask == "output":
        return {
            "en": f"`nn.BatchNorm2d({c})` is in **training** mode, with {settings['en']}. "
                  f"{_VARIANCE_RULE['en']} What is the output for {target_en}?",
            "zh": f"`nn.BatchNorm2d({c})` 处于**训练**模式，{settings['zh']}。"
                  f"{_VARIANCE_RULE['zh']}{target_zh}的输出是多少？",
        }
    stat = "running_var" if w.ask == "running_var" else "running_mean"
    return {
        "en": f"`nn.BatchNorm2d({c})` (momentum 0.1) is in **training** mode; before this "
              f"forward pass {running['en']}. {_VARIANCE_RULE['en']} What is `{stat}` "
              f"of channel {ch + 1} after the pass?",
        "zh": f"`nn.BatchNorm2d({c})`（momentum 0.1）处于**训练**模式，本次前向之前"
              f"{running['zh']}。{_VARIANCE_RULE['zh']}前向之后通道 {ch + 1} 的 `{stat}` "
              "是多少？",
    }


def _bn_solution(w: BatchNormWork) -> Text:
    if w.mode == "eval":
        return _bn_eval_solution(w)
    if w.ask == "output":
        return _bn_train_solution(w)
    return _bn_running_solution(w)


def _bn_stats(w: BatchNormWork) -> str:
    """The batch mean and biased variance of the asked channel, as two steps."""
    m = len(w.col)
    rel = "=" if exact_decimals(w.squares, 4) is None else "\\approx"
    return (f"$\\mu_B = ({sum_tex(w.col)}) / {m} = {num(w.mean)}$\n"
            f"- $\\sigma_B^2 = \\frac{{1}}{{{m}}}\\sum (x - \\mu_B)^2 {rel} "
            f"({sum_tex(w.squares)}) / {m} {rel} {num(w.var)}$")


def _bn_output_step(w: BatchNormWork, answer: str) -> str:
    """The last step, from x-hat to the output: the affine map unless it is the identity."""
    gamma, beta = w.gamma[w.ch], w.beta[w.ch]
    if gamma != 1 or beta != 0:
        return (f"\n- $y = \\gamma \\hat{{x}} + \\beta = {num(gamma)} \\cdot "
                f"{paren(round(w.xhat, 4))} + {paren(beta)} \\approx {answer}$")
    return f"\n- $y = \\hat{{x}} \\approx {answer}$"


def _bn_eval_solution(w: BatchNormWork) -> Text:
    answer = approx(w.value)
    xv, rm, rv = w.col[w.n], w.rm[w.ch], w.rv[w.ch]
    steps = (f"- $\\hat{{x}} = \\frac{{{num(xv)} - {paren(rm)}}}{{\\sqrt{{{num(rv)} + "
             f"10^{{-5}}}}}} \\approx {w.xhat:.4f}$" + _bn_output_step(w, answer))
    return {
        "en": "In eval mode BatchNorm ignores the batch and uses the running statistics:"
              "\n\n$$\ny = \\gamma \\cdot \\frac{x - \\hat{\\mu}}"
              "{\\sqrt{\\hat{\\sigma}^2 + \\epsilon}} + \\beta\n$$\n\n" + steps
              + "\n\nThe batch mean and variance "
              "of the table are a distractor here: they only matter in training mode. "
              f"Answer: **{answer}**.",
        "zh": "eval 模式下 BatchNorm 不看当前 batch，只用滑动统计量：\n\n"
              "$$\ny = \\gamma \\cdot \\frac{x - \\hat{\\mu}}{\\sqrt{\\hat{\\sigma}^2 + "
              "\\epsilon}} + \\beta\n$$\n\n" + steps + "\n\n表中 batch 的均值和方差在这里"
              f"用不上：它们只在训练模式下起作用。答案：**{answer}**。",
    }


def _bn_train_solution(w: BatchNormWork) -> Text:
    answer = approx(w.value)
    steps = (f"- {_bn_stats(w)}\n- $\\hat{{x}} = \\frac{{{num(w.col[w.n])} - {paren(w.mean)}}}"
             f"{{\\sqrt{{{num(w.var)} + 10^{{-5}}}}}} \\approx {w.xhat:.4f}$"
             + _bn_output_step(w, answer))
    chan_word = {"en": f" of channel {w.ch + 1}" if w.per_channel else "",
                 "zh": f"（通道 {w.ch + 1}）" if w.per_channel else ""}
    values = ", ".join(num(v) for v in w.col)
    return {
        "en": f"In training mode BatchNorm normalises with the statistics of the batch"
              f"{chan_word['en']} (values {values}), using the biased variance "
              "(divide by $m$):\n\n$$\n\\hat{x} = \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + "
              "\\epsilon}}, \\quad y = \\gamma \\hat{x} + \\beta\n$$\n\n" + steps
              + f"\n\nAnswer: **{answer}**.",
        "zh": "训练模式下 BatchNorm 用当前 batch 的统计量"
              f"{chan_word['zh']}（取值 {values}）"
              "归一化，方差是有偏的（除以 $m$）：\n\n$$\n\\hat{x} = \\frac{x - \\mu_B}"
              "{\\sqrt{\\sigma_B^2 + \\epsilon}}, \\quad y = \\gamma \\hat{x} + \\beta\n$$"
              "\n\n" + steps + f"\n\n答案：**{answer}**。",
    }


def _bn_running_solution(w: BatchNormWork) -> Text:
    m, value = len(w.col), w.value
    if w.ask == "running_var":
        old = w.rv[w.ch]
        steps = (f"- {_bn_stats(w)}\n- unbiased: $\\frac{{{m}}}{{{m - 1}}} \\cdot {num(w.var)} = "
                 f"{num(w.unbiased)}$\n- $0.9 \\cdot {num(old)} + 0.1 \\cdot "
                 f"{num(w.unbiased)} = {num(value)}$")
        formula = ("\\hat{\\sigma}^2_{\\mathrm{new}} = (1 - \\alpha)"
                   "\\hat{\\sigma}^2_{\\mathrm{old}} + \\alpha \\cdot "
                   "\\frac{m}{m - 1}\\sigma_B^2")
        why = {"en": "The running variance is updated with the **unbiased** batch "
                     "variance (divide by $m - 1$), although the batch itself was "
                     "normalised with the biased one.",
               "zh": "滑动方差用的是 batch 的**无偏**方差（除以 $m - 1$），"
                     "尽管 batch 本身是用有偏方差归一化的。"}
    else:
        old = w.rm[w.ch]
        steps = (f"- $\\mu_B = ({sum_tex(w.col)}) / {m} = {num(w.mean)}$\n"
                 f"- $0.9 \\cdot {num(old)} + 0.1 \\cdot {paren(w.mean)} = {num(value)}$")
        formula = ("\\hat{\\mu}_{\\mathrm{new}} = (1 - \\alpha)"
                   "\\hat{\\mu}_{\\mathrm{old}} + \\alpha \\mu_B")
        why = {"en": "", "zh": ""}
    values, answer = ", ".join(num(v) for v in w.col), approx(value)
    return {
        "en": f"PyTorch updates the running statistics after each training-mode pass "
              f"with momentum $\\alpha = 0.1$:\n\n$$\n{formula}\n$$\n\n"
              f"{why['en']}\n\nChannel {w.ch + 1} (values {values}, $m = {m}$):\n\n{steps}"
              f"\n\nAnswer: **{answer}**.",
        "zh": f"PyTorch 在每次训练模式的前向之后用 momentum $\\alpha = 0.1$ "
              f"更新滑动统计量：\n\n$$\n{formula}\n$$\n\n{why['zh']}\n\n"
              f"通道 {w.ch + 1}（取值 {values}，$m = {m}$）：\n\n"
              f"{steps.replace('unbiased: ', '无偏方差：')}"
              f"\n\n答案：**{answer}**。",
    }


class MinMaxZScore(ExerciseFamily):
    name = "minmax-zscore"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        size = randint(rng, 5, 6) if level < 3 else randint(rng, 5, 7)
        if level == 1:
            x = rng.integers(0, 21, size=size)
            return {"method": "minmax", "x": _list(x), "index": randint(rng, 0, size - 1),
                    "range": [0, 1]}
        if level == 2:
            x = rng.integers(0, 13, size=size)
            return {"method": "zscore", "x": _list(x), "index": randint(rng, 0, size - 1)}
        if rng.random() < 0.5:
            x = rng.integers(-10, 31, size=size)
            return {"method": "minmax", "x": _list(x), "index": randint(rng, 0, size - 1),
                    "range": pick(rng, [[-1, 1], [-1, 1], [0, 10], [-5, 5]])}
        x = rng.integers(-20, 21, size=size) / 2
        return {"method": "zscore", "x": _list(x), "index": randint(rng, 0, size - 1)}

    def _args(self, params: dict[str, Any]) -> tuple[str, np.ndarray, int, list[float]]:
        method = one_of(params, "method", ["minmax", "zscore"])
        x = np.asarray(need(params, "x"), dtype=np.float64)
        if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
            raise SolverError("x must be a list of at least two finite numbers")
        index = int(need(params, "index"))
        if not 0 <= index < x.size:
            raise SolverError(f"index {index} is outside x")
        target = [float(v) for v in params.get("range", [0, 1])]
        return method, x, index, target

    def solve(self, params: dict[str, Any]) -> float:
        method, x, index, (lo, hi) = self._args(params)
        if method == "minmax":
            return float(min_max_normalize(x, lo, hi)[index])
        return float(z_score_normalize(x)[index])

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        _, x, index, _ = self._args(params)
        # ask about an element in the middle: neither the smallest nor the largest
        return bool(x.min() < x[index] < x.max()) and (abs(solved) < 1e-12
                                                       or abs(solved) >= 5e-4)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work = _scaling_work(*self._args(params), self.solved(params))
        note = rounding(3)
        if isinstance(work, MinMaxWork):
            prompt, solution = _minmax_prompt(work, note), _minmax_solution(work)
        else:
            prompt, solution = _zscore_prompt(work, note), _zscore_solution(work)
        expected = ExpectedAnswer(kind="number", value=work.value, decimals=3)
        return self.instance(params, level, seed, expected, prompt, solution, note)


class MinMaxWork(NamedTuple):
    x: np.ndarray
    index: int  # the asked element, 0-based
    target: tuple[float, float]  # the range [a, b]
    value: float  # the answer, a signed zero made 0.0
    low: float  # min(x)
    high: float  # max(x)
    base: float  # the element scaled to [0, 1]


class ZScoreWork(NamedTuple):
    x: np.ndarray
    index: int  # the asked element, 0-based
    value: float  # the answer, a signed zero made 0.0
    mean: float
    var: float  # population variance (divide by n)
    std: float


def _scaling_work(method: str, x: np.ndarray, index: int, target: list[float],
                  value: float) -> MinMaxWork | ZScoreWork:
    value = 0.0 if abs(value) < 1e-12 else value  # no "-0.000"
    lo, hi = target
    if method == "minmax":
        low, high = x.min(), x.max()
        base = (x[index] - low) / (high - low)
        return MinMaxWork(x, index, (lo, hi), value, low, high, base)
    mean = x.mean()
    var = float(((x - mean) ** 2).mean())
    return ZScoreWork(x, index, value, mean, var, float(np.sqrt(var)))


def _position(x: np.ndarray, index: int) -> Text:
    return {"en": f"the element at position {index + 1} (value ${num(x[index])}$)",
            "zh": f"第 {index + 1} 个元素（值为 ${num(x[index])}$）"}


def _minmax_prompt(w: MinMaxWork, note: Text) -> Text:
    lo, hi = w.target
    values, position = ", ".join(num(v) for v in w.x), _position(w.x, w.index)
    target_en = "[0, 1]" if (lo, hi) == (0, 1) else f"[{num(lo)}, {num(hi)}]"
    return {
        "en": f"The feature values are {values}. Min-max scale them to the range "
              f"{target_en}. What does {position['en']} become? {note['en']}",
        "zh": f"某个特征的取值为 {values}。把它们最小-最大缩放到区间 {target_en}，"
              f"{position['zh']}变成多少？{note['zh']}",
    }


def _minmax_solution(w: MinMaxWork) -> Text:
    (lo, hi), xi, mn, mx = w.target, w.x[w.index], w.low, w.high
    answer = approx(w.value)
    formula = "x' = \\frac{x - x_{\\min}}{x_{\\max} - x_{\\min}}"
    steps = (f"- $x_{{\\min}} = {num(mn)}$, $x_{{\\max}} = {num(mx)}$\n"
             f"- $\\frac{{{num(xi)} - {paren(mn)}}}{{{num(mx)} - {paren(mn)}}} = "
             f"\\frac{{{num(xi - mn)}}}{{{num(mx - mn)}}} \\approx {w.base:.4f}$")
    if (lo, hi) != (0, 1):
        formula += " \\cdot (b - a) + a"
        steps += (f"\n- rescale to [a, b] = [{num(lo)}, {num(hi)}]: ${w.base:.4f} \\cdot "
                  f"({num(hi)} - {paren(lo)}) {'+' if lo >= 0 else '-'} {num(abs(lo))} "
                  f"\\approx {answer}$")
    steps_zh = steps.replace("rescale to", "映射到").replace("]: $", "]：$")
    return {
        "en": f"Min-max scaling maps the smallest value to the low end and the largest "
              f"to the high end of the range:\n\n$$\n{formula}\n$$\n\n{steps}\n\n"
              f"Answer: **{answer}**.",
        "zh": "最小-最大缩放把最小值映射到区间下端、最大值映射到上端："
              f"\n\n$$\n{formula}\n$$"
              f"\n\n{steps_zh}\n\n答案：**{answer}**。",
    }


def _zscore_prompt(w: ZScoreWork, note: Text) -> Text:
    values, position = ", ".join(num(v) for v in w.x), _position(w.x, w.index)
    return {
        "en": f"The feature values are {values}. Standardise them with the "
              "z-score, using the population standard deviation (divide by $n$, as "
              f"scikit-learn's `StandardScaler` does). What is the z-score of "
              f"{position['en']}? {note['en']}",
        "zh": f"某个特征的取值为 {values}。用 z-score 标准化，标准差用总体标准差"
              f"（除以 $n$，与 scikit-learn 的 `StandardScaler` 一致）。{position['zh']}的 "
              f"z-score 是多少？{note['zh']}",
    }


def _zscore_solution(w: ZScoreWork) -> Text:
    n, answer = w.x.size, approx(w.value)
    rel = "=" if exact_decimals([w.var], 4) is None else "\\approx"
    steps = (f"- $\\mu = ({sum_tex(w.x)}) / {n} = {num(w.mean)}$\n"
             f"- $\\sigma^2 = \\frac{{1}}{{{n}}}\\sum (x - \\mu)^2 = "
             f"{num(w.var * n)} / {n} {rel} {num(w.var)}$, $\\sigma \\approx {w.std:.4f}$\n"
             f"- $z = \\frac{{{num(w.x[w.index])} - {paren(w.mean)}}}{{{w.std:.4f}}} \\approx "
             f"{answer}$")
    return {
        "en": "The z-score subtracts the mean and divides by the standard deviation:\n\n"
              "$$\nz = \\frac{x - \\mu}{\\sigma}, \\quad \\sigma = \\sqrt{\\frac{1}{n}"
              f"\\sum (x - \\mu)^2}}\n$$\n\n{steps}\n\n"
              f"Answer: **{answer}**.",
        "zh": "z-score 减去均值再除以标准差：\n\n"
              "$$\nz = \\frac{x - \\mu}{\\sigma}, \\quad \\sigma = \\sqrt{\\frac{1}{n}"
              f"\\sum (x - \\mu)^2}}\n$$\n\n{steps}\n\n答案：**{answer}**。",
    }
