"""CardView: a card's question, and its answer once revealed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label, Markdown, Rule

from trainer.study import PracticeCard


class CardView(VerticalScroll):
    """Shows one card. Attributes down: the screen sets ``card`` and ``revealed``."""

    DEFAULT_CSS = """
    CardView { height: 1fr; padding: 0 1; }
    CardView .topic { color: $text-muted; padding: 0 2; }
    CardView .new-badge { color: $success; padding: 0 2; }
    CardView #answer-rule { color: $primary; display: none; }
    CardView #answer { display: none; }
    CardView.-revealed #answer-rule, CardView.-revealed #answer { display: block; }
    """

    revealed: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        yield Label("", id="topic", classes="topic")
        yield Markdown("", id="question")
        yield Rule(id="answer-rule")
        yield Markdown("", id="answer")

    def show(self, card: PracticeCard) -> None:
        badge = "  · new" if card.is_new else ""
        self.query_one("#topic", Label).update(f"{card.topic_title}{badge}")
        self.query_one("#question", Markdown).update(card.question)
        # The answer is hidden until space: build it just after the question is drawn.
        self.call_after_refresh(self.query_one("#answer", Markdown).update, card.answer)
        self.revealed = False
        self.scroll_home(animate=False)

    def show_answer_first(self) -> None:
        """Scroll so the answer starts at the top (a long exercise prompt is done with)."""
        # After the layout that shows the answer: its position is only known then.
        self.set_timer(0.05, lambda: self.scroll_to_widget(
            self.query_one("#answer-rule"), top=True, animate=False))

    def watch_revealed(self, revealed: bool) -> None:
        self.set_class(revealed, "-revealed")
