"""Normalisation families: BatchNorm2d forward (train / eval), min-max and z-score."""

from __future__ import annotations

from typing import Any

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
    ExerciseFamily,
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
        value = self.solved(params)
        value = 0.0 if abs(value) < 1e-12 else value  # no "-0.000"
        a = self._args(params)
        x, c, n, ch, mode, ask = a["x"], a["c"], a["n"], a["ch"], a["mode"], a["ask"]
        note = rounding(3)
        header = "| sample | " + " | ".join(f"channel {j + 1}" for j in range(c)) + " |"
        header_zh = "| 样本 | " + " | ".join(f"通道 {j + 1}" for j in range(c)) + " |"
        sep = "|---" * (c + 1) + "|"
        body = [f"| {i + 1} | " + " | ".join(num(v) for v in row) + " |" for i, row in enumerate(x)]
        table = "\n".join([header, sep, *body])
        table_zh = "\n".join([header_zh, sep, *body])
        per_channel = c > 1
        if per_channel:
            def row(label: str, vals: np.ndarray) -> str:
                return f"| {label} | " + " | ".join(num(v) for v in vals) + " |"

            params_table = "\n".join([
                "| | " + " | ".join(f"channel {j + 1}" for j in range(c)) + " |", sep,
                row("$\\gamma$", a["gamma"]), row("$\\beta$", a["beta"]),
                row("running mean", a["rm"]), row("running var", a["rv"])])
            params_table_zh = params_table.replace("channel", "通道")
            given = {"en": f"\n\nPer-channel settings:\n\n{params_table}",
                     "zh": f"\n\n各通道的设置：\n\n{params_table_zh}"}
            settings = {"en": "the settings above and $\\epsilon = 10^{-5}$",
                        "zh": "设置见上表，$\\epsilon = 10^{-5}$"}
            running = {"en": "the running statistics are those of the table above",
                       "zh": "滑动统计量如上表所示"}
        else:
            given = {"en": "", "zh": ""}
            gb = (f"$\\gamma = {num(a['gamma'][0])}$, $\\beta = {num(a['beta'][0])}$, "
                  "$\\epsilon = 10^{-5}$")
            settings = {"en": gb, "zh": gb}
            stats_text = (f"running mean $= {num(a['rm'][0])}$, running var "
                          f"$= {num(a['rv'][0])}$")
            running = {"en": stats_text, "zh": stats_text}
        layout = {
            "en": f"Each of the {x.shape[0]} samples has {c} channel{'s' if c > 1 else ''} "
                  "of size $1 \\times 1$, so the batch is the table below (shape "
                  f"$({x.shape[0]}, {c}, 1, 1)$).",
            "zh": f"batch 中 {x.shape[0]} 个样本各有 {c} 个 $1 \\times 1$ 的通道，"
                  f"即下表（形状 $({x.shape[0]}, {c}, 1, 1)$）。",
        }
        target_en = f"sample {n + 1}" + (f", channel {ch + 1}" if per_channel else "")
        target_zh = f"第 {n + 1} 个样本" + (f"、第 {ch + 1} 个通道" if per_channel else "")
        if mode == "eval":
            question = {
                "en": f"`nn.BatchNorm2d({c})` is in **eval** mode (`model.eval()`), with "
                      f"{settings['en']}; {running['en']}. What is the output for {target_en}?",
                "zh": f"`nn.BatchNorm2d({c})` 处于 **eval** 模式（`model.eval()`），"
                      f"{settings['zh']}，{running['zh']}。{target_zh}的输出是多少？",
            }
        elif ask == "output":
            question = {
                "en": f"`nn.BatchNorm2d({c})` is in **training** mode, with {settings['en']}. "
                      f"{_VARIANCE_RULE['en']} What is the output for {target_en}?",
                "zh": f"`nn.BatchNorm2d({c})` 处于**训练**模式，{settings['zh']}。"
                      f"{_VARIANCE_RULE['zh']}{target_zh}的输出是多少？",
            }
        else:
            stat = "running_var" if ask == "running_var" else "running_mean"
            question = {
                "en": f"`nn.BatchNorm2d({c})` (momentum 0.1) is in **training** mode; before this "
                      f"forward pass {running['en']}. {_VARIANCE_RULE['en']} What is `{stat}` "
                      f"of channel {ch + 1} after the pass?",
                "zh": f"`nn.BatchNorm2d({c})`（momentum 0.1）处于**训练**模式，本次前向之前"
                      f"{running['zh']}。{_VARIANCE_RULE['zh']}前向之后通道 {ch + 1} 的 `{stat}` "
                      "是多少？",
            }
        prompt = {
            "en": f"{layout['en']}\n\n{table}{given['en']}\n\n{question['en']} {note['en']}",
            "zh": f"{layout['zh']}\n\n{table_zh}{given['zh']}\n\n{question['zh']}{note['zh']}",
        }
        col = x[:, ch]
        m = len(col)
        mean = col.mean()
        var = float(((col - mean) ** 2).mean())
        xv = col[n]
        gamma, beta = a["gamma"][ch], a["beta"][ch]
        answer = approx(value)
        chan_word = {"en": f" of channel {ch + 1}" if per_channel else "",
                     "zh": f"（通道 {ch + 1}）" if per_channel else ""}
        values = ", ".join(num(v) for v in col)
        squares = (col - mean) ** 2
        rel = "=" if exact_decimals(squares, 4) is None else "\\approx"
        stats = (f"$\\mu_B = ({sum_tex(col)}) / {m} = {num(mean)}$\n"
                 f"- $\\sigma_B^2 = \\frac{{1}}{{{m}}}\\sum (x - \\mu_B)^2 {rel} "
                 f"({sum_tex(squares)}) / {m} {rel} {num(var)}$")
        affine = ""
        if gamma != 1 or beta != 0:
            xhat = (xv - mean) / np.sqrt(var + EPS) if mode == "train" else \
                (xv - a["rm"][ch]) / np.sqrt(a["rv"][ch] + EPS)
            affine = (f"\n- $y = \\gamma \\hat{{x}} + \\beta = {num(gamma)} \\cdot "
                      f"{paren(round(xhat, 4))} + {paren(beta)} \\approx {answer}$")
        if mode == "eval":
            rm, rv = a["rm"][ch], a["rv"][ch]
            steps = (f"- $\\hat{{x}} = \\frac{{{num(xv)} - {paren(rm)}}}{{\\sqrt{{{num(rv)} + "
                     f"10^{{-5}}}}}} \\approx {(xv - rm) / np.sqrt(rv + EPS):.4f}$" + affine)
            if not affine:
                steps += f"\n- $y = \\hat{{x}} \\approx {answer}$"
            solution = {
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
        elif ask == "output":
            xhat = (xv - mean) / np.sqrt(var + EPS)
            steps = (f"- {stats}\n- $\\hat{{x}} = \\frac{{{num(xv)} - {paren(mean)}}}{{\\sqrt{{"
                     f"{num(var)} + 10^{{-5}}}}}} \\approx {xhat:.4f}$" + affine)
            if not affine:
                steps += f"\n- $y = \\hat{{x}} \\approx {answer}$"
            solution = {
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
        else:
            if ask == "running_var":
                old = a["rv"][ch]
                unbiased = var * m / (m - 1)
                steps = (f"- {stats}\n- unbiased: $\\frac{{{m}}}{{{m - 1}}} \\cdot {num(var)} = "
                         f"{num(unbiased)}$\n- $0.9 \\cdot {num(old)} + 0.1 \\cdot "
                         f"{num(unbiased)} = {num(value)}$")
                formula = ("\\hat{\\sigma}^2_{\\mathrm{new}} = (1 - \\alpha)"
                           "\\hat{\\sigma}^2_{\\mathrm{old}} + \\alpha \\cdot "
                           "\\frac{m}{m - 1}\\sigma_B^2")
                why = {"en": "The running variance is updated with the **unbiased** batch "
                             "variance (divide by $m - 1$), although the batch itself was "
                             "normalised with the biased one.",
                       "zh": "滑动方差用的是 batch 的**无偏**方差（除以 $m - 1$），"
                             "尽管 batch 本身是用有偏方差归一化的。"}
            else:
                old = a["rm"][ch]
                steps = (f"- $\\mu_B = ({sum_tex(col)}) / {m} = {num(mean)}$\n"
                         f"- $0.9 \\cdot {num(old)} + 0.1 \\cdot {paren(mean)} = {num(value)}$")
                formula = ("\\hat{\\mu}_{\\mathrm{new}} = (1 - \\alpha)"
                           "\\hat{\\mu}_{\\mathrm{old}} + \\alpha \\mu_B")
                why = {"en": "", "zh": ""}
            steps_zh = steps.replace("unbiased: ", "无偏方差：")
            solution = {
                "en": f"PyTorch updates the running statistics after each training-mode pass "
                      f"with momentum $\\alpha = 0.1$:\n\n$$\n{formula}\n$$\n\n"
                      f"{why['en']}\n\nChannel {ch + 1} (values {values}, $m = {m}$):\n\n{steps}"
                      f"\n\nAnswer: **{answer}**.",
                "zh": f"PyTorch 在每次训练模式的前向之后用 momentum $\\alpha = 0.1$ "
                      f"更新滑动统计量：\n\n$$\n{formula}\n$$\n\n{why['zh']}\n\n"
                      f"通道 {ch + 1}（取值 {values}，$m = {m}$）：\n\n{steps_zh}"
                      f"\n\n答案：**{answer}**。",
            }
        expected = ExpectedAnswer(kind="number", value=value, decimals=3)
        return self.instance(params, level, seed, expected, prompt, solution, note)


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
        value = self.solved(params)
        value = 0.0 if abs(value) < 1e-12 else value  # no "-0.000"
        method, x, index, (lo, hi) = self._args(params)
        note = rounding(3)
        values = ", ".join(num(v) for v in x)
        xi = x[index]
        position = {"en": f"the element at position {index + 1} (value ${num(xi)}$)",
                    "zh": f"第 {index + 1} 个元素（值为 ${num(xi)}$）"}
        answer = approx(value)
        if method == "minmax":
            target_en = "[0, 1]" if (lo, hi) == (0, 1) else f"[{num(lo)}, {num(hi)}]"
            prompt = {
                "en": f"The feature values are {values}. Min-max scale them to the range "
                      f"{target_en}. What does {position['en']} become? {note['en']}",
                "zh": f"某个特征的取值为 {values}。把它们最小-最大缩放到区间 {target_en}，"
                      f"{position['zh']}变成多少？{note['zh']}",
            }
            mn, mx = x.min(), x.max()
            base = (xi - mn) / (mx - mn)
            formula = "x' = \\frac{x - x_{\\min}}{x_{\\max} - x_{\\min}}"
            steps = (f"- $x_{{\\min}} = {num(mn)}$, $x_{{\\max}} = {num(mx)}$\n"
                     f"- $\\frac{{{num(xi)} - {paren(mn)}}}{{{num(mx)} - {paren(mn)}}} = "
                     f"\\frac{{{num(xi - mn)}}}{{{num(mx - mn)}}} \\approx {base:.4f}$")
            if (lo, hi) != (0, 1):
                formula += " \\cdot (b - a) + a"
                steps += (f"\n- rescale to [a, b] = [{num(lo)}, {num(hi)}]: ${base:.4f} \\cdot "
                          f"({num(hi)} - {paren(lo)}) {'+' if lo >= 0 else '-'} {num(abs(lo))} "
                          f"\\approx {answer}$")
            steps_zh = steps.replace("rescale to", "映射到").replace("]: $", "]：$")
            solution = {
                "en": f"Min-max scaling maps the smallest value to the low end and the largest "
                      f"to the high end of the range:\n\n$$\n{formula}\n$$\n\n{steps}\n\n"
                      f"Answer: **{answer}**.",
                "zh": "最小-最大缩放把最小值映射到区间下端、最大值映射到上端："
                      f"\n\n$$\n{formula}\n$$"
                      f"\n\n{steps_zh}\n\n答案：**{answer}**。",
            }
        else:
            prompt = {
                "en": f"The feature values are {values}. Standardise them with the "
                      "z-score, using the population standard deviation (divide by $n$, as "
                      f"scikit-learn's `StandardScaler` does). What is the z-score of "
                      f"{position['en']}? {note['en']}",
                "zh": f"某个特征的取值为 {values}。用 z-score 标准化，标准差用总体标准差"
                      f"（除以 $n$，与 scikit-learn 的 `StandardScaler` 一致）。{position['zh']}的 "
                      f"z-score 是多少？{note['zh']}",
            }
            n = x.size
            mean = x.mean()
            var = float(((x - mean) ** 2).mean())
            std = float(np.sqrt(var))
            rel = "=" if exact_decimals([var], 4) is None else "\\approx"
            steps = (f"- $\\mu = ({sum_tex(x)}) / {n} = {num(mean)}$\n"
                     f"- $\\sigma^2 = \\frac{{1}}{{{n}}}\\sum (x - \\mu)^2 = "
                     f"{num(var * n)} / {n} {rel} {num(var)}$, $\\sigma \\approx {std:.4f}$\n"
                     f"- $z = \\frac{{{num(xi)} - {paren(mean)}}}{{{std:.4f}}} \\approx "
                     f"{answer}$")
            solution = {
                "en": "The z-score subtracts the mean and divides by the standard deviation:\n\n"
                      "$$\nz = \\frac{x - \\mu}{\\sigma}, \\quad \\sigma = \\sqrt{\\frac{1}{n}"
                      f"\\sum (x - \\mu)^2}}\n$$\n\n{steps}\n\n"
                      f"Answer: **{answer}**.",
                "zh": "z-score 减去均值再除以标准差：\n\n"
                      "$$\nz = \\frac{x - \\mu}{\\sigma}, \\quad \\sigma = \\sqrt{\\frac{1}{n}"
                      f"\\sum (x - \\mu)^2}}\n$$\n\n{steps}\n\n答案：**{answer}**。",
            }
        expected = ExpectedAnswer(kind="number", value=value, decimals=3)
        return self.instance(params, level, seed, expected, prompt, solution, note)
