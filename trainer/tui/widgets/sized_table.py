"""fill_table: a DataTable's rows in columns as wide as their widest cell, given up front.

A DataTable left to size its columns measures new rows only when it is next idle, and
Textual 8 keeps the rows it drew before that (its row cache is not keyed by the widths):
a frame drawn in between stuck at "All t" for "All topics", and stayed so.

``SizedTable`` also fits its rows to its width: the columns named in ``fit`` give up
width (down to a minimum, in the order given) until every column shows, their cells
clipped with "…"; given more width, they show more (a title is not cut at a fixed 48).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable

from trainer.tui.text import clip

Columns = Sequence[tuple[str, str]]  # (label, key) per column
Row = tuple[str | None, Sequence[str | Text]]  # (row key, cells)
Fit = Sequence[tuple[str, int]]  # (column key, minimum width): the first gives way first


def fill_table(table: DataTable, columns: Columns, rows: Iterable[Row], *,
               fit: Fit = (), room: int | None = None) -> None:
    """Replace ``table``'s columns and rows (a ``str`` cell is markup, as DataTable
    draws it). With ``fit`` and ``room`` (the cells across), the ``fit`` columns are
    narrowed, their cells clipped, so that all columns fit in ``room``."""
    rows = list(rows)
    widths = [cell_len(label) for label, _ in columns]
    for _, cells in rows:
        widths = [max(w, _width(c)) for w, c in zip(widths, cells, strict=True)]
    if fit and room is not None:
        clipped = _fit(widths, columns, fit, room - 2 * table.cell_padding * len(columns))
        if clipped:
            rows = [(key, [_clip(cell, widths[i]) if i in clipped else cell
                           for i, cell in enumerate(cells)]) for key, cells in rows]
    table.clear(columns=True)
    for (label, key), width in zip(columns, widths, strict=True):
        table.add_column(label, key=key, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)


class SizedTable(DataTable):
    """A DataTable filled by ``fill``: its rows fitted to its width, again when that
    changes (the cursor stays on its row)."""

    def __init__(self, *, fit: Fit = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.fit = tuple(fit)
        self._filled: tuple[Columns, list[Row]] | None = None
        self._fitted_to: int | None = None

    def fill(self, columns: Columns, rows: Iterable[Row]) -> None:
        rows = list(rows)
        self._filled = (columns, rows)
        room = self.room(len(rows))
        self._fitted_to = self.size.width
        fill_table(self, columns, rows, fit=self.fit, room=room)

    def room(self, row_count: int) -> int | None:
        """The cells across for the columns (less a vertical scrollbar when the rows will
        need one); None before the first layout."""
        width = self.size.width
        if not width:
            return None
        if row_count + int(self.show_header) > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def on_resize(self, event: events.Resize) -> None:
        if self._filled is None or self.size.width == self._fitted_to:
            return
        row = self.cursor_row
        self.fill(*self._filled)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))


def _fit(widths: list[int], columns: Columns, fit: Fit, room: int) -> set[int]:
    """Narrow ``widths`` in place; the indexes of the columns narrowed."""
    keys = [key for _, key in columns]
    excess = sum(widths) - room
    narrowed = set()
    for key, minimum in fit:
        if excess <= 0:
            break
        i = keys.index(key)
        cut = min(excess, max(0, widths[i] - max(minimum, cell_len(columns[i][0]))))
        if cut:
            widths[i] -= cut
            excess -= cut
            narrowed.add(i)
    return narrowed


def _clip(cell: str | Text, width: int) -> str | Text:
    if _width(cell) <= width:
        return cell
    return clip(Text.from_markup(cell) if isinstance(cell, str) else cell, width)


def _width(cell: str | Text) -> int:
    text = Text.from_markup(cell) if isinstance(cell, str) else cell
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)
