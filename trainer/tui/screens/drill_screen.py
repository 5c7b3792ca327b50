"""DrillScreen: the practice screen running a drill of missed cards.

Same keys and same card view as practice; the answers go to a ``DrillSession`` (logged as
drills, never applied to the schedule). For an exercise, the instance that was missed
comes first, then a fresh one; ctrl+s shows the worked solution without answering.

A drill that cannot be saved (disk full, read-only file) says "Not saved" and keeps the
card, as practice does; a card that cannot be read says so and the app goes on.
"""

from __future__ import annotations

from textual import work
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Button, Label, Static

from trainer.app.drill import DrillSession
from trainer.app.missed import MissedCard
from trainer.app.study import Attempt, PracticeCard, SessionSummary, StoreError
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.screens.practice_screen import PracticeScreen, format_summary
from trainer.tui.store_errors import StoreFailed, report_store_error, reports_store_errors
from trainer.tui.widgets.card_view import CardView
from trainer.tui.widgets.grade_bar import GRADES, GradeBar


class DrillScreen(PracticeScreen):
    HELP_TITLE = "Drill"
    BINDINGS = [
        *(b for b in PracticeScreen.BINDINGS
          if b.key != "escape" and b.action not in ("app.help", "app.quit")),
        Binding("ctrl+s", "reveal", "Solution", id="drill-solution"),
        Binding("escape", "topics", "Back", id="topics"),
        *HELP_AND_QUIT,
    ]

    def __init__(self, missed: list[MissedCard], label: str = "missed cards") -> None:
        super().__init__(topic=None)
        self.missed = missed
        self.label = label
        self.session: DrillSession | None = None

    def on_mount(self) -> None:
        # Before PracticeScreen.on_mount (handlers run down the MRO): it loads the first card.
        self.session = DrillSession(self.app.study, self.missed)

    def show_first(self) -> None:
        self.load_next()  # in a worker: a missed exercise may be posed afresh (NumPy)

    def _title(self) -> str:
        item = self.session.current if self.session is not None else None
        if item is None or self.card is None or self.card.exercise is None:
            return f"Drill · {self.label}"
        if item.exact:
            typed = f" (you answered {escape(_clip(item.typed, 16))})" if item.typed else ""
            return f"Drill · the instance you missed{typed}"
        return "Drill · a fresh instance"

    # -- workers: the drill session instead of the study session ----------------------------
    @work(thread=True, exclusive=True, group="study")
    @reports_store_errors("Card not loaded")
    def load_next(self) -> None:
        now = self.app.clock()
        self._post(self.session.next_card(now), now)

    @work(thread=True, exclusive=True, group="study")
    def submit(self, key: str, grade: int, duration_ms: int, attempt: Attempt | None) -> None:
        now = self.app.clock()
        try:
            self.session.answer(key, grade, now, duration_ms, attempt)
        except StoreError as exc:  # rolled back: the card stays, the same key saves it
            self.post_message(self.SaveFailed(str(exc)))
            return
        self._post_next(now)

    @reports_store_errors("Drill saved; the next card could not be read")
    def _post_next(self, now) -> None:
        self._post(self.session.next_card(now), now)

    @work(thread=True, exclusive=True, group="study")
    def take_back(self) -> None:
        now = self.app.clock()
        position = self.session.position
        try:
            card = self.session.undo(now)
        except StoreError as exc:
            if self.session.position == position:  # the delete failed: nothing changed
                self.post_message(self.SaveFailed(str(exc)))
            else:  # deleted, then its card could not be read
                report_store_error(self, "Drill undone; its card could not be read", exc)
            return
        self._post(card, now, note="Last drill undone" if card else "Nothing to undo")

    def _post(self, card: PracticeCard | None, now, note: str = "") -> None:
        summary = None if card is not None else self.session.summary(now)
        self.post_message(self.CardReady(card, self.session.progress(now), summary, note))

    async def on_practice_screen_card_ready(self, message: PracticeScreen.CardReady) -> None:
        # PracticeScreen's handler shows the card, called here (not after this one, hence
        # prevent_default): the drill's own summary replaces the practice one after it.
        message.prevent_default()
        self.card = message.card
        self.query_one("#session-title", Label).update(self._title())
        await super().on_practice_screen_card_ready(message)
        if message.card is None and message.summary is not None:
            when = self.app.format_time(message.summary.next_due)
            self.query_one("#summary", Static).update(drill_summary(message.summary, when))

    def watch_revealed(self) -> None:
        super().watch_revealed()
        # A drill sets no interval: the grade buttons keep their digits without one
        # (GradeBar.show_intervals drops the digit with the interval).
        for bar in self.query(GradeBar):
            for grade, name in GRADES.items():
                bar.query_one(f"#grade-{grade}", Button).label = f"{grade} {name}"

    # -- a failed read or write: the app shows the error, the screen stays usable ----------
    def on_store_failed(self, message: StoreFailed) -> None:
        """A read failed (the app shows it; the message goes on up to it): keep the card
        if the drill still expects it, else take it off the screen (see ``_in_step``)."""
        self.busy = False
        self._in_step()

    def on_practice_screen_save_failed(self, message: PracticeScreen.SaveFailed) -> None:
        # Runs before PracticeScreen's handler ("Not saved", the card kept): an undo whose
        # delete was saved but whose card could not be read leaves the drill elsewhere.
        self._in_step()

    def _in_step(self) -> None:
        """The card on screen can be graded only if it is the one the drill expects: after
        a saved drill whose next card could not be read, or an undo that could not show its
        card, grading it would log the wrong card. Then it goes; escape goes back."""
        session = self.session
        if self.card is None or session is None:
            return
        expected = session.current
        if (expected is not None and session.position < len(session.items)
                and session.items[session.position] is expected
                and expected.key == self.card.key):
            return
        self.card = None
        self.revealed = False
        self.query_one(CardView).display = False
        summary = self.query_one("#summary", Static)
        summary.update("[b]The card could not be read[/b] (the message says why; the drills "
                       "answered are saved).\n\n[dim]escape back to the missed cards · "
                       "q quit[/dim]")
        summary.display = True
        self._sync_reveal()

    # -- keys --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None, not False, when a key cannot act now: it stays in the footer (dimmed), which
        # keeps the same keys from card to card, as on the practice screen.
        if action == "reveal":  # exercises too: the worked solution without answering
            return (not self.busy and self.card is not None and not self.revealed) or None
        if action == "undo":
            return (not self.busy and self.session is not None
                    and self.session.can_undo()) or None
        return super().check_action(action, parameters)

    def action_reveal(self) -> None:
        if self.card is not None and self.card.exercise is not None and not self.revealed:
            verdict = self.query_one("#verdict", Static)
            verdict.remove_class("-correct", "-wrong")
            verdict.update("[dim]The worked solution · grade yourself 1-4 "
                           "(a drill never changes the schedule)[/dim]")
            self.set_focus(None)
            self.revealed = True
            self.query_one(CardView).show_answer_first()
            return
        super().action_reveal()

    def action_accept(self) -> None:
        """Enter grades a checked answer only: after ctrl+s nothing was answered, so the
        learner grades the exercise (1-4), never enter's Good."""
        if self.card is not None and self.card.exercise is not None and self.result is None:
            self.notify("Nothing was answered: grade yourself with 1-4.", timeout=3)
            return
        super().action_accept()


def drill_summary(summary: SessionSummary, when: str | None) -> str:
    """The session summary, worded for a drill: esc goes back to the missed cards."""
    lines = format_summary(summary, when).split("\n")
    lines[0] = "[b]Drill complete[/b]"
    lines[-1] = "[dim]u undo the last drill · escape back to the missed cards · q quit[/dim]"
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
