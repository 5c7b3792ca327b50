"""A text table of an :class:`Analysis` (no UI library involved).

The cells come from :func:`~trainer.exercises.networks.analysis.rows` (the rows live with
the analysis, so the import runs one way): shapes ``64×56×56`` (C×H×W) or ``1000``
(features); receptive field, jump and effective padding as one number when H and W agree,
``H×W`` otherwise, and ``whole input`` from a flatten/linear layer on; counts with
thousands separators.
"""

from __future__ import annotations

from typing import Any

from .analysis import Analysis, rows, shape_cell

__all__ = ["COLUMNS", "format_table", "human_count"]

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


def human_count(n: int) -> str:
    """``1814073344`` -> ``1.81 G``; ``11689512`` -> ``11.69 M`` (SI prefixes, 2 decimals)."""
    for size, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= size:
            return f"{n / size:.2f} {prefix}"
    return str(n)


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
    out = [f"{analysis.network}: input {shape_cell(analysis.input_shape)}", header,
           "-" * len(header)]
    out += [line(r) for r in table]
    out.append("-" * len(header))
    out.append(f"params {analysis.total_params:,} ({human_count(analysis.total_params)})   "
               f"MACs {analysis.total_macs:,} ({human_count(analysis.total_macs)})   "
               f"FLOPs = 2·MACs = {analysis.total_flops:,} "
               f"({human_count(analysis.total_flops)})")
    out += [f"warning: {w}" for w in analysis.warnings]
    return "\n".join(out)
