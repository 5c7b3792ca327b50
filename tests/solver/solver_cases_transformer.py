"""Differential cases for the attention, normalisation, loss, long-context and decoding solvers.

Kept apart from ``solver_cases`` (which adds them to its ``CASES`` through :func:`cases`), in
the same form: a seeded config generator, a PyTorch reference (torch, and Hugging Face
transformers for the sampling warpers and the KV cache, imported inside the functions only)
and a solver runner.  Every generator mixes in configurations torch refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from trainer.exercises import solver as S

Config = dict[str, Any]
Result = dict[str, Any]

# What torch and transformers raise for refused configurations besides RuntimeError and
# ValueError (nn.MultiheadAttention asserts divisibility; cross_entropy raises IndexError).
REFUSALS = (RuntimeError, ValueError, AssertionError, IndexError, ZeroDivisionError,
            AttributeError)


def _ri(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def _chance(rng: np.random.Generator, p: float) -> bool:
    return bool(rng.random() < p)


def _pick(rng: np.random.Generator, seq: list[Any] | tuple[Any, ...]) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _real(rng: np.random.Generator, shape: Any) -> np.ndarray:
    """Mostly dyadic k/8 values (exact, compress well: the fixtures stay small), sometimes
    full normals."""
    if _chance(rng, 0.1):
        return rng.standard_normal(shape)
    return rng.integers(-24, 25, size=shape) / 8.0


def _torch():
    import torch

    return torch


def _t(a: Any):
    torch = _torch()
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def refused(call: Callable[[], Result]) -> Result:
    """``call()``, or ``{"error": ...}`` when torch (or transformers) refuses."""
    try:
        return call()
    except REFUSALS as exc:
        return {"error": f"{type(exc).__name__}: {str(exc)[:100]}"}


def _nparams(module) -> int:
    return int(sum(p.numel() for p in module.parameters()))


# ----------------------------------------------------------------------------- attention

def gen_sdpa(rng: np.random.Generator) -> Config:
    length, source = _ri(rng, 1, 3), _ri(rng, 1, 3)
    e, ev = _ri(rng, 1, 3), _ri(rng, 1, 2)
    batch: list[int] = [2] if _chance(rng, 0.05) else []
    cfg: Config = {"q": _real(rng, [*batch, length, e]), "k": _real(rng, [*batch, source, e]),
                   "v": _real(rng, [*batch, source, ev]), "mask": "none", "scale": None}
    if _chance(rng, 0.04):
        cfg["k"] = _real(rng, [source, e + 1])
    if _chance(rng, 0.03):
        cfg["v"] = _real(rng, [source + 1, ev])
    mode = _pick(rng, ["none", "causal", "causal", "bool", "bool", "float"])
    cfg["mask"] = mode
    if mode in ("bool", "float"):
        shape = [length, source] if not _chance(rng, 0.03) else [length + 1, source]
        cfg["attn_mask"] = (rng.random(shape) < 0.7 if mode == "bool"
                            else rng.integers(-8, 1, size=shape) / 4.0)
        if mode == "bool" and _chance(rng, 0.05):
            cfg["is_causal"] = True  # torch refuses a mask together with is_causal
    if _chance(rng, 0.2):
        cfg["scale"] = _pick(rng, [0.5, 1.0, 0.25, 2.0])
    return cfg


def _sdpa_args(cfg: Config) -> tuple[Any, bool]:
    if cfg["mask"] == "causal":
        return None, True
    mask = cfg.get("attn_mask")
    if cfg["mask"] == "bool":
        mask = np.asarray(mask).astype(bool)  # the fixture files store booleans as integers
    return mask, bool(cfg.get("is_causal", False))


def torch_sdpa(cfg: Config) -> Result:
    torch = _torch()
    mask, causal = _sdpa_args(cfg)
    if mask is not None:
        mask = torch.tensor(mask) if mask.dtype == bool else _t(mask)
    q, k, v = _t(cfg["q"]), _t(cfg["k"]), _t(cfg["v"])
    sdpa = torch.nn.functional.scaled_dot_product_attention
    out = sdpa(q, k, v, attn_mask=mask, is_causal=causal, scale=cfg["scale"])
    # with V = I the output rows are the attention weights themselves
    eye = torch.eye(k.shape[-2], dtype=torch.float64)
    weights = sdpa(q, k, eye, attn_mask=mask, is_causal=causal, scale=cfg["scale"])
    return {"out": _np(out), "weights": _np(weights)}


def solver_sdpa(cfg: Config) -> Result:
    mask, causal = _sdpa_args(cfg)
    out = S.attention.scaled_dot_product_attention(cfg["q"], cfg["k"], cfg["v"], mask, causal,
                                                   cfg["scale"])
    weights = S.attention.attention_weights(cfg["q"], cfg["k"], mask, causal, cfg["scale"])
    return {"out": out, "weights": weights}


def gen_mha(rng: np.random.Generator) -> Config:
    heads = _pick(rng, [1, 1, 2, 2, 3, 4, 6, 8])
    e = heads * _ri(rng, 1, 6)
    if _chance(rng, 0.15):
        e += _ri(rng, 1, heads) if heads > 1 else 0
    if _chance(rng, 0.03):
        e = _pick(rng, [0, -4])
    if _chance(rng, 0.03):
        heads = _pick(rng, [0, -2])
    cfg: Config = {"embed_dim": e, "num_heads": heads, "bias": _chance(rng, 0.6),
                   "add_bias_kv": _chance(rng, 0.3), "kdim": None, "vdim": None}
    if _chance(rng, 0.4):
        cfg["kdim"] = _ri(rng, 1, 20)
        cfg["vdim"] = cfg["kdim"] if _chance(rng, 0.5) else _ri(rng, 1, 20)
    if _chance(rng, 0.02):
        cfg["vdim"] = -1
    return cfg


def torch_mha(cfg: Config) -> Result:
    torch = _torch()
    m = torch.nn.MultiheadAttention(cfg["embed_dim"], cfg["num_heads"], bias=cfg["bias"],
                                    add_bias_kv=cfg["add_bias_kv"], kdim=cfg["kdim"],
                                    vdim=cfg["vdim"], device="meta")
    return {"params": _nparams(m)}


def solver_mha(cfg: Config) -> Result:
    return {"params": S.attention.multihead_attention_params(
        cfg["embed_dim"], cfg["num_heads"], cfg["bias"], cfg["add_bias_kv"], cfg["kdim"],
        cfg["vdim"])}


def gen_transformer_layer(rng: np.random.Generator) -> Config:
    nhead = _pick(rng, [1, 2, 2, 4, 8])
    d = nhead * _ri(rng, 1, 8)
    if _chance(rng, 0.1) and nhead > 1:
        d += 1
    ff = _ri(rng, 0, 64) if not _chance(rng, 0.03) else -_ri(rng, 1, 4)
    return {"layer": _pick(rng, ["encoder", "decoder"]), "d_model": d, "nhead": nhead,
            "dim_feedforward": ff, "bias": _chance(rng, 0.6)}


def torch_transformer_layer(cfg: Config) -> Result:
    torch = _torch()
    cls = (torch.nn.TransformerEncoderLayer if cfg["layer"] == "encoder"
           else torch.nn.TransformerDecoderLayer)
    m = cls(cfg["d_model"], cfg["nhead"], cfg["dim_feedforward"], bias=cfg["bias"],
            device="meta")
    return {"params": _nparams(m)}


def solver_transformer_layer(cfg: Config) -> Result:
    fn = (S.attention.transformer_encoder_layer_params if cfg["layer"] == "encoder"
          else S.attention.transformer_decoder_layer_params)
    return {"params": fn(cfg["d_model"], cfg["nhead"], cfg["dim_feedforward"], cfg["bias"])}


# ----------------------------------------------------------------------------- norms

def gen_norm(rng: np.random.Generator) -> Config:
    kind = _pick(rng, ["layer", "rms"])
    shape = [1 if _chance(rng, 0.7) else 2 for _ in range(_ri(rng, 1, 3))]
    shape[-1] = _ri(rng, 2, 4)
    x = _real(rng, shape)
    if _chance(rng, 0.1):
        x = x * 0.0 + _real(rng, [1])  # constant rows: the variance is 0, eps matters
    ndim = 1 if len(shape) == 1 or _chance(rng, 0.7) else 2
    norm_shape = list(shape[-ndim:])
    if _chance(rng, 0.05):
        norm_shape[-1] += 1
    cfg: Config = {"kind": kind, "x": x, "normalized_shape": norm_shape, "weight": None,
                   "bias": None}
    if _chance(rng, 0.5):
        cfg["weight"] = _real(rng, norm_shape)
        if kind == "layer" and _chance(rng, 0.7):
            cfg["bias"] = _real(rng, norm_shape)
    if _chance(rng, 0.03):
        cfg["weight"] = _real(rng, [norm_shape[-1] + 1])
    if kind == "layer":
        cfg["eps"] = _pick(rng, [1e-5, 1e-5, 1e-6, 0.1, 1e-3])
    else:
        cfg["eps"] = _pick(rng, [None, 1e-6, 1e-5, 1e-8, 0.1])
    return cfg


def torch_norm(cfg: Config) -> Result:
    F = _torch().nn.functional
    weight = None if cfg["weight"] is None else _t(cfg["weight"])
    if cfg["kind"] == "layer":
        bias = None if cfg["bias"] is None else _t(cfg["bias"])
        out = F.layer_norm(_t(cfg["x"]), cfg["normalized_shape"], weight, bias, cfg["eps"])
    else:
        out = F.rms_norm(_t(cfg["x"]), cfg["normalized_shape"], weight, cfg["eps"])
    return {"out": _np(out)}


def solver_norm(cfg: Config) -> Result:
    if cfg["kind"] == "layer":
        return {"out": S.layer_norms.layer_norm(cfg["x"], cfg["normalized_shape"], cfg["weight"],
                                               cfg["bias"], cfg["eps"])}
    return {"out": S.layer_norms.rms_norm(cfg["x"], cfg["normalized_shape"], cfg["weight"],
                                         cfg["eps"])}


# ----------------------------------------------------------------------------- losses

def gen_cross_entropy(rng: np.random.Generator) -> Config:
    n, c = _ri(rng, 1, 2), _ri(rng, 2, 4)
    target = rng.integers(0, c, size=n)
    if _chance(rng, 0.03):
        target[_ri(rng, 0, n - 1)] = _pick(rng, [c, -1])
    cfg: Config = {"logits": _real(rng, [n, c]), "target": target, "weight": None,
                   "label_smoothing": 0.0, "reduction": _pick(rng, ["mean", "mean", "sum",
                                                                    "none"])}
    if _chance(rng, 0.4):
        cfg["weight"] = rng.integers(1, 9, size=c) / 4.0
        if _chance(rng, 0.05):
            cfg["weight"] = rng.integers(1, 9, size=c + 1) / 4.0
    if _chance(rng, 0.5):
        cfg["label_smoothing"] = _pick(rng, [0.1, 0.2, 0.05, 0.5, 1.0, float(rng.random())])
    if _chance(rng, 0.03):
        cfg["label_smoothing"] = _pick(rng, [1.5, -0.1])
    return cfg


def torch_cross_entropy(cfg: Config) -> Result:
    torch = _torch()
    z = _t(cfg["logits"]).requires_grad_(True)
    weight = None if cfg["weight"] is None else _t(cfg["weight"])
    loss = torch.nn.functional.cross_entropy(
        z, torch.tensor(cfg["target"], dtype=torch.int64), weight=weight,
        label_smoothing=cfg["label_smoothing"], reduction=cfg["reduction"])
    loss.sum().backward()
    return {"loss": _np(loss), "grad": _np(z.grad)}


def solver_cross_entropy(cfg: Config) -> Result:
    args = (cfg["logits"], cfg["target"], cfg["weight"], cfg["label_smoothing"],
            cfg["reduction"])
    parts = S.losses.cross_entropy_parts(*args)
    loss = np.asarray(S.losses.cross_entropy(*args), dtype=np.float64)
    if cfg["reduction"] == "none":
        assert np.array_equal(loss, parts.per_sample)
    return {"loss": loss, "grad": S.losses.cross_entropy_grad(*args)}


# ----------------------------------------------------------------------------- long context

def gen_kv_cache(rng: np.random.Generator) -> Config:
    cfg: Config = {"num_layers": _ri(rng, 0, 4), "batch": _ri(rng, 0, 3),
                   "context": _ri(rng, 0, 40), "kv_heads": _ri(rng, 1, 4),
                   "head_dim": _pick(rng, [1, 2, 4, 8, 16]),
                   "dtype": _pick(rng, ["float32", "float16", "bfloat16", "float8_e4m3fn",
                                        "float8_e5m2", "float64"])}
    if _chance(rng, 0.04):
        cfg[_pick(rng, ["batch", "context", "kv_heads", "head_dim"])] = -_ri(rng, 1, 3)
    if _chance(rng, 0.02):
        cfg["dtype"] = "float12"
    return cfg


def torch_kv_cache(cfg: Config) -> Result:
    """Real K and V tensors for every layer, prefilled in a transformers DynamicCache with
    all but one token and then grown by one decoding step; the bytes are their nbytes."""
    torch = _torch()
    from transformers import DynamicCache

    dtype = getattr(torch, cfg["dtype"])
    b, h, t, d = (cfg[k] for k in ("batch", "kv_heads", "context", "head_dim"))
    cache = DynamicCache()
    for layer in range(cfg["num_layers"]):
        for length in (max(t - 1, 0), min(t, 1)):
            k = torch.zeros(b, h, length, d, dtype=dtype)
            cache.update(k, torch.zeros_like(k), layer)
    total = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
    if cfg["num_layers"] and b * h * d:  # (an empty tensor counts as no tokens)
        assert cache.get_seq_length() == t
    return {"bytes": int(total)}


def solver_kv_cache(cfg: Config) -> Result:
    return {"bytes": S.long_context.kv_cache_bytes(cfg["num_layers"], cfg["batch"],
                                                   cfg["context"], cfg["kv_heads"],
                                                   cfg["head_dim"], cfg["dtype"])}


def gen_positional(rng: np.random.Generator) -> Config:
    kind = _pick(rng, ["sinusoidal", "rope"])
    d = 2 * _ri(rng, 1, 3)
    if _chance(rng, 0.05):
        # not 1 for RoPE: the rotate_half form broadcasts a 1-vector to a meaningless 2-vector
        d = _pick(rng, [1, 3, 5, 7, 0, -2] if kind == "sinusoidal" else [3, 5, 7, 0])
    if kind == "sinusoidal":
        count = _ri(rng, 1, 2)
        positions = rng.integers(0, 200, size=count).astype(np.float64)
        if _chance(rng, 0.2):
            positions = positions + rng.integers(-8, 8, size=count) / 4.0
        return {"kind": kind, "positions": positions, "d_model": d}
    x = _real(rng, [max(d, 1)]) if d > 0 else np.zeros(0)
    return {"kind": kind, "x": x, "position": _ri(rng, -5, 4096),
            "base": _pick(rng, [10000.0, 10000.0, 500000.0, 100.0]),
            "pairing": _pick(rng, ["interleaved", "halves"])}


def torch_positional(cfg: Config) -> Result:
    torch = _torch()
    import math

    if cfg["kind"] == "sinusoidal":
        # the PyTorch Transformer tutorial's PositionalEncoding, at the given positions
        d = cfg["d_model"]
        position = _t(cfg["positions"]).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float64)
                             * (-math.log(10000.0) / d))
        pe = torch.zeros(position.shape[0], d, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        return {"out": _np(pe)}
    x, m, base = _t(cfg["x"]), cfg["position"], cfg["base"]
    dim = x.shape[-1]
    if cfg["pairing"] == "interleaved":
        # LLaMA's precompute_freqs_cis and apply_rotary_emb, in float64
        freqs = 1.0 / (base ** (torch.arange(0, dim, 2)[: dim // 2].double() / dim))
        angles = m * freqs  # row m of torch.outer(arange(end), freqs)
        freqs_cis = torch.polar(torch.ones_like(angles), angles)
        rotated = torch.view_as_real(torch.view_as_complex(x.reshape(-1, 2)) * freqs_cis)
        return {"out": _np(rotated.flatten())}
    # Hugging Face: inv_freq, emb = cat(freqs, freqs), x·cos + rotate_half(x)·sin
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    emb = torch.cat((m * inv_freq, m * inv_freq))
    x1, x2 = x[: dim // 2], x[dim // 2:]
    rotate_half = torch.cat((-x2, x1))
    return {"out": _np(x * emb.cos() + rotate_half * emb.sin())}


def solver_positional(cfg: Config) -> Result:
    if cfg["kind"] == "sinusoidal":
        return {"out": S.long_context.sinusoidal_positional_encoding(cfg["positions"],
                                                                      cfg["d_model"])}
    return {"out": S.long_context.rope_rotate(cfg["x"], cfg["position"], cfg["base"],
                                              cfg["pairing"])}


# ----------------------------------------------------------------------------- decoding

def gen_sampling(rng: np.random.Generator) -> Config:
    v = _ri(rng, 2, 7)
    logits = rng.standard_normal(v) * _pick(rng, [1.0, 2.0, 3.0])
    if _chance(rng, 0.7):
        logits = rng.permutation(np.arange(v, dtype=np.float64)) / 2.0  # distinct, exact
    cfg: Config = {"logits": logits, "temperature": None, "top_k": None, "top_p": None}
    if _chance(rng, 0.5):
        cfg["temperature"] = _pick(rng, [0.5, 0.7, 1.5, 2.0, 0.25, 4.0])
    if _chance(rng, 0.6):
        cfg["top_k"] = _ri(rng, 1, v + 2)
    if _chance(rng, 0.6):
        cfg["top_p"] = _pick(rng, [0.5, 0.8, 0.9, 0.95, float(rng.random()), 1.0, 0.0])
    if _chance(rng, 0.03):
        cfg["temperature"] = _pick(rng, [0.0, -1.0])
    if _chance(rng, 0.03):
        cfg["top_k"] = _pick(rng, [0, -1])
    if _chance(rng, 0.03):
        cfg["top_p"] = _pick(rng, [1.5, -0.2])
    return cfg


def torch_sampling(cfg: Config) -> Result:
    torch = _torch()
    from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    scores = _t(cfg["logits"])[None, :]
    ids = torch.zeros(1, 1, dtype=torch.int64)
    if cfg["temperature"] is not None:
        scores = TemperatureLogitsWarper(float(cfg["temperature"]))(ids, scores)
    alone: Result = {}
    if cfg["top_k"] is not None:
        alone["keep_k"] = TopKLogitsWarper(cfg["top_k"])(ids, scores) > -np.inf
    if cfg["top_p"] is not None:
        alone["keep_p"] = TopPLogitsWarper(cfg["top_p"])(ids, scores) > -np.inf
    if cfg["top_k"] is not None:
        scores = TopKLogitsWarper(cfg["top_k"])(ids, scores)
    if cfg["top_p"] is not None:
        scores = TopPLogitsWarper(cfg["top_p"])(ids, scores)
    result = {k: _np(v[0]) for k, v in alone.items()}
    return {**result, "filtered": _np(scores[0]), "probs": _np(scores[0].softmax(-1))}


def solver_sampling(cfg: Config) -> Result:
    t = 1.0 if cfg["temperature"] is None else cfg["temperature"]
    D = S.decoding
    filtered = D.filter_logits(cfg["logits"], t, cfg["top_k"], cfg["top_p"])
    result: Result = {"filtered": filtered,
                      "probs": D.sampling_distribution(cfg["logits"], t, cfg["top_k"],
                                                       cfg["top_p"])}
    scaled = np.asarray(cfg["logits"], dtype=np.float64) / float(t)
    if cfg["top_k"] is not None:
        result["keep_k"] = D.top_k_mask(scaled, cfg["top_k"])
    if cfg["top_p"] is not None:
        result["keep_p"] = D.top_p_mask(scaled, cfg["top_p"])
    return result


# ----------------------------------------------------------------------------- registry

def _guarded(fn: Callable[[Config], Result]) -> Callable[[Config], Result]:
    def run(cfg: Config) -> Result:
        return refused(lambda: fn(cfg))

    run.__name__ = fn.__name__
    return run


def cases(case: type) -> list[Any]:
    """The cases of this module, built with ``solver_cases.Case`` (passed in: no cycle)."""
    return [
        case("scaled_dot_product_attention", ("attention.scaled_dot_product_attention",
                                              "attention.attention_weights"),
             gen_sdpa, _guarded(torch_sdpa), solver_sdpa, 701, arrays=True),
        case("multihead_attention_params", ("attention.multihead_attention_params",),
             gen_mha, _guarded(torch_mha), solver_mha, 702, arrays=True),
        case("transformer_layer_params", ("attention.transformer_encoder_layer_params",
                                          "attention.transformer_decoder_layer_params"),
             gen_transformer_layer, _guarded(torch_transformer_layer),
             solver_transformer_layer, 703, arrays=True),
        case("layer_rms_norm", ("layer_norms.layer_norm", "layer_norms.rms_norm"), gen_norm,
             _guarded(torch_norm), solver_norm, 704, arrays=True),
        case("cross_entropy", ("losses.cross_entropy", "losses.cross_entropy_grad",
                               "losses.cross_entropy_parts"),
             gen_cross_entropy, _guarded(torch_cross_entropy), solver_cross_entropy, 705,
             arrays=True),
        case("kv_cache_bytes", ("long_context.kv_cache_bytes",), gen_kv_cache,
             _guarded(torch_kv_cache), solver_kv_cache, 706, arrays=True),
        case("positional_encoding", ("long_context.sinusoidal_positional_encoding",
                                     "long_context.rope_rotate"),
             gen_positional, _guarded(torch_positional), solver_positional, 707, arrays=True),
        case("sampling_filters", ("decoding.top_k_mask", "decoding.top_p_mask",
                                  "decoding.filter_logits", "decoding.sampling_distribution"),
             gen_sampling, _guarded(torch_sampling), solver_sampling, 708, arrays=True),
    ]
