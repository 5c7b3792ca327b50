"""Attention families: scaled dot-product attention values, MultiheadAttention and
Transformer-layer parameter counts."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from trainer.exercises.base import ExpectedAnswer, Instance
from trainer.exercises.solver import (
    SolverError,
    attention_weights,
    layernorm_params,
    linear_params,
    multihead_attention_params,
    scaled_dot_product_attention,
    transformer_decoder_layer_params,
    transformer_encoder_layer_params,
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


def _matrix(params: dict[str, Any], key: str) -> np.ndarray:
    value = np.asarray(need(params, key), dtype=np.float64)
    if value.ndim != 2 or value.size == 0 or not np.all(np.isfinite(value)):
        raise SolverError(f"{key} must be a non-empty matrix of finite numbers")
    if max(value.shape) > 6:
        raise SolverError(f"{key} is at most 6 × 6 in this exercise")
    return value


def _cell(value: float) -> str:
    if value == -np.inf:
        return "-inf"
    return num(value) if float(value).is_integer() else approx(value, 4)


def _block(label: str, rows: Any, fmt: Any = num) -> str:
    return f"{label}\n\n{fenced(grid(rows, fmt))}"


# ------------------------------------------------------------------ attention values

class AttentionWork(NamedTuple):
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    mask: np.ndarray | None  # boolean, True = attend; None without a mask
    causal: bool
    raw: np.ndarray  # Q Kᵀ
    scores: np.ndarray  # Q Kᵀ / √d_k, masked entries -inf
    weights: np.ndarray
    out: np.ndarray


class AttentionValues(ExerciseFamily):
    name = "attention-values"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        length, source, d_k = {1: (2, 2, 2), 2: (3, 3, 2)}.get(
            level, (randint(rng, 2, 3), randint(rng, 3, 4), pick(rng, [2, 4])))
        params: dict[str, Any] = {
            "q": rng.integers(-2, 3, size=(length, d_k)).tolist(),
            "k": rng.integers(-2, 3, size=(source, d_k)).tolist(),
            "v": rng.integers(0, 6, size=(source, 2)).tolist(),
            "mask": {1: "none", 2: "causal"}.get(level, "bool"),
        }
        if level == 3:
            params["attn_mask"] = (rng.random((length, source)) < 0.6).tolist()
        return params

    def solve(self, params: dict[str, Any]) -> AttentionWork:
        q, k, v = _matrix(params, "q"), _matrix(params, "k"), _matrix(params, "v")
        kind = one_of(params, "mask", ["none", "causal", "bool"])
        mask = None
        if kind == "bool":
            mask = np.asarray(need(params, "attn_mask"))
            if mask.dtype != bool:
                raise SolverError("attn_mask must hold true/false values (true = attend)")
        elif kind == "causal":
            mask = np.tril(np.ones((q.shape[0], k.shape[0]), dtype=bool))
        causal = kind == "causal"
        bool_mask = mask if kind == "bool" else None
        out = scaled_dot_product_attention(q, k, v, bool_mask, causal)
        weights = attention_weights(q, k, bool_mask, causal)
        scores = q @ k.T / np.sqrt(q.shape[1])
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        return AttentionWork(q, k, v, mask, causal, q @ k.T, scores, weights, out)

    def accept(self, params: dict[str, Any], level: int, solved: Any) -> bool:
        work: AttentionWork = solved
        if work.mask is not None and not work.causal:
            # every query sees two keys or more, and the mask hides at least one key
            if not (work.mask.sum(axis=1) >= 2).all() or work.mask.all():
                return False
        # scores within ±3: softmax rows do not saturate to one-hot
        return bool(np.abs(work.scores[np.isfinite(work.scores)]).max() <= 3)

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        work: AttentionWork = self.solved(params)
        decimals = exact_decimals(work.out)
        note = rounding(decimals)
        prompt = _attention_prompt(work, note)
        solution = _attention_solution(work, decimals)
        expected = ExpectedAnswer(kind="matrix", value=matrix_value(work.out), decimals=decimals,
                                  rows=work.out.shape[0], cols=work.out.shape[1])
        return self.instance(params, level, seed, expected, prompt, solution, note)


def _attention_prompt(work: AttentionWork, note: Text) -> Text:
    length, d_k = work.q.shape
    d_v = work.v.shape[1]
    call, rule = "F.scaled_dot_product_attention(Q, K, V)", {"en": "", "zh": ""}
    if work.causal:
        call = "F.scaled_dot_product_attention(Q, K, V, is_causal=True)"
        rule = {"en": " With `is_causal=True`, query $i$ attends only to keys $j \\le i$.",
                "zh": "`is_causal=True` 时，第 $i$ 个查询只关注 $j \\le i$ 的键。"}
    mask_block = {"en": "", "zh": ""}
    if work.mask is not None and not work.causal:
        call = "F.scaled_dot_product_attention(Q, K, V, attn_mask=M)"
        rule = {"en": " $M$ is a boolean mask (shown as 1 = `True`, 0 = `False`): `True` means "
                      "the key takes part in attention, `False` masks it out (PyTorch's "
                      "convention for a boolean `attn_mask`, the opposite of "
                      "`nn.MultiheadAttention`'s `key_padding_mask`).",
                "zh": "$M$ 是布尔掩码（1 表示 `True`，0 表示 `False`）：`True` 表示该键参与注意力，"
                      "`False` 表示屏蔽（这是 PyTorch 布尔 `attn_mask` 的约定，与 "
                      "`nn.MultiheadAttention` 的 `key_padding_mask` 相反）。"}
        rows = work.mask.astype(int)
        mask_block = {"en": "\n\n" + _block("$M$:", rows), "zh": "\n\n" + _block("$M$：", rows)}
    setup = {
        "en": f"Compute `{call}` for the matrices below (one row per token; no batch or head "
              f"dimensions; dropout 0; the default scale $1/\\sqrt{{d_k}}$ with $d_k = {d_k}$)."
              + rule["en"],
        "zh": f"对下面的矩阵计算 `{call}`（每行一个 token；没有 batch 和 head 维度；"
              f"dropout 为 0；使用默认缩放 $1/\\sqrt{{d_k}}$，$d_k = {d_k}$）。" + rule["zh"],
    }
    colon = {"en": ":", "zh": "："}
    blocks = {lang: "\n\n".join(_block(f"${name}${colon[lang]}", m) for name, m in
                                (("Q", work.q), ("K", work.k), ("V", work.v)))
              for lang in LANGS}
    question = {"en": f"What is the output (a ${length} \\times {d_v}$ matrix)? {note['en']}",
                "zh": f"输出（${length} \\times {d_v}$ 矩阵）是什么？{note['zh']}"}
    return {lang: f"{setup[lang]}\n\n{blocks[lang]}{mask_block[lang]}\n\n{question[lang]}\n\n"
                  f"{MATRIX_HINT[lang]}" for lang in LANGS}


def _attention_solution(work: AttentionWork, decimals: int | None) -> Text:
    d_k = work.q.shape[1]
    root = f"\\sqrt{{{d_k}}} = {num(np.sqrt(d_k))}" if d_k in (1, 4) else \
        f"\\sqrt{{{d_k}}} \\approx {approx(np.sqrt(d_k), 4)}"
    fmt_out = (lambda v: approx(v, decimals)) if decimals is not None else num
    steps = {
        "en": [_block("1. Dot products $QK^\\top$ (row $i$: query $i$, column $j$: key $j$):",
                      work.raw),
               _block(f"2. Scale by $1/\\sqrt{{d_k}}$, ${root}$"
                      + (", and set the masked entries to $-\\infty$:" if work.mask is not None
                         else ":"), work.scores, _cell),
               _block("3. Softmax along each row (each row of weights sums to 1"
                      + ("; $e^{-\\infty} = 0$):" if work.mask is not None else "):"),
                      work.weights, _cell),
               _block("4. Output $= AV$: each output row is the weighted average of the rows "
                      "of $V$:", work.out, fmt_out)],
        "zh": [_block("1. 点积 $QK^\\top$（第 $i$ 行对应查询 $i$，第 $j$ 列对应键 $j$）：",
                      work.raw),
               _block(f"2. 乘以 $1/\\sqrt{{d_k}}$，${root}$"
                      + ("，并把被屏蔽的位置设为 $-\\infty$：" if work.mask is not None
                         else "："), work.scores, _cell),
               _block("3. 按行做 softmax（每行权重之和为 1"
                      + ("；$e^{-\\infty} = 0$）：" if work.mask is not None else "）："),
                      work.weights, _cell),
               _block("4. 输出 $= AV$：每个输出行是 $V$ 各行的加权平均：", work.out, fmt_out)],
    }
    intro = {"en": "$\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(QK^\\top / \\sqrt{d_k})"
                   "\\,V$, the softmax taken along each row.",
             "zh": "$\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(QK^\\top / \\sqrt{d_k})"
                   "\\,V$，softmax 按行计算。"}
    if work.mask is not None:
        intro = {"en": "$\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(QK^\\top / "
                       "\\sqrt{d_k} + M)\\,V$, where the mask adds $0$ where a key is allowed "
                       "and $-\\infty$ where it is not.",
                 "zh": "$\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(QK^\\top / "
                       "\\sqrt{d_k} + M)\\,V$，掩码在允许的位置加 $0$，在屏蔽的位置加 "
                       "$-\\infty$。"}
    end = {"en": "That matrix is the answer.", "zh": "答案就是这个矩阵。"}
    return {lang: "\n\n".join([intro[lang], *steps[lang], end[lang]]) for lang in LANGS}


# ------------------------------------------------------------------ MultiheadAttention

def _flag(params: dict[str, Any], key: str, default: bool) -> bool:
    value = params.get(key, default)
    if not isinstance(value, bool):
        raise SolverError(f"{key} must be true or false, got {value!r}")
    return value


class MhaParams(ExerciseFamily):
    name = "mha-params"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        heads = pick(rng, [2, 4, 8, 12, 16])
        e = heads * pick(rng, [16, 32, 48, 64, 64, 80, 128])
        params: dict[str, Any] = {"embed_dim": e, "num_heads": heads}
        if level >= 2:
            params["bias"] = bool(rng.random() < 0.5)
            params["add_bias_kv"] = not params["bias"] if level == 2 else bool(rng.random() < 0.5)
        if level == 3:
            params["kdim"] = pick(rng, [256, 384, 512, 768, 1024])
            params["vdim"] = params["kdim"] if rng.random() < 0.6 else pick(rng, [256, 512, 768])
        return params

    def solve(self, params: dict[str, Any]) -> int:
        return multihead_attention_params(
            need(params, "embed_dim"), need(params, "num_heads"), _flag(params, "bias", True),
            _flag(params, "add_bias_kv", False), params.get("kdim"), params.get("vdim"))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        total = self.solved(params)
        e, h = int(params["embed_dim"]), int(params["num_heads"])
        bias, bias_kv = _flag(params, "bias", True), _flag(params, "add_bias_kv", False)
        kdim, vdim = params.get("kdim"), params.get("vdim")
        args = [str(e), str(h)] + [f"{key}={value}" for key, value, default in (
            ("bias", bias, True), ("add_bias_kv", bias_kv, False), ("kdim", kdim, None),
            ("vdim", vdim, None)) if value != default]
        code = f"```python\nnn.MultiheadAttention({', '.join(args)})\n```"
        prompt = {
            "en": f"How many learnable parameters does this module have?\n\n{code}\n\n"
                  "Count every element of `module.parameters()` (projection weights, biases, "
                  "and `bias_k`/`bias_v` when present). Arguments not shown keep PyTorch's "
                  "defaults: `bias=True`, `add_bias_kv=False`, `kdim = vdim = embed_dim`.",
            "zh": f"下面这个模块有多少个可学习参数？\n\n{code}\n\n"
                  "统计 `module.parameters()` 中的全部元素（投影权重、偏置，"
                  "以及存在时的 `bias_k`/`bias_v`）。未写出的参数取 PyTorch 默认值："
                  "`bias=True`、`add_bias_kv=False`、`kdim = vdim = embed_dim`。",
        }
        k_in = e if kdim is None else int(kdim)
        v_in = e if vdim is None else int(vdim)
        rows: list[tuple[str, str, int]] = []
        if k_in == e and v_in == e:
            rows.append(("in_proj_weight", f"({3 * e}, {e})", 3 * e * e))
        else:
            rows += [("q_proj_weight", f"({e}, {e})", e * e),
                     ("k_proj_weight", f"({e}, {k_in})", e * k_in),
                     ("v_proj_weight", f"({e}, {v_in})", e * v_in)]
        if bias:
            rows.append(("in_proj_bias", f"({3 * e},)", 3 * e))
        rows.append(("out_proj.weight", f"({e}, {e})", e * e))
        if bias:
            rows.append(("out_proj.bias", f"({e},)", e))
        if bias_kv:
            rows += [("bias_k", f"(1, 1, {e})", e), ("bias_v", f"(1, 1, {e})", e)]
        assert sum(n for _, _, n in rows) == total
        table = "\n".join(f"| `{name}` | `{shape}` | {n:,} |" for name, shape, n in rows)
        sum_line = " + ".join(f"{n:,}" for _, _, n in rows) + f" = {total:,}"
        same = k_in == e and v_in == e
        notes = {
            "en": ("Q, K and V are projected by one stacked `in_proj_weight` because "
                   "`kdim = vdim = embed_dim`." if same else
                   "With `kdim`/`vdim` different from `embed_dim`, the projections are three "
                   "separate matrices, each mapping its input width to `embed_dim`.")
                  + f" The {h} heads split the {e} dimensions ({e // h} each): the head count "
                  "changes no parameter count.",
            "zh": ("由于 `kdim = vdim = embed_dim`，Q、K、V 的投影合并成一个 `in_proj_weight`。"
                   if same else
                   "`kdim`/`vdim` 与 `embed_dim` 不同时，投影是三个独立矩阵，"
                   "各自把输入宽度映射到 `embed_dim`。")
                  + f"{h} 个头只是把 {e} 维切成每头 {e // h} 维：头数不改变参数量。",
        }
        header = {"en": "| tensor | shape | elements |\n|---|---|---|",
                  "zh": "| 张量 | 形状 | 元素数 |\n|---|---|---|"}
        solution = {
            "en": f"{notes['en']}\n\n{header['en']}\n{table}\n\nTotal: {sum_line}.\n\n"
                  f"Answer: **{total:,}**.",
            "zh": f"{notes['zh']}\n\n{header['zh']}\n{table}\n\n合计：{sum_line}。\n\n"
                  f"答案：**{total:,}**。",
        }
        return self.instance(params, level, seed, ExpectedAnswer(kind="integer", value=total),
                             prompt, solution)


# ------------------------------------------------------------------ Transformer layers

class TransformerLayerParams(ExerciseFamily):
    name = "transformer-layer-params"

    def draw(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        d = pick(rng, [128, 256, 384, 512, 640, 768, 1024])
        params: dict[str, Any] = {"layer": "decoder" if level == 3 else "encoder",
                                  "d_model": d, "nhead": pick(rng, [2, 4, 8, 16])}
        if level >= 2:
            params["dim_feedforward"] = pick(rng, [4 * d, 4 * d, 2 * d, 1024, 2048, 3072])
            params["bias"] = bool(rng.random() < 0.5)
        return params

    def solve(self, params: dict[str, Any]) -> int:
        layer = one_of(params, "layer", ["encoder", "decoder"])
        fn = (transformer_encoder_layer_params if layer == "encoder"
              else transformer_decoder_layer_params)
        return fn(need(params, "d_model"), need(params, "nhead"),
                  params.get("dim_feedforward", 2048), _flag(params, "bias", True))

    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        total = self.solved(params)
        d, h = int(params["d_model"]), int(params["nhead"])
        ff, bias = int(params.get("dim_feedforward", 2048)), _flag(params, "bias", True)
        decoder = params["layer"] == "decoder"
        cls = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"
        args = [str(d), str(h)] + ([f"dim_feedforward={ff}"] if "dim_feedforward" in params
                                   else []) + ([] if bias else ["bias=False"])
        code = f"```python\nnn.{cls}({', '.join(args)})\n```"
        default = {"en": "", "zh": ""}
        if "dim_feedforward" not in params:
            default = {"en": " (`dim_feedforward` keeps its default, 2048)",
                       "zh": "（`dim_feedforward` 取默认值 2048）"}
        bias_rule = {
            "en": "`bias=False` removes the biases of every Linear layer and of the attention, "
                  "and the LayerNorms keep only their weight." if not bias else
                  "`bias=True` (the default): every Linear layer, the attention projections and "
                  "the LayerNorms have biases.",
            "zh": "`bias=False` 去掉所有 Linear 层与注意力中的偏置，LayerNorm 只保留权重。"
                  if not bias else
                  "`bias=True`（默认）：所有 Linear 层、注意力投影和 LayerNorm 都带偏置。",
        }
        prompt = {
            "en": f"How many learnable parameters does this layer have{default['en']}?\n\n"
                  f"{code}\n\nCount every element of `layer.parameters()`. {bias_rule['en']}",
            "zh": f"下面这一层有多少个可学习参数{default['zh']}？\n\n{code}\n\n"
                  f"统计 `layer.parameters()` 的全部元素。{bias_rule['zh']}",
        }
        attn = multihead_attention_params(d, h, bias)
        ffn = linear_params(d, ff, bias) + linear_params(ff, d, bias)
        norm = layernorm_params(d, bias=bias)
        b = 1 if bias else 0
        n_attn, n_norm = (2, 3) if decoder else (1, 2)
        names = [f"`norm{i}`" for i in range(1, n_norm + 1)]
        attn_tex = f"4 \\cdot {d}^2" + (f" + 4 \\cdot {d}" if bias else "") + f" = {attn}"
        ffn_tex = f"2 \\cdot {d} \\cdot {ff}" + (f" + {ff} + {d}" if bias else "") + f" = {ffn}"
        norm_tex = f"{1 + b} \\cdot {d} = {norm}"
        which = {"en": ("self-attention and cross-attention (`self_attn`, `multihead_attn`), "
                        "each" if decoder else "self-attention (`self_attn`)"),
                 "zh": ("自注意力与交叉注意力（`self_attn`、`multihead_attn`），各" if decoder
                        else "自注意力（`self_attn`）")}
        parts = {
            "en": [f"- {which['en']}: Q, K, V and output projections, ${attn_tex}$",
                   f"- feed-forward `linear1` ({d} → {ff}) and `linear2` ({ff} → {d}): "
                   f"${ffn_tex}$",
                   f"- {n_norm} LayerNorms ({', '.join(names)}), each ${norm_tex}$"],
            "zh": [f"- {which['zh']}：Q、K、V 与输出投影，${attn_tex}$",
                   f"- 前馈网络 `linear1`（{d} → {ff}）和 `linear2`（{ff} → {d}）：${ffn_tex}$",
                   f"- {n_norm} 个 LayerNorm（{'、'.join(names)}），每个 ${norm_tex}$"],
        }
        first = f"{n_attn} \\cdot {attn}" if n_attn > 1 else f"{attn}"
        sum_line = f"{first} + {ffn} + {n_norm} \\cdot {norm} = {total}"
        solution = {
            "en": "\n".join(parts["en"]) + f"\n\nTotal: ${sum_line}$.\n\nAnswer: **{total:,}**.",
            "zh": "\n".join(parts["zh"]) + f"\n\n合计：${sum_line}$。\n\n答案：**{total:,}**。",
        }
        return self.instance(params, level, seed, ExpectedAnswer(kind="integer", value=total),
                             prompt, solution)
