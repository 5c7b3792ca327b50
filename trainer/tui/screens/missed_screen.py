"""MissedScreen: every card graded Again or answered wrong in a window, most recent first;
drill one or all of them (extra practice, logged, never applied to the schedule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from trainer.app.drill import DrillSession
from trainer.app.formatting import in_window
from trainer.app.missed import MissedCard
from trainer.app.progress import ProgressTracker
from trainer.tui.screens.drill_screen import DrillScreen
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.store_errors import reports_store_errors
from trainer.tui.text import clip
from trainer.tui.widgets.sized_table import SizedTable

WINDOWS: tuple[timedelta | None, ...] = (timedelta(days=1), timedelta(days=7),
                                         timedelta(days=30), None)


COLUMNS = (("When", "when"), ("×", "misses"), ("Topic", "topic"), ("Card", "card"),
           ("You answered", "answer"))
FIT = (("topic", 10), ("answer", 10), ("card", 16))  # narrow: give way in this order


class MissedScreen(Screen):
    HELP_TITLE = "Missed cards"
    BINDINGS = [
        Binding("enter", "drill_selected", "Drill this card", id="missed-drill-one",
                priority=True),
        Binding("d", "drill_all", "Drill all", id="missed-drill-all"),
        Binding("w", "next_window", "Window", id="missed-window"),
        Binding("r", "refresh", "Refresh", id="missed-refresh"),
        Binding("escape", "app.pop_screen", "Back", id="missed-back"),
        *HELP_AND_QUIT,
    ]

    @dataclass
    class MissedReady(Message):
        missed: list[MissedCard]

    def __init__(self, window: timedelta | None = timedelta(days=7), *,
                 drill_now: bool = False) -> None:
        super().__init__()
        self.window = window
        self.drill_now = drill_now
        self.missed: list[MissedCard] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="missed-title")
        yield SizedTable(id="missed-table", cursor_type="row", zebra_stripes=True, fit=FIT)
        yield Static("[$text-muted]enter drills the selected card (an exercise: the instance "
                     "you missed, then a fresh one; ctrl+s shows its worked solution) · "
                     "d drills them all · w changes the window. Drills are logged but never "
                     "change the schedule.[/]", id="missed-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SizedTable).fill(COLUMNS, [])

    def on_screen_resume(self) -> None:
        self.load_missed()

    @work(thread=True, exclusive=True, group="missed")
    @reports_store_errors("Missed cards not loaded")
    def load_missed(self) -> None:
        tracker = ProgressTracker.of(self.app.study)
        self.post_message(self.MissedReady(tracker.missed(self.app.clock(), self.window)))

    def on_missed_screen_missed_ready(self, message: MissedReady) -> None:
        self.missed = message.missed
        self.query_one("#missed-title", Label).update(
            f"[b]Missed[/b] {in_window(self.window)}: "
            f"[b]{len(self.missed)}[/b] card{'s' * (len(self.missed) != 1)}")
        table = self.query_one(SizedTable)
        row = table.cursor_row
        table.fill(COLUMNS, [
            (card.key, (self.app.format_time(card.last_missed) or "", str(card.misses),
                        Text(card.topic_title), Text(clip(card.title, 200)),
                        Text(clip(card.answer or "", 24))))
            for card in self.missed])
        if self.missed:
            table.move_cursor(row=min(row, len(self.missed) - 1))
        if self.drill_now:
            self.drill_now = False
            self.action_drill_all()

    # -- actions -------------------------------------------------------------------------
    def action_drill_selected(self) -> None:
        table = self.query_one(DataTable)
        if not self.missed or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        chosen = [m for m in self.missed if m.key == key]
        self.app.push_screen(DrillScreen(DrillSession(self.app.study, chosen),
                                         label=clip(chosen[0].title, 40)))

    def action_drill_all(self) -> None:
        if not self.missed:
            self.notify(f"Nothing missed {in_window(self.window)}.",
                        timeout=3)
            return
        self.app.push_screen(DrillScreen(DrillSession(self.app.study, list(self.missed)),
                                         label=f"missed {in_window(self.window)}"))

    def action_next_window(self) -> None:
        index = WINDOWS.index(self.window) if self.window in WINDOWS else 0
        self.window = WINDOWS[(index + 1) % len(WINDOWS)]
        self.load_missed()

    def action_refresh(self) -> None:
        self.load_missed()
