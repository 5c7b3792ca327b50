"""DrillScreen: the practice screen running a drill of missed cards.

Same keys and same card view as practice; the answers go to a ``DrillSession`` (logged as
drills, never applied to the schedule). For an exercise, the instance that was missed
comes first, then a fresh one; ctrl+s shows the worked solution without answering.

A drill that cannot be saved (disk full, read-only file) says "Not saved" and keeps the
card, as practice does; a card that cannot be read says so and the app goes on.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Static

from trainer.app.drill import DrillSession
from trainer.app.study import SessionSummary
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.screens.practice_screen import PracticeScreen, format_summary
from trainer.tui.store_errors import StoreFailed
from trainer.tui.text import clip
from trainer.tui.widgets.card_view import CardView


class DrillScreen(PracticeScreen):
    HELP_TITLE = "Drill"
    BINDINGS = [
        *(b for b in PracticeScreen.BINDINGS
          if b.key != "escape" and b.action not in ("app.help", "app.quit")),
        Binding("ctrl+s", "reveal", "Solution", id="drill-solution"),
        Binding("escape", "topics", "Back", id="topics"),
        *HELP_AND_QUIT,
    ]
    FIRST_CARD_IN_WORKER = True  # a missed exercise may be posed afresh (NumPy)
    TITLE_FOLLOWS_CARD = True  # the instance you missed, then a fresh one
    NEXT_UNREAD: ClassVar[str] = "Drill saved; the next card could not be read"
    UNDONE: ClassVar[str] = "Last drill undone"
    UNDONE_UNREAD: ClassVar[str] = "Drill undone; its card could not be read"

    def __init__(self, session: DrillSession, label: str = "missed cards") -> None:
        super().__init__(topic=None, session=session)
        self.drill = session
        self.label = label

    def _title(self) -> str:
        item = self.drill.current
        if item is None or self.card is None or self.card.exercise is None:
            return f"Drill · {self.label}"
        if item.exact:
            typed = f" (you answered {escape(clip(item.typed, 16))})" if item.typed else ""
            return f"Drill · the instance you missed{typed}"
        return "Drill · a fresh instance"

    def summary_text(self, summary: SessionSummary | None, when: str | None) -> str:
        return drill_summary(summary, when)

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
        if self.card is None or self.drill.expects(self.card.key):
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
            return (not self.busy and self.drill.can_undo()) or None
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

