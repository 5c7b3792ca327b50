"""Whole Transformers: parameters per component, KV cache, forward FLOPs, training memory.

A :class:`TransformerSpec` describes a decoder (GPT-2, Llama), an encoder (BERT) or a vision
Transformer (ViT) by its sizes; :func:`analyze_transformer` counts, in pure Python:

* parameters per component, equal to ``sum(p.numel())`` over the matching submodules of
  Hugging Face ``transformers`` (GPT2, Llama, BERT, ViT) and ``torchvision.models.vit_b_16``
  (the oracle tests build those models); a tied LM head adds nothing, as in
  ``model.parameters()``, which yields a shared tensor once;
* the KV cache of a decoder: ``2 · layers · kv_heads · head_dim`` values per token and
  sequence (one key and one value vector per KV head and layer);
* forward FLOPs per token at a context ``n_ctx``, ``2N + 2·2·n_layer·n_ctx·d_attn`` with ``N``
  the non-embedding parameters and ``d_attn = heads · head_dim`` (Q·Kᵀ and A·V, each
  ``n_ctx · d_attn`` multiply-adds per token and layer); Kaplan et al. 2020's
  ``C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn`` (Table 1: its "Attention: Mask" row, Q·Kᵀ only)
  beside it; and the matmul FLOPs exactly as ``torch.utils.flop_counter.FlopCounterMode``
  counts them (2 per multiply-add of every mm/addmm/bmm/conv; no bias, norm, softmax,
  activation or embedding lookup);
* training memory for weights + gradients + AdamW's two moments: fp32 4+4+4+4 = 16 bytes per
  parameter; bf16 mixed precision as in ZeRO (Rajbhandari et al. 2020, §3.1): bf16 weights 2 +
  bf16 gradients 2 + fp32 master weights 4 + fp32 moments 4 + 4 = 16 bytes per parameter.
  Activations are not included.

Parameter counts come from :mod:`trainer.exercises.solver.params` (``linear_params``,
``layernorm_params``, ``conv2d_params``).  No torch at run time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from trainer.core.model import Model

from ..solver import conv2d_params, layernorm_params, linear_params
from .errors import NetworkError

__all__ = [
    "BUILTIN_TRANSFORMERS",
    "DTYPE_BYTES",
    "GROUPS",
    "Biases",
    "ComponentRow",
    "Flops",
    "KVCache",
    "SpecIssue",
    "TrainingMemory",
    "TransformerAnalysis",
    "TransformerSpec",
    "analyze_transformer",
    "bert_base",
    "builtin_transformer",
    "gpt2",
    "is_builtin_transformer",
    "llama2_7b",
    "transformer_components",
    "vit_b16",
]

Dtype = Literal["fp32", "fp16", "bf16"]
DTYPE_BYTES: dict[str, int] = {"fp32": 4, "fp16": 2, "bf16": 2}
"""Bytes per value of each ``--dtype``."""

Group = Literal["embeddings", "attention", "ffn", "norms", "head"]
GROUPS: tuple[Group, ...] = ("embeddings", "attention", "ffn", "norms", "head")


class SpecIssue(NetworkError):
    """A value that breaks a rule of :class:`TransformerSpec`; ``key`` names the spec key, so a
    spec file can point at its line and column."""

    def __init__(self, key: str, message: str, *, location: str | None = None) -> None:
        self.key = key
        super().__init__(message, location=location)


def _biases(value: object) -> object:
    """``bias: true`` / ``false`` sets every linear group; a mapping sets groups one by one."""
    if isinstance(value, bool):
        return {"qkv": value, "out": value, "ffn": value}
    return value


class Biases(Model):
    """Which linear groups have a bias (torch.nn.Linear ``bias=``)."""

    model_config = ConfigDict(extra="forbid")

    qkv: StrictBool = True
    """The query, key and value projections (Llama's ``attention_bias``; Qwen2: on)."""
    out: StrictBool = True
    """The attention output projection (Llama's ``attention_bias``; Qwen2: off)."""
    ffn: StrictBool = True
    """Every FFN linear: up and down, and gate for SwiGLU (Llama's ``mlp_bias``)."""
    head: StrictBool | None = None
    """The output head; unset: off for an LM head (GPT-2, Llama), on for a classifier (ViT)."""


class TransformerSpec(Model):
    """A Transformer by its sizes (the spec file's keys; ``docs/network-spec.md``)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["transformer"] = "transformer"
    name: str = "transformer"
    layers: StrictInt
    """Transformer blocks (``n_layer``)."""
    d_model: StrictInt
    heads: StrictInt
    """Query heads."""
    kv_heads: StrictInt | None = None
    """Key/value heads (grouped-query attention); unset: ``heads``."""
    head_dim: StrictInt | None = None
    """Unset: ``d_model / heads`` (then ``heads`` must divide ``d_model``)."""
    ffn: Literal["gelu", "swiglu"] = "gelu"
    """``gelu``: two linears d→w→d (GPT-2, BERT, ViT); ``swiglu``: gate and up d→w, down w→d."""
    ffn_width: StrictInt | None = None
    """The FFN's hidden width; unset: ``4 · d_model``."""
    vocab: StrictInt | None = None
    """Token vocabulary; unset: no token embedding (a ViT)."""
    positions: Literal["learned", "rope", "sinusoidal", "none"] = "learned"
    """``learned``: a table of ``max_positions × d_model``; the others have no parameters."""
    max_positions: StrictInt | None = None
    """Positions of the learned table, else the trained context (the default ``--context``)."""
    token_types: StrictInt = 0
    """BERT's segment (token type) embeddings: 2; 0 for none."""
    tied_embeddings: StrictBool = True
    """The LM head reuses the token embedding (GPT-2: yes, Llama-2: no)."""
    bias: Annotated[Biases, BeforeValidator(_biases)] = Field(default_factory=Biases)
    norm: Literal["layernorm", "rmsnorm"] = "layernorm"
    """LayerNorm with weight and bias (2·d), or RMSNorm with a weight (d)."""
    final_norm: StrictBool = True
    """A norm after the last block (pre-norm models); BERT (post-norm) has none."""
    embedding_norm: StrictBool = False
    """A norm right after the embeddings (BERT)."""
    pooler: StrictBool = False
    """BERT's pooler: a d×d linear with bias on the first token."""
    head: Literal["lm", "classifier", "none"] | None = None
    """``lm``: vocabulary logits; ``classifier``: ``classes`` logits; unset: ``lm`` when there
    is a vocabulary, ``classifier`` when ``classes`` is given, else ``none``."""
    classes: StrictInt | None = None
    image_size: StrictInt | None = None
    """ViT: the square input image's side; setting it (and ``patch_size``) makes a ViT."""
    patch_size: StrictInt | None = None
    channels: StrictInt = 3
    class_token: StrictBool = True
    """ViT: a learned class token prepended to the patches (counted in ``max_positions``)."""
    causal: StrictBool | None = None
    """A decoder with a KV cache; unset: true exactly for an LM head."""

    # -- resolved values ----------------------------------------------------------------

    @property
    def vision(self) -> bool:
        return self.patch_size is not None or self.image_size is not None

    @property
    def n_kv_heads(self) -> int:
        return self.heads if self.kv_heads is None else self.kv_heads

    @property
    def d_head(self) -> int:
        return self.d_model // self.heads if self.head_dim is None else self.head_dim

    @property
    def d_attn(self) -> int:
        """Width of the attention output, ``heads · head_dim`` (Kaplan's ``d_attn``)."""
        return self.heads * self.d_head

    @property
    def d_ff(self) -> int:
        return 4 * self.d_model if self.ffn_width is None else self.ffn_width

    @property
    def head_kind(self) -> str:
        if self.head is not None:
            return self.head
        if self.vocab is not None:
            return "lm"
        return "classifier" if self.classes is not None else "none"

    @property
    def is_decoder(self) -> bool:
        return self.head_kind == "lm" if self.causal is None else self.causal

    @property
    def patches(self) -> int:
        """ViT: number of patches, ``(image_size / patch_size)²``; 0 otherwise."""
        if self.image_size is None or self.patch_size is None:
            return 0
        return (self.image_size // self.patch_size) ** 2

    @property
    def n_positions(self) -> int | None:
        """Positions a sequence may have: the learned table's rows, or ``max_positions``.
        A ViT's table has one row per patch (plus the class token)."""
        if self.vision and self.max_positions is None:
            return self.patches + (1 if self.class_token else 0)
        return self.max_positions

    # -- validation -----------------------------------------------------------------------

    def check(self) -> TransformerSpec:
        """Raise :class:`SpecIssue` (naming the key) unless the sizes make a real model."""
        positive = ["layers", "d_model", "heads", "kv_heads", "head_dim", "ffn_width", "vocab",
                    "max_positions", "classes", "image_size", "patch_size", "channels"]
        for key in positive:
            value = getattr(self, key)
            if value is not None and value < 1:
                raise SpecIssue(key, f"{key} must be a positive integer, got {value}")
        if self.token_types < 0:
            raise SpecIssue("token_types", f"token_types must be 0 or more, got "
                                           f"{self.token_types}")
        if self.head_dim is None and self.d_model % self.heads:
            raise SpecIssue("heads", f"heads={self.heads} does not divide d_model="
                                     f"{self.d_model} (or give head_dim)")
        if self.heads % self.n_kv_heads:
            raise SpecIssue("kv_heads", f"kv_heads={self.n_kv_heads} does not divide "
                                        f"heads={self.heads}")
        if self.positions == "rope" and self.d_head % 2:
            raise SpecIssue("head_dim" if self.head_dim is not None else "heads",
                            f"RoPE rotates pairs of dimensions: head_dim={self.d_head} must be "
                            f"even")
        self._check_head()
        if self.vision:
            self._check_vision()
        elif self.positions == "learned" and self.max_positions is None:
            raise SpecIssue("positions", "learned positions need max_positions (the size of "
                                         "the table)")
        return self

    def _check_head(self) -> None:
        kind = self.head_kind
        if kind == "lm" and self.vocab is None:
            raise SpecIssue("head", "an LM head needs vocab")
        if kind == "classifier" and self.classes is None:
            raise SpecIssue("head", "a classifier head needs classes")
        if self.classes is not None and kind != "classifier":
            raise SpecIssue("classes", f"classes is for a classifier head, not head={kind!r}")

    def _check_vision(self) -> None:
        if self.image_size is None or self.patch_size is None:
            key = "image_size" if self.image_size is None else "patch_size"
            raise SpecIssue(key, "a ViT needs both image_size and patch_size")
        if self.image_size % self.patch_size:
            raise SpecIssue("patch_size", f"patch_size={self.patch_size} does not divide "
                                          f"image_size={self.image_size}")
        if self.vocab is not None:
            raise SpecIssue("vocab", "a ViT (image_size, patch_size) has no token vocabulary")
        if self.positions != "learned":
            raise SpecIssue("positions", "a ViT here has learned positions (torchvision and "
                                         "Hugging Face ViT)")
        if self.max_positions is not None and self.max_positions != self.n_positions_vision:
            raise SpecIssue("max_positions", f"a ViT's position table has one row per patch "
                                             f"(+ class token): {self.n_positions_vision}, "
                                             f"not {self.max_positions}")

    @property
    def n_positions_vision(self) -> int:
        return self.patches + (1 if self.class_token else 0)

    def describe(self) -> str:
        """One line: ``12 layers, d_model 768, 12 heads (…), FFN gelu 3072, …``."""
        kv = (f"{self.n_kv_heads} KV heads" if self.n_kv_heads != self.heads
              else "multi-head")
        parts = [f"{self.layers} layers", f"d_model {self.d_model}",
                 f"{self.heads} heads ({kv}, head dim {self.d_head})",
                 f"FFN {self.ffn} {self.d_ff}"]
        if self.vision:
            parts.append(f"image {self.image_size}, patch {self.patch_size} "
                         f"({self.patches} patches)")
        if self.vocab is not None:
            parts.append(f"vocab {self.vocab:,}")
        pos = self.positions
        if self.n_positions is not None:
            pos += f" {self.n_positions}"
        parts.append(f"positions {pos}")
        parts.append("RMSNorm" if self.norm == "rmsnorm" else "LayerNorm")
        if self.head_kind == "lm":
            parts.append("tied LM head" if self.tied_embeddings else "untied LM head")
        parts.append("decoder" if self.is_decoder else "encoder")
        return ", ".join(parts)


# -- parameters ------------------------------------------------------------------------------


class ComponentRow(Model):
    """One component's parameters: ``each`` per instance, ``count`` instances (layers)."""

    component: str
    group: Group
    each: int
    count: int
    params: int
    note: str = ""


def _norm(spec: TransformerSpec) -> int:
    if spec.norm == "rmsnorm":  # torch.nn.RMSNorm / LlamaRMSNorm: a weight only
        return layernorm_params(spec.d_model, bias=False)
    return layernorm_params(spec.d_model)


def _attention(spec: TransformerSpec) -> int:
    d, q, kv = spec.d_model, spec.d_attn, spec.n_kv_heads * spec.d_head
    qkv = (linear_params(d, q, spec.bias.qkv) + 2 * linear_params(d, kv, spec.bias.qkv))
    return qkv + linear_params(q, d, spec.bias.out)


def _ffn(spec: TransformerSpec) -> int:
    d, w, b = spec.d_model, spec.d_ff, spec.bias.ffn
    inputs = 2 if spec.ffn == "swiglu" else 1  # SwiGLU: gate and up projections
    return inputs * linear_params(d, w, b) + linear_params(w, d, b)


def _matmul_weights(spec: TransformerSpec) -> int:
    """Weight-matrix elements of one block (biases and norms left out)."""
    d, q, kv, w = spec.d_model, spec.d_attn, spec.n_kv_heads * spec.d_head, spec.d_ff
    ffn_mats = 3 if spec.ffn == "swiglu" else 2
    return d * q + 2 * d * kv + q * d + ffn_mats * d * w


def transformer_components(spec: TransformerSpec) -> list[ComponentRow]:
    """Parameter rows, in model order; components with no parameters are left out, except
    the LM head (a tied one shows 0 with a note)."""
    spec.check()
    d, n = spec.d_model, spec.layers
    rows: list[ComponentRow] = []

    def add(component: str, group: Group, each: int, count: int = 1, note: str = "") -> None:
        rows.append(ComponentRow(component=component, group=group, each=each, count=count,
                                 params=each * count, note=note))

    if spec.vision:
        assert spec.patch_size is not None
        add("patch_embedding", "embeddings",
            conv2d_params(spec.channels, d, spec.patch_size, bias=True),
            note=f"conv {spec.channels}→{d}, kernel = stride = {spec.patch_size}")
        if spec.class_token:
            add("class_token", "embeddings", d)
    if spec.vocab is not None:
        add("token_embedding", "embeddings", spec.vocab * d)
    if spec.positions == "learned":
        rows_ = spec.n_positions
        assert rows_ is not None
        add("position_embedding", "embeddings", rows_ * d, note=f"{rows_} positions")
    if spec.token_types:
        add("token_type_embedding", "embeddings", spec.token_types * d)
    if spec.embedding_norm:
        add("embedding_norm", "norms", _norm(spec))
    add("attention", "attention", _attention(spec), n)
    add("attention_norm", "norms", _norm(spec), n)
    add("ffn", "ffn", _ffn(spec), n)
    add("ffn_norm", "norms", _norm(spec), n)
    if spec.final_norm:
        add("final_norm", "norms", _norm(spec))
    if spec.pooler:
        add("pooler", "head", linear_params(d, d, True))
    kind = spec.head_kind
    if kind == "lm":
        assert spec.vocab is not None
        bias = bool(spec.bias.head)
        if spec.tied_embeddings:
            # the weight is the token embedding's tensor: parameters() yields it once
            add("head", "head", spec.vocab if bias else 0, note="tied to token_embedding")
        else:
            add("head", "head", linear_params(d, spec.vocab, bias))
    elif kind == "classifier":
        assert spec.classes is not None
        add("head", "head", linear_params(d, spec.classes, spec.bias.head is not False))
    return rows


# -- the analysis ----------------------------------------------------------------------------


class KVCache(Model):
    """Keys and values kept for every past token: ``2 · layers · kv_heads · head_dim`` values
    per token and sequence."""

    values_per_token: int
    bytes_per_token: int
    bytes: int
    """At ``context`` tokens and ``batch`` sequences."""


class Flops(Model):
    """Forward FLOPs (see the module docstring for the three conventions)."""

    per_token: int
    """``2N + 4·n_layer·n_ctx·d_attn``."""
    per_token_kaplan: int
    """Kaplan et al. 2020: ``2N + 2·n_layer·n_ctx·d_attn``."""
    matmul_per_token: int
    """``2·N_matmul + 4·n_layer·n_ctx·d_attn (+ 2·d_model·vocab for an LM head)``: what
    FlopCounterMode counts per token."""
    matmul_per_sequence: int
    """``n_ctx · matmul_per_token`` plus what runs once per sequence: a ViT's patch
    convolution and classifier, BERT's pooler (FlopCounterMode's total for one sequence)."""


class TrainingMemory(Model):
    """Bytes of weights + gradients + AdamW moments (no activations)."""

    precision: Literal["fp32", "bf16_mixed"]
    bytes_per_param: int
    parts: dict[str, int]
    """Bytes per parameter of each part (weights, gradients, master, exp_avg, exp_avg_sq)."""
    bytes: int


TRAINING_PARTS: dict[str, dict[str, int]] = {
    "fp32": {"weights": 4, "gradients": 4, "exp_avg": 4, "exp_avg_sq": 4},
    # ZeRO (Rajbhandari et al. 2020, §3.1), bf16 in place of fp16
    "bf16_mixed": {"weights": 2, "gradients": 2, "master": 4, "exp_avg": 4, "exp_avg_sq": 4},
}


class TransformerAnalysis(Model):
    """What :func:`analyze_transformer` returns (``to_json`` for ``trainer solve --json``)."""

    network: str
    kind: Literal["transformer"] = "transformer"
    spec: TransformerSpec
    components: list[ComponentRow]
    groups: dict[str, int]
    total_params: int
    non_embedding_params: int
    """``N``: the blocks and the final norm (Kaplan: embeddings excluded; the head, pooler and
    classifier are left out too)."""
    matmul_params: int
    """Weight-matrix elements of the blocks: ``N`` without biases and norms."""
    d_attn: int
    context: int
    batch: int
    dtype: Dtype
    kv_cache: KVCache | None
    """``None`` for an encoder (no cache)."""
    flops: Flops
    training_memory: list[TrainingMemory]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def analyze_transformer(spec: TransformerSpec, *, context: int | None = None, batch: int = 1,
                        dtype: str = "fp16") -> TransformerAnalysis:
    """Parameters, KV cache, FLOPs and training memory of ``spec`` at ``context`` tokens
    (default: its ``max_positions``, a ViT's patches) and ``batch`` sequences.

    Raises :class:`NetworkError` for an invalid spec or context.
    """
    spec.check()
    if dtype not in DTYPE_BYTES:
        raise NetworkError(f"dtype {dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    limit = spec.n_positions
    if context is None:
        if limit is None:
            raise NetworkError(f"{spec.name} has no max_positions: give the context length "
                               f"(--context N)")
        context = limit
    if isinstance(context, bool) or not isinstance(context, int) or context < 1:
        raise NetworkError(f"context must be a positive integer, got {context!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise NetworkError(f"batch must be a positive integer, got {batch!r}")
    if spec.positions == "learned" and limit is not None and context > limit:
        raise NetworkError(f"context {context} exceeds the {limit} learned positions of "
                           f"{spec.name}")
    rows = transformer_components(spec)
    groups = {group: sum(r.params for r in rows if r.group == group) for group in GROUPS}
    total = sum(groups.values())
    blocks = {"attention", "attention_norm", "ffn", "ffn_norm", "final_norm"}
    non_embedding = sum(r.params for r in rows if r.component in blocks)
    matmul = spec.layers * _matmul_weights(spec)
    attention = 2 * 2 * spec.layers * context * spec.d_attn
    logits = 2 * spec.d_model * spec.vocab if spec.head_kind == "lm" and spec.vocab else 0
    per_token_mm = 2 * matmul + attention + logits
    once = 0
    if spec.vision:
        assert spec.patch_size is not None
        once += 2 * spec.d_model * spec.channels * spec.patch_size ** 2 * spec.patches
    if spec.pooler:
        once += 2 * spec.d_model * spec.d_model
    if spec.head_kind == "classifier":
        assert spec.classes is not None
        once += 2 * spec.d_model * spec.classes
    flops = Flops(per_token=2 * non_embedding + attention,
                  per_token_kaplan=2 * non_embedding + attention // 2,
                  matmul_per_token=per_token_mm,
                  matmul_per_sequence=context * per_token_mm + once)
    kv = None
    if spec.is_decoder:
        values = 2 * spec.layers * spec.n_kv_heads * spec.d_head
        per_token = values * DTYPE_BYTES[dtype]
        kv = KVCache(values_per_token=values, bytes_per_token=per_token,
                     bytes=per_token * context * batch)
    memory = [TrainingMemory(precision=name, bytes_per_param=sum(parts.values()), parts=parts,
                             bytes=sum(parts.values()) * total)
              for name, parts in TRAINING_PARTS.items()]
    return TransformerAnalysis(
        network=spec.name, spec=spec, components=rows, groups=groups, total_params=total,
        non_embedding_params=non_embedding, matmul_params=matmul, d_attn=spec.d_attn,
        context=context, batch=batch, dtype=dtype,
        kv_cache=kv, flops=flops, training_memory=memory)


# -- built-in Transformers -------------------------------------------------------------------


def gpt2() -> TransformerSpec:
    """GPT-2 small, Hugging Face ``GPT2Config()``: 124,439,808 parameters (tied LM head)."""
    return TransformerSpec(name="gpt2", layers=12, d_model=768, heads=12, ffn="gelu",
                           vocab=50257, positions="learned", max_positions=1024,
                           tied_embeddings=True, bias=True, norm="layernorm").check()


def bert_base() -> TransformerSpec:
    """BERT-base (uncased), Hugging Face ``BertModel(BertConfig())`` with its pooler and no
    head: 109,482,240 parameters."""
    return TransformerSpec(name="bert-base", layers=12, d_model=768, heads=12, ffn="gelu",
                           ffn_width=3072, vocab=30522, positions="learned",
                           max_positions=512, token_types=2, bias=True, norm="layernorm",
                           final_norm=False, embedding_norm=True, pooler=True,
                           head="none").check()


def llama2_7b() -> TransformerSpec:
    """Llama-2-7B, ``LlamaForCausalLM``: RMSNorm, SwiGLU 11008, RoPE, no biases, untied head:
    6,738,415,616 parameters; trained context 4096."""
    return TransformerSpec(name="llama2-7b", layers=32, d_model=4096, heads=32, kv_heads=32,
                           ffn="swiglu", ffn_width=11008, vocab=32000, positions="rope",
                           max_positions=4096, tied_embeddings=False, bias=False,
                           norm="rmsnorm").check()


def vit_b16() -> TransformerSpec:
    """ViT-B/16, ``torchvision.models.vit_b_16()``: 224×224 images in 16×16 patches, class
    token, 1000 classes: 86,567,656 parameters."""
    return TransformerSpec(name="vit-b16", layers=12, d_model=768, heads=12, ffn="gelu",
                           ffn_width=3072, image_size=224, patch_size=16, channels=3,
                           classes=1000, bias=True, norm="layernorm").check()


BUILTIN_TRANSFORMERS: dict[str, Callable[[], TransformerSpec]] = {
    "gpt2": gpt2,
    "bert-base": bert_base,
    "llama2-7b": llama2_7b,
    "vit-b16": vit_b16,
}
"""Built-in Transformers by ``--net`` name."""


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def builtin_transformer(name: str) -> TransformerSpec:
    """The built-in Transformer ``name`` (``gpt2``, ``bert-base``, ``llama2-7b``, ``vit-b16``;
    ``_`` for ``-`` works too).  Raises :class:`NetworkError` for another name."""
    factory = BUILTIN_TRANSFORMERS.get(_key(name))
    if factory is None:
        raise NetworkError(f"unknown Transformer {name!r}; built-in: "
                           f"{', '.join(BUILTIN_TRANSFORMERS)}")
    return factory()


def is_builtin_transformer(name: str) -> bool:
    return _key(name) in BUILTIN_TRANSFORMERS
