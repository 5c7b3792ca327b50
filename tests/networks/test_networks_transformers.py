"""The Transformer analysis against real models (torch 2.13 CPU, Hugging Face transformers).

* Built-in nets: ``gpt2`` (GPT2LMHeadModel and GPT2Model from ``GPT2Config()``), ``bert-base``
  (``BertModel(BertConfig())``), ``llama2-7b`` (``LlamaForCausalLM``, on the meta device: no
  memory, no download) and ``vit-b16`` (Hugging Face's ViT-B/16, torchvision's definition
  written out here with ``torch.nn``, and ``torchvision.models.vit_b_16()`` itself when
  torchvision imports): the total and every component equal ``sum(p.numel())`` over the
  matching submodules, and the components cover every parameter.
* 240 random small specs built as real models (GPT-2, Llama with grouped-query attention,
  explicit head_dim and bias switches, Qwen2 with q/k/v bias but none on o_proj, BERT, ViT),
  compared the same way.
* KV-cache bytes against the cache of a forward pass with ``use_cache=True`` (the sum of
  ``nbytes`` of every layer's keys and values) at fp32, fp16 and bf16.
* Matmul FLOPs against ``torch.utils.flop_counter.FlopCounterMode``, which counts 2 FLOPs
  per multiply-add of ``aten.mm``, ``addmm`` (the bias addition not counted), ``bmm`` and
  convolutions, and nothing for embeddings, norms, softmax, activations or residual adds.
  The models run with ``attn_implementation="eager"``: Q·Kᵀ and A·V are then ``bmm`` calls
  (the CPU SDPA kernel is not one FlopCounterMode counts).  The test checks the total for
  one sequence, the attention part (``bmm``) alone, and that the headline ``2N + 4·L·n·d``
  differs from the matmul count by exactly ``2·(N − N_matmul)`` (biases and norms, which
  FlopCounterMode does not count) and the LM head's logits.
* Training memory against one real AdamW step (fp32; and bf16 weights and gradients with an
  fp32 master copy holding AdamW's state, the ZeRO convention).

Skipped without torch or transformers, except under CI=true, where they FAIL.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

import numpy as np
import pytest

from trainer.exercises.networks.transformer import (
    TransformerSpec,
    analyze_transformer,
    builtin_transformer,
    transformer_components,
)

TORCH_VERSION = "2.13.0"
N_RANDOM = {"gpt2": 60, "llama": 70, "qwen2": 30, "bert": 40, "vit": 40}


def _missing(what: str, exc: Exception) -> None:
    message = f"{what} is not importable ({exc}): pip install -e '.[dev]'"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {what} must be installed for the oracle tests. {message}",
                    pytrace=False)
    pytest.skip(message)


def require_torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the machine
        _missing(f"torch=={TORCH_VERSION}", exc)
    return torch


_TORCHVISION_LIB: list[Any] = []


def import_torchvision(torch: Any) -> Any:
    """torchvision, or None when it is not installed.

    PyPI's torchvision wheel is a CUDA build: beside the CPU build of torch its C++ ops do not
    load, and its import stops at ``register_fake("torchvision::nms")`` ("operator
    torchvision::nms does not exist"), and so does transformers' import, which imports
    torchvision when it is installed.  Only the ops are missing (the models are plain torch),
    so the two schemas it needs are declared here and the import is retried.
    """
    if importlib.util.find_spec("torchvision") is None:
        return None
    try:
        import torchvision
    except ImportError:  # e.g. no PIL: then transformers does not import it either
        return None
    except RuntimeError as exc:
        if "torchvision::nms" not in str(exc):
            raise
        for name in [m for m in sys.modules if m.split(".")[0] == "torchvision"]:
            del sys.modules[name]
        lib = torch.library.Library("torchvision", "DEF")
        lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _TORCHVISION_LIB.append(lib)  # the definitions live as long as the library object
        import torchvision
    return torchvision


def require_transformers() -> tuple[Any, Any]:
    torch = require_torch()
    import_torchvision(torch)
    try:
        import transformers
    except ImportError as exc:  # pragma: no cover - depends on the machine
        _missing("transformers", exc)
    transformers.logging.set_verbosity_error()
    return torch, transformers


# --- the oracle: parameters of the submodules that make each component ----------------------


def numel(*parts: Any) -> int:
    """Parameters of modules (each module's own ``parameters()``) and bare parameters."""
    total = 0
    for part in parts:
        if hasattr(part, "parameters"):
            total += sum(p.numel() for p in part.parameters())
        else:
            total += part.numel()
    return total


def _layers(blocks: Any, **parts: Any) -> dict[str, list[int]]:
    """Per-layer components: ``parts[name](block)`` -> the modules of that component."""
    return {name: [numel(*pick(block)) for block in blocks] for name, pick in parts.items()}


def _lm_head(model: Any, embedding: Any) -> list[int]:
    if model.lm_head.weight is embedding.weight:  # tied: the same tensor, counted once
        return [numel(model.lm_head) - embedding.weight.numel()]
    return [numel(model.lm_head)]


def gpt2_components(model: Any) -> dict[str, list[int]]:
    base = model.transformer if hasattr(model, "transformer") else model
    out = {"token_embedding": [numel(base.wte)], "position_embedding": [numel(base.wpe)],
           **_layers(base.h, attention=lambda b: [b.attn], attention_norm=lambda b: [b.ln_1],
                     ffn=lambda b: [b.mlp], ffn_norm=lambda b: [b.ln_2]),
           "final_norm": [numel(base.ln_f)]}
    if hasattr(model, "lm_head"):
        out["head"] = _lm_head(model, base.wte)
    return out


def llama_components(model: Any) -> dict[str, list[int]]:
    """LlamaForCausalLM and Qwen2ForCausalLM (same module names)."""
    base = model.model
    return {"token_embedding": [numel(base.embed_tokens)],
            **_layers(base.layers, attention=lambda b: [b.self_attn],
                      attention_norm=lambda b: [b.input_layernorm], ffn=lambda b: [b.mlp],
                      ffn_norm=lambda b: [b.post_attention_layernorm]),
            "final_norm": [numel(base.norm)], "head": _lm_head(model, base.embed_tokens)}


def bert_components(model: Any) -> dict[str, list[int]]:
    emb = model.embeddings
    out = {"token_embedding": [numel(emb.word_embeddings)],
           "position_embedding": [numel(emb.position_embeddings)],
           "token_type_embedding": [numel(emb.token_type_embeddings)],
           "embedding_norm": [numel(emb.LayerNorm)],
           **_layers(model.encoder.layer,
                     attention=lambda b: [b.attention.self, b.attention.output.dense],
                     attention_norm=lambda b: [b.attention.output.LayerNorm],
                     ffn=lambda b: [b.intermediate, b.output.dense],
                     ffn_norm=lambda b: [b.output.LayerNorm])}
    if model.pooler is not None:
        out["pooler"] = [numel(model.pooler)]
    return out


def _vit_blocks(vit: Any) -> Any:
    """ViT's blocks: ``vit.layers`` (transformers 5), ``vit.encoder.layer`` before."""
    return vit.layers if hasattr(vit, "layers") else vit.encoder.layer


def _vit_mlp(block: Any) -> list[Any]:
    return [block.mlp] if hasattr(block, "mlp") else [block.intermediate, block.output]


def hf_vit_components(model: Any) -> dict[str, list[int]]:
    """ViTForImageClassification."""
    vit, emb = model.vit, model.vit.embeddings
    return {"patch_embedding": [numel(emb.patch_embeddings)],
            "class_token": [numel(emb.cls_token)],
            "position_embedding": [numel(emb.position_embeddings)],
            **_layers(_vit_blocks(vit), attention=lambda b: [b.attention],
                      attention_norm=lambda b: [b.layernorm_before], ffn=_vit_mlp,
                      ffn_norm=lambda b: [b.layernorm_after]),
            "final_norm": [numel(vit.layernorm)], "head": [numel(model.classifier)]}


def torchvision_vit_components(model: Any) -> dict[str, list[int]]:
    """torchvision's VisionTransformer (the real one, or :func:`torchvision_vit_b_16`)."""
    return {"patch_embedding": [numel(model.conv_proj)],
            "class_token": [numel(model.class_token)],
            "position_embedding": [numel(model.encoder.pos_embedding)],
            **_layers(model.encoder.layers, attention=lambda b: [b.self_attention],
                      attention_norm=lambda b: [b.ln_1], ffn=lambda b: [b.mlp],
                      ffn_norm=lambda b: [b.ln_2]),
            "final_norm": [numel(model.encoder.ln)], "head": [numel(model.heads)]}


def torchvision_vit_b_16(torch: Any) -> Any:
    """torchvision.models.vit_b_16() (torchvision 0.2x, vision_transformer.py), written out
    with torch.nn under torchvision's module names, for machines without torchvision."""
    nn = torch.nn

    class EncoderBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(768, eps=1e-6)
            self.self_attention = nn.MultiheadAttention(768, 12, batch_first=True)
            self.ln_2 = nn.LayerNorm(768, eps=1e-6)
            self.mlp = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Dropout(0.0),
                                     nn.Linear(3072, 768), nn.Dropout(0.0))

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pos_embedding = nn.Parameter(torch.empty(1, 197, 768))
            self.layers = nn.Sequential(*[EncoderBlock() for _ in range(12)])
            self.ln = nn.LayerNorm(768, eps=1e-6)

    class VisionTransformer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv_proj = nn.Conv2d(3, 768, kernel_size=16, stride=16)
            self.class_token = nn.Parameter(torch.zeros(1, 1, 768))
            self.encoder = Encoder()
            self.heads = nn.Sequential()
            self.heads.add_module("head", nn.Linear(768, 1000))

    return VisionTransformer()


def check_against(spec: TransformerSpec, model: Any, components: dict[str, list[int]]) -> None:
    """Every component row and the total equal the model's own counts."""
    rows = {row.component: row for row in transformer_components(spec)}
    total = sum(p.numel() for p in model.parameters())
    for name, counts in components.items():
        if name == "head" and counts == [0] and name not in rows:
            continue
        assert name in rows, f"{spec.name}: the model has {name} ({counts}), the spec does not"
        row = rows[name]
        assert counts == [row.each] * row.count, (
            f"{spec.name}: {name} is {counts} in the model, {row.each} x {row.count} here")
    extra = {name for name, row in rows.items() if row.params and name not in components}
    assert not extra, f"{spec.name}: components {extra} have no parameters in the model"
    assert sum(sum(c) for c in components.values()) == total, "components miss parameters"
    assert analyze_transformer(spec, context=1).total_params == total


# --- the built-in nets ----------------------------------------------------------------------


def test_gpt2_is_hugging_faces() -> None:
    torch, tf = require_transformers()
    spec = builtin_transformer("gpt2")
    with torch.device("meta"):
        lm = tf.GPT2LMHeadModel(tf.GPT2Config())
        bare = tf.GPT2Model(tf.GPT2Config())
    assert lm.lm_head.weight is lm.transformer.wte.weight
    check_against(spec, lm, gpt2_components(lm))
    assert numel(bare) == numel(lm) == 124_439_808
    bare_components = gpt2_components(bare)
    assert bare_components == {k: v for k, v in gpt2_components(lm).items() if k != "head"}


def test_bert_base_is_hugging_faces() -> None:
    torch, tf = require_transformers()
    with torch.device("meta"):
        model = tf.BertModel(tf.BertConfig())
    check_against(builtin_transformer("bert-base"), model, bert_components(model))
    assert numel(model) == 109_482_240


def test_llama2_7b_is_hugging_faces() -> None:
    torch, tf = require_transformers()
    config = tf.LlamaConfig(vocab_size=32000, hidden_size=4096, num_hidden_layers=32,
                            num_attention_heads=32, num_key_value_heads=32,
                            intermediate_size=11008, max_position_embeddings=4096,
                            tie_word_embeddings=False)
    with torch.device("meta"):  # 6.7 G parameters: no memory is allocated on meta
        model = tf.LlamaForCausalLM(config)
    check_against(builtin_transformer("llama2-7b"), model, llama_components(model))
    assert numel(model) == 6_738_415_616


def test_vit_b16_is_hugging_faces_vit() -> None:
    torch, tf = require_transformers()
    config = tf.ViTConfig(num_labels=1000)  # the defaults are ViT-B/16 at 224
    assert (config.hidden_size, config.patch_size, config.image_size) == (768, 16, 224)
    with torch.device("meta"):
        model = tf.ViTForImageClassification(config)
    check_against(builtin_transformer("vit-b16"), model, hf_vit_components(model))


def test_vit_b16_is_torchvisions_definition() -> None:
    torch = require_torch()
    with torch.device("meta"):
        model = torchvision_vit_b_16(torch)
    check_against(builtin_transformer("vit-b16"), model, torchvision_vit_components(model))
    assert numel(model) == 86_567_656  # torchvision's model card for ViT_B_16_Weights


def test_vit_b16_is_torchvisions_vit_b_16() -> None:
    """torchvision itself: not a dev dependency (PyPI has no CPU build matching torch 2.13),
    so this runs only where it is installed; the test above checks the same definition."""
    torch = require_torch()
    torchvision = import_torchvision(torch)
    if torchvision is None:
        pytest.skip("torchvision is not installed")
    with torch.device("meta"):
        model = torchvision.models.vit_b_16()
    check_against(builtin_transformer("vit-b16"), model, torchvision_vit_components(model))


# --- random specs as real models ------------------------------------------------------------


def _heads(rng: np.random.Generator, even: bool = False) -> tuple[int, int, int]:
    """(heads, kv_heads, head_dim) with kv_heads dividing heads; an even head_dim for RoPE,
    which rotates pairs of dimensions."""
    heads = int(rng.integers(1, 7))
    kv = int(rng.choice([k for k in range(1, heads + 1) if heads % k == 0]))
    return heads, kv, 2 * int(rng.integers(1, 5)) if even else int(rng.integers(1, 9))


def random_gpt2(tf: Any, rng: np.random.Generator) -> tuple[TransformerSpec, Any, Any]:
    heads, _, hd = _heads(rng)
    d, layers = heads * hd, int(rng.integers(1, 4))
    width, vocab = int(rng.integers(1, 65)), int(rng.integers(2, 101))
    n_pos, tied = int(rng.integers(1, 65)), bool(rng.integers(0, 2))
    config = tf.GPT2Config(n_embd=d, n_layer=layers, n_head=heads, n_inner=width,
                           vocab_size=vocab, n_positions=n_pos, tie_word_embeddings=tied,
                           bos_token_id=0, eos_token_id=0)
    spec = TransformerSpec(name="gpt2-random", layers=layers, d_model=d, heads=heads,
                           ffn_width=width, vocab=vocab, max_positions=n_pos,
                           tied_embeddings=tied)
    return spec, (lambda: tf.GPT2LMHeadModel(config)), gpt2_components


def random_llama(tf: Any, rng: np.random.Generator) -> tuple[TransformerSpec, Any, Any]:
    heads, kv, hd = _heads(rng, even=True)
    # head_dim independent of d_model / heads (as Gemma's); LlamaConfig still wants heads to
    # divide d_model
    explicit = bool(rng.integers(0, 2))
    d = heads * (int(rng.integers(1, 9)) if explicit else hd)
    layers, width = int(rng.integers(1, 4)), int(rng.integers(1, 65))
    vocab, tied = int(rng.integers(2, 101)), bool(rng.integers(0, 2))
    attn_bias, mlp_bias = bool(rng.integers(0, 2)), bool(rng.integers(0, 2))
    config = tf.LlamaConfig(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                            num_key_value_heads=kv, head_dim=hd, intermediate_size=width,
                            vocab_size=vocab, tie_word_embeddings=tied, max_position_embeddings=64,
                            attention_bias=attn_bias, mlp_bias=mlp_bias, bos_token_id=0,
                            eos_token_id=0, pad_token_id=None)
    spec = TransformerSpec(name="llama-random", layers=layers, d_model=d, heads=heads,
                           kv_heads=kv, head_dim=hd if explicit or rng.integers(0, 2) else None,
                           ffn="swiglu", ffn_width=width, vocab=vocab, positions="rope",
                           max_positions=64, tied_embeddings=tied, norm="rmsnorm",
                           bias={"qkv": attn_bias, "out": attn_bias, "ffn": mlp_bias})
    return spec, (lambda: tf.LlamaForCausalLM(config)), llama_components


def random_qwen2(tf: Any, rng: np.random.Generator) -> tuple[TransformerSpec, Any, Any]:
    heads, kv, hd = _heads(rng, even=True)
    d, layers = heads * hd, int(rng.integers(1, 4))
    width, vocab = int(rng.integers(1, 65)), int(rng.integers(2, 101))
    tied = bool(rng.integers(0, 2))
    config = tf.Qwen2Config(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                            num_key_value_heads=kv, intermediate_size=width, vocab_size=vocab,
                            tie_word_embeddings=tied, max_position_embeddings=64,
                            bos_token_id=0, eos_token_id=0)
    spec = TransformerSpec(name="qwen2-random", layers=layers, d_model=d, heads=heads,
                           kv_heads=kv, ffn="swiglu", ffn_width=width, vocab=vocab,
                           positions="rope", max_positions=64, tied_embeddings=tied,
                           norm="rmsnorm", bias={"qkv": True, "out": False, "ffn": False})
    return spec, (lambda: tf.Qwen2ForCausalLM(config)), llama_components


def random_bert(tf: Any, rng: np.random.Generator) -> tuple[TransformerSpec, Any, Any]:
    heads, _, hd = _heads(rng)
    d, layers = heads * hd, int(rng.integers(1, 4))
    width, vocab = int(rng.integers(1, 65)), int(rng.integers(2, 101))
    n_pos, types = int(rng.integers(1, 65)), int(rng.integers(1, 4))
    pooler = bool(rng.integers(0, 2))
    config = tf.BertConfig(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                           intermediate_size=width, vocab_size=vocab, max_position_embeddings=n_pos,
                           type_vocab_size=types, pad_token_id=0)
    spec = TransformerSpec(name="bert-random", layers=layers, d_model=d, heads=heads,
                           ffn_width=width, vocab=vocab, max_positions=n_pos, token_types=types,
                           final_norm=False, embedding_norm=True, pooler=pooler, head="none")
    return spec, (lambda: tf.BertModel(config, add_pooling_layer=pooler)), bert_components


def random_vit(tf: Any, rng: np.random.Generator) -> tuple[TransformerSpec, Any, Any]:
    heads, _, hd = _heads(rng)
    d, layers = heads * hd, int(rng.integers(1, 4))
    patch = int(rng.integers(1, 9))
    image, channels = patch * int(rng.integers(1, 5)), int(rng.integers(1, 5))
    width, classes = int(rng.integers(1, 65)), int(rng.integers(1, 20))
    qkv_bias = bool(rng.integers(0, 2))
    config = tf.ViTConfig(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                          intermediate_size=width, image_size=image, patch_size=patch,
                          num_channels=channels, qkv_bias=qkv_bias, num_labels=classes)
    spec = TransformerSpec(name="vit-random", layers=layers, d_model=d, heads=heads,
                           ffn_width=width, image_size=image, patch_size=patch,
                           channels=channels, classes=classes,
                           bias={"qkv": qkv_bias, "out": True, "ffn": True})
    return spec, (lambda: tf.ViTForImageClassification(config)), hf_vit_components


RANDOM = {"gpt2": random_gpt2, "llama": random_llama, "qwen2": random_qwen2,
          "bert": random_bert, "vit": random_vit}
CASES = [(family, seed) for family, count in N_RANDOM.items() for seed in range(count)]


@pytest.mark.parametrize(("family", "seed"), CASES, ids=[f"{f}-{s}" for f, s in CASES])
def test_random_spec_equals_the_real_model(family: str, seed: int) -> None:
    torch, tf = require_transformers()
    spec, build, components = RANDOM[family](tf, np.random.default_rng([seed, len(family)]))
    with torch.device("meta"):
        model = build()
    check_against(spec, model, components(model))


# --- KV cache -------------------------------------------------------------------------------


def cache_bytes(cache: Any) -> int:
    """Sum of ``nbytes`` of every key and value tensor of a past_key_values."""
    if hasattr(cache, "layers"):
        return sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
    return sum(t.nbytes for pair in cache for t in pair)  # legacy tuple of (key, value)


KV_CASES = [(family, seed, dtype) for family in ("gpt2", "llama", "qwen2")
            for seed in range(4) for dtype in ("fp32", "fp16", "bf16")]


@pytest.mark.parametrize(("family", "seed", "dtype"), KV_CASES,
                         ids=[f"{f}-{s}-{d}" for f, s, d in KV_CASES])
def test_kv_cache_bytes_equal_a_real_cache(family: str, seed: int, dtype: str) -> None:
    torch, tf = require_transformers()
    rng = np.random.default_rng([seed, 7])
    spec, build, _ = RANDOM[family](tf, rng)
    torch_dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype]
    torch.manual_seed(seed)
    model = build().to(torch_dtype).eval()
    limit = spec.max_positions or 64
    context, batch = int(rng.integers(1, min(limit, 12) + 1)), int(rng.integers(1, 4))
    ids = torch.randint(0, spec.vocab or 1, (batch, context))
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=True)
    expected = analyze_transformer(spec, context=context, batch=batch, dtype=dtype).kv_cache
    assert expected is not None
    assert cache_bytes(out.past_key_values) == expected.bytes


def test_encoders_have_no_kv_cache() -> None:
    assert analyze_transformer(builtin_transformer("bert-base")).kv_cache is None
    assert analyze_transformer(builtin_transformer("vit-b16")).kv_cache is None


# --- FLOPs ----------------------------------------------------------------------------------


def _eager(build: Any) -> Any:
    model = build()
    model.config._attn_implementation = "eager"  # Q·Kᵀ and A·V as bmm: FlopCounterMode sees them
    return model.eval()


def _blocks_and_final_norm(model: Any, family: str) -> list[Any]:
    if family == "gpt2":
        return [*model.transformer.h, model.transformer.ln_f]
    if family in ("llama", "qwen2"):
        return [*model.model.layers, model.model.norm]
    if family == "bert":
        return list(model.encoder.layer)
    return [*_vit_blocks(model.vit), model.vit.layernorm]


FLOP_CASES = [(family, seed) for family in RANDOM for seed in range(4)]


@pytest.mark.parametrize(("family", "seed"), FLOP_CASES, ids=[f"{f}-{s}" for f, s in FLOP_CASES])
def test_matmul_flops_equal_flop_counter_mode(family: str, seed: int) -> None:
    torch, tf = require_transformers()
    from torch.utils.flop_counter import FlopCounterMode

    rng = np.random.default_rng([seed, 11])
    spec, build, _ = RANDOM[family](tf, rng)
    torch.manual_seed(seed)
    model = _eager(build)
    if spec.vision:
        context = spec.patches + 1  # the whole image
        inputs = {"pixel_values": torch.randn(1, spec.channels, spec.image_size,
                                              spec.image_size)}
    else:
        context = int(rng.integers(1, min(spec.max_positions or 64, 12) + 1))
        inputs = {"input_ids": torch.randint(0, spec.vocab or 1, (1, context))}
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(**inputs)
    counts = {str(op): n for op, n in counter.get_flop_counts()["Global"].items()}
    analysis = analyze_transformer(spec, context=context)
    assert counter.get_total_flops() == analysis.flops.matmul_per_sequence
    # the attention term alone: Q·Kᵀ and A·V are the only bmm calls
    assert counts.get("aten.bmm", 0) == 4 * spec.layers * context * context * spec.d_attn
    # N and N_matmul from the model: the headline 2N differs from the counted 2·N_matmul by
    # exactly the biases and norms, which FlopCounterMode does not count
    params = [p for part in _blocks_and_final_norm(model, family) for p in part.parameters()]
    n = sum(p.numel() for p in params)
    n_matmul = sum(p.numel() for p in params if p.dim() == 2)
    assert analysis.non_embedding_params == n and analysis.matmul_params == n_matmul
    logits = 2 * spec.d_model * spec.vocab if spec.head_kind == "lm" and spec.vocab else 0
    flops = analysis.flops
    assert flops.per_token - (flops.matmul_per_token - logits) == 2 * (n - n_matmul)
    assert flops.per_token - flops.per_token_kaplan == 2 * spec.layers * context * spec.d_attn


# --- training memory ------------------------------------------------------------------------


def _step(torch: Any, model: Any, params: list[Any], vocab: int) -> Any:
    ids = torch.randint(0, vocab, (2, 5))
    model(input_ids=ids, labels=ids).loss.backward()
    optimizer = torch.optim.AdamW(params, lr=1e-3)
    return optimizer


def test_training_memory_equals_an_adamw_step_fp32() -> None:
    torch, tf = require_transformers()
    spec, build, _ = random_gpt2(tf, np.random.default_rng(3))
    torch.manual_seed(0)
    model = build()
    params = list(model.parameters())  # a tied weight once, as the optimizer sees it
    optimizer = _step(torch, model, params, spec.vocab or 1)
    optimizer.step()
    state = [t for p in params for key, t in optimizer.state[p].items() if key != "step"]
    measured = (sum(p.nbytes for p in params) + sum(p.grad.nbytes for p in params)
                + sum(t.nbytes for t in state))
    memory = {m.precision: m for m in analyze_transformer(spec).training_memory}
    assert measured == memory["fp32"].bytes == 16 * numel(model)


def test_training_memory_equals_an_adamw_step_bf16_mixed() -> None:
    """bf16 weights and gradients for the forward and backward pass, an fp32 master copy
    that AdamW updates (its two moments in fp32): ZeRO's 2 + 2 + 4 + 4 + 4."""
    torch, tf = require_transformers()
    spec, build, _ = random_llama(tf, np.random.default_rng(5))
    torch.manual_seed(0)
    model = build()
    master = [torch.nn.Parameter(p.detach().clone()) for p in model.parameters()]
    model = model.to(torch.bfloat16)
    params = list(model.parameters())
    optimizer = _step(torch, model, master, spec.vocab or 1)
    for low, high in zip(params, master, strict=True):
        high.grad = low.grad.float()
    optimizer.step()
    for high in master:
        high.grad = None  # a transient of the update, not kept between steps
    state = [t for p in master for key, t in optimizer.state[p].items() if key != "step"]
    assert {p.dtype for p in params} == {torch.bfloat16} and state[0].dtype == torch.float32
    measured = (sum(p.nbytes for p in params) + sum(p.grad.nbytes for p in params)
                + sum(p.nbytes for p in master) + sum(t.nbytes for t in state))
    memory = {m.precision: m for m in analyze_transformer(spec).training_memory}
    assert measured == memory["bf16_mixed"].bytes == 16 * numel(model)
