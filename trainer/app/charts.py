"""Charts drawn with block characters, shared by ``trainer stats`` and the stats screen.

Pure functions of numbers: no colours here (the TUI colours the levels with its theme).
"""

from __future__ import annotations

from collections.abc import Sequence

EIGHTHS = " ▏▎▍▌▋▊▉█"  # horizontal bars, in eighths of a cell
RISING = " ▁▂▃▄▅▆▇█"  # vertical bars, in eighths of a cell
HEAT = "·░▒▓█"  # heatmap levels 0 (nothing) to 4 (the busiest days)


def heat_levels(values: Sequence[float], levels: int = 4) -> list[int]:
    """0 for nothing, else 1..``levels`` by the value's share of the largest one."""
    top = max(values, default=0)
    if top <= 0:
        return [0 for _ in values]
    return [0 if v <= 0 else min(levels, 1 + int(levels * v / top - 1e-9)) for v in values]


def hbar(fraction: float, width: int) -> str:
    """A horizontal bar ``width`` cells wide, filled to ``fraction`` (0..1) in eighths."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    bar = "█" * full + (EIGHTHS[rest] if rest else "")
    return bar.ljust(width)


def vbars(values: Sequence[float], height: int) -> list[str]:
    """Rows, top first, of vertical bars one cell wide each; a non-zero value shows at
    least an eighth, so a small day is never invisible."""
    top = max(values, default=0)
    total = height * 8
    heights = [0 if v <= 0 or top <= 0 else max(1, round(v / top * total)) for v in values]
    rows = []
    for row in range(height - 1, -1, -1):
        base = row * 8
        rows.append("".join(RISING[min(max(h - base, 0), 8)] for h in heights))
    return rows
