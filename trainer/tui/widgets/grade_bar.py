"""GradeBar: the four grades with the interval each would give (``3 Good · 10m``)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

GRADES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
_VARIANTS = {1: "error", 2: "warning", 3: "success", 4: "primary"}


class GradeBar(Horizontal):
    """Clickable grades; keys 1-4 do the same through the screen's bindings."""

    DEFAULT_CSS = """
    GradeBar { height: 3; align-horizontal: center; }
    GradeBar Button { margin: 0 1; min-width: 16; }
    """

    @dataclass
    class Graded(Message):
        grade: int

    def compose(self) -> ComposeResult:
        for grade, name in GRADES.items():
            button = Button(f"{grade} {name}", id=f"grade-{grade}", variant=_VARIANTS[grade])
            button.can_focus = False  # keys 1-4 and enter belong to the screen
            yield button

    def show_intervals(self, intervals: dict[int, str]) -> None:
        for grade, name in GRADES.items():
            label = f"{grade} {name} · {intervals[grade]}" if grade in intervals else name
            self.query_one(f"#grade-{grade}", Button).label = label

    def only_again(self, only: bool) -> None:
        """Disable Hard, Good and Easy (a wrong exercise answer is graded Again)."""
        for grade in (2, 3, 4):
            self.query_one(f"#grade-{grade}", Button).disabled = only

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Graded(int(event.button.id.removeprefix("grade-"))))
