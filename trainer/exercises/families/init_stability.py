"""Initialization and training-memory families: init scales, bytes of the AdamW training state."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import SolverError
from trainer.exercises.solver.initialization import (
    calculate_gain,
    conv2d_weight_shape,
    default_init_bounds,
    fan_in_and_fan_out,
    kaiming_normal_std,
    kaiming_uniform_bound,
    xavier_normal_std,
    xavier_uniform_bound,
)
from trainer.exercises.solver.memory import PRECISIONS, adamw_training_memory, mlp_params

from ._common import LANGS, ExerciseFamily, Text, need, one_of, pick, randint, rounding
from ._numbers import near_tie, rounded, short, significant_decimals

# ------------------------------------------------------------------ init-bounds

_INITS = ("default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")
_NONLINEARITIES = ("relu", "leaky_relu", "tanh", "linear", "sigmoid", "selu")
_GAIN_TEX = {"relu": "\\sqrt{2}", "tanh": "5/3", "linear": "1", "sigmoid": "1", "selu": "3/4"}


class InitScale(NamedTuple):
    shape: tuple[int, ...]
    fan_in: int
    fan_out: int
    fan: int  # the fan the formula uses
    gain: float
    value: float  # the bound (uniform) or the std (normal)
    decimals: int


def _layer_shape(params: dict[str, Any]) -> tuple[int, ...]:
    layer = one_of(params, "layer", ["linear", "conv2d"])
    cin, cout = need(params, "in"), need(params, "out")
    if layer == "linear":
        for name, v in (("in", cin), ("out", cout)):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise SolverError(f"{name} must be a positive integer, got {v!r}")
        return (cout, cin)
    shape = conv2d_weight_shape(cin, cout, need(params, "kernel"), params.get("groups", 1))
    if 0 in shape:
        raise SolverError("the weight has no elements: there is no scale to ask for")
    return shape


class InitBounds(ExerciseFamily):
    name = "init-bounds"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        widths = [64, 100, 128, 256, 300, 512, 768, 784, 1024, 4096]
        if level == 1:
            init = pick(rng, ["default", "default", "xavier_uniform"])
            params: dict[str, Any] = {"layer": "linear", "in": pick(rng, widths),
                                      "out": pick(rng, widths), "init": init}
            if init == "default":
                params["target"] = pick(rng, ["weight", "bias"])
            return params
        channels = [3, 16, 32, 64, 128, 256]
        if level == 2:
            layer = pick(rng, ["linear", "conv2d"])
            init = pick(rng, ["kaiming_normal", "kaiming_uniform", "xavier_normal"])
        else:
            layer = "conv2d"
            init = pick(rng, ["kaiming_normal", "kaiming_uniform", "xavier_uniform", "default"])
        params = {"layer": layer, "init": init}
        if layer == "linear":
            params.update({"in": pick(rng, widths), "out": pick(rng, widths)})
        else:
            params.update({"in": pick(rng, channels), "out": pick(rng, channels[1:]),
                           "kernel": pick(rng, [1, 3, 3, 5, 7])})
            if level == 3 and rng.random() < 0.4:
                params["groups"] = pick(rng, [2, 4])
        if init.startswith("kaiming"):
            params["mode"] = pick(rng, ["fan_in", "fan_out"]) if level == 3 or \
                rng.random() < 0.5 else "fan_in"
            if level == 2:
                params["nonlinearity"] = "relu"
            else:
                params["nonlinearity"] = pick(rng, ["relu", "leaky_relu", "leaky_relu", "tanh"])
                if params["nonlinearity"] == "leaky_relu":
                    params["a"] = pick(rng, [0.01, 0.1, 0.2])
        elif init.startswith("xavier"):
            params["gain_of"] = pick(rng, ["linear", "tanh", "relu"] if level == 3
                                     else ["linear", "tanh"])
        else:
            params["target"] = pick(rng, ["weight", "bias"])
        return params

    def solve(self, params: dict[str, Any]) -> InitScale:
        init = one_of(params, "init", _INITS)
        shape = _layer_shape(params)
        fan_in, fan_out = fan_in_and_fan_out(shape)
        if init == "default":
            target = one_of(params, "target", ["weight", "bias"])
            bounds = default_init_bounds(shape)
            value = bounds.weight_bound if target == "weight" else bounds.bias_bound
            fan, gain = fan_in, calculate_gain("leaky_relu", math.sqrt(5))
        elif init.startswith("xavier"):
            gain_of = one_of(params, "gain_of", _NONLINEARITIES)
            gain = calculate_gain(gain_of)
            fn = xavier_uniform_bound if init == "xavier_uniform" else xavier_normal_std
            value, fan = fn(shape, gain), fan_in + fan_out
        else:
            mode = one_of(params, "mode", ["fan_in", "fan_out"])
            nonlinearity = one_of(params, "nonlinearity", _NONLINEARITIES)
            a = params.get("a", 0)
            fn = kaiming_uniform_bound if init == "kaiming_uniform" else kaiming_normal_std
            value = fn(shape, a, mode, nonlinearity)
            fan, gain = (fan_in if mode == "fan_in" else fan_out), calculate_gain(nonlinearity, a)
        return InitScale(shape, fan_in, fan_out, fan, float(gain), value,
                         significant_decimals(value, 3, low=4))

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return not near_tie(solved.value, solved.decimals)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        s = self.solved(params)
        note = rounding(s.decimals)
        code, what = _init_code(params)
        conventions = {
            "en": "PyTorch's fans for a weight of shape $(d_0, d_1, \\ldots)$: fan_in $= d_1 "
                  "\\cdot r$, fan_out $= d_0 \\cdot r$, with $r$ the product of the remaining "
                  "(kernel) dims.",
            "zh": "PyTorch 对形状为 $(d_0, d_1, \\ldots)$ 的权重取 fan_in $= d_1 \\cdot r$、"
                  "fan_out $= d_0 \\cdot r$，$r$ 为其余（卷积核）维度之积。",
        }
        extra = _gain_note(params)
        prompt = {
            "en": f"```python\n{code}\n```\n\n{conventions['en']}{extra['en']}\n\n"
                  f"{what['en']} {note['en']}",
            "zh": f"```python\n{code}\n```\n\n{conventions['zh']}{extra['zh']}\n\n"
                  f"{what['zh']}{note['zh']}",
        }
        work = _init_work(params, s)
        answer = rounded(s.value, s.decimals)
        solution = {"en": f"{work['en']}\n\nAnswer: **{answer}**.",
                    "zh": f"{work['zh']}\n\n答案：**{answer}**。"}
        expected = ExpectedAnswer(kind="number", value=s.value, decimals=s.decimals)
        return self.instance(params, level, seed, expected, prompt, solution, note)


def _init_code(params: dict[str, Any]) -> tuple[str, Text]:
    if params["layer"] == "linear":
        layer = f"layer = nn.Linear({params['in']}, {params['out']})"
    else:
        extra = f", groups={params['groups']}" if params.get("groups", 1) != 1 else ""
        layer = (f"layer = nn.Conv2d({params['in']}, {params['out']}, "
                 f"kernel_size={params['kernel']}{extra})")
    init = params["init"]
    if init == "default":
        target = params["target"]
        what = {"en": f"With PyTorch's default initialization (no `nn.init` call), `layer."
                      f"{target}` is drawn from $U(-b, b)$. What is $b$?",
                "zh": f"使用 PyTorch 的默认初始化（不调用 `nn.init`），`layer.{target}` 服从 "
                      "$U(-b, b)$。$b$ 是多少？"}
        return layer, what
    if init.startswith("xavier"):
        gain = params["gain_of"]
        gain_code = "" if gain == "linear" else f", gain=nn.init.calculate_gain('{gain}')"
        call = f"nn.init.{init}_(layer.weight{gain_code})"
    else:
        args = []
        if params.get("a", 0):
            args.append(f"a={short(params['a'])}")
        args += [f"mode='{params['mode']}'", f"nonlinearity='{params['nonlinearity']}'"]
        call = f"nn.init.{init}_(layer.weight, {', '.join(args)})"
    if init.endswith("uniform"):
        what = {"en": "The weights are drawn from $U(-b, b)$. What is $b$?",
                "zh": "权重服从 $U(-b, b)$。$b$ 是多少？"}
    else:
        what = {"en": "The weights are drawn from $N(0, \\sigma^2)$. What is $\\sigma$?",
                "zh": "权重服从 $N(0, \\sigma^2)$。$\\sigma$ 是多少？"}
    return f"{layer}\n{call}", what


def _gain_note(params: dict[str, Any]) -> Text:
    init = params["init"]
    if init == "default":
        return {"en": " PyTorch's `reset_parameters` for Linear and Conv2d: "
                      "`kaiming_uniform_(weight, a=math.sqrt(5))`, and the bias from "
                      "$U(\\pm 1/\\sqrt{\\mathrm{fan\\_in}})$.",
                "zh": "PyTorch 中 Linear 与 Conv2d 的 `reset_parameters`："
                      "`kaiming_uniform_(weight, a=math.sqrt(5))`，偏置取自 "
                      "$U(\\pm 1/\\sqrt{\\mathrm{fan\\_in}})$。"}
    name = params.get("gain_of") or params.get("nonlinearity")
    if name == "tanh":
        return {"en": " `calculate_gain('tanh')` is $5/3$.",
                "zh": "`calculate_gain('tanh')` 为 $5/3$。"}
    return {"en": "", "zh": ""}


def _init_work(params: dict[str, Any], s: InitScale) -> Text:
    shape = "(" + ", ".join(str(d) for d in s.shape) + ")"
    if len(s.shape) > 2:
        r = math.prod(s.shape[2:])
        fans = (f"fan_in $= {s.shape[1]} \\cdot {r} = {s.fan_in}$, fan_out $= {s.shape[0]} "
                f"\\cdot {r} = {s.fan_out}$")
    else:
        fans = f"fan_in $= {s.fan_in}$, fan_out $= {s.fan_out}$"
    head = {"en": f"The weight has shape `{shape}`: {fans}.",
            "zh": f"权重形状为 `{shape}`：{fans.replace('$, fan_out', '$，fan_out')}。"}
    groups = params.get("groups", 1)
    if groups != 1:
        head["en"] += (f" With `groups={groups}` the second dim is $C_{{\\mathrm{{in}}}} / g = "
                       f"{params['in']} / {groups}$; fan_out is not divided by the groups.")
        head["zh"] += (f"`groups={groups}` 时第二维是 $C_{{\\mathrm{{in}}}} / g = {params['in']} / "
                       f"{groups}$；fan_out 不除以组数。")
    init, value = params["init"], short(s.value, 8)
    if init == "default" and params["target"] == "bias":
        line = f"$b = 1/\\sqrt{{{s.fan_in}}} = {value}$"
        body = {"en": f"The bias bound is $1/\\sqrt{{\\mathrm{{fan\\_in}}}}$: {line}",
                "zh": f"偏置的边界是 $1/\\sqrt{{\\mathrm{{fan\\_in}}}}$：{line}"}
    elif init == "default":
        line = (f"$b = \\sqrt{{3}} \\cdot \\sqrt{{2 / (1 + 5)}} / \\sqrt{{{s.fan_in}}} = "
                f"1/\\sqrt{{{s.fan_in}}} = {value}$")
        body = {"en": "Kaiming-uniform with $a = \\sqrt{5}$ has gain $\\sqrt{2/(1 + a^2)} = "
                      "\\sqrt{1/3}$ and bound $\\sqrt{3} \\cdot \\mathrm{gain} / "
                      f"\\sqrt{{\\mathrm{{fan\\_in}}}}$: {line}",
                "zh": "$a = \\sqrt{5}$ 的 Kaiming 均匀初始化，增益 $\\sqrt{2/(1 + a^2)} = "
                      "\\sqrt{1/3}$，边界 $\\sqrt{3} \\cdot \\mathrm{gain} / "
                      f"\\sqrt{{\\mathrm{{fan\\_in}}}}$：{line}"}
    elif init.startswith("xavier"):
        gain_tex = _GAIN_TEX[params["gain_of"]]
        std = f"{gain_tex} \\cdot \\sqrt{{2 / ({s.fan_in} + {s.fan_out})}}"
        if init == "xavier_uniform":
            line = f"$b = \\sqrt{{3}} \\cdot {std} = {value}$"
            rule = "$b = \\sqrt{3} \\cdot \\mathrm{gain} \\cdot \\sqrt{2 / (\\mathrm{fan\\_in} + " \
                   "\\mathrm{fan\\_out})}$"
        else:
            line = f"$\\sigma = {std} = {value}$"
            rule = "$\\sigma = \\mathrm{gain} \\cdot \\sqrt{2 / (\\mathrm{fan\\_in} + " \
                   "\\mathrm{fan\\_out})}$"
        body = {"en": f"Xavier (Glorot): {rule}, gain $= {gain_tex}$.\n\n{line}",
                "zh": f"Xavier（Glorot）初始化：{rule}，增益 $= {gain_tex}$。\n\n{line}"}
    else:
        nl, mode = params["nonlinearity"], params["mode"]
        if nl == "leaky_relu":
            a = short(params.get("a", 0))
            gain_tex = f"\\sqrt{{2 / (1 + {a}^2)}}"
        else:
            gain_tex = _GAIN_TEX[nl]
        std = f"{gain_tex} / \\sqrt{{{s.fan}}}"
        if init == "kaiming_uniform":
            line = f"$b = \\sqrt{{3}} \\cdot {std} = {value}$"
            rule = "$b = \\sqrt{3} \\cdot \\mathrm{gain} / \\sqrt{\\mathrm{fan}}$"
        else:
            line = f"$\\sigma = {std} = {value}$"
            rule = "$\\sigma = \\mathrm{gain} / \\sqrt{\\mathrm{fan}}$"
        body = {"en": f"Kaiming (He): {rule} with fan = {mode} $= {s.fan}$ and the gain of "
                      f"`{nl}`, $\\mathrm{{gain}} = {gain_tex}$ $\\approx {short(s.gain, 4)}$."
                      f"\n\n{line}",
                "zh": f"Kaiming（He）初始化：{rule}，fan 取 {mode} $= {s.fan}$，`{nl}` 的增益 "
                      f"$\\mathrm{{gain}} = {gain_tex}$ $\\approx {short(s.gain, 4)}$。\n\n{line}"}
    return {lang: f"{head[lang]}\n\n{body[lang]}" for lang in LANGS}


# ------------------------------------------------------------------ training-memory

_UNITS = {"GB": 10**9, "GiB": 2**30, "MB": 10**6, "MiB": 2**20}
_ASKS = ("total", "optimizer", "weights_grads")


class Memory(NamedTuple):
    n_params: int
    bytes: int  # the asked part
    parts: Any  # TrainingMemory
    value: float  # in the asked unit
    decimals: int


class TrainingMemory(ExerciseFamily):
    name = "training-memory"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level in (1, 2):
            millions = pick(rng, [60, 125, 350, 774, 1300, 2700, 6700, 7000, 13000, 70000])
            n = millions * 10**6 + pick(rng, [0, 0, randint(rng, 1, 999) * 1000])
            if level == 1:
                return {"precision": "fp32", "n_params": n, "ask": "total", "unit": "GB"}
            return {"precision": "bf16-mixed", "n_params": n, "ask": pick(rng, list(_ASKS)),
                    "unit": pick(rng, ["GB", "GB", "GiB"])}
        d = pick(rng, [256, 512, 768, 1024, 2048])
        hidden = d * pick(rng, [2, 4])
        widths = [d, hidden, d] if rng.random() < 0.5 else [d, hidden, hidden, d]
        return {"precision": pick(rng, list(PRECISIONS)), "widths": widths,
                "bias": bool(rng.random() < 0.7), "ask": pick(rng, ["total", "optimizer"]),
                "unit": "MiB"}

    def solve(self, params: dict[str, Any]) -> Memory:
        precision = one_of(params, "precision", list(PRECISIONS))
        ask = one_of(params, "ask", list(_ASKS))
        unit = one_of(params, "unit", list(_UNITS))
        if "widths" in params:
            widths = need(params, "widths")
            if not isinstance(widths, list) or any(isinstance(w, bool) or not isinstance(w, int)
                                                   or w <= 0 for w in widths):
                raise SolverError("widths must be a list of positive layer widths")
            n = mlp_params(widths, bool(params.get("bias", True)))
        else:
            n = need(params, "n_params")
            if isinstance(n, bool) or not isinstance(n, int):
                raise SolverError(f"n_params must be an integer, got {n!r}")
        parts = adamw_training_memory(n, precision)
        asked = {"total": parts.total, "optimizer": parts.optimizer,
                 "weights_grads": parts.weights + parts.grads}[ask]
        value = asked / _UNITS[unit]
        return Memory(n, asked, parts, value, 2)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        return not near_tie(solved.value, solved.decimals)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        m = self.solved(params)
        note = rounding(m.decimals)
        setup, question = _memory_prompt(params, m)
        prompt = {lang: f"{setup[lang]}\n\n{question[lang]}"
                  + (" " if lang == "en" else "") + note[lang] for lang in LANGS}
        work = _memory_work(params, m)
        answer = rounded(m.value, m.decimals)
        solution = {"en": f"{work['en']}\n\nAnswer: **{answer}**.",
                    "zh": f"{work['zh']}\n\n答案：**{answer}**。"}
        expected = ExpectedAnswer(kind="number", value=m.value, decimals=m.decimals)
        return self.instance(params, level, seed, expected, prompt, solution, note)


_CONVENTION = {
    "fp32": {
        "en": "Everything is fp32 (4 bytes): the weights, their gradients, and AdamW's two "
              "state tensors per parameter (`exp_avg` m and `exp_avg_sq` v).",
        "zh": "全部为 fp32（4 字节）：权重、梯度，以及 AdamW 为每个参数保存的两个状态"
              "（`exp_avg` 即 m，`exp_avg_sq` 即 v）。",
    },
    "bf16-mixed": {
        "en": "bf16 mixed precision with fp32 master weights: the model's weights and "
              "gradients are bf16 (2 bytes each); AdamW updates an fp32 master copy of the "
              "weights (4 bytes) and keeps its `exp_avg` m and `exp_avg_sq` v in fp32 (4 bytes "
              "each). The fp32 copy of a gradient used during the step is transient and not "
              "counted (ZeRO's accounting).",
        "zh": "bf16 混合精度 + fp32 主权重：模型的权重和梯度为 bf16（各 2 字节）；AdamW 更新一份"
              " fp32 的主权重副本（4 字节），其 `exp_avg`（m）和 `exp_avg_sq`（v）也为 fp32"
              "（各 4 字节）。更新时临时转成 fp32 的梯度不计入（与 ZeRO 论文的算法一致）。",
    },
}


def _memory_prompt(params: dict[str, Any], m: Memory) -> tuple[Text, Text]:
    conv = _CONVENTION[params["precision"]]
    ignore = {"en": "Ignore activations, buffers and AdamW's scalar `step` counters.",
              "zh": "忽略激活值、buffer 以及 AdamW 的标量 `step` 计数器。"}
    unit = params["unit"]
    power = {"GB": "10^9", "GiB": "2^{30}", "MB": "10^6", "MiB": "2^{20}"}[unit]
    unit_note = (f"1 {unit} = ${power}$ bytes", f"1 {unit} = ${power}$ 字节")
    if "widths" in params:
        widths = params["widths"]
        bias = "" if params.get("bias", True) else ", bias=False"
        layers = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=False)):
            layers.append(f"    nn.Linear({a}, {b}{bias}),")
            if i < len(widths) - 2:
                layers.append("    nn.GELU(),")
        code = "```python\nmodel = nn.Sequential(\n" + "\n".join(layers) + "\n)\n```"
        model = {"en": f"The model is trained with `torch.optim.AdamW`:\n\n{code}",
                 "zh": f"用 `torch.optim.AdamW` 训练下面的模型：\n\n{code}"}
    else:
        n = f"{params['n_params']:,}"
        model = {"en": f"A model with {n} parameters is trained with `torch.optim.AdamW`.",
                 "zh": f"一个有 {n} 个参数的模型用 `torch.optim.AdamW` 训练。"}
    sep = "\n\n" if "widths" in params else " "
    setup = {"en": f"{model['en']}{sep}{conv['en']} {ignore['en']}",
             "zh": f"{model['zh']}{sep.strip(' ')}{conv['zh']}{ignore['zh']}"}
    mixed = params["precision"] == "bf16-mixed"
    what = {
        "total": ("the weights, gradients and optimizer state together",
                  "权重、梯度和优化器状态一共"),
        "optimizer": (("the optimizer's fp32 state (master weights, m and v)" if mixed
                       else "AdamW's state (m and v)"),
                      ("优化器的 fp32 状态（主权重、m 和 v）" if mixed
                       else "AdamW 的状态（m 和 v）")),
        "weights_grads": ("the model's weights and gradients (without the optimizer)",
                          "模型的权重和梯度（不含优化器）"),
    }[params["ask"]]
    question = {"en": f"How many {unit} do {what[0]} take ({unit_note[0]})?",
                "zh": f"{what[1]}占多少 {unit}（{unit_note[1]}）？"}
    return setup, question


def _memory_work(params: dict[str, Any], m: Memory) -> Text:
    parts, n = m.parts, m.n_params
    count = {"en": "", "zh": ""}
    if "widths" in params:
        widths, bias = params["widths"], params.get("bias", True)
        terms = [f"{a} \\cdot {b}" + (f" + {b}" if bias else "")
                 for a, b in zip(widths[:-1], widths[1:], strict=False)]
        line = f"$N = {' + '.join(terms)} = {n:,}$"
        count = {"en": f"Count the parameters (each Linear: in·out weights"
                       f"{' + out biases' if bias else ''}):\n\n{line}\n\n",
                 "zh": f"先数参数（每个 Linear：in·out 个权重"
                       f"{'，加 out 个偏置' if bias else ''}）：\n\n{line}\n\n"}
    if params["precision"] == "fp32":
        rows = [("weights", "权重", 4, parts.weights), ("gradients", "梯度", 4, parts.grads),
                ("m (exp_avg)", "m（exp_avg）", 4, parts.exp_avg),
                ("v (exp_avg_sq)", "v（exp_avg_sq）", 4, parts.exp_avg_sq)]
    else:
        rows = [("bf16 weights", "bf16 权重", 2, parts.weights),
                ("bf16 gradients", "bf16 梯度", 2, parts.grads),
                ("fp32 master weights", "fp32 主权重", 4, parts.master),
                ("m (exp_avg, fp32)", "m（exp_avg，fp32）", 4, parts.exp_avg),
                ("v (exp_avg_sq, fp32)", "v（exp_avg_sq，fp32）", 4, parts.exp_avg_sq)]
    ask = params["ask"]
    if ask == "optimizer":
        rows = [r for r in rows if r[3] and ("weights" not in r[0] or "master" in r[0])
                and "gradients" not in r[0]]
    elif ask == "weights_grads":
        rows = [r for r in rows if "master" not in r[0] and not r[0].startswith(("m ", "v "))]
    per = sum(r[2] for r in rows)
    table_en = "\n".join(f"- {r[0]}: {r[2]} bytes × N = {r[3]:,} bytes" for r in rows)
    table_zh = "\n".join(f"- {r[1]}：{r[2]} 字节 × N = {r[3]:,} 字节" for r in rows)
    unit = params["unit"]
    div = {"GB": "10^9", "GiB": "2^{30}", "MB": "10^6", "MiB": "2^{20}"}[unit]
    line = f"${per} \\cdot {n:,} = {m.bytes:,}$ bytes, $/ {div} = {short(m.value, 4)}$ {unit}"
    line_zh = line.replace(" bytes, ", " 字节，")
    tail = {"en": "", "zh": ""}
    if ask == "total":
        tail = {"en": "\n\nPure fp32 and bf16-mixed both come to 16 bytes per parameter for this "
                      "state: mixed precision saves activation memory and time, not this.",
                "zh": "\n\n纯 fp32 和 bf16 混合精度在这部分都是每个参数 16 字节：混合精度省的是"
                      "激活值显存和计算时间，而不是这一部分。"}
    return {
        "en": f"{count['en']}With $N = {n:,}$ parameters:\n\n" + table_en
              + f"\n\nThat is {per} bytes per parameter: {line}" + tail["en"],
        "zh": f"{count['zh']}参数量 $N = {n:,}$：\n\n" + table_zh
              + f"\n\n即每个参数 {per} 字节：{line_zh}" + tail["zh"],
    }
