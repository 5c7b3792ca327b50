"""ConfirmModal: a yes/no question; dismissed with True (y) or False (n, esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(f"[b]{self.question}[/b]", id="confirm-question")
            if self.detail:
                yield Static(self.detail, id="confirm-detail")
            yield Static("[$text-muted]y yes · n or esc no[/]", id="confirm-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
