"""MarkdownText: markdown drawn as one widget, synchronously (Rich's renderer).

Textual's ``Markdown`` widget parses in an executor and mounts a widget per block: a new
card took 35 ms from key press to drawn (median, 1,000 cards). A card is a few short
blocks, so one ``Static`` rendering Rich's ``Markdown`` draws it in the same refresh.
"""

from __future__ import annotations

from rich.markdown import Markdown as RichMarkdown
from textual.widgets import Static


class MarkdownText(Static):
    """Markdown source shown as rich text; ``source`` is the text last given."""

    DEFAULT_CSS = """
    MarkdownText { height: auto; padding: 0 0 1 0; }
    """

    def __init__(self, source: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = ""
        self.show(source)

    def show(self, source: str) -> None:
        self.source = source
        self.update(RichMarkdown(source, code_theme="ansi_dark", hyperlinks=False)
                    if source else "")
