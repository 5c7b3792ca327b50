"""Plain table rows and a text table of an :class:`Analysis` (no UI library involved).

Cells: shapes ``64×56×56`` (C×H×W) or ``1000`` (features); receptive field, jump and
effective padding as one number when H and W agree, ``H×W`` otherwise, and
``whole input`` from a flatten/linear layer on; counts with thousands separators.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .analysis import Analysis, LayerAnalysis

__all__ = ["COLUMNS", "WHOLE_INPUT", "format_table", "human_count", "rows"]

COLUMNS: list[tuple[str, str]] = [
    ("name", "layer"),
    ("type", "type"),
    ("output", "output"),
    ("rf", "RF"),
    ("jump", "jump"),
    ("padding", "eff. pad"),
    ("params", "params"),
    ("macs", "MACs"),
]
"""(row key, column header) in display order."""

WHOLE_INPUT = "whole input"
"""What the RF, jump and padding cells show once every output depends on the whole input."""


def _shape(shape: Sequence[int]) -> str:
    return "×".join(str(v) for v in shape)


def _pair(pair: tuple[int, int] | None) -> str:
    if pair is None:
        return WHOLE_INPUT
    h, w = pair
    return str(h) if h == w else f"{h}×{w}"


def human_count(n: int) -> str:
    """``1814073344`` -> ``1.81 G``; ``11689512`` -> ``11.69 M`` (SI prefixes, 2 decimals)."""
    for size, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= size:
            return f"{n / size:.2f} {prefix}"
    return str(n)


def _row(layer: LayerAnalysis, raw: bool) -> dict[str, Any]:
    if raw:
        return {
            "name": layer.name, "type": layer.type, "output": list(layer.output_shape),
            "rf": None if layer.receptive_field is None else list(layer.receptive_field),
            "jump": None if layer.jump is None else list(layer.jump),
            "padding": (None if layer.effective_padding is None
                        else list(layer.effective_padding)),
            "params": layer.params, "macs": layer.macs,
        }
    return {
        "name": layer.name, "type": layer.type, "output": _shape(layer.output_shape),
        "rf": _pair(layer.receptive_field), "jump": _pair(layer.jump),
        "padding": _pair(layer.effective_padding),
        "params": f"{layer.params:,}", "macs": f"{layer.macs:,}",
    }


def rows(analysis: Analysis, *, totals: bool = True, raw: bool = False) -> list[dict[str, Any]]:
    """One dict per layer with the keys of :data:`COLUMNS`, then a ``total`` row.

    Display strings by default; ``raw=True`` keeps numbers (pairs as ``[h, w]`` lists,
    ``None`` for "whole input").  The total row has the network's output shape, total
    params and MACs, and empty (``None`` if raw) RF cells.
    """
    out = [_row(layer, raw) for layer in analysis.layers]
    if totals:
        empty = None if raw else ""
        out.append({
            "name": "total", "type": empty,
            "output": list(analysis.output_shape) if raw else _shape(analysis.output_shape),
            "rf": empty, "jump": empty, "padding": empty,
            "params": analysis.total_params if raw else f"{analysis.total_params:,}",
            "macs": analysis.total_macs if raw else f"{analysis.total_macs:,}",
        })
    return out


_RIGHT = {"params", "macs", "rf", "jump", "padding"}


def format_table(analysis: Analysis) -> str:
    """The analysis as an aligned plain-text table, totals and warnings below it."""
    table = rows(analysis, totals=False)
    widths = {key: max([len(header)] + [len(str(r[key])) for r in table])
              for key, header in COLUMNS}

    def line(cells: dict[str, Any]) -> str:
        parts = [str(cells[key]).rjust(widths[key]) if key in _RIGHT
                 else str(cells[key]).ljust(widths[key]) for key, _ in COLUMNS]
        return "  ".join(parts).rstrip()

    header = line({key: title for key, title in COLUMNS})
    out = [f"{analysis.network}: input {_shape(analysis.input_shape)}", header,
           "-" * len(header)]
    out += [line(r) for r in table]
    out.append("-" * len(header))
    out.append(f"params {analysis.total_params:,} ({human_count(analysis.total_params)})   "
               f"MACs {analysis.total_macs:,} ({human_count(analysis.total_macs)})   "
               f"FLOPs = 2·MACs = {analysis.total_flops:,} "
               f"({human_count(analysis.total_flops)})")
    out += [f"warning: {w}" for w in analysis.warnings]
    return "\n".join(out)
