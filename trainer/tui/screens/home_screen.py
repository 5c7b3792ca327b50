"""HomeScreen: the topics with what is due and new in each; start from here."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from trainer.app.study import Overview, Readiness
from trainer.tui.live_reload import DecksReloaded
from trainer.tui.screens.browser_screen import BrowserScreen
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.screens.missed_screen import MissedScreen
from trainer.tui.screens.settings_screen import SettingsScreen
from trainer.tui.screens.stats_screen import StatsScreen
from trainer.tui.store_errors import reports_store_errors
from trainer.tui.widgets.sized_table import SizedTable

ALL_TOPICS = "__all__"
# "Unseen" everywhere (today's quota of new cards is on the counts line above): the first
# row once showed the quota and the rows below the unseen counts under one "New" header.
COLUMNS = (("Topic", "topic"), ("Due", "due"), ("Unseen", "new"), ("Cards", "total"))


class HomeScreen(Screen):
    BINDINGS = [
        Binding("enter", "study_selected", "Study topic", id="study-topic", priority=True),
        Binding("s", "study_all", "Study all", id="study-all"),
        Binding("l", "toggle_language", "中/EN", id="language"),
        Binding("r", "refresh", "Refresh", id="refresh", show=False),
        Binding("t", "stats", "Stats", id="stats"),
        Binding("m", "missed", "Missed", id="missed"),
        Binding("b", "browser", "Browse", id="browser"),
        Binding("L", "leeches", "Leeches", id="leeches", show=False),
        Binding("comma", "settings", "Settings", id="settings", show=False),
        *HELP_AND_QUIT,
    ]

    @dataclass
    class OverviewReady(Message):
        overview: Overview
        readiness: Readiness | None = None  # the interview countdown, when a date is set

    def compose(self) -> ComposeResult:
        yield Label("[b]trainer[/b]  deep-learning interview practice", id="home-title")
        yield Static("Loading…", id="home-counts")
        yield SizedTable(id="topics", cursor_type="row", zebra_stripes=True,
                         fit=(("topic", 24),))  # "(after …)" gives way to the counts
        yield Static("", id="home-problems")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SizedTable).fill(COLUMNS, [])

    def on_screen_resume(self) -> None:
        self.load_overview()

    @work(thread=True, exclusive=True, group="overview")
    @reports_store_errors("Topics not loaded")
    def load_overview(self) -> None:
        now = self.app.clock()
        self.post_message(self.OverviewReady(self.app.study.overview(now),
                                             self.app.study.readiness(now)))

    def on_home_screen_overview_ready(self, message: OverviewReady) -> None:
        overview = message.overview
        language = "中文" if overview.language == "zh" else "English"
        self.query_one("#home-counts", Static).update(
            f"Due now [b]{overview.due}[/b] · new today [b]"
            f"{min(overview.new_available, overview.new_left_today)}[/b] "
            f"(of {overview.new_available} unseen) · reviewed today "
            f"[b]{overview.reviewed_today}[/b] · language {language}"
            + readiness_line(message.readiness)
        )
        table = self.query_one(SizedTable)
        row = table.cursor_row
        rows = [(ALL_TOPICS, ("All topics", str(overview.due), str(overview.new_available),
                              str(sum(t.total for t in overview.topics))))]
        for group in overview.groups or [None]:
            if group is not None:  # a group row: enter studies the whole group
                rows.append((group.slug, (Text(group.title, style="bold"), str(group.due),
                                          str(group.new), str(group.total))))
            for t in (group.topics if group is not None else overview.topics):
                waits = f"  (after {', '.join(t.waits_for)})" if t.waits_for else ""
                rows.append((t.topic, (Text.assemble(f"  {t.title}", (waits, "dim")),
                                       str(t.due), str(t.new), str(t.total))))
        table.fill(COLUMNS, rows)
        table.move_cursor(row=min(row, table.row_count - 1))
        problems = self.query_one("#home-problems", Static)
        problems.display = bool(overview.problems)
        if overview.problems:
            shown = "\n".join(overview.problems[:5])
            more = len(overview.problems) - 5
            problems.update(f"[b]Deck problems[/b] (trainer check lists them all)\n{shown}"
                            + (f"\n… and {more} more" if more > 0 else ""))

    def action_study_selected(self) -> None:
        table = self.query_one(SizedTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.start_practice(None if key == ALL_TOPICS else key)

    def action_study_all(self) -> None:
        self.app.start_practice(None)

    def action_toggle_language(self) -> None:
        self.app.toggle_language()
        self.load_overview()

    def action_refresh(self) -> None:
        """Read the deck folders again (your edits), then the counts."""
        self.app.deck_watcher.reload()
        self.load_overview()

    def on_decks_reloaded(self, message: DecksReloaded) -> None:
        self.load_overview()

    def action_stats(self) -> None:
        self.app.push_screen(StatsScreen())

    def action_missed(self) -> None:
        self.app.push_screen(MissedScreen())

    def action_browser(self, state: str = "all") -> None:
        self.app.push_screen(BrowserScreen(state))

    def action_leeches(self) -> None:
        self.action_browser("leech")

    def action_settings(self) -> None:
        self.app.push_screen(SettingsScreen())


def readiness_line(ready: Readiness | None) -> str:
    """The interview countdown and expected recall on the day, on a line of its own."""
    if ready is None:
        return ""
    when = ("today" if ready.days_left == 0 else "tomorrow" if ready.days_left == 1
            else f"in [b]{ready.days_left}[/b] days")
    line = (f"\nInterview {when} ({ready.interview_date:%a %d %b}) · expected recall on "
            f"the day [b]{ready.expected_recall:.0%}[/b] of {ready.total} cards "
            f"({ready.studied} studied), [b]{ready.at_target:.0%}[/b] at the "
            f"{ready.target:.0%} target")
    if not ready.feasible and ready.planned is not None:  # the plan cannot get there
        line += (f"\n[b]Cannot be ready[/b] within {ready.max_per_day} answers a day: about "
                 f"{ready.planned:.0%} of cards can reach the target"
                 + (f"; all need ~{ready.needed_per_day} a day" if ready.needed_per_day
                    else "")
                 + (f" or {ready.ready_by:%d %b %Y}" if ready.ready_by else ""))
    return line
