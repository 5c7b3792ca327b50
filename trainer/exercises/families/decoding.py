"""Which tokens survive top-k, top-p (nucleus) filtering, with an optional temperature."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError, filter_logits, top_k_mask, top_p_mask

from ._common import LANGS, ExerciseFamily, Text, approx, num, pick, randint

_EDGE = 1e-3  # sampled cumulative sums stay this far from top_p: no float-precision edge


class SamplingWork(NamedTuple):
    given: str  # "logits" or "probs"
    values: np.ndarray  # as given
    temperature: float | None
    top_k: int | None
    top_p: float | None
    probs: np.ndarray  # softmax after the temperature
    keep_k: np.ndarray  # survivors of top-k (all True without it)
    renormalized: np.ndarray  # what top-p sees: probs over the top-k survivors
    keep: np.ndarray  # final survivors


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z[np.isfinite(z)].max())
    out: np.ndarray = e / e.sum()
    return out


def _one_decimal(rng: np.random.Generator, v: int) -> list[float]:
    return [float(x) / 10 for x in rng.choice(np.arange(-20, 41), size=v, replace=False)]


class TopKTopP(ExerciseFamily):
    name = "top-k-top-p"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        v = randint(rng, 5, 6) if level < 3 else randint(rng, 6, 8)
        if level == 1:
            return {"logits": _one_decimal(rng, v), "top_k": randint(rng, 2, 4)}
        if level == 2:
            cuts = np.sort(rng.choice(np.arange(1, 100), size=v - 1, replace=False))
            probs = np.diff(np.concatenate([[0], cuts, [100]])) / 100
            return {"probs": [float(p) for p in probs],
                    "top_p": pick(rng, [0.5, 0.6, 0.7, 0.75, 0.8, 0.9])}
        return {"logits": _one_decimal(rng, v), "temperature": pick(rng, [0.5, 0.7, 1.5, 2.0]),
                "top_k": randint(rng, 3, 5), "top_p": pick(rng, [0.6, 0.7, 0.8, 0.9])}

    def solve(self, params: dict[str, Any]) -> SamplingWork:
        if ("logits" in params) == ("probs" in params):
            raise SolverError("give either logits or probs")
        given = "logits" if "logits" in params else "probs"
        values = np.asarray(params[given], dtype=np.float64)
        if values.ndim != 1 or not 2 <= values.size <= 10 or not np.all(np.isfinite(values)):
            raise SolverError(f"{given} must list 2 to 10 finite numbers")
        if given == "probs":
            if np.any(values <= 0) or abs(values.sum() - 1) > 1e-9:
                raise SolverError("probs must be positive and sum to 1")
            logits = np.log(values)
        else:
            logits = values
        temperature, top_k, top_p = (params.get(k) for k in ("temperature", "top_k", "top_p"))
        if top_k is None and top_p is None:
            raise SolverError("give top_k, top_p or both")
        t = 1.0 if temperature is None else float(temperature)
        keep = filter_logits(logits, t, top_k, top_p) > -np.inf
        scaled = logits / t
        keep_k = np.ones(values.size, dtype=bool) if top_k is None else top_k_mask(scaled, top_k)
        renormalized = _softmax(np.where(keep_k, scaled, -np.inf))
        if top_p is not None:  # the same survivors, computed step by step for the solution
            assert np.array_equal(keep, keep_k & top_p_mask(np.where(keep_k, scaled, -np.inf),
                                                            top_p))
        return SamplingWork(given, values, temperature, top_k, top_p, _softmax(scaled), keep_k,
                            renormalized, keep)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        work: SamplingWork = solved
        ordered = np.sort(work.probs)
        if np.min(np.diff(ordered)) < _EDGE:  # no (near-)ties in the ranking
            return False
        if work.top_p is None:
            return True
        cumulative = np.cumsum(np.sort(work.renormalized)[::-1])
        if np.min(np.abs(cumulative - work.top_p)) < _EDGE:
            return False
        kept = int(work.keep.sum())
        return 1 < kept < int(work.keep_k.sum())  # top-p removes some, keeps more than one

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work: SamplingWork = self.solved(params)
        expected = ExpectedAnswer(kind="matrix", value=[[float(k) for k in work.keep]],
                                  rows=1, cols=int(work.keep.size))
        return self.instance(params, level, seed, expected, _sampling_prompt(work),
                             _sampling_solution(work))


def _steps_text(work: SamplingWork) -> Text:
    parts: dict[str, list[str]] = {"en": [], "zh": []}
    if work.temperature is not None:
        t = num(work.temperature)
        parts["en"].append(f"the logits are divided by the temperature $T = {t}$")
        parts["zh"].append(f"logits 先除以温度 $T = {t}$")
    if work.top_k is not None:
        parts["en"].append(f"top-k keeps the $k = {work.top_k}$ most likely tokens")
        parts["zh"].append(f"用 top-k 保留概率最高的 $k = {work.top_k}$ 个 token")
    if work.top_p is not None:
        p = num(work.top_p)
        after, after_zh = "", "用 "
        if work.top_k is not None:
            after = " among the top-k survivors (their probabilities renormalized)"
            after_zh = "在 top-k 留下的 token 中（概率重新归一化后）用 "
        parts["en"].append(f"top-p (nucleus) keeps{after} the smallest set of most likely "
                           f"tokens whose cumulative probability reaches $p = {p}$, the token "
                           "that crosses the threshold included")
        parts["zh"].append(f"{after_zh}top-p（核采样）保留累计概率达到 $p = {p}$ 的最小高概率 "
                           "token 集合，跨过阈值的那个 token 也保留")
    en = "; then ".join(parts["en"])
    return {"en": en[0].upper() + en[1:] + ".", "zh": "；然后".join(parts["zh"]) + "。"}


def _ids(ids: Any, lang: str, probs: np.ndarray | None = None) -> str:
    """``5, 2, 1`` (en) or ``5、2、1`` (zh), each id with its probability when given."""
    sep = ", " if lang == "en" else "、"
    if probs is None:
        return sep.join(str(i) for i in ids)
    if lang == "en":
        return sep.join(f"{i} ({approx(probs[i], 4)})" for i in ids)
    return sep.join(f"{i}（{approx(probs[i], 4)}）" for i in ids)


def _sampling_prompt(work: SamplingWork) -> Text:
    ids = " | ".join(str(i) for i in range(work.values.size))
    values = " | ".join(num(v) for v in work.values)
    line = "|---" * work.values.size
    word = {"en": "logit" if work.given == "logits" else "probability",
            "zh": "logit" if work.given == "logits" else "概率"}
    table = {lang: f"| token id | {ids} |\n|---{line}|\n| {word[lang]} | {values} |"
             for lang in LANGS}
    table["zh"] = table["zh"].replace("token id", "token 编号")
    order = {"en": "applied in the order of Hugging Face `generate` (temperature, then top-k, "
                   "then top-p)" if work.temperature is not None or
                   (work.top_k is not None and work.top_p is not None) else "",
             "zh": "按 Hugging Face `generate` 的顺序执行（先温度，再 top-k，再 top-p）"
                   if work.temperature is not None or
                   (work.top_k is not None and work.top_p is not None) else ""}
    steps = _steps_text(work)
    order_en = f" The filters are {order['en']}." if order["en"] else ""
    order_zh = f"各步骤{order['zh']}。" if order["zh"] else ""
    return {
        "en": f"A language model's next-token distribution over {work.values.size} tokens:\n\n"
              f"{table['en']}\n\n{steps['en']}{order_en}\n\nWhich tokens can still be sampled? "
              "Answer with one 0/1 per token id, in id order: 1 if the token survives, 0 if it "
              "is filtered out (e.g. `1 0 1` if there were three tokens and only the middle one "
              "was removed).",
        "zh": f"语言模型在 {work.values.size} 个 token 上的下一个 token 分布：\n\n"
              f"{table['zh']}\n\n{steps['zh']}{order_zh}\n\n还有哪些 token 可能被采样到？"
              "按 token 编号顺序、每个 token 写一个 0 或 1 作答：保留写 1，被过滤掉写 0"
              "（例如若只有三个 token 且只去掉中间那个，就写 `1 0 1`）。",
    }


def _sampling_solution(work: SamplingWork) -> Text:
    lines: dict[str, list[str]] = {"en": [], "zh": []}
    order = [int(i) for i in np.argsort(-work.probs, kind="stable")]
    ranked = {lang: _ids(order, lang, work.probs) for lang in LANGS}
    if work.given == "logits":
        t = "" if work.temperature is None else f" / {num(work.temperature)}"
        lines["en"].append(f"Softmax of the logits{t} (ranked, id (probability)): "
                           f"{ranked['en']}.")
        lines["zh"].append(f"对 logits{t} 做 softmax（按概率排序，编号（概率））：{ranked['zh']}。")
        if work.top_p is None:  # the ranking alone decides top-k
            lines["en"][-1] += " Softmax keeps the order of the logits, so top-k could be read "\
                "off the logits directly."
            lines["zh"][-1] += "softmax 不改变 logits 的大小顺序，所以 top-k 也可以直接看 logits。"
    else:
        lines["en"].append(f"Ranked by probability, id (probability): {ranked['en']}.")
        lines["zh"].append(f"按概率排序，编号（概率）：{ranked['zh']}。")
    survivors_k = [i for i in order if work.keep_k[i]]
    if work.top_k is not None:
        lines["en"].append(f"Top-k with $k = {work.top_k}$ keeps ids {_ids(survivors_k, 'en')}.")
        lines["zh"].append(f"$k = {work.top_k}$ 的 top-k 保留编号 {_ids(survivors_k, 'zh')}。")
    if work.top_p is not None:
        if work.top_k is not None:
            lines["en"].append("Renormalized over those: "
                               f"{_ids(survivors_k, 'en', work.renormalized)}.")
            lines["zh"].append("在它们之中重新归一化："
                               f"{_ids(survivors_k, 'zh', work.renormalized)}。")
        total, steps = 0.0, []
        for i in survivors_k:
            before = total
            total += work.renormalized[i]
            steps.append((i, approx(total, 4)))
            if before < work.top_p <= total:
                break
        p = num(work.top_p)
        cum = {"en": ", ".join(f"{i}: {c}" for i, c in steps),
               "zh": "、".join(f"{i}：{c}" for i, c in steps)}
        lines["en"].append(f"Cumulative probability from the top: {cum['en']}. It reaches "
                           f"$p = {p}$ at the last token listed, which is kept; the rest are "
                           "removed.")
        lines["zh"].append(f"从高到低累加概率：{cum['zh']}。累加到最后列出的 token 时达到 "
                           f"$p = {p}$，该 token 保留，其余的被去掉。")
    survivors = [i for i in range(work.keep.size) if work.keep[i]]
    mask = " ".join("1" if k else "0" for k in work.keep)
    lines["en"].append(f"Survivors: ids {_ids(survivors, 'en')}. As a 0/1 row in id order: "
                       f"`{mask}`.")
    lines["zh"].append(f"保留的 token：编号 {_ids(survivors, 'zh')}。按编号顺序写成 0/1："
                       f"`{mask}`。")
    return {lang: "\n\n".join(lines[lang]) for lang in LANGS}
