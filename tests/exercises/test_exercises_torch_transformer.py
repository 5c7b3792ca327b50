"""The attention, norm, loss, long-context and decoding families against PyTorch itself.

Each family's expected answers on 1,000 generated instances (levels 1..3 in turn) are
compared with torch (and Hugging Face transformers for the sampling warpers and the KV
cache), and the configurations the solver refuses are checked to be ones torch refuses.
Skipped when torch is not importable, except under CI=true, where a missing torch FAILS.
torch is the oracle here only: the exercises never import it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tests.helpers import require_torch, torch_mismatches
from trainer.exercises.families import FAMILIES
from trainer.exercises.solver import SolverError

N_INSTANCES = 1000
UNITS = {"MiB": 2**20, "GiB": 2**30}




def _t(torch: Any, value: Any) -> Any:
    return torch.tensor(np.asarray(value, dtype=np.float64), dtype=torch.float64)


def _nparams(module: Any) -> int:
    return int(sum(p.numel() for p in module.parameters()))


# ------------------------------------------------------------------ oracles

def _attention(torch: Any, p: dict[str, Any]) -> Any:
    mask = torch.tensor(p["attn_mask"], dtype=torch.bool) if p["mask"] == "bool" else None
    out = torch.nn.functional.scaled_dot_product_attention(
        _t(torch, p["q"]), _t(torch, p["k"]), _t(torch, p["v"]), attn_mask=mask,
        is_causal=p["mask"] == "causal")
    return out.numpy()


def _mha(torch: Any, p: dict[str, Any]) -> int:
    return _nparams(torch.nn.MultiheadAttention(
        p["embed_dim"], p["num_heads"], bias=p.get("bias", True),
        add_bias_kv=p.get("add_bias_kv", False), kdim=p.get("kdim"), vdim=p.get("vdim"),
        device="meta"))


def _transformer_layer(torch: Any, p: dict[str, Any]) -> int:
    cls = (torch.nn.TransformerEncoderLayer if p["layer"] == "encoder"
           else torch.nn.TransformerDecoderLayer)
    kwargs = {k: p[k] for k in ("dim_feedforward", "bias") if k in p}
    return _nparams(cls(p["d_model"], p["nhead"], device="meta", **kwargs))


def _norm(torch: Any, p: dict[str, Any]) -> Any:
    x = _t(torch, p["x"])
    n = x.shape[-1]
    if p["norm"] == "layer":
        kwargs = {"eps": p["eps"]} if "eps" in p else {}  # level 1 keeps the default, 1e-5
        module = torch.nn.LayerNorm(n, dtype=torch.float64, **kwargs)
    else:
        module = torch.nn.RMSNorm(n, eps=p["eps"], dtype=torch.float64)
    with torch.no_grad():
        if p.get("weight") is not None:
            module.weight.copy_(_t(torch, p["weight"]))
        if p.get("bias") is not None:
            module.bias.copy_(_t(torch, p["bias"]))
        return module(x).numpy()


def _cross_entropy(torch: Any, p: dict[str, Any]) -> Any:
    z = _t(torch, p["logits"]).requires_grad_(True)
    weight = None if p.get("weight") is None else _t(torch, p["weight"])
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(p["target"]), weight=weight,
                                             label_smoothing=p.get("label_smoothing", 0.0))
    if p["ask"] == "loss":
        return float(loss.detach())
    loss.backward()
    return z.grad.numpy()


def _kv_cache(torch: Any, p: dict[str, Any], dynamic: bool = False) -> float:
    """Measured: the bytes of a preallocated cache tensor of shape
    (2, layers, batch, kv_heads, context, head_dim) in the given dtype, K and V of every layer;
    with ``dynamic``, of a transformers DynamicCache prefilled with all tokens but one and
    grown by one decoding step, layer by layer.  Meta tensors: real shapes and dtypes, no
    memory (these caches run to hundreds of GiB)."""
    dtype = getattr(torch, p["dtype"])
    head_dim = p["hidden"] // p["heads"] if "hidden" in p else p["head_dim"]
    shape = (p["batch"], p["kv_heads"], p["context"], head_dim)
    if not dynamic:
        cache = torch.empty(2, p["num_layers"], *shape, dtype=dtype, device="meta")
        return cache.nbytes / UNITS[p["unit"]]
    from transformers import DynamicCache

    dynamic_cache = DynamicCache()
    for layer in range(p["num_layers"]):
        for length in (p["context"] - 1, 1):
            k = torch.empty(*shape[:2], length, head_dim, dtype=dtype, device="meta")
            dynamic_cache.update(k, torch.empty_like(k), layer)
    assert dynamic_cache.get_seq_length() == p["context"]
    total = sum(layer.keys.nbytes + layer.values.nbytes for layer in dynamic_cache.layers)
    return total / UNITS[p["unit"]]


def test_kv_cache_oracle_agrees_with_a_dynamic_cache() -> None:
    """The preallocated-tensor oracle against transformers' DynamicCache, on every 100th
    instance (a DynamicCache of meta tensors costs ~0.25 s for a 64-layer model)."""
    torch = require_torch()
    family = FAMILIES["kv-cache-bytes"]
    for seed in range(0, N_INSTANCES, 100):
        inst = family.generate(1 + seed % 3, seed)
        assert _kv_cache(torch, inst.params, dynamic=True) == _kv_cache(torch, inst.params)
        assert _kv_cache(torch, inst.params) == inst.expected.value


def _positional(torch: Any, p: dict[str, Any]) -> Any:
    pos = p["position"]
    if p["kind"] == "sinusoidal":
        # the PyTorch Transformer tutorial's PositionalEncoding table, in float64
        d, max_len = p["d_model"], pos + 1
        position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float64)
                             * (-math.log(10000.0) / d))
        pe = torch.zeros(max_len, d, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        return pe[pos][None, :].numpy()
    x = _t(torch, p["x"])
    dim = x.shape[-1]
    if p["pairing"] == "interleaved":
        # LLaMA's precompute_freqs_cis / apply_rotary_emb (complex multiplication), in float64
        freqs = 1.0 / (10000.0 ** (torch.arange(0, dim, 2)[: dim // 2].double() / dim))
        angles = torch.outer(torch.arange(pos + 1, dtype=torch.float64), freqs)
        freqs_cis = torch.polar(torch.ones_like(angles), angles)[pos]
        rotated = torch.view_as_real(torch.view_as_complex(x.reshape(-1, 2)) * freqs_cis)
        return rotated.flatten()[None, :].numpy()
    # Hugging Face: emb = cat(freqs, freqs); x·cos + rotate_half(x)·sin
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    emb = torch.cat((pos * inv_freq, pos * inv_freq))
    rotate_half = torch.cat((-x[dim // 2:], x[: dim // 2]))
    return (x * emb.cos() + rotate_half * emb.sin())[None, :].numpy()


def _warp(torch: Any, p: dict[str, Any]) -> Any:
    """Hugging Face's warpers in generate's order; returns the final scores (-inf = removed)."""
    from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    logits = p["logits"] if "logits" in p else np.log(p["probs"])
    scores = _t(torch, logits)[None, :]
    ids = torch.zeros(1, 1, dtype=torch.int64)
    if p.get("temperature") is not None:
        scores = TemperatureLogitsWarper(float(p["temperature"]))(ids, scores)
    if p.get("top_k") is not None:
        scores = TopKLogitsWarper(p["top_k"])(ids, scores)
    if p.get("top_p") is not None:
        scores = TopPLogitsWarper(p["top_p"])(ids, scores)
    return scores


def _sampling(torch: Any, p: dict[str, Any]) -> Any:
    return (_warp(torch, p) > -math.inf).double().numpy()


ORACLES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "attention-values": _attention,
    "mha-params": _mha,
    "transformer-layer-params": _transformer_layer,
    "layernorm-rmsnorm": _norm,
    "cross-entropy-grad": _cross_entropy,
    "kv-cache-bytes": _kv_cache,
    "positional-encoding": _positional,
    "top-k-top-p": _sampling,
}


def test_these_families_exist_and_have_an_oracle() -> None:
    assert set(ORACLES) <= set(FAMILIES)
    assert len(ORACLES) == 8


@pytest.mark.parametrize("name", list(ORACLES))
def test_expected_answers_match_torch(name: str) -> None:
    torch = require_torch()  # in the body: under CI=true a missing torch is a failure
    failures = torch_mismatches(  # counts and 0/1 masks compared exactly
        FAMILIES[name], ORACLES[name], torch, N_INSTANCES, atol=1e-9,
        exact=lambda inst: inst.expected.kind == "integer" or name == "top-k-top-p")
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:5])


# ------------------------------------------------------------------ refusals

_Q2 = [[1, 0], [0, 1]]

REFUSALS: list[tuple[str, dict[str, Any]]] = [
    ("mha-params", {"embed_dim": 10, "num_heads": 4}),
    ("mha-params", {"embed_dim": 512, "num_heads": 0}),
    ("mha-params", {"embed_dim": 0, "num_heads": 2}),
    ("mha-params", {"embed_dim": 64, "num_heads": 4, "kdim": -3}),
    ("transformer-layer-params", {"layer": "decoder", "d_model": 100, "nhead": 8}),
    ("transformer-layer-params", {"layer": "encoder", "d_model": 64, "nhead": 4,
                                  "dim_feedforward": -1}),
    ("attention-values", {"q": _Q2, "k": [[1, 0, 1], [0, 1, 1]], "v": _Q2, "mask": "none"}),
    ("attention-values", {"q": _Q2, "k": _Q2, "v": [[1, 2]], "mask": "none"}),
    ("attention-values", {"q": _Q2, "k": _Q2, "v": _Q2, "mask": "bool",
                          "attn_mask": [[True, False, True], [True, True, False]]}),
    ("layernorm-rmsnorm", {"norm": "layer", "x": [[1, 2, 4]], "weight": [1.0, 2.0]}),
    ("layernorm-rmsnorm", {"norm": "rms", "x": [[1, 2, 4]], "eps": 1e-6, "weight": [1, 2, 3, 4]}),
    ("cross-entropy-grad", {"logits": [[1, 2, 3]], "target": [3], "ask": "loss"}),
    ("cross-entropy-grad", {"logits": [[1, 2, 3]], "target": [-1], "ask": "grad"}),
    ("cross-entropy-grad", {"logits": [[1, 2, 3]], "target": [0], "ask": "loss",
                            "weight": [1.0, 2.0]}),
    ("cross-entropy-grad", {"logits": [[1, 2, 3]], "target": [0], "ask": "loss",
                            "label_smoothing": 1.5}),
    ("kv-cache-bytes", {"num_layers": 2, "batch": -1, "context": 8, "kv_heads": 2,
                        "head_dim": 4, "dtype": "float16", "unit": "MiB"}),
    ("kv-cache-bytes", {"num_layers": 2, "batch": 1, "context": 8, "kv_heads": 2,
                        "head_dim": 4, "dtype": "float12", "unit": "MiB"}),
    ("positional-encoding", {"kind": "sinusoidal", "position": 3, "d_model": 5}),
    ("positional-encoding", {"kind": "rope", "position": 3, "x": [1, 2, 3],
                             "pairing": "interleaved"}),
    ("positional-encoding", {"kind": "rope", "position": 3, "x": [1, 2, 3],
                             "pairing": "halves"}),
    ("top-k-top-p", {"logits": [1.0, 2.0, 3.0], "top_k": 0}),
    ("top-k-top-p", {"logits": [1.0, 2.0, 3.0], "top_p": 1.5}),
    ("top-k-top-p", {"logits": [1.0, 2.0, 3.0], "top_k": 2, "temperature": 0.0}),
]

_TORCH_CALLS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "layernorm-rmsnorm": lambda torch, p: torch.nn.functional.layer_norm(
        _t(torch, p["x"]), (3,), _t(torch, p["weight"])) if p["norm"] == "layer"
    else torch.nn.functional.rms_norm(_t(torch, p["x"]), (3,), _t(torch, p["weight"]),
                                      p["eps"]),
    "kv-cache-bytes": lambda torch, p: torch.empty(
        p["batch"], p["kv_heads"], p["context"], p["head_dim"], dtype=getattr(torch, p["dtype"])),
    "top-k-top-p": _warp,
}


@pytest.mark.parametrize(("name", "params"), REFUSALS)
def test_refused_where_torch_refuses(name: str, params: dict[str, Any]) -> None:
    torch = require_torch()
    with pytest.raises((RuntimeError, ValueError, AssertionError, IndexError, AttributeError)):
        (_TORCH_CALLS.get(name) or ORACLES[name])(torch, params)
    with pytest.raises(SolverError) as info:
        FAMILIES[name].pose(params, 1, None)
    assert str(info.value)  # a message saying why
