"""Counting families: Conv2d parameters and MACs, separable vs standard, add vs concat."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    conv2d_macs,
    conv2d_output_size,
    conv2d_params,
    depthwise_separable_params,
    flops,
    separable_cost_ratio,
    separable_cost_ratio_formula,
)

from ._common import ExerciseFamily, approx, need, one_of, pair, pick, randint, size_tex
from ._numbers import near_tie, significant_decimals

_CIN = "C_{\\mathrm{in}}"
_COUT = "C_{\\mathrm{out}}"


def _arg(values: list[int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def _conv_code(cin: int, cout: int, kernel: list[int], stride: int = 1, padding: int = 0,
               groups: int = 1, bias: bool = True) -> str:
    args = [str(cin), str(cout), f"kernel_size={_arg(kernel)}"]
    if stride != 1:
        args.append(f"stride={stride}")
    if padding:
        args.append(f"padding={padding}")
    if groups != 1:
        args.append(f"groups={groups}")
    if not bias:
        args.append("bias=False")
    return f"```python\nnn.Conv2d({', '.join(args)})\n```"


def _int_answer(value: int) -> ExpectedAnswer:
    return ExpectedAnswer(kind="integer", value=int(value))


class ConvParams(ExerciseFamily):
    name = "conv-params"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            k = pick(rng, [1, 3, 3, 5])
            return {"in": pick(rng, [1, 3, 16, 32, 64]), "out": pick(rng, [8, 16, 32, 64, 128]),
                    "kernel": [k, k], "groups": 1, "bias": True}
        if level == 2:
            kernel = pick(rng, [[1, 1], [3, 3], [3, 3], [5, 5], [7, 7], [1, 7], [7, 1], [3, 1]])
            return {"in": pick(rng, [3, 16, 32, 64, 128, 256]),
                    "out": pick(rng, [16, 32, 64, 128, 256]), "kernel": kernel, "groups": 1,
                    "bias": bool(rng.random() < 0.5)}
        cin = pick(rng, [16, 32, 64, 128, 256])
        k = pick(rng, [3, 3, 5])
        if rng.random() < 0.3:  # depthwise
            return {"in": cin, "out": cin * pick(rng, [1, 1, 2]), "kernel": [k, k],
                    "groups": cin, "bias": bool(rng.random() < 0.5)}
        return {"in": cin, "out": pick(rng, [32, 64, 128, 256]), "kernel": [k, k],
                "groups": pick(rng, [2, 4, 8, 16, 32]), "bias": bool(rng.random() < 0.5)}

    def solve(self, params: dict[str, Any]) -> int:
        return conv2d_params(int(need(params, "in")), int(need(params, "out")),
                             pair(need(params, "kernel")), int(params.get("groups", 1)),
                             bool(params.get("bias", True)))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        total = self.solved(params)
        cin, cout, kernel = int(params["in"]), int(params["out"]), pair(params["kernel"])
        g, bias = int(params.get("groups", 1)), bool(params.get("bias", True))
        code = _conv_code(cin, cout, kernel, groups=g, bias=bias)
        prompt = {
            "en": f"How many learnable parameters (weights and biases) does this layer have?"
                  f"\n\n{code}",
            "zh": f"下面这一层有多少个可学习参数（权重加偏置）？\n\n{code}",
        }
        kh, kw = kernel
        weights = cout * (cin // g) * kh * kw
        frac = f"\\frac{{{cin}}}{{{g}}}" if g != 1 else f"{cin}"
        weight_sub = f"{cout} \\cdot {frac} \\cdot {kh} \\cdot {kw} = {weights}"
        bias_en = (f"- bias: one per output channel, ${cout}$" if bias
                   else "- bias: none (`bias=False`)")
        bias_zh = (f"- 偏置：每个输出通道一个，共 ${cout}$ 个" if bias
                   else "- 偏置：无（`bias=False`）")
        group_en = group_zh = ""
        if g != 1:
            plural = "channel" if cin // g == 1 else "channels"
            group_en = (f"With `groups={g}` each output channel only sees $C_{{\\mathrm{{in}}}}/g"
                        f" = {cin}/{g} = {cin // g}$ input {plural}.\n\n")
            group_zh = (f"`groups={g}` 时每个输出通道只连接 $C_{{\\mathrm{{in}}}}/g = {cin}/{g} "
                        f"= {cin // g}$ 个输入通道。\n\n")
        formula = f"$$\n{_COUT} \\cdot \\frac{{{_CIN}}}{{g}} \\cdot k_h k_w + {_COUT}\n$$"
        shape = f"({cout}, {cin // g}, {kh}, {kw})"
        solution = {
            "en": f"The weight has shape $(C_{{\\mathrm{{out}}}}, C_{{\\mathrm{{in}}}}/g, k_h, k_w)"
                  f"$ = `{shape}` and the bias has $C_{{\\mathrm{{out}}}}$ entries:\n\n"
                  f"{formula}\n\n{group_en}- weights: ${weight_sub}$\n{bias_en}\n\n"
                  f"Answer: **{total:,}**.",
            "zh": "权重形状为 $(C_{\\mathrm{out}}, C_{\\mathrm{in}}/g, k_h, k_w)$ = "
                  f"`{shape}`，"
                  f"偏置有 $C_{{\\mathrm{{out}}}}$ 个：\n\n{formula}\n\n{group_zh}"
                  f"- 权重：${weight_sub}$\n{bias_zh}\n\n答案：**{total:,}**。",
        }
        return self.instance(params, level, seed, _int_answer(total), prompt, solution)


class ConvMacs(ExerciseFamily):
    name = "conv-macs"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            k, n = pick(rng, [1, 3, 3]), pick(rng, [7, 8, 14, 16, 28, 32])
            return {"in": pick(rng, [8, 16, 32, 64]), "out": pick(rng, [8, 16, 32, 64]),
                    "input": [n, n], "kernel": k, "stride": 1, "padding": k // 2, "groups": 1,
                    "flops": False}
        n = pick(rng, [14, 16, 28, 32, 56])
        k = pick(rng, [1, 3, 3, 5, 7])
        params = {"in": pick(rng, [16, 32, 64]), "out": pick(rng, [16, 32, 64, 128]),
                  "input": [n, n], "kernel": k, "stride": 2,
                  "padding": pick(rng, [k // 2, k // 2, 0]), "groups": 1, "flops": False}
        if level == 3:
            params["stride"] = pick(rng, [1, 2])
            params["flops"] = True
            cin = int(params["in"])
            params["groups"] = pick(rng, [1, 2, 4, cin])
            if params["groups"] == cin:  # depthwise: a spatial kernel, C_out = C_in
                params["out"] = cin
                params["kernel"] = pick(rng, [3, 5])
                params["padding"] = int(params["kernel"]) // 2
        return params

    def solve(self, params: dict[str, Any]) -> tuple[tuple[int, int], int]:
        cin, cout = int(need(params, "in")), int(need(params, "out"))
        k, g = pair(need(params, "kernel")), int(params.get("groups", 1))
        out = conv2d_output_size(pair(need(params, "input")), k, pair(params.get("stride", 1)),
                                 pair(params.get("padding", 0)), in_channels=cin,
                                 out_channels=cout, groups=g)
        macs = conv2d_macs(cin, cout, k, out, groups=g)
        return out, flops(macs) if params.get("flops") else macs

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return solved[1] <= 500_000_000

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        (ho, wo), answer = self.solved(params)
        cin, cout = int(params["in"]), int(params["out"])
        kh, kw = pair(params["kernel"])
        s, p = pair(params.get("stride", 1)), pair(params.get("padding", 0))
        g = int(params.get("groups", 1))
        size = pair(params["input"])
        want_flops = bool(params.get("flops"))
        code = _conv_code(cin, cout, [kh, kw], s[0], p[0], g)
        what_en = "FLOPs" if want_flops else "MACs"
        what_zh = "FLOPs " if want_flops else "MACs（乘加次数）"
        conv_en = ("Count one MAC (multiply-accumulate) per weight per output position; bias "
                   "additions are not counted; batch size 1.")
        conv_zh = "每个权重在每个输出位置算一次乘加（MAC）；偏置加法不计；batch 大小为 1。"
        if want_flops:
            conv_en += " Count FLOPs = 2 × MACs (one multiply plus one add)."
            conv_zh += "FLOPs 按 2 × MACs 计（一次乘法加一次加法）。"
        hw = size_tex(size)
        prompt = {
            "en": f"An input of shape ${cin} \\times {hw}$ ($C \\times H \\times W$) goes "
                  f"through\n\n{code}\n\nHow many {what_en} does this layer cost?\n\n{conv_en}",
            "zh": f"形状为 ${cin} \\times {hw}$（$C \\times H \\times W$）的输入经过\n\n{code}\n\n"
                  f"这一层的 {what_zh}是多少？\n\n{conv_zh}",
        }
        macs = answer // 2 if want_flops else answer
        size_line = (f"$\\lfloor ({size[0]} + 2 \\cdot {p[0]} - {kh}) / {s[0]} \\rfloor + 1 = "
                     f"{ho}$")
        per_out = (cin // g) * kh * kw
        frac = f"\\frac{{{cin}}}{{{g}}}" if g != 1 else f"{cin}"
        mac_line = (f"{cout} \\cdot {ho} \\cdot {wo} \\cdot {frac} \\cdot {kh} \\cdot {kw} = "
                    f"{macs}")
        flops_en = flops_zh = ""
        if want_flops:
            flops_en = f"- FLOPs: $2 \\cdot {macs} = {answer}$\n"
            flops_zh = f"- FLOPs：$2 \\cdot {macs} = {answer}$\n"
        formula = (f"$$\n\\mathrm{{MACs}} = {_COUT} \\cdot "
                   "H_{\\mathrm{out}} W_{\\mathrm{out}}"
                   f" \\cdot \\frac{{{_CIN}}}{{g}} \\cdot k_h k_w\n$$")
        solution = {
            "en": "Each output value is a dot product over $C_{\\mathrm{in}}/g \\cdot k_h k_w$ "
                  f"= {per_out} weights, and there are $C_{{\\mathrm{{out}}}} \\cdot "
                  "H_{\\mathrm{out}} W_{\\mathrm{out}}$ output values:\n\n"
                  f"{formula}\n\n- output size: {size_line} (so ${ho} \\times {wo}$)\n"
                  f"- MACs: ${mac_line}$\n{flops_en}\nAnswer: **{answer:,}**.",
            "zh": "每个输出值是 $C_{\\mathrm{in}}/g \\cdot k_h k_w$ "
                  f"= {per_out} 个权重的点积，输出值共有 $C_{{\\mathrm{{out}}}} \\cdot "
                  "H_{\\mathrm{out}} W_{\\mathrm{out}}$ 个：\n\n"
                  f"{formula}\n\n- 输出尺寸：{size_line}（即 ${ho} \\times {wo}$）\n"
                  f"- MACs：${mac_line}$\n{flops_zh}\n答案：**{answer:,}**。",
        }
        return self.instance(params, level, seed, _int_answer(answer), prompt, solution)


_ASKS = ("separable", "saved", "ratio")
_RATIO_DIGITS = 3


def _ratio_decimals(ratio: Fraction) -> int:
    """Decimals that give the ratio 3 significant digits (0.142 -> 3, 0.0224 -> 4): a fixed
    3 decimals would leave 0.022 two. Prompt, expected answer and checker all use them."""
    return significant_decimals(float(ratio), _RATIO_DIGITS, low=0)


class SeparableVsStandard(ExerciseFamily):
    name = "separable-vs-standard"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        return {"in": pick(rng, [16, 32, 64, 128, 256]), "out": pick(rng, [32, 64, 128, 256, 512]),
                "k": pick(rng, [3, 3, 5] if level < 3 else [3, 5, 7]),
                "ask": _ASKS[level - 1]}

    def solve(self, params: dict[str, Any]) -> tuple[int, int, Fraction]:
        cin, cout, k = int(need(params, "in")), int(need(params, "out")), int(need(params, "k"))
        one_of(params, "ask", _ASKS)
        separable = depthwise_separable_params(cin, cout, k, bias=False)
        standard = conv2d_params(cin, cout, k, bias=False)
        return separable, standard, separable_cost_ratio(cin, cout, k)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        if params["ask"] != "ratio":
            return True
        ratio = solved[2]  # no ratio halfway between two roundings (1/32 + 1/25 = 0.07125)
        return not near_tie([float(ratio)], _ratio_decimals(ratio))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        separable, standard, ratio = self.solved(params)
        cin, cout, k, ask = int(params["in"]), int(params["out"]), int(params["k"]), params["ask"]
        setup = {
            "en": f"A standard `nn.Conv2d({cin}, {cout}, kernel_size={k}, bias=False)` is "
                  f"replaced by a depthwise-separable convolution: a ${k} \\times {k}$ depthwise "
                  f"conv (`groups={cin}`) followed by a $1 \\times 1$ pointwise conv to {cout} "
                  "channels, both without bias.",
            "zh": f"把普通卷积 `nn.Conv2d({cin}, {cout}, kernel_size={k}, bias=False)` 换成深度可"
                  f"分离卷积：先做 ${k} \\times {k}$ 的逐通道（depthwise）卷积（`groups={cin}`），"
                  f"再用 $1 \\times 1$ 的逐点（pointwise）卷积变到 {cout} 个通道，均不带偏置。",
        }
        note: dict[str, str] = {}
        if ask == "separable":
            question = {"en": "How many weights does the separable version have?",
                        "zh": "可分离版本有多少个权重？"}
            expected = _int_answer(separable)
            answer = f"{separable:,}"
        elif ask == "saved":
            question = {"en": "How many weights does the replacement save?",
                        "zh": "替换之后少了多少个权重？"}
            expected = _int_answer(standard - separable)
            answer = f"{standard - separable:,}"
        else:
            decimals = _ratio_decimals(ratio)
            note = {"en": f"Round to {decimals} decimals (that is, {_RATIO_DIGITS} significant "
                          "digits).",
                    "zh": f"保留 {decimals} 位小数（即 {_RATIO_DIGITS} 位有效数字）。"}
            question = {
                "en": "What is the cost ratio separable / standard (parameters, or equally "
                      f"MACs at the same output size)? {note['en']}",
                "zh": "可分离卷积与普通卷积的代价之比（参数量之比，"
                      "也等于同样输出尺寸下的 MACs 之比）"
                      f"是多少？{note['zh']}",
            }
            expected = ExpectedAnswer(kind="number", value=float(ratio), decimals=decimals)
            answer = approx(float(ratio), decimals)
        prompt = {lang: f"{setup[lang]}\n\n{question[lang]}" for lang in ("en", "zh")}
        depthwise, pointwise = cin * k * k, cin * cout
        lines = (f"- standard: ${cout} \\cdot {cin} \\cdot {k}^2 = {standard}$\n"
                 f"- depthwise: ${cin} \\cdot {k}^2 = {depthwise}$\n"
                 f"- pointwise: ${cin} \\cdot {cout} = {pointwise}$\n"
                 f"- separable: ${depthwise} + {pointwise} = {separable}$")
        lines_zh = (lines.replace("standard: ", "普通卷积：").replace("depthwise: ", "逐通道：")
                    .replace("pointwise: ", "逐点：").replace("separable: ", "可分离："))
        if ask == "separable":
            tail_en, tail_zh = "", ""
        elif ask == "saved":
            tail_en = f"- saved: ${standard} - {separable} = {standard - separable}$"
            tail_zh = f"- 节省：${standard} - {separable} = {standard - separable}$"
        else:
            formula = separable_cost_ratio_formula(cout, k)
            assert formula == ratio
            tail = (f"$\\frac{{{separable}}}{{{standard}}} = \\frac{{1}}{{{cout}}} + "
                    f"\\frac{{1}}{{{k}^2}} = {ratio.numerator}/{ratio.denominator} "
                    f"\\approx {answer}$")
            tail_en = f"- ratio: {tail}"
            tail_zh = f"- 比值：{tail}"
        general = {
            "en": "Standard: $C_{\\mathrm{out}} C_{\\mathrm{in}} k^2$. Separable: depthwise "
                  "$C_{\\mathrm{in}} k^2$ plus pointwise $C_{\\mathrm{in}} C_{\\mathrm{out}}$. "
                  "Their ratio is $\\frac{1}{C_{\\mathrm{out}}} + \\frac{1}{k^2}$.",
            "zh": "普通卷积：$C_{\\mathrm{out}} C_{\\mathrm{in}} k^2$。可分离卷积：逐通道 "
                  "$C_{\\mathrm{in}} k^2$ 加逐点 $C_{\\mathrm{in}} C_{\\mathrm{out}}$。"
                  "两者之比为 $\\frac{1}{C_{\\mathrm{out}}} + \\frac{1}{k^2}$。",
        }
        solution = {
            "en": f"{general['en']}\n\n{lines}\n{tail_en}\n\nAnswer: **{answer}**.",
            "zh": f"{general['zh']}\n\n{lines_zh}\n{tail_zh}\n\n答案：**{answer}**。",
        }
        return self.instance(params, level, seed, expected, prompt, solution, note)


def _maps(params: dict[str, Any]) -> list[list[int]]:
    maps = need(params, "maps")
    if not isinstance(maps, list) or len(maps) < 2:
        raise SolverError("maps must list at least two (C, H, W) shapes")
    out = []
    for m in maps:
        if not isinstance(m, list | tuple) or len(m) != 3 or any(int(v) <= 0 for v in m):
            raise SolverError(f"each map is a positive (C, H, W) shape, got {m!r}")
        out.append([int(v) for v in m])
    return out


class AddVsConcat(ExerciseFamily):
    name = "add-vs-concat"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        n = pick(rng, [7, 14, 28, 32, 56, 64])
        channels = [16, 32, 64, 128, 256]
        if level == 1:
            if rng.random() < 0.5:
                c = pick(rng, channels)
                return {"maps": [[c, n, n], [c, n, n]], "ask": "add"}
            return {"maps": [[pick(rng, channels), n, n], [pick(rng, channels), n, n]],
                    "ask": "concat"}
        if level == 2:
            return {"maps": [[pick(rng, channels), n, n], [pick(rng, channels), n, n]],
                    "ask": "conv", "out": pick(rng, [32, 64, 128, 256]), "k": 1, "bias": True}
        count = randint(rng, 3, 4)
        return {"maps": [[pick(rng, [16, 32, 64, 96, 128]), n, n] for _ in range(count)],
                "ask": "conv", "out": pick(rng, [64, 128, 256]), "k": pick(rng, [1, 1, 3]),
                "bias": bool(rng.random() < 0.5)}

    def solve(self, params: dict[str, Any]) -> list[int] | int:
        maps = _maps(params)
        ask = one_of(params, "ask", ["add", "concat", "conv"])
        if ask == "add":
            if any(m != maps[0] for m in maps):
                raise SolverError(f"element-wise addition needs equal shapes, got {maps}")
            return list(maps[0])
        if any(m[1:] != maps[0][1:] for m in maps):
            raise SolverError(f"concatenation along channels needs equal H and W, got {maps}")
        channels = sum(m[0] for m in maps)
        if ask == "concat":
            return [channels, *maps[0][1:]]
        return conv2d_params(channels, int(need(params, "out")), int(params.get("k", 1)),
                             bias=bool(params.get("bias", True)))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        result = self.solved(params)
        maps = _maps(params)
        ask = params["ask"]
        listed = [f"${size_tex(m)}$" for m in maps]
        shapes = {"en": ", ".join(listed[:-1]) + " and " + listed[-1],
                  "zh": "、".join(listed)}
        rule = {"en": "", "zh": ""}
        if ask in ("add", "concat"):
            assert isinstance(result, list)
            op_en = "added element-wise (`a + b`)" if ask == "add" else \
                "concatenated along the channel axis (`torch.cat([a, b], dim=1)`)"
            op_zh = "逐元素相加（`a + b`）" if ask == "add" else \
                "沿通道维拼接（`torch.cat([a, b], dim=1)`）"
            prompt = {
                "en": f"Two feature maps of shapes {shapes['en']} ($C \\times H \\times W$, batch "
                      f"dimension left out) are {op_en}. What is the shape of the result?\n\n"
                      "Answer as C × H × W (for example `64 × 28 × 28`).",
                "zh": f"两个形状分别为 {shapes['zh']}（$C \\times H \\times W$，省略 batch 维）"
                      "的特征图"
                      f"{op_zh}。结果的形状是什么？\n\n"
                      "按 C × H × W 的格式作答（例如 `64 × 28 × 28`）。",
            }
            if ask == "add":
                rule = {"en": "Element-wise addition needs identical shapes and keeps them: "
                              "each output value is the sum of the two values at the same "
                              "position; the channel count does not grow.",
                        "zh": "逐元素相加要求两个形状完全相同，结果形状不变："
                              "每个输出值是同一位置上两个"
                              "值之和，通道数不会增加。"}
            else:
                sum_tex = " + ".join(str(m[0]) for m in maps)
                rule = {"en": f"Concatenation stacks the channels: $C = {sum_tex} = {result[0]}$;"
                              " $H$ and $W$ must match and stay unchanged.",
                        "zh": f"拼接把通道叠在一起：$C = {sum_tex} = {result[0]}$；"
                              "$H$ 和 $W$ 必须相同，且保持不变。"}
            answer = size_tex(result).replace(" \\times ", " × ")
            expected = ExpectedAnswer(kind="shape", value=list(result))
        else:
            assert isinstance(result, int)
            cout, k, bias = int(params["out"]), int(params.get("k", 1)), \
                bool(params.get("bias", True))
            bias_code = "" if bias else ", bias=False"
            names = ", ".join(chr(ord("a") + i) for i in range(len(maps)))
            bias_en = "with bias" if bias else "no bias"
            bias_zh = "带偏置" if bias else "不带偏置"
            prompt = {
                "en": f"Feature maps of shapes {shapes['en']} ($C \\times H \\times W$) are "
                      f"concatenated along the channel axis (`torch.cat([{names}], dim=1)`), and "
                      f"the result goes through `nn.Conv2d(C, {cout}, kernel_size={k}{bias_code})`"
                      f" (a ${k} \\times {k}$ convolution to {cout} channels, {bias_en}), where "
                      "$C$ is the channel count after concatenation. How many parameters does "
                      "that convolution have?",
                "zh": f"形状为 {shapes['zh']}（$C \\times H \\times W$）的特征图沿通道维拼接"
                      f"（`torch.cat([{names}], dim=1)`），结果送入 "
                      f"`nn.Conv2d(C, {cout}, kernel_size={k}{bias_code})`（输出 {cout} 通道的 "
                      f"${k} \\times {k}$ 卷积，{bias_zh}），$C$ 为拼接后的通道数。"
                      "这个卷积有多少个参数？",
            }
            cin = sum(m[0] for m in maps)
            sum_tex = " + ".join(str(m[0]) for m in maps)
            weights = cout * cin * k * k
            bias_sym = " + C_{\\mathrm{out}}" if bias else ""
            value_tex = f"{cout} \\cdot {cin} \\cdot {k}^2"
            value_tex += f" + {cout} = {weights} + {cout}" if bias else ""
            rule = {
                "en": f"After concatenation the convolution sees $C_{{\\mathrm{{in}}}} = {sum_tex}"
                      f" = {cin}$ channels. Parameters "
                      f"$= C_{{\\mathrm{{out}}}} C_{{\\mathrm{{in}}}} k^2{bias_sym} = {value_tex} "
                      f"= {result}$.\n\n"
                      "Concatenation lets the next layer weigh every branch separately, at the "
                      "price of a wider input: its $C_{\\mathrm{in}}$ is the sum of the "
                      "branches' channels, whereas after an addition (possible only with equal "
                      "shapes) it would be the channel count of one branch.",
                "zh": f"拼接之后卷积看到 $C_{{\\mathrm{{in}}}} = {sum_tex} = {cin}$ 个通道。"
                      f"参数量 $= C_{{\\mathrm{{out}}}} C_{{\\mathrm{{in}}}} k^2{bias_sym} = "
                      f"{value_tex} = {result}$。\n\n"
                      "拼接让下一层可以给每个分支分别加权，代价是输入变宽：$C_{\\mathrm{in}}$ "
                      "是各分支通道数之和；而相加（只有形状相同时才能做）之后只相当于一个分支的"
                      "通道数。",
            }
            answer = f"{result:,}"
            expected = _int_answer(result)
        solution = {"en": f"{rule['en']}\n\nAnswer: **{answer}**.",
                    "zh": f"{rule['zh']}\n\n答案：**{answer}**。"}
        return self.instance(params, level, seed, expected, prompt, solution)
