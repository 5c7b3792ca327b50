"""A :class:`TransformerAnalysis` as an aligned text table (the ``trainer solve`` output)."""

from __future__ import annotations

from .render import human_count
from .transformer import GROUPS, TransformerAnalysis

__all__ = ["format_transformer", "human_bytes"]

_COLUMNS = [("component", "component"), ("group", "group"), ("each", "each"),
            ("count", "×"), ("params", "params"), ("note", "")]
_RIGHT = {"each", "count", "params"}


def human_bytes(n: int) -> str:
    """``37748736`` -> ``36.00 MiB`` (binary prefixes, 2 decimals)."""
    for size, prefix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n >= size:
            return f"{n / size:.2f} {prefix}"
    return f"{n} B"


def format_transformer(analysis: TransformerAnalysis) -> str:
    """Parameter rows, group totals, KV cache, FLOPs and training memory, one block each."""
    spec = analysis.spec
    cells = [{"component": r.component, "group": r.group, "each": f"{r.each:,}",
              "count": str(r.count), "params": f"{r.params:,}", "note": r.note}
             for r in analysis.components]
    widths = {key: max([len(title)] + [len(c[key]) for c in cells]) for key, title in _COLUMNS}

    def line(row: dict[str, str]) -> str:
        return "  ".join(row[key].rjust(widths[key]) if key in _RIGHT
                         else row[key].ljust(widths[key]) for key, _ in _COLUMNS).rstrip()

    header = line(dict(_COLUMNS))
    out = [f"{analysis.network}: {spec.describe()}", header, "-" * len(header)]
    out += [line(c) for c in cells]
    out.append("-" * len(header))
    out.append("   ".join(f"{g} {analysis.groups[g]:,}" for g in GROUPS))
    total = analysis.total_params
    out.append(f"params {total:,} ({human_count(total)})   non-embedding N "
               f"{analysis.non_embedding_params:,}   matmul weights N_mm "
               f"{analysis.matmul_params:,}")
    ctx, batch = analysis.context, analysis.batch
    out.append("")
    if analysis.kv_cache is None:
        out.append("KV cache: none (an encoder: no autoregressive decoding)")
    else:
        kv = analysis.kv_cache
        out.append(f"KV cache ({analysis.dtype}): 2·{spec.layers} layers·{spec.n_kv_heads} KV "
                   f"heads·{spec.d_head} = {kv.values_per_token:,} values = "
                   f"{kv.bytes_per_token:,} B per token; context {ctx:,} × batch {batch}: "
                   f"{kv.bytes:,} B ({human_bytes(kv.bytes)})")
    f = analysis.flops
    out.append(f"forward FLOPs per token at context {ctx:,} (d_attn {analysis.d_attn:,}):")
    out.append(f"  2N + 4·n_layer·n_ctx·d_attn   {f.per_token:,} ({human_count(f.per_token)})")
    out.append(f"  Kaplan et al. 2020, 2N + 2·n_layer·n_ctx·d_attn   {f.per_token_kaplan:,} "
               f"({human_count(f.per_token_kaplan)})")
    out.append(f"  matmuls as FlopCounterMode counts them   {f.matmul_per_token:,} "
               f"({human_count(f.matmul_per_token)}); one sequence of {ctx:,}: "
               f"{f.matmul_per_sequence:,} ({human_count(f.matmul_per_sequence)})")
    out.append("training memory, weights + gradients + AdamW moments (no activations):")
    for memory in analysis.training_memory:
        parts = " + ".join(f"{v} {k}" for k, v in memory.parts.items())
        label = "fp32" if memory.precision == "fp32" else "bf16 mixed (ZeRO)"
        out.append(f"  {label}: {parts} = {memory.bytes_per_param} B/param: "
                   f"{memory.bytes:,} B ({human_bytes(memory.bytes)})")
    return "\n".join(out)
