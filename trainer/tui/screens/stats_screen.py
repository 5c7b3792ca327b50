"""StatsScreen: reviews per day, true retention, the due forecast, mastery per topic, the
weakest cards and time studied: pictures first, numbers beside them."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from trainer.app.charts import hbar
from trainer.app.formatting import count_of, format_duration, format_percent
from trainer.app.progress import ProgressTracker
from trainer.app.stats import Stats
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.store_errors import reports_store_errors
from trainer.tui.widgets.bar_chart import BarChart
from trainer.tui.widgets.heatmap import HeatMap
from trainer.tui.widgets.sized_table import SizedTable


def retention_markup(stats: Stats) -> str:
    lines = ["[$text-muted]         young         mature        all[/]"]
    for w in stats.retention:
        lines.append(f"{w.days:>2} days  {_rate(w.young, w.young_reviews)}  "
                     f"{_rate(w.mature, w.mature_reviews)}  {format_percent(w.overall):>4}")
    lines += ["", "[$text-muted]passed = not Again, in scheduled reviews\n"
                  "of learned cards; mature: interval ≥ 21d[/]"]
    return "\n".join(lines)


def _rate(value: float | None, reviews: int) -> str:
    """``87% of 120`` in 12 cells, coloured by how close it is to the usual 90 %."""
    if value is None:
        return f"[$text-muted]{'–':^12}[/]"
    style = "$success" if value >= 0.85 else "$warning" if value >= 0.7 else "$error"
    return f"[{style}]{format_percent(value):>4}[/][$text-muted] of {reviews:<4}[/]"


def mastery_markup(stats: Stats, width: int = 24) -> str:
    if not stats.mastery:
        return "[$text-muted]No cards yet.[/]"
    name = max(len(m.title) for m in stats.mastery)
    name = min(name, 34)
    lines = []
    for m in stats.mastery:
        title = escape(m.title if len(m.title) <= name else m.title[:name - 1] + "…")
        lines.append(f"{title:<{name}} [$accent]{hbar(m.mastery, width)}[/] "
                     f"{m.mastery:>4.0%} [$text-muted]{m.studied}/{m.cards}[/]")
    return "\n".join(lines)


WEAKEST_COLUMNS = (("Recall", "recall"), ("Topic", "topic"), ("Card", "card"))
WEAKEST_FIT = (("topic", 10), ("card", 16))  # narrow: the topic gives way first


class StatsScreen(Screen):
    HELP_TITLE = "Statistics"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="stats-refresh"),
        Binding("escape", "app.pop_screen", "Back", id="stats-back"),
        *HELP_AND_QUIT,
    ]

    @dataclass
    class StatsReady(Message):
        stats: Stats

    def __init__(self) -> None:
        super().__init__()
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield Label("[b]Statistics[/b]", id="stats-title")
        with VerticalScroll(id="stats-body"):
            yield Static("Loading…", id="stats-summary")
            with Horizontal(id="stats-row"):
                with Vertical(id="stats-heat-box", classes="stats-box"):
                    yield HeatMap(id="stats-heatmap")
                with Vertical(id="stats-retention-box", classes="stats-box"):
                    yield Static("", id="stats-retention")
            with Vertical(id="stats-forecast-box", classes="stats-box"):
                yield BarChart(height=5, id="stats-forecast")
            with Vertical(id="stats-mastery-box", classes="stats-box"):
                yield Static("", id="stats-mastery")
            with Vertical(id="stats-weak-box", classes="stats-box"):
                yield SizedTable(id="stats-weakest", cursor_type="row", zebra_stripes=True,
                                 fit=WEAKEST_FIT)
        yield Footer()

    def on_mount(self) -> None:
        titles = {"#stats-heat-box": f"Reviews per day · {16} weeks",
                  "#stats-retention-box": "True retention",
                  "#stats-forecast-box": "Due in the next 30 days",
                  "#stats-mastery-box": "Mastery per topic · mean predicted recall now",
                  "#stats-weak-box": "The ten weakest cards"}
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one("#stats-weakest", SizedTable).fill(WEAKEST_COLUMNS, [])
        self.query_one("#stats-body").focus()
        self.load_stats()

    @work(thread=True, exclusive=True, group="stats")
    @reports_store_errors("Statistics not loaded")
    def load_stats(self) -> None:
        tracker = ProgressTracker.of(self.app.study)
        self.post_message(self.StatsReady(tracker.stats(self.app.clock())))

    def on_stats_screen_stats_ready(self, message: StatsReady) -> None:
        stats = self.stats = message.stats
        t = stats.time
        streak = count_of(stats.streak_days, "day")
        reviews = count_of(stats.reviews_today, "review")
        self.query_one("#stats-summary", Static).update(
            f"Today [b]{reviews}[/b] · streak [b]{streak}[/b] · "
            f"studied today [b]{format_duration(t.today_seconds)}[/b], 7 days "
            f"[b]{format_duration(t.week_seconds)}[/b], 30 days "
            f"[b]{format_duration(t.month_seconds)}[/b]")
        self.query_one(HeatMap).show(stats.heatmap)
        self.query_one("#stats-retention", Static).update(retention_markup(stats))
        due = [d.due for d in stats.forecast]
        ticks = {i: ("today" if i == 0 else f"+{i}d") for i in range(0, len(due), 7)}
        self.query_one(BarChart).show(due, ticks)
        self.query_one("#stats-forecast-box").border_subtitle = (
            f"{sum(due)} due · today {due[0] if due else 0}")
        self.query_one("#stats-mastery", Static).update(mastery_markup(stats))
        self.query_one("#stats-weakest", SizedTable).fill(WEAKEST_COLUMNS, [
            (card.key, (f"{card.recall:.0%}", Text(card.topic_title), Text(card.title)))
            for card in stats.weakest])

    def action_refresh(self) -> None:
        self.load_stats()
