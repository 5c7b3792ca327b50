"""MatrixInput: a grid of cells for matrix answers.

Two ways in, as the prompt says: cell by cell (arrows, or a space / comma to move on, ``;``
or a new line for the next row), or the whole matrix typed or pasted in one go
(``1 2; 3 4``, or rows on lines) into any cell, which spreads it over the grid from there.
A line above the grid names its shape and the cell the cursor is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Input, Label

# Digits and what a number is written with, plus the separators that move between cells.
_CELL_CHARS = r"[0-9０-９.\-−+/eE ,;，；\t]*"
_SEPARATORS = re.compile(r"[\s,;，；]")
_ROWS = re.compile(r"[;；\n]")
_ENTRIES = re.compile(r"[\s,，]+")


def split_rows(text: str) -> list[list[str]]:
    """``1 2; 3 4`` (or rows on lines) as rows of entries; empty rows are kept, so a
    trailing ``;`` moves to the next row."""
    return [[t for t in _ENTRIES.split(row) if t] for row in _ROWS.split(text)]


class MatrixCell(Input):
    """One cell. Left/right leave the cell at its edges; up/down always move a row."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Cell above", show=False),
        Binding("down", "move(1, 0)", "Cell below", show=False),
    ]

    def __init__(self, row: int, col: int) -> None:
        super().__init__(restrict=_CELL_CHARS, id=f"cell-{row}-{col}", classes="matrix-cell",
                         compact=True, select_on_focus=True)
        self.row, self.col = row, col

    @property
    def grid(self) -> MatrixInput:
        return self.query_ancestor(MatrixInput)

    def action_move(self, rows: int, cols: int) -> None:
        # Focus moves at once (not through a message), so keys typed right after an arrow
        # land in the new cell even when they arrive in the same burst.
        self.grid.focus_cell(self.row + rows, self.col + cols)

    def action_cursor_left(self, select: bool = False) -> None:
        if self.cursor_at_start and not select:
            self.action_move(0, -1)
        else:
            super().action_cursor_left(select)

    def action_cursor_right(self, select: bool = False) -> None:
        if self.cursor_at_end and not select:
            self.action_move(0, 1)
        else:
            super().action_cursor_right(select)

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps the first line of a paste only; a pasted block is the whole matrix.
        event.prevent_default()
        event.stop()
        self.grid.spread(self.row, self.col, self.value + event.text)

    def watch_value(self, value: str) -> None:
        if _SEPARATORS.search(value):  # a space, comma or ';' typed: move on
            self.grid.spread(self.row, self.col, value)

    def on_focus(self) -> None:
        self.grid.show_position(self.row, self.col)


class MatrixInput(Vertical):
    """``rows`` × ``cols`` cells; enter in any cell submits the whole matrix as text."""

    DEFAULT_CSS = """
    MatrixInput { height: auto; width: auto; }
    MatrixInput #matrix-where { color: $text-muted; padding: 0 2; }
    MatrixInput Grid { height: auto; grid-rows: 1; grid-columns: 9; grid-gutter: 0 1;
                       padding: 0 2; }
    MatrixInput .matrix-cell { background: $panel; }
    MatrixInput .matrix-cell:focus { background: $primary 40%; }
    """

    @dataclass
    class Submitted(Message):
        text: str
        empty: tuple[int, int] | None  # the first empty cell (row, column), 0-based

    def __init__(self, rows: int, cols: int, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows, self.cols = rows, cols

    def compose(self) -> ComposeResult:
        yield Label(self._where(0, 0), id="matrix-where")
        grid = Grid()
        grid.styles.grid_size_columns = self.cols
        grid.styles.width = self.cols * 10 + 3  # a Grid does not size itself from its cells
        with grid:
            for row in range(self.rows):
                for col in range(self.cols):
                    yield MatrixCell(row, col)

    def _where(self, row: int, col: int) -> str:
        return (f"{self.rows} × {self.cols} matrix · row {row + 1}, column {col + 1} · "
                "space or , next cell · ; next row · or type/paste it all: 1 2; 3 4")

    def show_position(self, row: int, col: int) -> None:
        self.query_one("#matrix-where", Label).update(self._where(row, col))

    def cell(self, row: int, col: int) -> MatrixCell:
        return self.query_one(f"#cell-{row}-{col}", MatrixCell)

    def focus_first(self) -> None:
        self.screen.set_focus(self.cell(0, 0))

    def focus_cell(self, row: int, col: int) -> None:
        row = min(max(row, 0), self.rows - 1)
        if col >= self.cols and row < self.rows - 1:  # wrap to the next row
            row, col = row + 1, 0
        elif col < 0 and row > 0:
            row, col = row - 1, self.cols - 1
        # Screen.set_focus is immediate; Widget.focus() waits for the next turn of the loop.
        self.screen.set_focus(self.cell(row, min(max(col, 0), self.cols - 1)))

    def spread(self, row: int, col: int, text: str) -> None:
        """Fill the cells from (row, col) on with the entries of ``text`` (``;`` or a new
        line starts the next row), then put the cursor on the cell after the last one."""
        r, c = row, col
        self.cell(row, col).value = ""  # the separators typed there go; its entry comes back
        for index, entries in enumerate(split_rows(text)):
            if index > 0 and (c > 0 or not entries):  # a row break: the next row's start
                r, c = r + 1, 0
            for entry in entries:
                if c >= self.cols:
                    r, c = r + 1, 0
                if r >= self.rows:
                    break
                self.cell(r, c).value = entry
                c += 1
        if c >= self.cols and r < self.rows - 1:
            r, c = r + 1, 0
        self.focus_cell(min(r, self.rows - 1), min(c, self.cols - 1))

    def fill(self, text: str) -> None:
        """Put a matrix (as ``text()`` writes it) back into the cells."""
        for r in range(self.rows):
            for c in range(self.cols):
                self.cell(r, c).value = ""
        if text:
            self.spread(0, 0, text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        empty = next(((r, c) for r in range(self.rows) for c in range(self.cols)
                      if not self.cell(r, c).value.strip()), None)
        self.post_message(self.Submitted(self.text(), empty))

    def text(self) -> str:
        """The matrix as the answer parser reads it: cells by spaces, rows by semicolons."""
        return "; ".join(
            " ".join(self.cell(r, c).value.strip() for c in range(self.cols))
            for r in range(self.rows)
        )
