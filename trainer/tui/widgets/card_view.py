"""CardView: a card's question, and its answer once revealed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widgets import Label, Rule

from trainer.app.study import PracticeCard
from trainer.tui.widgets.markdown_text import MarkdownText


class CardView(VerticalScroll):
    """Shows one card. Attributes down: the screen sets ``card`` and ``revealed``."""

    DEFAULT_CSS = """
    CardView { height: 1fr; padding: 0 1; }
    CardView .topic { color: $text-muted; padding: 0 2; }
    CardView .new-badge { color: $success; padding: 0 2; }
    CardView #answer-rule { color: $primary; display: none; }
    CardView #answer { display: none; }
    """

    revealed: var[bool] = var(False)  # the watcher shows or hides the answer's widgets

    def compose(self) -> ComposeResult:
        yield Label("", id="topic", classes="topic")
        yield MarkdownText(id="question")
        yield Rule(id="answer-rule")
        yield MarkdownText(id="answer")

    def show(self, card: PracticeCard) -> None:
        """Show ``card``'s question (drawn by the next refresh); the answer is hidden
        until ``revealed`` (a hidden widget is not rendered)."""
        badge = "  · new" if card.is_new else ""
        self.query_one("#topic", Label).update(f"{card.topic_title}{badge}")
        self.revealed = False
        self.query_one("#question", MarkdownText).show(card.question)
        self.query_one("#answer", MarkdownText).show(card.answer)
        self.scroll_home(animate=False)

    def show_answer_first(self) -> None:
        """Scroll so the answer starts at the top (a long exercise prompt is done with)."""
        # After the layout that shows the answer: its position is only known then.
        self.set_timer(0.05, lambda: self.scroll_to_widget(
            self.query_one("#answer-rule"), top=True, animate=False))

    def watch_revealed(self, revealed: bool) -> None:
        # Each widget's own display, not a class on the view: a class change restyles the
        # whole subtree (every block of both Markdown widgets) on every key press.
        self.query_one("#answer-rule").display = revealed
        self.query_one("#answer").display = revealed
