"""Output-size families: Conv2d / MaxPool2d / AvgPool2d, and ConvTranspose2d."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    avg_pool2d_output_size,
    conv2d_output_size,
    conv_transpose2d_output_size,
    max_pool2d_output_size,
)

from ._common import SHAPE_HINT, ExerciseFamily, need, one_of, pair, pick, randint, size_tex

_SQUARE_SIZES = [8, 14, 16, 28, 32, 56, 64, 112, 224]
_CIN = [3, 16, 32, 64, 128]
_COUT = [16, 32, 64, 128, 256]
_AXES = {"en": ("Height", "Width"), "zh": ("高", "宽")}
_LAYER_NAMES = {"conv": "nn.Conv2d", "maxpool": "nn.MaxPool2d", "avgpool": "nn.AvgPool2d"}


def _arg(values: list[int]) -> str:
    """``3`` for (3, 3), ``(1, 7)`` otherwise: how one would write it in PyTorch."""
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def _code(call: str, positional: list[str], keywords: list[tuple[str, str]]) -> str:
    args = ", ".join([*positional, *(f"{k}={v}" for k, v in keywords)])
    return f"```python\n{call}({args})\n```"


def _floor_frac(numerator: int, stride: int, ceil: bool) -> str:
    if stride == 1:
        return str(numerator)
    left, right = ("\\lceil", "\\rceil") if ceil else ("\\lfloor", "\\rfloor")
    return f"{left} {numerator}/{stride} {right}"


class ConvOutputSize(ExerciseFamily):
    name = "conv-output-size"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        params: dict[str, Any] = {"layer": "conv", "dilation": [1, 1], "ceil_mode": False,
                                  "channels": [pick(rng, _CIN), pick(rng, _COUT)]}
        if level == 1:
            n, k = pick(rng, _SQUARE_SIZES), pick(rng, [1, 3, 5, 7])
            params.update(input=[n, n], kernel=[k, k], stride=pair(pick(rng, [1, 2])),
                          padding=pair(pick(rng, [0, k // 2])))
        elif level == 2:
            layer = pick(rng, ["conv", "conv", "maxpool", "avgpool"])
            h = randint(rng, 5, 64)
            w = h if rng.random() < 0.5 else randint(rng, 5, 64)
            if layer == "conv":
                k = pick(rng, [1, 2, 3, 4, 5, 7])
                p = randint(rng, 0, min(3, k // 2 + 1))
            else:
                k = pick(rng, [2, 3, 4])
                p = randint(rng, 0, k // 2)
            params.update(layer=layer, input=[h, w], kernel=[k, k],
                          stride=pair(randint(rng, 1, 3)), padding=[p, p])
        elif rng.random() < 0.5:  # level 3: dilated, possibly rectangular convolution
            h, w = randint(rng, 9, 80), randint(rng, 9, 80)
            kernel = pick(rng, [[3, 3], [3, 3], [5, 5], [1, 7], [7, 1], [3, 5]])
            d = pick(rng, [[2, 2], [2, 2], [3, 3], [1, 2], [2, 1]])
            stride = pick(rng, [[1, 1], [2, 2], [1, 2], [2, 1], [3, 3]])
            padding = [randint(rng, 0, d[0] * (kernel[0] - 1) // 2 + 1),
                       randint(rng, 0, d[1] * (kernel[1] - 1) // 2 + 1)]
            params.update(input=[h, w], kernel=kernel, stride=stride, padding=padding,
                          dilation=d)
        else:  # level 3: pooling in ceil mode
            layer = pick(rng, ["maxpool", "avgpool"])
            k = pick(rng, [2, 3, 3])
            h = randint(rng, 5, 40)
            w = h if rng.random() < 0.4 else randint(rng, 5, 40)
            params.update(layer=layer, input=[h, w], kernel=[k, k],
                          stride=pair(pick(rng, [2, 2, 3])), padding=pair(randint(rng, 0, k // 2)),
                          ceil_mode=True)
        return params

    def solve(self, params: dict[str, Any]) -> tuple[int, int]:
        layer = one_of(params, "layer", list(_LAYER_NAMES))
        size, kernel = pair(need(params, "input")), pair(need(params, "kernel"))
        stride, padding = pair(need(params, "stride")), pair(need(params, "padding"))
        dilation = pair(params.get("dilation", 1))
        ceil_mode = bool(params.get("ceil_mode", False))
        if layer == "conv":
            if ceil_mode:
                raise SolverError("Conv2d has no ceil_mode")
            cin, cout = pair(params.get("channels", [1, 1]))
            return conv2d_output_size(size, kernel, stride, padding, dilation,
                                      in_channels=cin, out_channels=cout)
        if layer == "maxpool":
            return max_pool2d_output_size(size, kernel, stride, padding, dilation, ceil_mode)
        if dilation != [1, 1]:
            raise SolverError("AvgPool2d has no dilation")
        return avg_pool2d_output_size(size, kernel, stride, padding, ceil_mode)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        if not params.get("ceil_mode"):
            return True
        floor_params = {**params, "ceil_mode": False}
        return tuple(self.solve(floor_params)) != tuple(solved)  # ceil mode must matter

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        out = self.solved(params)
        layer = params["layer"]
        size, kernel = pair(params["input"]), pair(params["kernel"])
        stride, padding = pair(params["stride"]), pair(params["padding"])
        dilation = pair(params.get("dilation", 1))
        ceil_mode = bool(params.get("ceil_mode", False))
        keywords = [("kernel_size", _arg(kernel)), ("stride", _arg(stride))]
        if padding != [0, 0]:
            keywords.append(("padding", _arg(padding)))
        if dilation != [1, 1]:
            keywords.append(("dilation", _arg(dilation)))
        if ceil_mode:
            keywords.append(("ceil_mode", "True"))
        positional = [str(c) for c in pair(params.get("channels", [1, 1]))] \
            if layer == "conv" else []
        code = _code(_LAYER_NAMES[layer], positional, keywords)
        hw = size_tex(size)
        prompt = {
            "en": f"A feature map of spatial size ${hw}$ (H × W) goes through\n\n{code}\n\n"
                  f"What is the spatial size of the output?\n\n{SHAPE_HINT['en']}",
            "zh": f"一个空间尺寸为 ${hw}$（H × W）的特征图经过\n\n{code}\n\n"
                  f"输出的空间尺寸是多少？\n\n{SHAPE_HINT['zh']}",
        }
        bracket = ("\\left\\lceil", "\\right\\rceil") if ceil_mode else \
            ("\\left\\lfloor", "\\right\\rfloor")
        formula = (f"$$\nX_{{\\mathrm{{out}}}} = {bracket[0]} \\frac{{X_{{\\mathrm{{in}}}} + 2p - "
                   f"d(k - 1) - 1}}{{s}} {bracket[1]} + 1\n$$")
        lines: dict[str, list[str]] = {"en": [], "zh": []}
        for axis in range(2):
            n, k, s, p, d = (size[axis], kernel[axis], stride[axis], padding[axis],
                             dilation[axis])
            numerator = n + 2 * p - d * (k - 1) - 1
            quotient = -(-numerator // s) if ceil_mode else numerator // s
            value = quotient + 1
            dterm = f"{d} \\cdot ({k} - 1)" if d != 1 else f"({k} - 1)"
            sub = (f"{bracket[0]} \\frac{{{n} + 2 \\cdot {p} - {dterm} - 1}}{{{s}}} {bracket[1]}"
                   f" + 1 = {_floor_frac(numerator, s, ceil_mode)} + 1 = {value}")
            dropped = ceil_mode and (value - 1) * s >= n + p
            if dropped:
                value -= 1
            assert value == out[axis], (value, out)
            for lang in ("en", "zh"):
                head = _AXES[lang][axis]
                if axis == 1 and size[0] == size[1] and kernel[0] == kernel[1] and \
                        stride[0] == stride[1] and padding[0] == padding[1] and \
                        dilation[0] == dilation[1]:
                    same = {"en": f"- {head}: the same numbers, ${value}$.",
                            "zh": f"- {head}：数值相同，${value}$。"}
                    lines[lang].append(same[lang])
                    continue
                lines[lang].append(f"- {head}: ${sub}$" if lang == "en" else f"- {head}：${sub}$")
                if dropped:
                    start = (value) * s - p
                    lines[lang].append({
                        "en": f"  - The last window would start at input index "
                              f"${value} \\cdot {s} - {p} = {start}$, past the last input index "
                              f"${n - 1}$ ({'in the right padding' if p else 'outside the input'}"
                              f"), so PyTorch drops it: ${value}$.",
                        "zh": "  - 最后一个窗口的起点是输入下标 "
                              f"${value} \\cdot {s} - {p} = {start}$，超过了最后一个输入下标 "
                              f"${n - 1}$（{'落在右侧 padding 里' if p else '已在输入之外'}），"
                              f"PyTorch 会丢弃它：${value}$。",
                    }[lang])
        notes = {"en": [], "zh": []}
        if layer != "conv":
            notes["en"].append("Pooling uses the same formula as convolution (with $d = 1$ "
                               "unless dilated); the channel count does not change.")
            notes["zh"].append("池化层的尺寸公式与卷积相同（未膨胀时 $d = 1$），通道数不变。")
        if ceil_mode:
            notes["en"].append("With `ceil_mode=True` the division rounds up, but a window "
                               "that would start past the input (in the right padding, or "
                               "beyond the last value) is dropped.")
            notes["zh"].append("`ceil_mode=True` 时除法向上取整，但起点超出输入（落在右侧 padding "
                               "里或最后一个值之后）的窗口会被丢弃。")
        answer = size_text_md(out)
        solution = {
            "en": "Apply PyTorch's size formula to each spatial dimension "
                  "($k$ kernel, $s$ stride, $p$ padding, $d$ dilation):\n\n"
                  f"{formula}\n\n" + "\n".join(lines["en"]) + "\n\n"
                  + "".join(n + "\n\n" for n in notes["en"]) + f"Answer: **{answer}**.",
            "zh": "对每个空间维度套用 PyTorch 的尺寸公式"
                  "（$k$ 为核大小，$s$ 为步长，$p$ 为 padding，$d$ 为膨胀率）：\n\n"
                  f"{formula}\n\n" + "\n".join(lines["zh"]) + "\n\n"
                  + "".join(n + "\n\n" for n in notes["zh"]) + f"答案：**{answer}**。",
        }
        expected = ExpectedAnswer(kind="shape", value=[int(v) for v in out])
        return self.instance(params, level, seed, expected, prompt, solution)


def size_text_md(dims: Any) -> str:
    return " × ".join(str(int(v)) for v in dims)


class TransposedConvOutputSize(ExerciseFamily):
    name = "transposed-conv-output-size"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        params: dict[str, Any] = {"dilation": [1, 1], "output_padding": [0, 0],
                                  "channels": [pick(rng, _COUT), pick(rng, _CIN)]}
        if level == 1:
            n, k = pick(rng, [2, 3, 4, 5, 7, 8, 14, 16]), pick(rng, [2, 3, 4])
            params.update(input=[n, n], kernel=[k, k], stride=pair(pick(rng, [1, 2, 2])),
                          padding=pair(pick(rng, [0, 0, 1])))
        elif level == 2:
            h = randint(rng, 2, 32)
            w = h if rng.random() < 0.5 else randint(rng, 2, 32)
            k = pick(rng, [2, 3, 4, 5])
            params.update(input=[h, w], kernel=[k, k], stride=pair(pick(rng, [2, 2, 3])),
                          padding=pair(randint(rng, 0, 2)))
        else:
            h = randint(rng, 2, 32)
            w = h if rng.random() < 0.3 else randint(rng, 2, 32)
            k = pick(rng, [2, 3, 3, 4, 5])
            s = pick(rng, [2, 2, 3])
            d = pick(rng, [1, 1, 1, 2])
            op = randint(rng, 1, max(s, d) - 1)
            params.update(input=[h, w], kernel=[k, k], stride=[s, s],
                          padding=pair(randint(rng, 0, 2)),
                          output_padding=[op, op], dilation=[d, d])
        return params

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        # A first exercise shows what the layer is for: the output is larger than the input
        # (k2 s2 p1 keeps 2 × 2 at 2 × 2; s1 with k = 2p + 1 keeps every size).
        return level != 1 or all(o > i for o, i in zip(solved, pair(params["input"]),
                                                       strict=True))

    def solve(self, params: dict[str, Any]) -> tuple[int, int]:
        cin, cout = pair(params.get("channels", [1, 1]))
        return conv_transpose2d_output_size(
            pair(need(params, "input")), pair(need(params, "kernel")),
            pair(need(params, "stride")), pair(need(params, "padding")),
            pair(params.get("output_padding", 0)), pair(params.get("dilation", 1)),
            in_channels=cin, out_channels=cout)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        out = self.solved(params)
        size, kernel = pair(params["input"]), pair(params["kernel"])
        stride, padding = pair(params["stride"]), pair(params["padding"])
        op, dilation = pair(params.get("output_padding", 0)), pair(params.get("dilation", 1))
        keywords = [("kernel_size", _arg(kernel)), ("stride", _arg(stride))]
        if padding != [0, 0]:
            keywords.append(("padding", _arg(padding)))
        if op != [0, 0]:
            keywords.append(("output_padding", _arg(op)))
        if dilation != [1, 1]:
            keywords.append(("dilation", _arg(dilation)))
        code = _code("nn.ConvTranspose2d",
                     [str(c) for c in pair(params.get("channels", [1, 1]))], keywords)
        hw = size_tex(size)
        prompt = {
            "en": f"A feature map of spatial size ${hw}$ (H × W) goes through\n\n{code}\n\n"
                  f"What is the spatial size of the output?\n\n{SHAPE_HINT['en']}",
            "zh": f"一个空间尺寸为 ${hw}$（H × W）的特征图经过\n\n{code}\n\n"
                  f"输出的空间尺寸是多少？\n\n{SHAPE_HINT['zh']}",
        }
        formula = ("$$\nX_{\\mathrm{out}} = (X_{\\mathrm{in}} - 1)s - 2p + d(k - 1) "
                   "+ p_{\\mathrm{out}} + 1\n$$")
        lines: dict[str, list[str]] = {"en": [], "zh": []}
        for axis in range(2):
            n, k, s, p, o, d = (size[axis], kernel[axis], stride[axis], padding[axis], op[axis],
                                dilation[axis])
            value = (n - 1) * s - 2 * p + d * (k - 1) + o + 1
            assert value == out[axis], (value, out)
            sub = (f"({n} - 1) \\cdot {s} - 2 \\cdot {p} + {d} \\cdot ({k} - 1) + {o} + 1 "
                   f"= {(n - 1) * s} - {2 * p} + {d * (k - 1)} + {o} + 1 = {value}")
            for lang in ("en", "zh"):
                head = _AXES[lang][axis]
                if axis == 1 and size[0] == size[1]:
                    lines[lang].append({"en": f"- {head}: the same numbers, ${value}$.",
                                        "zh": f"- {head}：数值相同，${value}$。"}[lang])
                else:
                    colon = ":" if lang == "en" else "："
                    lines[lang].append(f"- {head}{colon} ${sub}$")
        extra = {"en": "", "zh": ""}
        if op != [0, 0]:
            conv_back = [(out[a] + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1)
                         // stride[a] + 1 for a in range(2)]
            extra = {
                "en": f"`output_padding` only adds rows/columns at the bottom/right: a "
                      f"`Conv2d` with the same $k$, $s$, $p$ maps several input sizes to "
                      f"${size_tex(conv_back)}$, and `output_padding` (which must be smaller "
                      f"than the stride or the dilation) picks which one the transposed "
                      f"convolution produces.\n\n",
                "zh": f"`output_padding` 只在下方/右侧多加行列：同样 $k$、$s$、$p$ 的 `Conv2d` "
                      f"会把好几种输入尺寸都映射到 ${size_tex(conv_back)}$，`output_padding`"
                      f"（必须小于步长或膨胀率）用来选出转置卷积要输出其中哪一个。\n\n",
            }
        answer = size_text_md(out)
        solution = {
            "en": "The transposed-convolution size formula (PyTorch `ConvTranspose2d`), per "
                  "dimension, with $p_{\\mathrm{out}}$ = `output_padding`:\n\n"
                  f"{formula}\n\n" + "\n".join(lines["en"]) + "\n\n" + extra["en"]
                  + f"Answer: **{answer}**.",
            "zh": "转置卷积（PyTorch `ConvTranspose2d`）的尺寸公式，逐维计算，"
                  "$p_{\\mathrm{out}}$ 即 `output_padding`：\n\n"
                  f"{formula}\n\n" + "\n".join(lines["zh"]) + "\n\n" + extra["zh"]
                  + f"答案：**{answer}**。",
        }
        expected = ExpectedAnswer(kind="shape", value=[int(v) for v in out])
        return self.instance(params, level, seed, expected, prompt, solution)
