"""BarChart: vertical bars in block characters (one cell per value) with a scale."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Static

from trainer.app.charts import vbars


class BarChart(Static):
    """Attributes down: ``show(values, ticks)``; ``ticks`` labels some columns below."""

    DEFAULT_CSS = """
    BarChart { width: auto; height: auto; }
    """

    def __init__(self, height: int = 5, style: str = "$primary", **kwargs) -> None:
        super().__init__(**kwargs)
        self.bar_height = height
        self.bar_style = style
        self.values: list[float] = []

    def show(self, values: Sequence[float], ticks: dict[int, str] | None = None) -> None:
        self.values = list(values)
        self.update(self.markup(self.values, self.bar_height, self.bar_style, ticks or {}))

    @staticmethod
    def markup(values: list[float], height: int, style: str, ticks: dict[int, str]) -> str:
        top = max(values, default=0)
        scale = f"{top:g}" if top else "0"
        width = max(len(scale), 1)
        rows = vbars(values, height)
        lines = []
        for n, row in enumerate(rows):
            label = scale if n == 0 else ("0" if n == len(rows) - 1 else "")
            lines.append(f"[$text-muted]{label:>{width}} │[/][{style}]{row}[/]")
        axis = "".join("┬" if i in ticks else "─" for i in range(len(values)))
        lines.append(f"[$text-muted]{'':>{width}} └{axis}[/]")
        under = [" "] * (len(values) + 12)
        for i, text in sorted(ticks.items()):
            under[i:i + len(text)] = text
        lines.append(f"[$text-muted]{'':>{width}}  {''.join(under).rstrip()}[/]")
        return "\n".join(lines)
