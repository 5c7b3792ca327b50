"""The receptive field of a stack of conv / pool layers (Araujo et al., Distill 2019)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import Layer, LayerRF, SolverError, receptive_field_table

from ._common import ExerciseFamily, need, pick, randint

_KIND = {"conv": {"en": "conv", "zh": "卷积"}, "pool": {"en": "max pool", "zh": "最大池化"}}


def _conv(rng: np.random.Generator, level: int) -> dict[str, Any]:
    if level == 1:
        k = pick(rng, [3, 3, 3, 5])
        s = pick(rng, [1, 1, 1, 2])
    else:
        k = pick(rng, [1, 3, 3, 3, 5, 7])
        s = pick(rng, [1, 1, 2])
    d = 1
    if level == 3 and k > 1 and rng.random() < 0.5:
        d = pick(rng, [2, 2, 3, 4])
    return {"type": "conv", "k": k, "s": s, "p": d * (k - 1) // 2, "d": d}


def _pool(rng: np.random.Generator) -> dict[str, Any]:
    k = pick(rng, [2, 2, 3])
    return {"type": "pool", "k": k, "s": 2, "p": k // 2 if k == 3 else 0, "d": 1}


class ReceptiveFieldFamily(ExerciseFamily):
    name = "receptive-field"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        count = {1: randint(rng, 2, 3), 2: randint(rng, 3, 5), 3: randint(rng, 4, 6)}[level]
        layers = []
        for i in range(count):
            if i > 0 and layers[-1]["type"] != "pool" and rng.random() < 0.3:
                layers.append(_pool(rng))
            else:
                layers.append(_conv(rng, level))
        return {"layers": layers}

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        dilated = any(layer["d"] > 1 for layer in params["layers"])
        rf = solved[-1].receptive_field
        return rf <= 200 and (level != 3 or dilated)

    @staticmethod
    def _layers(params: dict[str, Any]) -> list[Layer]:
        raw = need(params, "layers")
        if not isinstance(raw, list) or not raw:
            raise SolverError("layers must be a non-empty list")
        layers = []
        for i, item in enumerate(raw):
            kind = item.get("type", "conv")
            if kind not in _KIND:
                raise SolverError(f"layer {i + 1}: type must be 'conv' or 'pool', got {kind!r}")
            k, p = int(item["k"]), int(item.get("p", 0))
            if kind == "pool" and p > k // 2:  # as torch.nn.MaxPool2d refuses it
                raise SolverError(f"layer {i + 1}: pad should be at most half of kernel size, "
                                  f"but got p={p} and k={k}")
            layers.append(Layer(k, int(item.get("s", 1)), p, int(item.get("d", 1)), name=kind))
        return layers

    def solve(self, params: dict[str, Any]) -> list[LayerRF]:
        return receptive_field_table(self._layers(params))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        rows = self.solved(params)
        layers = self._layers(params)
        items: dict[str, list[str]] = {"en": [], "zh": []}
        for i, layer in enumerate(layers):
            k, s, p, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
            dil_en = f", dilation {d}" if d > 1 else ""
            dil_zh = f"，膨胀率 {d}" if d > 1 else ""
            items["en"].append(f"{i + 1}. {k}×{k} {_KIND[layer.name]['en']}, stride {s}, "
                               f"padding {p}{dil_en}")
            items["zh"].append(f"{i + 1}. {k}×{k} {_KIND[layer.name]['zh']}，步长 {s}，"
                               f"padding {p}{dil_zh}")
        rf = rows[-1].receptive_field
        prompt = {
            "en": "A CNN applies these layers, in order, to its input:\n\n"
                  + "\n".join(items["en"]) + "\n\nWhat is the receptive field of one unit of "
                  "the last layer's output, in input pixels along one side? (Answer one "
                  "integer: $r$ for an $r \\times r$ field.)",
            "zh": "一个 CNN 依次对输入做下列各层：\n\n" + "\n".join(items["zh"])
                  + "\n\n最后一层输出的一个单元在输入上的感受野边长是多少像素？"
                  "（填一个整数 $r$，表示 $r \\times r$ 的区域。）",
        }
        keff = "$K$"
        table = [f"| layer | type | $k$ | $s$ | $p$ | $d$ | {keff} | jump $J$ | RF $r$ |",
                 "|---|---|---|---|---|---|---|---|---|",
                 "| input | | | | | | | 1 | 1 |"]
        table_zh = [f"| 层 | 类型 | $k$ | $s$ | $p$ | $d$ | {keff} | 跳距 $J$ | 感受野 $r$ |",
                    "|---|---|---|---|---|---|---|---|---|",
                    "| 输入 | | | | | | | 1 | 1 |"]
        steps: dict[str, list[str]] = {"en": [], "zh": []}
        prev_r, prev_j = 1, 1
        for row, layer in zip(rows, layers, strict=True):
            keff = layer.effective_kernel
            cells = (f"{row.kernel_size} | {row.stride} | {row.padding} | {row.dilation} | "
                     f"{keff} | {row.jump} | {row.receptive_field} |")
            table.append(f"| {row.layer_index + 1} | {_KIND[layer.name]['en']} | {cells}")
            table_zh.append(f"| {row.layer_index + 1} | {_KIND[layer.name]['zh']} | {cells}")
            step = (f"$r_{{{row.layer_index + 1}}} = {prev_r} + ({keff} - 1) \\cdot {prev_j} = "
                    f"{row.receptive_field}$")
            steps["en"].append(f"- layer {row.layer_index + 1}: {step}")
            steps["zh"].append(f"- 第 {row.layer_index + 1} 层：{step}")
            prev_r, prev_j = row.receptive_field, row.jump
        dilation_note = {
            "en": "Here $K = d(k - 1) + 1$ is the span of the kernel ($K = k$ without "
                  "dilation).\n\n",
            "zh": "其中 $K = d(k - 1) + 1$ 是卷积核覆盖的跨度（不膨胀时 $K = k$）。\n\n",
        }
        if any(layer.dilation > 1 for layer in layers):
            dilation_note = {
                "en": "Here $K = d(k - 1) + 1$ is the span of the kernel: a dilated layer "
                      "sees as far as a dense kernel of size $K$, with holes.\n\n",
                "zh": "其中 $K = d(k - 1) + 1$ 是卷积核覆盖的跨度：膨胀卷积看到的范围和大小为 $K$ "
                      "的普通卷积一样，只是中间有空洞。\n\n",
            }
        solution = {
            "en": "Walk through the stack keeping the receptive field $r$ and the jump $J$ "
                  "(the distance in input pixels between two neighbouring units, the product "
                  "of the strides so far):\n\n"
                  "$$\nr_l = r_{l-1} + (K_l - 1) \\cdot J_{l-1}, \\quad "
                  "J_l = J_{l-1} \\cdot s_l, \\quad r_0 = J_0 = 1\n$$\n\n"
                  + dilation_note["en"] + "\n".join(table) + "\n\n" + "\n".join(steps["en"])
                  + "\n\nPadding shifts where the field sits but does not change its size. "
                  f"Answer: **{rf}** (a region of ${rf} \\times {rf}$ input pixels).",
            "zh": "逐层记录感受野 $r$ 和跳距 $J$（相邻两个单元在输入上相隔的像素数，即之前所有"
                  "步长的乘积）：\n\n"
                  "$$\nr_l = r_{l-1} + (K_l - 1) \\cdot J_{l-1}, \\quad "
                  "J_l = J_{l-1} \\cdot s_l, \\quad r_0 = J_0 = 1\n$$\n\n"
                  + dilation_note["zh"] + "\n".join(table_zh) + "\n\n" + "\n".join(steps["zh"])
                  + "\n\npadding 只改变感受野的位置，不改变它的大小。"
                  f"答案：**{rf}**（输入上 ${rf} \\times {rf}$ 的区域）。",
        }
        expected = ExpectedAnswer(kind="integer", value=int(rf))
        return self.instance(params, level, seed, expected, prompt, solution)
