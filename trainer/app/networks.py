"""Whole networks for ``trainer solve``: a built-in CNN or Transformer, or a spec file,
analysed layer by layer (shapes, receptive field, parameters, MACs, KV cache, FLOPs) and
written as a table. The analysis is the exercises package's; this is the commands' door."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer.exercises.networks import BUILTIN_NETWORKS, NetworkError

if TYPE_CHECKING:
    from trainer.exercises.networks import Analysis
    from trainer.exercises.networks.transformer import TransformerAnalysis, TransformerSpec

__all__ = ["BUILTIN_NETWORKS", "NetworkError", "analyze_network", "analyze_transformer",
           "cnn_table", "resolve_transformer", "transformer_table"]


def analyze_network(name_or_path: str, input_shape: tuple[int, ...] | None = None
                    ) -> Analysis:
    """Per-layer shapes, receptive field, params and MACs of a built-in net or a spec file.

    Raises ``NetworkError`` (a ``ValueError``) with ``path:line`` for a bad spec.
    """
    from trainer.exercises.networks import analyze, resolve_network

    return analyze(resolve_network(name_or_path), input_shape=input_shape)


def cnn_table(analysis: Analysis) -> str:
    from trainer.exercises.networks import format_table

    return format_table(analysis)


def resolve_transformer(name_or_path: str) -> TransformerSpec | None:
    """The Transformer a ``--net`` name or a spec file describes; None for a CNN."""
    from trainer.exercises.networks.transformer_spec import resolve_transformer as resolve

    return resolve(name_or_path)


def analyze_transformer(spec: TransformerSpec, *, context: int | None, batch: int,
                        dtype: str) -> TransformerAnalysis:
    from trainer.exercises.networks.transformer import analyze_transformer as analyze

    return analyze(spec, context=context, batch=batch, dtype=dtype)


def transformer_table(analysis: TransformerAnalysis) -> str:
    from trainer.exercises.networks.transformer_render import format_transformer

    return format_transformer(analysis)
