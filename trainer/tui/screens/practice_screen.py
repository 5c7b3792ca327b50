"""PracticeScreen: question, space for the answer, 1-4 to grade, u to undo."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Label, ProgressBar, Static

from trainer.app.session import PracticeSession, StoreError, UndoneUnread
from trainer.app.study import Attempt, CheckResult, PracticeCard, SessionCount, SessionSummary
from trainer.tui.idle_gc import IdleCollector
from trainer.tui.live_reload import DecksReloaded, edit_card
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.store_errors import StoreFailed, report_store_error, reports_store_errors
from trainer.tui.widgets.card_view import CardView
from trainer.tui.widgets.grade_bar import GRADES, GradeBar

if TYPE_CHECKING:  # imported where the first exercise is shown
    from textual.widgets import Input

    from trainer.tui.widgets.matrix_input import MatrixInput

_PLACEHOLDERS = {
    "integer": "a whole number, e.g. 1,234",
    "shape": "a shape, e.g. 14x14 or (64, 56, 56)",
    "sequence": "numbers in order, e.g. 3, 1, 4",
    "number": "a number, rounded as the question says",
    "matrix": "",
}


def format_summary(summary: SessionSummary, when: str | None, quitting: bool = False) -> str:
    minutes, seconds = divmod(round(summary.seconds), 60)
    lines = ["[b]Session summary[/b]" if quitting else "[b]Session complete[/b]", ""]
    if summary.reviewed:
        accuracy = f"{summary.accuracy:.0%}" if summary.accuracy is not None else "–"
        lines += [
            f"Cards reviewed   {summary.reviewed}",
            f"Remembered       {summary.correct} ({accuracy})",
            f"Time             {minutes}m {seconds:02d}s",
        ]
    else:
        lines.append("Nothing is due right now.")
    lines += ["", f"Next card due    {when}" if when else "No cards scheduled yet.", ""]
    lines.append("[dim]press any key to quit[/dim]" if quitting else
                 "[dim]u undo the last answer · escape topics · q quit[/dim]")
    return "\n".join(lines)


# Answers between two WAL checkpoints (done in a worker while the next card is read;
# SQLite's own, inside a commit, stalled an answer): about 125 pages of WAL.
CHECKPOINT_EVERY = 25


class PracticeScreen(Screen):
    """One session: the app's study session, or the one given (a drill, ``DrillScreen``).
    All database work happens in thread workers (the first card excepted, see show_first).
    """

    BINDINGS = [
        # The footer stays the same from card to card: the state-dependent keys (space,
        # 1-4) are shown on the card itself (the hint line, the grade buttons with their
        # intervals). Re-drawing the footer per answer cost more than the rest of an answer.
        Binding("space", "reveal", "Show answer", id="reveal", show=False),
        Binding("1", "grade(1)", "Again", id="grade-again", show=False),
        Binding("2", "grade(2)", "Hard", id="grade-hard", show=False),
        Binding("3", "grade(3)", "Good", id="grade-good", show=False),
        Binding("4", "grade(4)", "Easy", id="grade-easy", show=False),
        Binding("enter", "accept", "Good (or Again if wrong)", id="accept", show=False),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("down,j", "scroll(1)", "Scroll down", id="scroll-down", show=False),
        Binding("up,k", "scroll(-1)", "Scroll up", id="scroll-up", show=False),
        Binding("pagedown", "scroll(10)", "Page down", id="page-down", show=False),
        Binding("pageup", "scroll(-10)", "Page up", id="page-up", show=False),
        Binding("l", "toggle_language", "中/EN", id="language"),
        Binding("e", "edit_card", "Edit card in $EDITOR", id="edit-card", show=False),
        Binding("r", "reload_decks", "Reload decks", id="reload-decks", show=False),
        Binding("escape", "topics", "Topics", id="topics"),
        *HELP_AND_QUIT,
    ]

    # What showing the answer changes, the watcher sets widget by widget: a repainting
    # reactive here would redraw the whole screen on every key (a full compositor pass).
    revealed: var[bool] = var(False)
    # A worker is saving or fetching: keys that would act on the card wait. Nothing on
    # screen shows it (a repaint here would spend the frame the next card needs).
    busy: var[bool] = var(True)

    # What differs between the sessions this screen runs (a drill sets its own).
    FIRST_CARD_IN_WORKER: ClassVar[bool] = False  # True: read in a worker, not in the frame
    TITLE_FOLLOWS_CARD: ClassVar[bool] = False  # the title is drawn again with each card
    NEXT_UNREAD: ClassVar[str] = "Card not loaded"  # an answer saved, its next card not read
    UNDONE: ClassVar[str] = "Last answer undone"
    UNDONE_UNREAD: ClassVar[str] = "Answer undone; its card could not be read"

    @dataclass
    class CardReady(Message):
        """A worker finished: show ``card`` (or the summary when it is None)."""

        card: PracticeCard | None
        progress: SessionCount
        summary: SessionSummary | None = None
        note: str = ""

    @dataclass
    class SaveFailed(Message):
        """A write failed and was rolled back (disk full, read-only file, ...): nothing
        changed, the card stays on screen unanswered and can be graded again."""

        error: str

    def __init__(self, topic: str | None = None, session: PracticeSession | None = None
                 ) -> None:
        super().__init__()
        self.topic = topic  # for the title: the app set it on its study session
        self._session = session
        self.card: PracticeCard | None = None
        self._shown_at = 0.0
        self._answered = False  # a grade was sent: note when the next card is drawn
        # When the card after each answer was drawn (perf_counter; read by `python -m
        # benchmarks`, which times it from its own key press).
        self.drawn_at: list[float] = []
        self._collector = IdleCollector()  # garbage collected between cards, not during
        self.result: CheckResult | None = None
        self.typed = ""
        self._quitting = False  # the summary is shown after q: the next key quits
        self._restore: tuple[bool, str | None] | None = None  # (revealed, typed) to put back

    def compose(self) -> ComposeResult:
        with Horizontal(id="status"):
            yield Label(self._title(), id="session-title")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
            yield Label("", id="progress-label")
        with Vertical(id="body"):
            yield CardView(id="card")
            yield Static("", id="summary")
        # The answer field (exercises) and the grade buttons (after the reveal) are not in
        # the first frame: they are mounted once it is drawn (_mount_later), so the first
        # card comes sooner.
        yield Vertical(id="answer-box")
        yield Static("", id="verdict")
        hint = Label("space  show the answer", id="hint")
        hint.display = False  # shown with a card (_sync_reveal), never on an empty screen
        yield hint
        yield Footer()

    @property
    def session(self) -> PracticeSession:
        """The session this screen runs: the one given, else the app's study session."""
        return self._session if self._session is not None else self.app.study

    def on_mount(self) -> None:
        if self.FIRST_CARD_IN_WORKER:
            self.load_next()
        else:
            self.show_first()
        self.call_after_refresh(self._mount_later)

    async def _mount_later(self) -> None:
        grades = GradeBar(id="grades")
        grades.display = False
        await self.mount(grades, before=self.query_one(Footer))
        if self.card is not None:
            grades.show_intervals(self.card.intervals)
        self._sync_reveal()

    @reports_store_errors("Card not loaded")
    def show_first(self) -> None:
        """The first card, read here on the UI thread (a few milliseconds) so that the
        first frame draws it: read in a worker, it raced that frame for the interpreter and
        came a frame later (docs/performance.md)."""
        self._show_next(self.app.clock())

    def _title(self) -> str:
        study = self.app.study  # the study session's topic (a drill has its own title)
        if self.topic is None:
            return "All topics"
        titles = {c.topic: c.topic_title(study.language) for c in study.deck.cards.values()}
        group = study.plan.group(self.topic)
        if self.topic not in titles and group is not None:
            return group.title(study.language)
        return titles.get(self.topic, self.topic)

    # -- workers (database off the UI thread) ------------------------------------------
    @work(thread=True, exclusive=True, group="study")
    @reports_store_errors("Card not loaded")
    def load_next(self) -> None:
        self._show_next(self.app.clock())

    @work(thread=True, exclusive=True, group="study")
    def submit(self, key: str, grade: int, duration_ms: int, attempt: Attempt | None) -> None:
        session = self.session
        now = self.app.clock()
        try:
            outcome = session.answer(key, grade, now, duration_ms, attempt)
        except StoreError as exc:  # rolled back: the card stays, the same key saves it
            self.post_message(self.SaveFailed(str(exc)))
            return
        note = ("Leech: that card lapsed too often and was suspended (L on the topics "
                "screen lists the leeches)") if outcome.leech else ""
        try:
            card = session.next_card(now)
        except StoreError as exc:  # saved: only the next card is missing
            report_store_error(self, self.NEXT_UNREAD, exc)
            return
        self._post(card, now, note)

    @work(thread=True, exclusive=True, group="study")
    def take_back(self) -> None:
        now = self.app.clock()
        try:
            card = self.session.undo(now)
        except UndoneUnread as exc:  # undone: the card on screen may no longer be expected
            report_store_error(self, self.UNDONE_UNREAD, exc)
            return
        except StoreError as exc:  # nothing changed
            self.post_message(self.SaveFailed(str(exc)))
            return
        self._post(card, now, note=self.UNDONE if card else "Nothing to undo")

    @reports_store_errors("Card not loaded")
    def _show_next(self, now, note: str = "") -> None:
        self._post(self.session.next_card(now), now, note)

    @reports_store_errors("Card not loaded")
    def _post(self, card: PracticeCard | None, now, note: str = "") -> None:
        session = self.session
        summary = None if card is not None else session.summary(now)
        self.post_message(self.CardReady(card, session.progress(now), summary, note))

    # -- showing -------------------------------------------------------------------------
    def on_store_failed(self, _message: StoreFailed) -> None:
        """A read failed (the app shows what and where): keys work again on what is on
        screen; nothing was written."""
        self.busy = False

    def on_practice_screen_save_failed(self, message: SaveFailed) -> None:
        """Say what is wrong and keep the card as it was (the answer can be given again)."""
        self.notify(escape(message.error), title="Not saved", severity="error", timeout=20)
        self._answered = False
        self.busy = False

    async def on_practice_screen_card_ready(self, message: CardReady) -> None:
        self.card = message.card
        if self.TITLE_FOLLOWS_CARD:
            self.query_one("#session-title", Label).update(self._title())
        self._show_progress(message.progress)
        view = self.query_one(CardView)
        summary = self.query_one("#summary", Static)
        if message.card is None:
            view.display = False
            summary.display = True
            when = self.app.format_time(message.summary.next_due) if message.summary else None
            summary.update(self.summary_text(message.summary, when))
        else:
            summary.display = False
            view.display = True
            view.show(message.card)
            for grades in self.query(GradeBar):  # (none until the first frame is drawn)
                grades.show_intervals(message.card.intervals)
            self._shown_at = time.monotonic()
        self.result, self.typed = None, ""
        self._sync_grades()
        await self._prepare_answer_box(message.card)
        if message.note:
            self.notify(message.note, timeout=2)
        self.revealed = False
        self.busy = False
        self._sync_reveal()
        if self._answered:
            self.call_after_refresh(self._drawn)  # runs after the frame that draws it
            self._answered = False
        if self._restore is not None:  # the language switched: the card as it was
            revealed, typed = self._restore
            self._restore = None
            if typed is not None and message.card is not None and message.card.exercise:
                self.check_typed(typed)
            elif revealed and message.card is not None:
                self.revealed = True

    def summary_text(self, summary: SessionSummary | None, when: str | None) -> str:
        """What the screen shows when the session is over."""
        return format_summary(summary, when)

    def show_summary_before_quit(self) -> bool:
        """On q: the session's summary (as at its end), True when it is shown; any key
        then quits. False when there is nothing to sum up or it is already on screen."""
        if self._quitting or self.busy:
            return False
        summary = self.session.summary(self.app.clock())
        if summary.reviewed == 0:
            return False
        self._quitting = True
        self.query_one(CardView).display = False
        for hidden in ("#answer-box", "#verdict", "#hint", "#grades"):
            for widget in self.query(hidden):
                widget.display = False
        when = self.app.format_time(summary.next_due) if summary.next_due else None
        box = self.query_one("#summary", Static)
        box.update(format_summary(summary, when, quitting=True))
        box.display = True
        self.set_focus(None)
        return True

    def on_key(self, event) -> None:
        if self._quitting:  # the summary shown on q: any key quits
            event.stop()
            event.prevent_default()
            self.app.exit()

    def _drawn(self) -> None:
        self.drawn_at.append(time.perf_counter())
        self._collector.after_frame()
        if len(self.drawn_at) % CHECKPOINT_EVERY == 0:
            self.checkpoint()

    @work(thread=True, exclusive=True, group="checkpoint")
    @reports_store_errors("Answers not synced to disk")
    def checkpoint(self) -> None:
        self.session.checkpoint()

    def on_screen_resume(self) -> None:
        self._collector.start()

    def on_screen_suspend(self) -> None:
        self._collector.stop()

    def on_unmount(self) -> None:
        self._collector.stop()

    def _show_progress(self, progress: SessionCount) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)
        label = f"{progress.done}/{progress.total}" if progress.total else "nothing due"
        self.query_one("#progress-label", Label).update(label)

    def watch_revealed(self) -> None:
        self._sync_reveal()

    def _sync_grades(self) -> None:
        """After a wrong exercise answer only Again is open: the others look disabled."""
        wrong = self.result is not None and self.result.correct is False
        for grades in self.query(GradeBar):
            grades.only_again(wrong)

    def _sync_reveal(self) -> None:
        revealed = self.revealed
        exercise = self.card is not None and self.card.exercise is not None
        self.query_one(CardView).revealed = revealed
        for grades in self.query(GradeBar):
            grades.display = revealed and self.card is not None
        self.query_one("#answer-box").display = exercise and not revealed
        self.query_one("#verdict").display = exercise and revealed
        hint = self.query_one("#hint", Label)
        hint.display = not revealed and self.card is not None
        hint.update("type the answer · enter checks it" if exercise else "space  show the answer")

    # -- exercises ---------------------------------------------------------------------
    async def _prepare_answer_box(self, card: PracticeCard | None) -> None:
        box = self.query_one("#answer-box")
        await box.query("#matrix-input").remove()
        if card is None or card.exercise is None:
            for field in box.query("#answer-input"):
                field.display = False
            return
        from textual.widgets import Input  # with the first exercise shown

        from trainer.tui.widgets.matrix_input import MatrixInput

        if not box.query("#answer-input"):
            await box.mount(Input(id="answer-input"))
        field = box.query_one("#answer-input", Input)
        exercise = card.exercise
        if exercise.kind == "matrix":
            field.display = False
            grid = MatrixInput(exercise.rows or 1, exercise.cols or 1, id="matrix-input")
            await box.mount(grid)
            grid.focus_first()
        else:
            field.display = True
            field.value = ""
            field.placeholder = _PLACEHOLDERS[exercise.kind]
            self.call_after_refresh(field.focus)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "answer-input":
            event.stop()
            self.check_typed(event.value)

    def on_matrix_input_submitted(self, message: MatrixInput.Submitted) -> None:
        if message.empty is not None:
            row, col = message.empty
            self.notify(f"Fill every cell: row {row + 1}, column {col + 1} is empty.",
                        severity="warning", timeout=4)
            return
        self.check_typed(message.text)

    def check_typed(self, typed: str) -> None:
        """Judge the answer (pure computation, no database) and show the worked solution."""
        if self.card is None or self.card.exercise is None or self.revealed:
            return
        result = self.session.check_exercise(self.card, typed)
        verdict = self.query_one("#verdict", Static)
        if result.correct is None:
            self.notify(result.message, severity="warning", timeout=4)
            return
        self.result, self.typed = result, typed
        verdict.set_class(result.correct, "-correct")
        verdict.set_class(not result.correct, "-wrong")
        follow = ("enter or 3 grades Good · 2 Hard · 4 Easy" if result.correct
                  else "a wrong answer is graded Again: enter or 1 · u takes the answer back")
        # The expected answer is shown once, at the end of the worked solution above.
        if result.correct:
            headline = "Correct"
        elif self.card.exercise.kind == "matrix":  # which entries: "2 of 9 differ, first at…"
            headline = result.message.split(". The answer is")[0]
        else:
            headline = f"Not quite: you wrote {' '.join(typed.split())}"
        verdict.update(f"{escape(headline)}\n[dim]{follow}[/dim]")
        self.set_focus(None)
        self.revealed = True
        self._sync_grades()
        self.query_one(CardView).show_answer_first()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which keys act now (checked at each key press; the footer keys never change)."""
        if action == "reveal":
            return (not self.busy and self.card is not None and not self.revealed
                    and self.card.exercise is None)
        if action == "grade":
            if self.result is not None and self.result.correct is False:
                return parameters == (1,) and not self.busy
            return not self.busy and self.card is not None and self.revealed
        if action == "accept":
            return not self.busy and self.card is not None and self.revealed
        return True

    # -- actions -------------------------------------------------------------------------
    def action_reveal(self) -> None:
        self.revealed = True

    def on_click(self, event: events.Click) -> None:
        # A tap on the hint shows the answer as space does: a phone has no space bar
        # (the app in a browser, `trainer serve`).
        if event.widget is not None and event.widget.id == "hint" \
                and self.check_action("reveal", ()):
            self.action_reveal()

    def action_grade(self, grade: int) -> None:
        if self.busy or self.card is None or not self.revealed:
            return
        attempt = None
        if self.result is not None:
            if not self.result.correct and grade != 1:
                self.notify("A wrong answer is graded Again (1).", timeout=2)
                return
            attempt = self.session.attempt(self.card, self.typed, self.result)
        self.busy = True
        self._answered = True
        duration_ms = int((time.monotonic() - self._shown_at) * 1000)
        self.submit(self.card.key, grade, duration_ms, attempt)

    def action_accept(self) -> None:
        """Enter after the answer: Good, or Again when an exercise was answered wrong."""
        wrong = self.result is not None and not self.result.correct
        self.action_grade(1 if wrong else 3)

    def on_grade_bar_graded(self, message: GradeBar.Graded) -> None:
        self.action_grade(message.grade)

    def action_undo(self) -> None:
        if self.busy:
            return
        if self.result is not None:  # checked, not graded yet: take the typed answer back
            self.take_back_typed()
            return
        if not self.session.can_undo():  # the card on screen stays as it is
            self.notify("Nothing to undo in this session", timeout=2)
            return
        self.busy = True
        self.take_back()

    def take_back_typed(self) -> None:
        """Back to the question with the typed answer in the field, nothing graded."""
        typed, kind = self.typed, self.card.exercise.kind
        self.result, self.typed = None, ""
        self._sync_grades()
        self.revealed = False
        if kind == "matrix":
            from trainer.tui.widgets.matrix_input import MatrixInput

            grid = self.query_one("#matrix-input", MatrixInput)
            grid.fill(typed)
            grid.focus_first()
        else:
            from textual.widgets import Input

            field = self.query_one("#answer-input", Input)
            field.value = typed
            field.focus()
        self.notify("Answer taken back: change it and press enter", timeout=2)

    def action_toggle_language(self) -> None:
        """The same card in the other language, as it was: an answer already shown stays
        shown (it was hidden again), a checked exercise keeps its verdict."""
        self.app.toggle_language()
        self.query_one("#session-title", Label).update(self._title())
        if self.busy:
            return
        self.busy = True
        if self.card is None:
            self.load_next()
            return
        self._restore = (self.revealed, self.typed if self.result is not None else None)
        self.reload_same(self.card.key, self.card.exercise.seed if self.card.exercise else None)

    @work(thread=True, exclusive=True, group="study")
    @reports_store_errors("Card not loaded")
    def reload_same(self, key: str, seed: int | None) -> None:
        now = self.app.clock()
        try:
            card = self.session.card_for(key, now, seed)
        except KeyError:  # gone from its deck meanwhile: the next card
            card = self.session.next_card(now)
        self._post(card, now)

    def action_scroll(self, lines: int) -> None:
        self.query_one(CardView).scroll_relative(y=lines, animate=False)

    def action_topics(self) -> None:
        self.app.show_topics()

    # -- your own decks: edit, reload, live reload (trainer/tui/live_reload.py) -------
    def action_edit_card(self) -> None:
        """Open the card's markdown at its line in $EDITOR; it is reloaded after."""
        if not self.busy:
            edit_card(self.app, self.card)

    def action_reload_decks(self) -> None:
        self.app.deck_watcher.reload()

    def on_decks_reloaded(self, message: DecksReloaded) -> None:
        """Serve the new texts at once: the card on screen is redrawn if its text changed,
        the next card comes from the new decks; the session (answers, undo) goes on."""
        if self.busy:
            return  # a worker is fetching the next card: it reads the new decks
        if self.card is None:
            self.busy = True
            self.load_next()  # the session was over: a card just written may be due
        else:
            self.refresh_card(self.card)

    @work(thread=True, exclusive=True, group="refresh")
    @reports_store_errors("Card not reloaded")
    def refresh_card(self, card: PracticeCard) -> None:
        session = self.session
        now = self.app.clock()
        fresh = session.refreshed(card, now)
        if self.card is not card:
            return  # answered meanwhile: the next card comes from the new decks anyway
        if fresh is None:  # deleted from its deck: retired, history kept
            self._post(session.next_card(now), now, note="That card was removed from its deck")
        elif (fresh.question, fresh.answer) != (card.question, card.answer):
            self._post(fresh, now, note="Card reloaded")


__all__ = ["GRADES", "PracticeScreen"]
