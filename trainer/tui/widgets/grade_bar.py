"""GradeBar: the four grades with the interval each would give (``3 Good · 10m``)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
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
    GradeBar.-narrow { layout: grid; grid-size: 2; height: 6; }
    GradeBar.-narrow Button { width: 1fr; min-width: 0; margin: 0; }
    """
    NARROW = 72  # four buttons of 16 columns and their margins: two by two below this

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
            label = f"{grade} {name} · {intervals[grade]}" if grade in intervals else \
                f"{grade} {name}"
            self.query_one(f"#grade-{grade}", Button).label = label

    def only_again(self, only: bool) -> None:
        """Disable Hard, Good and Easy (a wrong exercise answer is graded Again)."""
        for grade in (2, 3, 4):
            self.query_one(f"#grade-{grade}", Button).disabled = only

    def on_resize(self, event: events.Resize) -> None:
        # A phone's screen through `trainer serve` is about 40 columns wide.
        self.set_class(event.size.width < self.NARROW, "-narrow")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Graded(int(event.button.id.removeprefix("grade-"))))
