"""HelpModal: every key of the screen underneath, read from its bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

# Help and quit, on every screen: ``?`` and ``q``, and f1 and ctrl+q, which still work
# while a text field has the focus and takes the letters. The footer shows one key per
# action, the first that acts now: ? and q, or f1 and ctrl+q while typing.
HELP_AND_QUIT = [
    Binding("question_mark", "app.help", "Help", id="help"),
    Binding("f1", "app.help", "Help", id="help-anywhere"),
    Binding("q", "app.quit", "Quit", id="quit"),
    Binding("ctrl+q", "app.quit", "Quit", id="quit-anywhere", priority=True),
]

_KEY_NAMES = {"space": "space", "question_mark": "?", "escape": "esc", "enter": "enter",
              "comma": ",", "slash": "/"}


def key_names(key: str) -> list[str]:
    """A binding's keys as people write them: ``"n,escape"`` -> ``["n", "esc"]``."""
    return [_KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(",")]


def key_rows(screen: Screen, app_bindings: list[Binding]) -> list[tuple[str, str]]:
    rows = []
    for binding in [*screen.BINDINGS, *app_bindings]:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        rows.append((", ".join(key_names(binding.key)), binding.description))
    return rows


class HelpModal(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close help", id="close-help"),
    ]

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label(f"[b]Keys · {self.title_text}[/b]", id="help-title")
            table = DataTable(id="help-keys", show_cursor=False)
            table.add_columns("Key", "What it does")
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Static("[dim]ctrl+p opens the command palette: every action is there. "
                         "esc closes this.[/dim]", id="help-footnote")
