"""Cross-entropy from logits: the loss, or its gradient w.r.t. the logits."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    CrossEntropyParts,
    SolverError,
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_parts,
)

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
    randint,
    rounding,
)


class CrossEntropyWork(NamedTuple):
    logits: np.ndarray
    target: list[int]
    weight: np.ndarray | None
    smoothing: float
    ask: str  # "loss" or "grad"
    parts: CrossEntropyParts
    loss: float
    grad: np.ndarray


class CrossEntropyGrad(ExerciseFamily):
    name = "cross-entropy-grad"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        n, c = (1, pick(rng, [3, 4])) if level == 1 else (2, 3)
        params: dict[str, Any] = {
            "logits": rng.integers(-2, 4, size=(n, c)).tolist(),
            "target": [randint(rng, 0, c - 1) for _ in range(n)],
            "ask": {1: "loss", 2: "grad"}.get(level, pick(rng, ["loss", "grad"])),
        }
        if level == 3:
            extra = pick(rng, ["weight", "smoothing", "both"])
            if extra in ("weight", "both"):
                params["weight"] = [pick(rng, [0.5, 1.0, 2.0, 3.0]) for _ in range(c)]
            if extra in ("smoothing", "both"):
                params["label_smoothing"] = pick(rng, [0.1, 0.2, 0.3])
        return params

    def solve(self, params: dict[str, Any]) -> CrossEntropyWork:
        logits = np.asarray(need(params, "logits"), dtype=np.float64)
        if logits.ndim != 2 or not 1 <= logits.shape[0] <= 4 or not 2 <= logits.shape[1] <= 6:
            raise SolverError("logits must be 1 to 4 rows (samples) of 2 to 6 classes")
        target = need(params, "target")
        if not isinstance(target, list) or not all(type(t) is int for t in target):
            raise SolverError("target must be a list of class indices")
        ask = one_of(params, "ask", ["loss", "grad"])
        weight = params.get("weight")
        if weight is not None and any(float(w) < 0 for w in weight):
            raise SolverError("class weights must be non-negative in this exercise")
        smoothing = float(params.get("label_smoothing", 0.0))
        args = (logits, target, weight, smoothing)
        parts = cross_entropy_parts(*args)
        if parts.divisor <= 0:
            raise SolverError("the targets' weights sum to 0: the mean is undefined")
        loss = cross_entropy(*args)
        assert isinstance(loss, float)
        w = None if weight is None else np.asarray(weight, dtype=np.float64)
        return CrossEntropyWork(logits, target, w, max(smoothing, 0.0), ask, parts, loss,
                                cross_entropy_grad(*args))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work: CrossEntropyWork = self.solved(params)
        if work.ask == "loss":
            decimals: int | None = 3
            expected = ExpectedAnswer(kind="number", value=work.loss, decimals=3)
        else:
            decimals = exact_decimals(work.grad)
            expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.grad),
                                      decimals=decimals, rows=work.grad.shape[0],
                                      cols=work.grad.shape[1])
        note = rounding(decimals)
        return self.instance(params, level, seed, expected, _ce_prompt(work, note),
                             _ce_solution(work, decimals), note)


def _call(work: CrossEntropyWork) -> str:
    args = ["z", "y"]
    if work.weight is not None:
        args.append("weight=w")
    if work.smoothing:
        args.append(f"label_smoothing={num(work.smoothing)}")
    return f"F.cross_entropy({', '.join(args)})"


def _ce_prompt(work: CrossEntropyWork, note: Text) -> Text:
    n, c = work.logits.shape
    targets = ", ".join(str(t) for t in work.target)
    if n == 1:
        target_en = f"Target class (indices from 0): $y$ = {work.target[0]}."
        target_zh = f"目标类别（从 0 编号）：$y$ = {work.target[0]}。"
    else:
        target_en = f"Target classes (indices from 0): $y$ = ({targets})."
        target_zh = f"目标类别（从 0 编号）：$y$ = ({targets})。"
    data = {"en": f"Logits $z$ ({n} sample{'s' if n > 1 else ''} × {c} classes, one row per "
                  f"sample):\n\n{fenced(grid(work.logits))}\n\n{target_en}",
            "zh": f"logits $z$（{n} 个样本 × {c} 个类别，每行一个样本）：\n\n"
                  f"{fenced(grid(work.logits))}\n\n{target_zh}"}
    rules = {"en": ["The default `reduction='mean'` averages over the batch."],
             "zh": ["默认 `reduction='mean'`，对 batch 取平均。"]}
    if work.weight is not None:
        w = ", ".join(num(v) for v in work.weight)
        rules["en"] = [f"Class weights $w$ = ({w}) multiply each class's term; "
                       "`reduction='mean'` then divides the summed loss by the sum of the "
                       "*targets'* weights $\\sum_n w_{y_n}$, not by the batch size."]
        rules["zh"] = [f"类别权重 $w$ = ({w}) 乘在每个类别的项上；`reduction='mean'` 把损失之和"
                       "除以*各样本目标类别*的权重之和 $\\sum_n w_{y_n}$，而不是 batch 大小。"]
    if work.smoothing:
        eps = num(work.smoothing)
        rules["en"].append(f"Label smoothing $\\varepsilon = {eps}$ replaces the one-hot target "
                           f"by $q = (1 - \\varepsilon)\\,\\mathrm{{onehot}}(y) + \\varepsilon / "
                           f"{c}$, so each sample's loss is $-\\sum_c "
                           + ("w_c " if work.weight is not None else "")
                           + "q_c \\, \\log p_c$"
                           + (" (the weights apply to the smoothing terms too)."
                              if work.weight is not None else "."))
        rules["zh"].append(f"标签平滑 $\\varepsilon = {eps}$ 把 one-hot 目标换成 "
                           "$q = (1 - \\varepsilon)\\,\\mathrm{onehot}(y) + "
                           f"\\varepsilon / {c}$，"
                           "每个样本的损失为 $-\\sum_c "
                           + ("w_c " if work.weight is not None else "")
                           + "q_c \\, \\log p_c$"
                           + ("（平滑项同样乘以权重）。" if work.weight is not None else "。"))
    if work.ask == "loss":
        question = {"en": f"What is the loss? {note['en']}", "zh": f"损失是多少？{note['zh']}"}
    else:
        question = {"en": "What is the gradient $\\partial\\,\\mathrm{loss} / \\partial z$ (a "
                          f"${n} \\times {c}$ matrix)? {note['en']}\n\n{MATRIX_HINT['en']}",
                    "zh": "损失对 logits 的梯度 $\\partial\\,\\mathrm{loss} / \\partial z$（"
                          f"${n} \\times {c}$ 矩阵）是多少？{note['zh']}\n\n{MATRIX_HINT['zh']}"}
    sep = {"en": " ", "zh": ""}
    head = {"en": f"The loss is `{_call(work)}` (PyTorch, natural logarithm).",
            "zh": f"损失为 `{_call(work)}`（PyTorch，自然对数）。"}
    return {lang: f"{head[lang]}\n\n{data[lang]}\n\n{sep[lang].join(rules[lang])}\n\n"
                  f"{question[lang]}" for lang in LANGS}


def _ce_solution(work: CrossEntropyWork, decimals: int | None) -> Text:
    parts, n = work.parts, work.logits.shape[0]
    probs = fenced(grid(parts.probs, lambda v: approx(v, 4)))
    steps = {"en": [f"Softmax of each row, $p = \\mathrm{{softmax}}(z)$:\n\n{probs}"],
             "zh": [f"逐行 softmax，$p = \\mathrm{{softmax}}(z)$：\n\n{probs}"]}
    weighted = work.weight is not None
    if work.smoothing:
        q = fenced(grid(parts.targets, lambda v: approx(v, 4)))
        steps["en"].append(f"Smoothed targets $q$:\n\n{q}")
        steps["zh"].append(f"平滑后的目标 $q$：\n\n{q}")
    divisor = num(parts.divisor)
    div_en = (f"The targets' weights sum to $\\sum_n w_{{y_n}} = {divisor}$" if weighted
              else f"The batch size is {n}")
    div_zh = (f"目标类别的权重之和 $\\sum_n w_{{y_n}} = {divisor}$" if weighted
              else f"batch 大小为 {n}")
    if work.ask == "loss":
        per = ", ".join(approx(v, 4) for v in parts.per_sample)
        per_zh_values = "、".join(approx(v, 4) for v in parts.per_sample)
        if not work.smoothing and not weighted:
            logs = [f"$-\\log {approx(parts.probs[i, t], 4)}$" for i, t in enumerate(work.target)]
            per_en = f"{', '.join(logs)} ≈ {per}"
            per_zh = f"{'、'.join(logs)} ≈ {per_zh_values}"
        else:
            formula = ("-\\sum_c " + ("w_c " if weighted else "") + "q_{n,c} \\, \\log p_{n,c}"
                       if work.smoothing else "-w_{y_n} \\, \\log p_{n,y_n}")
            per_en = f"$\\ell_n = {formula}$ ≈ {per}"
            per_zh = f"$\\ell_n = {formula}$ ≈ {per_zh_values}"
        total = approx(parts.per_sample.sum(), 4)
        answer = approx(work.loss, 3)
        if n == 1 and not weighted:
            steps["en"].append(f"The loss: {per_en}.\n\nAnswer: **{answer}**.")
            steps["zh"].append(f"损失：{per_zh}。\n\n答案：**{answer}**。")
        else:
            steps["en"].append(f"Per-sample losses: {per_en}. Their sum is {total}. "
                               f"{div_en}, so the loss is {total} / {divisor} ≈ "
                               f"{approx(work.loss, 4)}.\n\nAnswer: **{answer}**.")
            steps["zh"].append(f"每个样本的损失：{per_zh}。求和为 {total}；{div_zh}，所以损失为 "
                               f"{total} / {divisor} ≈ {approx(work.loss, 4)}。\n\n"
                               f"答案：**{answer}**。")
    else:
        if weighted and work.smoothing:
            rule = ("$\\partial \\ell_n / \\partial z_{n,j} = p_{n,j} \\sum_c w_c q_{n,c} - "
                    "w_j q_{n,j}$")
        elif weighted:
            rule = "$\\partial \\ell_n / \\partial z_n = w_{y_n} (p_n - q_n)$"
        else:
            rule = "$\\partial \\ell_n / \\partial z_n = p_n - q_n$"
        fmt = (lambda v: approx(v, decimals)) if decimals is not None else num
        summed = fenced(grid(work.grad * parts.divisor, lambda v: approx(v, 4)))
        grad = fenced(grid(work.grad, fmt))
        q_word = {"en": "the smoothed target" if work.smoothing else "the one-hot target",
                  "zh": "平滑后的目标" if work.smoothing else "one-hot 目标"}
        steps["en"].append(f"For softmax followed by cross-entropy, {rule} with $q$ "
                           f"{q_word['en']}:\n\n{summed}\n\n{div_en}, so every row is divided "
                           f"by {divisor}:\n\n{grad}\n\nThat matrix is the answer.")
        steps["zh"].append(f"softmax 接交叉熵时，{rule}，其中 $q$ 为{q_word['zh']}：\n\n"
                           f"{summed}\n\n{div_zh}，所以每行再除以 {divisor}：\n\n{grad}\n\n"
                           "答案就是这个矩阵。")
    return {lang: "\n\n".join(steps[lang]) for lang in LANGS}
