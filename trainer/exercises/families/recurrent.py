"""Parameter counts of nn.RNN, nn.LSTM and nn.GRU."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError
from trainer.exercises.solver.recurrent import GATES, RNNLayerCount, rnn_layer_counts

from ._common import ExerciseFamily, Text, need, one_of, pick, randint

_GATE_NAMES = {
    "RNN": ("An RNN has one weight block (the cell itself)", "RNN 只有一组权重（单元本身）"),
    "GRU": ("A GRU stacks 3 gate blocks (reset, update, new)",
            "GRU 把 3 组门（重置门、更新门、候选状态）的权重叠在一起"),
    "LSTM": ("An LSTM stacks 4 gate blocks (input, forget, cell, output)",
             "LSTM 把 4 组门（输入门、遗忘门、候选单元、输出门）的权重叠在一起"),
}


class RnnParams(ExerciseFamily):
    name = "rnn-params"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        sizes = [16, 32, 50, 64, 100, 128, 256, 300, 512]
        params: dict[str, Any] = {"mode": pick(rng, list(GATES)), "input_size": pick(rng, sizes),
                                  "hidden_size": pick(rng, sizes), "num_layers": 1,
                                  "bias": True, "bidirectional": False}
        if level >= 2:
            params["num_layers"] = randint(rng, 1, 3)
            params["bidirectional"] = bool(rng.random() < 0.5)
            params["bias"] = bool(rng.random() < 0.7)
            if params["num_layers"] == 1 and not params["bidirectional"]:
                params["num_layers"] = 2
        if level == 3:
            if rng.random() < 0.7:
                params["mode"] = "LSTM"
                params["hidden_size"] = pick(rng, [128, 256, 512, 1024])
                params["proj_size"] = params["hidden_size"] // pick(rng, [2, 4])
            params["num_layers"] = randint(rng, 2, 3)
        return params

    def solve(self, params: dict[str, Any]) -> list[RNNLayerCount]:
        mode = one_of(params, "mode", list(GATES))
        proj = params.get("proj_size")
        counts = rnn_layer_counts(mode, need(params, "input_size"), need(params, "hidden_size"),
                                  params.get("num_layers", 1), params.get("bias", True),
                                  bool(params.get("bidirectional", False)), proj)
        if len(counts) > 8:
            raise SolverError("at most 4 layers (8 with both directions) in this exercise")
        return counts

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        counts = self.solved(params)
        total = sum(c.total for c in counts)
        prompt = _prompt(params)
        work = _work(params, counts)
        solution = {"en": f"{work['en']}\n\nAnswer: **{total:,}**.",
                    "zh": f"{work['zh']}\n\n答案：**{total:,}**。"}
        return self.instance(params, level, seed, ExpectedAnswer(kind="integer", value=total),
                             prompt, solution)


def _code(params: dict[str, Any]) -> str:
    args = [f"input_size={params['input_size']}", f"hidden_size={params['hidden_size']}"]
    if params.get("num_layers", 1) != 1:
        args.append(f"num_layers={params['num_layers']}")
    if not params.get("bias", True):
        args.append("bias=False")
    if params.get("bidirectional"):
        args.append("bidirectional=True")
    if params.get("proj_size") is not None:
        args.append(f"proj_size={params['proj_size']}")
    return f"```python\nnn.{params['mode']}({', '.join(args)})\n```"


def _prompt(params: dict[str, Any]) -> Text:
    bias = params.get("bias", True)
    notes = {"en": ["Count every tensor in `module.parameters()`."],
             "zh": ["统计 `module.parameters()` 中的全部张量。"]}
    if bias:
        notes["en"].append("PyTorch gives every layer and direction two bias vectors, `bias_ih` "
                           "and `bias_hh`.")
        notes["zh"].append("PyTorch 在每一层、每个方向上都有两组偏置 `bias_ih` 和 `bias_hh`。")
    if params.get("proj_size"):
        notes["en"].append("With `proj_size` $P$ the hidden state is projected to $P$ values by "
                           "`weight_hr` ($P \\times H$) in every layer and direction.")
        notes["zh"].append("设置 `proj_size` 为 $P$ 后，每一层、每个方向的隐状态都由 `weight_hr`"
                           "（$P \\times H$）投影到 $P$ 维。")
    code = _code(params)
    return {
        "en": f"How many learnable parameters does this module have?\n\n{code}\n\n"
              + " ".join(notes["en"]),
        "zh": f"下面这个模块有多少个可学习参数？\n\n{code}\n\n" + "".join(notes["zh"]),
    }


def _work(params: dict[str, Any], counts: list[RNNLayerCount]) -> Text:
    mode, h = params["mode"], params["hidden_size"]
    g = GATES[mode]
    proj = params.get("proj_size") or 0
    r = proj or h
    r_sym = "P" if proj else "H"
    gh = f"{g}H" if g > 1 else "H"
    rule_en = (f"{_GATE_NAMES[mode][0]}, so per layer and direction: "
               f"`weight_ih` ${gh} \\times I_l$, `weight_hh` ${gh} \\times {r_sym}$")
    rule_zh = (f"{_GATE_NAMES[mode][1]}，所以每层每个方向："
               f"`weight_ih` 为 ${gh} \\times I_l$，`weight_hh` 为 ${gh} \\times {r_sym}$")
    if params.get("bias", True):
        rule_en += f", `bias_ih` and `bias_hh` ${gh}$ each"
        rule_zh += f"，`bias_ih` 和 `bias_hh` 各 ${gh}$"
    if proj:
        rule_en += ", `weight_hr` $P \\times H$"
        rule_zh += "，`weight_hr` 为 $P \\times H$"
    directions = 2 if params.get("bidirectional") else 1
    if params.get("num_layers", 1) > 1:
        above = f"{r_sym} \\cdot {directions}" if directions == 2 else r_sym
        both_en, both_zh = (", both directions", "，两个方向拼接") if directions == 2 else ("", "")
        rule_en += (f". $I_l$ is the input size for layer 0 and ${above} = {r * directions}$ "
                    f"above it (the previous layer's output{both_en}).")
        rule_zh += (f"。第 0 层的 $I_l$ 是输入维度，之后各层为 ${above} = {r * directions}$"
                    f"（上一层的输出{both_zh}）。")
    else:
        rule_en += ", with $I_l$ the input size."
        rule_zh += "，$I_l$ 为输入维度。"
    lines_en, lines_zh = [], []
    gates = g * h
    for c in counts:
        if c.direction == 1:
            continue  # the reverse direction has the same shapes
        terms = [f"{gates} \\cdot {c.input_size}", f"{gates} \\cdot {r}"]
        if c.biases:
            terms.append(f"2 \\cdot {gates}")
        if c.weight_hr:
            terms.append(f"{proj} \\cdot {h}")
        per = f"${' + '.join(terms)} = {c.total:,}$"
        if directions == 2:
            lines_en.append(f"- layer {c.layer}: {per} per direction, $\\times 2 = "
                            f"{2 * c.total:,}$")
            lines_zh.append(f"- 第 {c.layer} 层：每个方向 {per}，$\\times 2 = {2 * c.total:,}$")
        else:
            lines_en.append(f"- layer {c.layer}: {per}")
            lines_zh.append(f"- 第 {c.layer} 层：{per}")
    total = sum(c.total for c in counts)
    per_layer = [sum(c.total for c in counts if c.layer == layer)
                 for layer in range(params.get("num_layers", 1))]
    total_line = (f"${' + '.join(f'{v:,}' for v in per_layer)} = {total:,}$"
                  if len(per_layer) > 1 else f"${total:,}$")
    return {
        "en": f"{rule_en}\n\n" + "\n".join(lines_en) + f"\n\nTotal: {total_line}",
        "zh": f"{rule_zh}\n\n" + "\n".join(lines_zh) + f"\n\n合计：{total_line}",
    }
