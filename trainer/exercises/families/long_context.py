"""Long-context families: KV-cache memory, sinusoidal positional encodings and RoPE."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    kv_cache_bytes,
    rope_rotate,
    sinusoidal_positional_encoding,
)
from trainer.exercises.solver.long_context import DTYPE_BYTES

from ._common import (
    MATRIX_HINT,
    ExerciseFamily,
    Text,
    approx,
    exact_decimals,
    fenced,
    matrix_value,
    need,
    num,
    one_of,
    pick,
    randint,
    rounding,
)

UNITS = {"MiB": 2**20, "GiB": 2**30}


# ------------------------------------------------------------------ KV cache

class KvWork(NamedTuple):
    layers: int
    batch: int
    context: int
    kv_heads: int
    head_dim: int
    dtype: str
    unit: str
    heads: int | None  # query heads and hidden size when the model config is given (level 3)
    hidden: int | None
    total: int  # bytes
    value: float  # in ``unit``


def _positive(params: dict[str, Any], key: str) -> int:
    value = need(params, key)
    if type(value) is not int or value <= 0:
        raise SolverError(f"{key} must be a positive integer, got {value!r}")
    return value


class KvCacheBytes(ExerciseFamily):
    name = "kv-cache-bytes"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level == 1:
            heads = pick(rng, [8, 12, 16, 32])
            return {"num_layers": pick(rng, [12, 24, 32]), "kv_heads": heads,
                    "head_dim": pick(rng, [64, 128]),
                    "context": pick(rng, [512, 1024, 2048, 4096]), "batch": 1,
                    "dtype": "float16", "unit": "MiB"}
        if level == 2:
            return {"num_layers": pick(rng, [24, 32, 40]), "kv_heads": pick(rng, [4, 8]),
                    "head_dim": 128, "context": pick(rng, [4096, 8192, 16384, 32768]),
                    "batch": pick(rng, [2, 4, 8, 16]),
                    "dtype": pick(rng, ["float16", "bfloat16", "float32"]), "unit": "GiB"}
        heads = pick(rng, [32, 40, 64])
        return {"num_layers": pick(rng, [32, 48, 64, 80]), "heads": heads,
                "hidden": heads * pick(rng, [64, 128]), "kv_heads": pick(rng, [1, 4, 8]),
                "context": pick(rng, [8192, 32768, 131072]), "batch": pick(rng, [1, 4, 8]),
                "dtype": pick(rng, ["bfloat16", "float8_e4m3fn", "float16"]), "unit": "GiB"}

    def solve(self, params: dict[str, Any]) -> KvWork:
        sizes = {k: _positive(params, k) for k in ("num_layers", "batch", "context",
                                                   "kv_heads")}
        heads = hidden = None
        if "hidden" in params:  # a model config: head_dim follows from it
            heads, hidden = _positive(params, "heads"), _positive(params, "hidden")
            if hidden % heads:
                raise SolverError(f"hidden ({hidden}) must be divisible by heads ({heads})")
            if heads % sizes["kv_heads"]:  # grouped-query attention shares K/V among groups
                raise SolverError(f"heads ({heads}) must be divisible by kv_heads "
                                  f"({sizes['kv_heads']})")
            head_dim = hidden // heads
        else:
            head_dim = _positive(params, "head_dim")
        dtype = one_of(params, "dtype", list(DTYPE_BYTES))
        unit = one_of(params, "unit", list(UNITS))
        total = kv_cache_bytes(sizes["num_layers"], sizes["batch"], sizes["context"],
                               sizes["kv_heads"], head_dim, dtype)
        return KvWork(sizes["num_layers"], sizes["batch"], sizes["context"], sizes["kv_heads"],
                      head_dim, dtype, unit, heads, hidden, total, total / UNITS[unit])

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work: KvWork = self.solved(params)
        decimals = exact_decimals(work.value)
        note = rounding(decimals)
        expected = ExpectedAnswer(kind="number", value=work.value, decimals=decimals)
        return self.instance(params, level, seed, expected, _kv_prompt(work, note),
                             _kv_solution(work, decimals), note)


def _kv_prompt(work: KvWork, note: Text) -> Text:
    size = DTYPE_BYTES[work.dtype]
    batch_en = (f"a batch of {work.batch} sequences of {work.context:,} tokens each," if
                work.batch > 1 else f"one sequence of {work.context:,} tokens,")
    power = {"MiB": 20, "GiB": 30}[work.unit]
    if work.hidden is not None:
        model = {"en": f"A decoder-only Transformer has `num_hidden_layers={work.layers}`, "
                       f"`hidden_size={work.hidden}`, `num_attention_heads={work.heads}` and "
                       f"`num_key_value_heads={work.kv_heads}` (grouped-query attention; "
                       "head_dim = hidden_size / num_attention_heads).",
                 "zh": f"一个 decoder-only Transformer 的配置为 `num_hidden_layers={work.layers}`、"
                       f"`hidden_size={work.hidden}`、`num_attention_heads={work.heads}`、"
                       f"`num_key_value_heads={work.kv_heads}`（分组查询注意力（GQA）；"
                       "head_dim = hidden_size / num_attention_heads）。"}
    else:
        model = {"en": f"A decoder-only Transformer has {work.layers} layers, "
                       f"{work.kv_heads} key/value heads per layer and head dimension "
                       f"{work.head_dim}.",
                 "zh": f"一个 decoder-only Transformer 有 {work.layers} 层，每层 {work.kv_heads} "
                       f"个 key/value 头，每个头的维度为 {work.head_dim}。"}
    return {
        "en": f"{model['en']} During generation it keeps a KV cache: for every layer one K and "
              "one V tensor of shape (batch, kv_heads, context, head_dim), stored in "
              f"`torch.{work.dtype}` ({size} byte{'s' if size > 1 else ''} per element).\n\n"
              f"How much memory does the cache take for {batch_en} in "
              f"{work.unit} (1 {work.unit} = $2^{{{power}}}$ bytes)? Count only the cache "
              f"tensors (no weights, activations or allocator overhead). {note['en']}",
        "zh": f"{model['zh']}生成时它维护 KV 缓存：每层一个 K 张量和一个 V 张量，形状为 "
              f"(batch, kv_heads, context, head_dim)，以 `torch.{work.dtype}` 存储"
              f"（每个元素 {size} 字节）。\n\n"
              f"batch 为 {work.batch}、每条序列 {work.context:,} 个 token 时，KV 缓存占多少 "
              f"{work.unit}（1 {work.unit} = $2^{{{power}}}$ 字节）？只计缓存张量本身"
              f"（不含权重、激活和分配器开销）。{note['zh']}",
    }


def _kv_solution(work: KvWork, decimals: int | None) -> Text:
    size = DTYPE_BYTES[work.dtype]
    per_token = 2 * work.layers * work.kv_heads * work.head_dim * size
    power = {"MiB": 20, "GiB": 30}[work.unit]
    shown = approx(work.value, decimals) if decimals is not None else num(work.value)
    head_en = head_zh = ""
    if work.hidden is not None:
        cached = (f"only the {work.kv_heads} key/value heads are cached" if work.kv_heads > 1
                  else "only the single key/value head is cached (multi-query attention)")
        head_en = (f"- head_dim $= {work.hidden} / {work.heads} = {work.head_dim}$; {cached}, "
                   f"not the {work.heads} query heads\n")
        head_zh = (f"- head_dim $= {work.hidden} / {work.heads} = {work.head_dim}$；只缓存 "
                   f"{work.kv_heads} 个 key/value 头，而不是 {work.heads} 个查询头\n")
    formula = ("2 \\cdot L \\cdot \\mathrm{batch} \\cdot \\mathrm{context} \\cdot "
               "h_{kv} \\cdot d_h \\cdot \\mathrm{bytes}")
    token_tex = (f"2 \\cdot {work.layers} \\cdot {work.kv_heads} \\cdot {work.head_dim} "
                 f"\\cdot {size} = {per_token}")
    total_tex = f"{per_token} \\cdot {work.batch} \\cdot {work.context} = {work.total}"
    unit_tex = f"{work.total} / 2^{{{power}}}"
    return {
        "en": f"Bytes $= {formula}$: K and V ($2$) for each of the $L$ layers, every cached "
              "token, $h_{kv}$ key/value heads of dimension $d_h$, times the bytes per "
              f"element.\n\n{head_en}"
              f"- per token: ${token_tex}$ bytes\n- all tokens: ${total_tex}$ bytes\n"
              f"- in {work.unit}: ${unit_tex} = {shown}$\n\nAnswer: **{shown}**.",
        "zh": f"字节数 $= {formula}$：K 和 V（$2$）、$L$ 层中的每一层、每个缓存的 token、"
              "$h_{kv}$ 个维度为 $d_h$ 的 key/value 头，再乘以每个元素的字节数。"
              f"\n\n{head_zh}"
              f"- 每个 token：${token_tex}$ 字节\n- 全部 token：${total_tex}$ 字节\n"
              f"- 换算成 {work.unit}：${unit_tex} = {shown}$\n\n答案：**{shown}**。",
    }


# ------------------------------------------------------------------ positional encodings

class PositionWork(NamedTuple):
    kind: str  # "sinusoidal" or "rope"
    position: int
    d: int
    x: np.ndarray | None  # the rotated vector (RoPE)
    pairing: str
    frequencies: np.ndarray  # base^(-2i/d)
    out: np.ndarray  # (d,)


class PositionalEncoding(ExerciseFamily):
    name = "positional-encoding"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        if level < 3:
            return {"kind": "sinusoidal", "position": randint(rng, 1, 30 if level == 1 else 100),
                    "d_model": 4 if level == 1 else pick(rng, [6, 8])}
        d = pick(rng, [4, 6])
        return {"kind": "rope", "x": rng.integers(-3, 4, size=d).tolist(),
                "position": randint(rng, 1, 20),
                "pairing": pick(rng, ["interleaved", "halves"])}

    def solve(self, params: dict[str, Any]) -> PositionWork:
        kind = one_of(params, "kind", ["sinusoidal", "rope"])
        position = need(params, "position")
        if type(position) is not int or not 0 <= position <= 100_000:
            raise SolverError(f"position must be an integer from 0, got {position!r}")
        if kind == "sinusoidal":
            d = need(params, "d_model")
            if type(d) is not int or not 2 <= d <= 16 or d % 2:
                raise SolverError(f"d_model must be an even integer from 2 to 16, got {d!r}")
            out = sinusoidal_positional_encoding([position], d)[0]
            return PositionWork(kind, position, d, None, "", _frequencies(d), out)
        x = np.asarray(need(params, "x"), dtype=np.float64)
        if x.ndim != 1 or not 2 <= x.size <= 8:
            raise SolverError("x must be a vector of 2 to 8 numbers")
        pairing = one_of(params, "pairing", ["interleaved", "halves"])
        out = rope_rotate(x, position, pairing=pairing)
        return PositionWork(kind, position, x.size, x, pairing, _frequencies(x.size), out)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work: PositionWork = self.solved(params)
        decimals = exact_decimals(work.out)
        note = rounding(decimals)
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.out[None, :]),
                                  decimals=decimals, rows=1, cols=work.d)
        writer = _sinusoid_texts if work.kind == "sinusoidal" else _rope_texts
        prompt, solution = writer(work, note, decimals)
        return self.instance(params, level, seed, expected, prompt, solution, note)


def _frequencies(d: int) -> np.ndarray:
    return np.asarray(10000.0 ** (-np.arange(0, d, 2) / d))


def _freq_tex(i: int, d: int) -> str:
    return "1" if i == 0 else f"10000^{{-{2 * i}/{d}}}"


def _fmt(decimals: int | None) -> Any:
    return (lambda v: approx(v, decimals)) if decimals is not None else num


def _sinusoid_texts(work: PositionWork, note: Text, decimals: int | None) -> tuple[Text, Text]:
    d, pos = work.d, work.position
    prompt = {
        "en": "The sinusoidal positional encoding of the original Transformer (as in the PyTorch "
              "Transformer tutorial's `PositionalEncoding`) is\n\n"
              "$$PE[pos, 2i] = \\sin(pos / 10000^{2i/d}), \\quad "
              "PE[pos, 2i+1] = \\cos(pos / 10000^{2i/d})$$\n\n"
              f"with angles in radians, positions and dimensions counted from 0. With "
              f"$d = {d}$, what is the encoding of position {pos}, i.e. the row "
              f"$PE[{pos}, 0], \\ldots, PE[{pos}, {d - 1}]$? {note['en']}\n\n{MATRIX_HINT['en']}",
        "zh": "原始 Transformer 的正弦位置编码（即 PyTorch Transformer 教程中的 "
              "`PositionalEncoding`）为\n\n"
              "$$PE[pos, 2i] = \\sin(pos / 10000^{2i/d}), \\quad "
              "PE[pos, 2i+1] = \\cos(pos / 10000^{2i/d})$$\n\n"
              f"角度用弧度，位置和维度都从 0 开始编号。$d = {d}$ 时，位置 {pos} 的编码，即 "
              f"$PE[{pos}, 0], \\ldots, PE[{pos}, {d - 1}]$ 这一行是什么？{note['zh']}\n\n"
              f"{MATRIX_HINT['zh']}",
    }
    fmt = _fmt(decimals)
    rows = []
    for i, f in enumerate(work.frequencies):
        angle = pos * f
        freq = "$1$" if i == 0 else f"${_freq_tex(i, d)} \\approx {approx(f, 6)}$"
        rows.append(f"| {i} | {freq} | "
                    f"{approx(angle, 4)} | {fmt(np.sin(angle))} | {fmt(np.cos(angle))} |")
    table = {"en": "| $i$ | $1/10000^{2i/d}$ | angle (rad) | $\\sin$ → dim $2i$ | "
                   "$\\cos$ → dim $2i+1$ |\n|---|---|---|---|---|\n",
             "zh": "| $i$ | $1/10000^{2i/d}$ | 角度（弧度） | $\\sin$ → 第 $2i$ 维 | "
                   "$\\cos$ → 第 $2i+1$ 维 |\n|---|---|---|---|---|\n"}
    row = "  ".join(fmt(v) for v in work.out)
    solution = {
        "en": f"Each pair of dimensions $(2i, 2i+1)$ shares one frequency; the angle is "
              f"${pos} \\cdot 10000^{{-2i/{d}}}$:\n\n{table['en']}" + "\n".join(rows)
              + f"\n\nInterleaving sin and cos gives the answer:\n\n{fenced([row])}",
        "zh": f"每对维度 $(2i, 2i+1)$ 共用一个频率；角度为 ${pos} \\cdot 10000^{{-2i/{d}}}$：\n\n"
              f"{table['zh']}" + "\n".join(rows)
              + f"\n\n把 sin 和 cos 交替排列即得答案：\n\n{fenced([row])}",
    }
    return prompt, solution


def _rope_texts(work: PositionWork, note: Text, decimals: int | None) -> tuple[Text, Text]:
    d, m = work.d, work.position
    assert work.x is not None
    q = ", ".join(num(v) for v in work.x)
    half = d // 2
    if work.pairing == "interleaved":
        pairs = [(2 * i, 2 * i + 1) for i in range(half)]
        rule = {"en": "Pairs are consecutive entries $(q_0, q_1), (q_2, q_3), \\ldots$ "
                      "(interleaved, as in the LLaMA reference code).",
                "zh": "配对方式为相邻元素 $(q_0, q_1), (q_2, q_3), \\ldots$"
                      "（交错配对，同 LLaMA 参考实现）。"}
    else:
        pairs = [(i, i + half) for i in range(half)]
        rule = {"en": f"Pairs are $(q_i, q_{{i+{half}}})$: the first half with the second half "
                      "(as `rotate_half` in Hugging Face transformers).",
                "zh": f"配对方式为 $(q_i, q_{{i+{half}}})$：前一半与后一半配对"
                      "（同 Hugging Face transformers 的 `rotate_half`）。"}
    prompt = {
        "en": f"Rotary position embedding (RoPE) with base 10000 rotates the query "
              f"$q$ = ({q}) at position $m = {m}$ pair by pair: pair $i$ turns by the angle "
              f"$m\\,\\theta_i$ with $\\theta_i = 10000^{{-2i/d}}$, $d = {d}$ (radians), "
              "$(a, b) \\to (a\\,\\cos\\phi - b\\,\\sin\\phi,\\ a\\,\\sin\\phi + b\\,\\cos\\phi)$ "
              "for a pair $(a, b)$ and its angle $\\phi$. "
              f"{rule['en']} Entries and pairs are numbered from 0.\n\n"
              f"What is the rotated vector? {note['en']}\n\n{MATRIX_HINT['en']}",
        "zh": f"旋转位置编码（RoPE，base 为 10000）把位置 $m = {m}$ 处的查询向量 $q$ = ({q}) "
              f"逐对旋转：第 $i$ 对转过角度 $m\\,\\theta_i$，$\\theta_i = 10000^{{-2i/d}}$，"
              f"$d = {d}$（弧度），一对 $(a, b)$ 转过角度 $\\phi$ 后为 "
              "$(a\\,\\cos\\phi - b\\,\\sin\\phi,\\ a\\,\\sin\\phi + b\\,\\cos\\phi)$。"
              f"{rule['zh']}元素和配对都从 0 开始编号。\n\n"
              f"旋转后的向量是什么？{note['zh']}\n\n{MATRIX_HINT['zh']}",
    }
    fmt = _fmt(decimals)
    rows = []
    for i, (a, b) in enumerate(pairs):
        angle = m * work.frequencies[i]
        rows.append(f"| {i} | $(q_{{{a}}}, q_{{{b}}})$ = ({num(work.x[a])}, {num(work.x[b])}) "
                    f"| {approx(angle, 4)} | {approx(np.cos(angle), 4)} | "
                    f"{approx(np.sin(angle), 4)} | ({fmt(work.out[a])}, {fmt(work.out[b])}) |")
    header = {"en": "| $i$ | pair | angle $m\\theta_i$ | $\\cos$ | $\\sin$ | rotated |\n"
                    "|---|---|---|---|---|---|\n",
              "zh": "| $i$ | 配对 | 角度 $m\\theta_i$ | $\\cos$ | $\\sin$ | 旋转后 |\n"
                    "|---|---|---|---|---|---|\n"}
    row = "  ".join(fmt(v) for v in work.out)
    solution = {
        "en": f"$\\theta_i = 10000^{{-2i/{d}}}$ gives the angles below; each pair is rotated "
              f"like a 2-D point:\n\n{header['en']}" + "\n".join(rows)
              + f"\n\nPutting the entries back in their places gives the answer:\n\n"
              f"{fenced([row])}",
        "zh": f"由 $\\theta_i = 10000^{{-2i/{d}}}$ 得到下表中的角度；每一对像二维点一样旋转："
              f"\n\n{header['zh']}" + "\n".join(rows)
              + f"\n\n把各元素放回原位即得答案：\n\n{fenced([row])}",
    }
    return prompt, solution
