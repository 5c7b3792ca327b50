"""fill_table: a DataTable's rows in columns as wide as their widest cell, given up front.

A DataTable left to size its columns measures new rows only when it is next idle, and
Textual 8 keeps the rows it drew before that (its row cache is not keyed by the widths):
a frame drawn in between stuck at "All t" for "All topics", and stayed so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

Columns = Sequence[tuple[str, str]]  # (label, key) per column
Row = tuple[str | None, Sequence[str | Text]]  # (row key, cells)


def fill_table(table: DataTable, columns: Columns, rows: Iterable[Row]) -> None:
    """Replace ``table``'s columns and rows (a ``str`` cell is markup, as DataTable
    draws it)."""
    rows = list(rows)
    widths = [cell_len(label) for label, _ in columns]
    for _, cells in rows:
        widths = [max(w, _width(c)) for w, c in zip(widths, cells, strict=True)]
    table.clear(columns=True)
    for (label, key), width in zip(columns, widths, strict=True):
        table.add_column(label, key=key, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)


def _width(cell: str | Text) -> int:
    text = Text.from_markup(cell) if isinstance(cell, str) else cell
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)
