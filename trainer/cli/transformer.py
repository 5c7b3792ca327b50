"""``trainer solve`` for Transformers (``--net gpt2|bert-base|llama2-7b|vit-b16`` or a spec
with ``type: transformer``); the CNN part of ``solve`` stays in ``trainer.cli.main``.

``--context N --batch B --dtype fp32|fp16|bf16`` set the KV cache and FLOPs figures; they
are refused for a CNN, and ``--input`` is refused for a Transformer.
"""

from __future__ import annotations

import argparse

from trainer.cli.errors import EXIT_OK
from trainer.cli.errors import fail as _fail

TRANSFORMER_NETS = "gpt2, bert-base, llama2-7b, vit-b16"


def add_arguments(solve: argparse.ArgumentParser) -> None:
    """The Transformer options of ``trainer solve``."""
    solve.add_argument("--context", type=int, metavar="N",
                       help="Transformers: tokens per sequence for the KV cache and FLOPs "
                            "(default: the model's max positions)")
    solve.add_argument("--batch", type=int, metavar="B",
                       help="Transformers: sequences in the KV cache (default 1)")
    solve.add_argument("--dtype", choices=["fp32", "fp16", "bf16"],
                       help="Transformers: KV-cache value type (default fp16)")


def _unknown_net(name: str | None) -> str | None:
    """The error for a ``--net`` that is neither a built-in network nor a file, listing the
    CNNs and the Transformers."""
    from pathlib import Path

    from trainer.app.networks import BUILTIN_NETWORKS

    if not name or Path(name).suffix or Path(name).exists():
        return None
    if name.strip().lower().replace("-", "_") in BUILTIN_NETWORKS:
        return None
    return (f"unknown network {name!r}; built-in: {', '.join(BUILTIN_NETWORKS)}; "
            f"{TRANSFORMER_NETS}")


def solve(args: argparse.Namespace) -> int | None:
    """Print the analysis when ``args`` names a Transformer and return the exit status;
    ``None`` when it names a CNN (then the CNN path runs)."""
    from trainer.app.networks import (
        NetworkError,
        analyze_transformer,
        resolve_transformer,
        transformer_table,
    )

    options = [f"--{name}" for name in ("context", "batch", "dtype")
               if getattr(args, name, None) is not None]
    try:
        spec = resolve_transformer(args.net or args.spec)
    except NetworkError as exc:
        return _fail(str(exc))
    if spec is None:
        unknown = _unknown_net(args.net)
        if unknown:
            return _fail(unknown)
        if options:
            return _fail(f"{', '.join(options)}: for Transformers only ({TRANSFORMER_NETS} "
                         f"or a spec with type: transformer)")
        return None
    if args.input:
        return _fail("--input is for CNNs; a Transformer takes --context N (and --batch B)")
    try:
        analysis = analyze_transformer(spec, context=args.context,
                                       batch=1 if args.batch is None else args.batch,
                                       dtype=args.dtype or "fp16")
    except NetworkError as exc:
        return _fail(str(exc))
    print(analysis.to_json(indent=1) if args.json else transformer_table(analysis))
    return EXIT_OK
