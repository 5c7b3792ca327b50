"""MatrixInput: a grid of cells for matrix answers, moved through with the arrow keys."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Input

_NUMBER_CHARS = r"[0-9０-９.\-−+/eE]*"


class MatrixCell(Input):
    """One cell. Left/right leave the cell at its edges; up/down always move a row."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Cell above", show=False),
        Binding("down", "move(1, 0)", "Cell below", show=False),
    ]

    def __init__(self, row: int, col: int) -> None:
        super().__init__(restrict=_NUMBER_CHARS, id=f"cell-{row}-{col}", classes="matrix-cell",
                         compact=True, select_on_focus=True)
        self.row, self.col = row, col

    def action_move(self, rows: int, cols: int) -> None:
        # Focus moves at once (not through a message), so keys typed right after an arrow
        # land in the new cell even when they arrive in the same burst.
        grid = self.parent
        if isinstance(grid, MatrixInput):
            grid.focus_cell(self.row + rows, self.col + cols)

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


class MatrixInput(Grid):
    """``rows`` × ``cols`` cells; enter in any cell submits the whole matrix as text."""

    DEFAULT_CSS = """
    MatrixInput { height: auto; grid-rows: 1; grid-columns: 9; grid-gutter: 0 1; padding: 0 2; }
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
        self.styles.grid_size_columns = cols
        self.styles.width = cols * 10 + 3  # a Grid does not size itself from its cells

    def compose(self) -> ComposeResult:
        for row in range(self.rows):
            for col in range(self.cols):
                yield MatrixCell(row, col)

    def cell(self, row: int, col: int) -> MatrixCell:
        return self.query_one(f"#cell-{row}-{col}", MatrixCell)

    def focus_first(self) -> None:
        self.cell(0, 0).focus()

    def focus_cell(self, row: int, col: int) -> None:
        row = min(max(row, 0), self.rows - 1)
        if col >= self.cols and row < self.rows - 1:  # wrap to the next row
            row, col = row + 1, 0
        elif col < 0 and row > 0:
            row, col = row - 1, self.cols - 1
        # Screen.set_focus is immediate; Widget.focus() waits for the next turn of the loop.
        self.screen.set_focus(self.cell(row, min(max(col, 0), self.cols - 1)))

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
