"""MarkdownText: markdown drawn as one widget, synchronously (Rich's renderer).

Textual's ``Markdown`` widget parses in an executor and mounts a widget per block, which
made a new card slow to draw (docs/performance.md). A card is a few short blocks, so one
``Static`` rendering Rich's ``Markdown`` draws it in the same refresh.
"""

from __future__ import annotations

import copy

from markdown_it import MarkdownIt
from rich.markdown import Markdown as RichMarkdown
from textual.widgets import Static

# Rich's Markdown builds a new parser (with its linkifier) for every text: half the cost
# of showing a card. One parser, configured as Rich configures its own, parses them all;
# each text is a copy of one template with its own ``markup`` and ``parsed`` tokens.
_PARSER = MarkdownIt().enable("strikethrough").enable("table")
_TEMPLATE = RichMarkdown("", code_theme="ansi_dark", hyperlinks=False)


def card_markdown(source: str) -> RichMarkdown:
    """Rich's Markdown renderable of ``source`` (the shared parser, the card's style)."""
    markdown = copy.copy(_TEMPLATE)
    markdown.markup = source
    markdown.parsed = _PARSER.parse(source)
    return markdown


class MarkdownText(Static):
    """Markdown source shown as rich text; ``source`` is the text last given."""

    DEFAULT_CSS = """
    MarkdownText { height: auto; padding: 0 0 1 0; }
    """

    def __init__(self, source: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = ""
        # Not update("") before it is mounted: Textual then leaves a layout pending, and the
        # first real text (the first card) does not renew its cached size, so in an
        # auto-height card it kept the empty text's single line.
        if source:
            self.show(source)

    def show(self, source: str) -> None:
        self.source = source
        self.update(card_markdown(source) if source else "")
