"""fill_table sizes every column from its widest cell before the first frame."""

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from trainer.tui.widgets.sized_table import fill_table

COLUMNS = (("Topic", "topic"), ("Due", "due"))


class OneTable(App):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def test_columns_are_as_wide_as_their_widest_cell_markup_and_text_alike():
    app = OneTable()
    async with app.run_test(size=(60, 10)):
        table = app.query_one(DataTable)
        fill_table(table, COLUMNS, [
            ("all", ("[b]All topics[/b]", "12")),  # markup: 10 cells, not 17
            ("bn", (Text("Batch normalization"), "1234567")),
        ])
        widths = [c.width for c in table.columns.values()]
        assert widths == [len("Batch normalization"), len("1234567")]
        assert table.row_count == 2 and table.get_row("all")[1] == "12"
        fill_table(table, COLUMNS, [])  # emptied: the headers' widths, no rows
        assert [c.width for c in table.columns.values()] == [5, 3] and table.row_count == 0


FIT_COLUMNS = (("Card", "card"), ("Topic", "topic"), ("Due", "due"))


async def test_fit_narrows_the_fit_columns_in_order_down_to_their_minimum():
    app = OneTable()
    async with app.run_test(size=(60, 10)):
        table = app.query_one(DataTable)
        rows = [("a", (Text("A card title of forty characters, at 40."), "Batch normalization",
                       "in 3d"))]
        fit = (("topic", 8), ("card", 10))
        pad = 2 * table.cell_padding * 3
        fill_table(table, FIT_COLUMNS, rows, fit=fit, room=40 + 19 + 5 + pad)  # room enough
        assert [c.width for c in table.columns.values()] == [40, 19, 5]
        fill_table(table, FIT_COLUMNS, rows, fit=fit, room=40 + 12 + 5 + pad)  # topic first
        assert [c.width for c in table.columns.values()] == [40, 12, 5]
        assert str(table.get_row("a")[1]) == "Batch norma…"
        fill_table(table, FIT_COLUMNS, rows, fit=fit, room=30 + 8 + 5 + pad)  # then the card
        assert [c.width for c in table.columns.values()] == [30, 8, 5]
        assert str(table.get_row("a")[0]) == "A card title of forty charact…"
        fill_table(table, FIT_COLUMNS, rows, fit=fit, room=10)  # never under the minimums
        assert [c.width for c in table.columns.values()] == [10, 8, 5]
        assert table.get_row("a")[2] == "in 3d"  # not a fit column: whole
