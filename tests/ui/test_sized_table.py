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
