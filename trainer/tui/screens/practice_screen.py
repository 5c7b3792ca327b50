"""PracticeScreen: question, space for the answer, 1-4 to grade, u to undo."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Label, ProgressBar, Static

from trainer.study import PracticeCard, Progress, SessionSummary
from trainer.tui.widgets.card_view import CardView
from trainer.tui.widgets.grade_bar import GRADES, GradeBar


def format_summary(summary: SessionSummary, when: str | None) -> str:
    minutes, seconds = divmod(round(summary.seconds), 60)
    lines = ["[b]Session complete[/b]", ""]
    if summary.reviewed:
        accuracy = f"{summary.accuracy:.0%}" if summary.accuracy is not None else "–"
        lines += [
            f"Cards reviewed   {summary.reviewed}",
            f"Remembered       {summary.correct} ({accuracy})",
            f"Time             {minutes}m {seconds:02d}s",
        ]
    else:
        lines.append("Nothing is due right now.")
    lines += ["", f"Next card due    {when}" if when else "No cards scheduled yet.", "",
              "[dim]u undo the last answer · escape topics · q quit[/dim]"]
    return "\n".join(lines)


class PracticeScreen(Screen):
    """One study session. All database work happens in thread workers."""

    BINDINGS = [
        Binding("space", "reveal", "Show answer", id="reveal"),
        Binding("1", "grade(1)", "Again", id="grade-again"),
        Binding("2", "grade(2)", "Hard", id="grade-hard"),
        Binding("3", "grade(3)", "Good", id="grade-good"),
        Binding("4", "grade(4)", "Easy", id="grade-easy"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("l", "toggle_language", "中/EN", id="language"),
        Binding("escape", "topics", "Topics", id="topics"),
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    revealed: reactive[bool] = reactive(False)
    busy: reactive[bool] = reactive(True)

    @dataclass
    class CardReady(Message):
        """A worker finished: show ``card`` (or the summary when it is None)."""

        card: PracticeCard | None
        progress: Progress
        summary: SessionSummary | None = None
        note: str = ""

    def __init__(self, topic: str | None = None) -> None:
        super().__init__()
        self.topic = topic
        self.card: PracticeCard | None = None
        self._shown_at = 0.0

    def compose(self) -> ComposeResult:
        with Horizontal(id="status"):
            yield Label("", id="session-title")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
            yield Label("", id="progress-label")
        with Vertical(id="body"):
            yield CardView(id="card")
            yield Static("", id="summary")
        yield Label("space  show the answer", id="hint")
        yield GradeBar(id="grades")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#session-title", Label).update(self._title())
        self.load_next(first=True)

    def _title(self) -> str:
        study = self.app.study
        if self.topic is None:
            return "All topics"
        titles = {c.topic: c.topic_title(study.language) for c in study.deck.cards.values()}
        return titles.get(self.topic, self.topic)

    # -- workers (database off the UI thread) ------------------------------------------
    @work(thread=True, exclusive=True, group="study")
    def load_next(self, first: bool = False) -> None:
        study = self.app.study
        now = self.app.clock()
        if first:
            study.set_topic(self.topic)
        card = study.next_card(now)
        self._post(card, now)

    @work(thread=True, exclusive=True, group="study")
    def submit(self, key: str, grade: int, duration_ms: int) -> None:
        study = self.app.study
        now = self.app.clock()
        study.answer(key, grade, now, duration_ms)
        self._post(study.next_card(now), now)

    @work(thread=True, exclusive=True, group="study")
    def take_back(self) -> None:
        study = self.app.study
        now = self.app.clock()
        card = study.undo(now)
        self._post(card, now, note="Last answer undone" if card else "Nothing to undo")

    def _post(self, card: PracticeCard | None, now, note: str = "") -> None:
        study = self.app.study
        summary = None if card is not None else study.summary(now)
        self.post_message(self.CardReady(card, study.progress(now), summary, note))

    # -- showing -------------------------------------------------------------------------
    def on_practice_screen_card_ready(self, message: CardReady) -> None:
        self.card = message.card
        self._show_progress(message.progress)
        view = self.query_one(CardView)
        summary = self.query_one("#summary", Static)
        if message.card is None:
            view.display = False
            summary.display = True
            when = self.app.format_time(message.summary.next_due) if message.summary else None
            summary.update(format_summary(message.summary, when))
        else:
            summary.display = False
            view.display = True
            view.show(message.card)
            self.query_one(GradeBar).show_intervals(message.card.intervals)
            self._shown_at = time.monotonic()
        if message.note:
            self.notify(message.note, timeout=2)
        self.revealed = False
        self.busy = False
        self._sync_reveal()

    def _show_progress(self, progress: Progress) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)
        self.query_one("#progress-label", Label).update(f"{progress.done}/{progress.total}")

    def watch_revealed(self) -> None:
        self._sync_reveal()

    def _sync_reveal(self) -> None:
        revealed = self.revealed
        self.query_one(CardView).revealed = revealed
        self.query_one(GradeBar).display = revealed and self.card is not None
        self.query_one("#hint", Label).display = not revealed and self.card is not None
        self.refresh_bindings()

    def watch_busy(self, _busy: bool) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only the keys that make sense now (the footer follows)."""
        if action == "reveal":
            return not self.busy and self.card is not None and not self.revealed
        if action == "grade":
            return not self.busy and self.card is not None and self.revealed
        if action == "undo":
            return not self.busy and self.app.study.can_undo()
        return True

    # -- actions -------------------------------------------------------------------------
    def action_reveal(self) -> None:
        self.revealed = True

    def action_grade(self, grade: int) -> None:
        if self.busy or self.card is None or not self.revealed:
            return
        self.busy = True
        duration_ms = int((time.monotonic() - self._shown_at) * 1000)
        self.submit(self.card.key, grade, duration_ms)

    def on_grade_bar_graded(self, message: GradeBar.Graded) -> None:
        self.action_grade(message.grade)

    def action_undo(self) -> None:
        if not self.busy:
            self.busy = True
            self.take_back()

    def action_toggle_language(self) -> None:
        self.app.toggle_language()
        self.query_one("#session-title", Label).update(self._title())
        if not self.busy:
            self.busy = True
            self.load_next()

    def action_topics(self) -> None:
        self.app.show_topics()


__all__ = ["GRADES", "PracticeScreen"]
