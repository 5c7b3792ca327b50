"""HomeScreen: the topics with what is due and new in each; start from here."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from trainer.study import Overview

ALL_TOPICS = "__all__"


class HomeScreen(Screen):
    BINDINGS = [
        Binding("enter", "study_selected", "Study topic", id="study-topic", priority=True),
        Binding("s", "study_all", "Study all", id="study-all"),
        Binding("l", "toggle_language", "中/EN", id="language"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    @dataclass
    class OverviewReady(Message):
        overview: Overview

    def compose(self) -> ComposeResult:
        yield Label("[b]trainer[/b]  deep-learning interview practice", id="home-title")
        yield Static("Loading…", id="home-counts")
        yield DataTable(id="topics", cursor_type="row", zebra_stripes=True)
        yield Static("", id="home-problems")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Topic", key="topic")
        table.add_column("Due", key="due")
        table.add_column("New", key="new")
        table.add_column("Cards", key="total")

    def on_screen_resume(self) -> None:
        self.load_overview()

    @work(thread=True, exclusive=True, group="overview")
    def load_overview(self) -> None:
        self.post_message(self.OverviewReady(self.app.study.overview(self.app.clock())))

    def on_home_screen_overview_ready(self, message: OverviewReady) -> None:
        overview = message.overview
        language = "中文" if overview.language == "zh" else "English"
        self.query_one("#home-counts", Static).update(
            f"Due now [b]{overview.due}[/b] · new today [b]"
            f"{min(overview.new_available, overview.new_left_today)}[/b] "
            f"(of {overview.new_available} unseen) · reviewed today "
            f"[b]{overview.reviewed_today}[/b] · language {language}"
        )
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        table.add_row("All topics", str(overview.due),
                      str(min(overview.new_available, overview.new_left_today)),
                      str(sum(t.total for t in overview.topics)), key=ALL_TOPICS)
        for topic in overview.topics:
            table.add_row(topic.title, str(topic.due), str(topic.new), str(topic.total),
                          key=topic.topic)
        table.move_cursor(row=min(row, table.row_count - 1))
        problems = self.query_one("#home-problems", Static)
        problems.display = bool(overview.problems)
        if overview.problems:
            shown = "\n".join(overview.problems[:5])
            more = len(overview.problems) - 5
            problems.update(f"[b]Deck problems[/b] (trainer check lists them all)\n{shown}"
                            + (f"\n… and {more} more" if more > 0 else ""))

    def action_study_selected(self) -> None:
        table = self.query_one(DataTable)
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
        self.load_overview()
