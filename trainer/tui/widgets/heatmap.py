"""HeatMap: reviews per day as a calendar, weeks as columns, Monday on top."""

from __future__ import annotations

from textual.widgets import Static

from trainer.app.charts import heat_levels
from trainer.app.stats import DayActivity

WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
# Theme colours for levels 0 (no review) to 4 (the busiest days).
LEVEL_STYLES = ("$foreground 15%", "$success 35%", "$success 60%", "$success 80%", "$success")
CELL = "■ "


class HeatMap(Static):
    """Attributes down: ``show(days)`` with whole weeks, Monday first."""

    DEFAULT_CSS = """
    HeatMap { width: auto; height: auto; }
    """

    def show(self, days: list[DayActivity]) -> None:
        self.days = days
        self.update(self.markup(days))

    @staticmethod
    def markup(days: list[DayActivity]) -> str:
        levels = heat_levels([d.reviews for d in days])
        weeks = len(days) // 7
        header = [" "] * (weeks * len(CELL))
        free, previous = 0, None
        for week in range(weeks):
            month = days[week * 7].day.strftime("%b")
            column = week * len(CELL)
            if month != previous and column >= free:
                header[column:column + len(month)] = month
                free = column + len(month) + 1
            previous = month
        header = "    " + "".join(header)
        lines = [f"[$text-muted]{header.rstrip()}[/]"]
        for weekday in range(7):
            cells = []
            for week in range(weeks):
                i = week * 7 + weekday
                if days[i].future:
                    cells.append(" " * len(CELL))
                else:
                    cells.append(f"[{LEVEL_STYLES[levels[i]]}]{CELL}[/]")
            lines.append(f"[$text-muted]{WEEKDAYS[weekday]:<4}[/]" + "".join(cells))
        legend = " ".join(f"[{style}]■[/]" for style in LEVEL_STYLES)
        lines.append(f"[$text-muted]    less[/] {legend} [$text-muted]more[/]")
        return "\n".join(lines)

