"""BrowserScreen: every card, searched and filtered by text, topic, tag and state (new,
learning, review, suspended, leech); a card's history; suspend, unsuspend, reset, and edit
(the card's markdown in $EDITOR, through ``trainer.tui.live_reload``).

The leech list is this screen with the state filter on ``leech`` (``L``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Select, Static

from trainer.app.browser import BROWSE_STATES, BrowseQuery, BrowserCard, CardHistory
from trainer.app.formatting import count_of, format_interval, format_percent
from trainer.app.progress import ProgressTracker
from trainer.app.study import PracticeCard, StoreError
from trainer.tui.live_reload import DecksReloaded, edit_card
from trainer.tui.screens.confirm_modal import ConfirmModal
from trainer.tui.screens.help_modal import HELP_AND_QUIT
from trainer.tui.store_errors import report_store_error, reports_store_errors
from trainer.tui.text import clip
from trainer.tui.widgets.sized_table import SizedTable, fill_table

SEARCH_PAUSE = 0.2  # seconds without a key before the search runs
_STATE_LABELS = {"all": "Any state", "new": "New", "learning": "Learning", "review": "Review",
                 "suspended": "Suspended", "leech": "Leeches"}


def state_text(card: BrowserCard) -> str:
    """The state with its flags, as content markup (theme colours)."""
    flags = [card.state]
    if card.leech:
        flags.append("[$error]leech[/]")
    if card.suspended:
        flags.append("[$warning]suspended[/]")
    return " · ".join(flags)


def state_cell(card: BrowserCard, theme: dict[str, str]) -> Text:
    """The same for a table cell (a Rich Text, coloured from the theme's variables)."""
    cell = Text(card.state)
    for flag, shown, colour in (("leech", card.leech, "error"),
                                ("suspended", card.suspended, "warning")):
        if shown:
            cell.append(" · ")
            cell.append(flag, style=theme.get(colour, ""))
    return cell


def days_text(days: float | None) -> str:
    return "–" if days is None else format_interval(timedelta(days=days))


CARD_COLUMNS = (("Card", "card"), ("Topic", "topic"), ("State", "state"), ("Due", "due"),
                ("Recall", "recall"))
CARD_FIT = (("topic", 10), ("card", 16))  # narrow: the topic gives way first, then the card
HISTORY_COLUMNS = (("Date", "date"), ("Kind", "kind"), ("Grade", "grade"),
                   ("Interval", "interval"), ("Time", "time"), ("Answer", "answer"))
# The card actions by id: what each does to the card, and what it says after.
CARD_ACTIONS = {
    "suspend": (ProgressTracker.suspend, "suspended"),
    "unsuspend": (ProgressTracker.unsuspend, "unsuspended"),
    "reset": (ProgressTracker.reset, "reset to new (its history is kept)"),
}


class BrowserScreen(Screen):
    HELP_TITLE = "Card browser"
    BINDINGS = [
        Binding("slash", "search", "Search", id="browser-search"),
        Binding("s", "suspend", "Suspend", id="browser-suspend"),
        Binding("u", "unsuspend", "Unsuspend", id="browser-unsuspend"),
        Binding("r", "reset", "Reset", id="browser-reset"),
        Binding("e", "edit", "Edit", id="browser-edit"),
        Binding("L", "leeches", "Leeches", id="browser-leeches", show=False),
        Binding("escape", "back", "Back", id="browser-back"),
        *HELP_AND_QUIT,
    ]

    @dataclass
    class CardsReady(Message):
        cards: list[BrowserCard]
        note: str = ""
        query: BrowseQuery | None = None  # what was searched: older answers are dropped

    @dataclass
    class HistoryReady(Message):
        history: CardHistory | None

    @dataclass
    class EditReady(Message):
        card: PracticeCard | None

    def __init__(self, state: str = "all") -> None:
        super().__init__()
        self.query_state = BrowseQuery(state=state)
        self._search_timer: Timer | None = None
        self.cards: list[BrowserCard] = []
        self.history: CardHistory | None = None

    def compose(self) -> ComposeResult:
        tracker = ProgressTracker.of(self.app.study)  # deck only: no database here
        with Horizontal(id="browser-filters"):
            yield Input(placeholder="search  ( / )", id="browser-text")
            yield Select([(title, slug) for slug, title in tracker.topics()],
                         prompt="Any topic", id="browser-topic")
            yield Select([(tag, tag) for tag in tracker.tags()], prompt="Any tag",
                         id="browser-tag")
            yield Select([(_STATE_LABELS[s], s) for s in BROWSE_STATES],
                         value=self.query_state.state, allow_blank=False, id="browser-state")
        yield Static("", id="browser-leech-note")
        yield SizedTable(id="browser-cards", cursor_type="row", zebra_stripes=True,
                         fit=CARD_FIT)
        with Vertical(id="browser-detail"):
            yield Static("", id="browser-card")
            yield DataTable(id="browser-history", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        cards = self.query_one("#browser-cards", SizedTable)
        cards.fill(CARD_COLUMNS, [])
        fill_table(self.query_one("#browser-history", DataTable), HISTORY_COLUMNS, [])
        cards.focus()
        self.load_cards()

    # -- workers -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="browse")
    @reports_store_errors("Cards not loaded")
    def load_cards(self, note: str = "") -> None:
        tracker = ProgressTracker.of(self.app.study)
        query = self.query_state
        self.post_message(self.CardsReady(tracker.browse(query, self.app.clock()), note,
                                          query))

    @work(thread=True, exclusive=True, group="history")
    @reports_store_errors("History not loaded")
    def load_history(self, key: str) -> None:
        tracker = ProgressTracker.of(self.app.study)
        self.post_message(self.HistoryReady(tracker.history(key, self.app.clock())))

    @work(thread=True, exclusive=True, group="browse")
    def run_action(self, action: str, key: str) -> None:
        """``action``: a key of ``CARD_ACTIONS``."""
        act, said = CARD_ACTIONS[action]
        try:
            done = act(ProgressTracker.of(self.app.study), key)
        except StoreError as exc:  # rolled back: the card is as it was
            report_store_error(self, "Not saved", exc)
            return
        self._reload_after(f"{key} {said}" if done else f"{key}: no such card")

    @reports_store_errors("Saved; the cards could not be read again")
    def _reload_after(self, note: str) -> None:
        tracker = ProgressTracker.of(self.app.study)
        self.post_message(self.CardsReady(tracker.browse(self.query_state, self.app.clock()),
                                          note))

    @work(thread=True, exclusive=True, group="edit")
    @reports_store_errors("Card not opened")
    def fetch_for_edit(self, key: str) -> None:
        try:
            card = self.app.study.card_for(key, self.app.clock())
        except KeyError:
            card = None
        self.post_message(self.EditReady(card))

    # -- showing -------------------------------------------------------------------------
    def on_browser_screen_cards_ready(self, message: CardsReady) -> None:
        if message.query is not None and message.query != self.query_state:
            return  # typed on since: the newer search is on its way
        self.cards = message.cards
        table = self.query_one("#browser-cards", SizedTable)
        selected = self.selected_key()
        now = self.app.clock()
        theme = self.app.theme_variables
        table.fill(CARD_COLUMNS, [
            (card.key, (Text(clip(card.title, 200)), Text(card.topic_title),
                        state_cell(card, theme), _due(card.due, now),
                        format_percent(card.recall)))
            for card in self.cards])
        keys = [c.key for c in self.cards]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        count = f"{len(self.cards)} card{'s' * (len(self.cards) != 1)}"
        self.query_one("#browser-cards").border_title = count
        self._show_leech_note()
        if message.note:
            self.notify(escape(message.note), timeout=3)
        if not self.cards:
            self.show_history(None)

    def _show_leech_note(self) -> None:
        """On the leech list, what a leech is (and that there are none, when so)."""
        note = self.query_one("#browser-leech-note", Static)
        note.display = self.query_state.state == "leech"
        if not note.display:
            return
        threshold = self.app.settings.leech_threshold
        what = (f"A leech is a card you forgot {threshold} time{'s' * (threshold != 1)} "
                "after learning it (a lapse: Again on a card in review; the "
                "leech-threshold setting). It is suspended so it stops costing reviews: "
                "rewrite it (e), then unsuspend it (u).")
        none = "[b]No leeches yet.[/b] " if not self.cards else ""
        note.update(f"{none}[$text-muted]{what}[/]")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "browser-cards" and event.row_key.value is not None:
            self.load_history(event.row_key.value)

    def on_browser_screen_history_ready(self, message: HistoryReady) -> None:
        if message.history is not None and message.history.card.key != self.selected_key():
            return  # the cursor moved on meanwhile
        self.show_history(message.history)

    def show_history(self, history: CardHistory | None) -> None:
        self.history = history
        header = self.query_one("#browser-card", Static)
        table = self.query_one("#browser-history", DataTable)
        if history is None:
            fill_table(table, HISTORY_COLUMNS, [])
            header.update("[$text-muted]No card selected.[/]")
            return
        card = history.card
        stability = f"{card.stability:.1f}d" if card.stability is not None else "–"
        where = f" · {escape(_short_source(card.source))}" if card.source else ""
        header.update(
            f"[b]{escape(card.title)}[/b]\n[$text-muted]{escape(card.key)}{where}[/]\n"
            f"{state_text(card)} · {count_of(card.reviews or 0, 'review')} · "
            f"{count_of(card.lapses or 0, 'lapse')} · "
            f"stability {stability} · recall now {format_percent(card.recall)}")
        rows = []
        for entry in reversed(history.entries):
            answer = ""
            if entry.answer is not None:
                mark = "✓" if entry.correct else "✗"
                answer = f"{mark} {clip(entry.answer, 24)}"
            rows.append((None, (
                entry.reviewed_at.astimezone().strftime("%Y-%m-%d %H:%M"), entry.kind,
                entry.grade_label, days_text(entry.interval_days),
                f"{entry.seconds:.0f}s" if entry.seconds is not None else "–", Text(answer))))
        fill_table(table, HISTORY_COLUMNS, rows)

    # -- filters -------------------------------------------------------------------------
    @on(Input.Changed, "#browser-text")
    def _text_changed(self, event: Input.Changed) -> None:
        # Debounced: one search once typing pauses, not one per key (each redraws the
        # whole table: a long paste typed key by key froze the screen).
        self.query_state = self.query_state.model_copy(update={"text": event.value})
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_PAUSE, self._search_now)

    def _search_now(self) -> None:
        self._search_timer = None
        self.load_cards()

    @on(Input.Submitted, "#browser-text")
    def _text_submitted(self) -> None:
        if self._search_timer is not None:  # enter searches at once
            self._search_timer.stop()
            self._search_now()
        self.query_one("#browser-cards").focus()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        field = {"browser-topic": "topic", "browser-tag": "tag",
                 "browser-state": "state"}.get(event.select.id or "")
        if field is None:
            return
        value = None if event.value is Select.BLANK else event.value
        if field == "state" and value is None:
            value = "all"
        if getattr(self.query_state, field) != value:
            self.query_state = self.query_state.model_copy(update={field: value})
            self.load_cards()

    # -- actions -------------------------------------------------------------------------
    def selected_key(self) -> str | None:
        table = self.query_one("#browser-cards", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_search(self) -> None:
        self.query_one("#browser-text", Input).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, (Input, Select)):
            self.query_one("#browser-cards").focus()
        else:
            self.app.pop_screen()

    def action_leeches(self) -> None:
        state = "all" if self.query_state.state == "leech" else "leech"
        self.query_one("#browser-state", Select).value = state

    def _act(self, action: str) -> None:
        key = self.selected_key()
        if key is not None:
            self.run_action(action, key)

    def action_edit(self) -> None:
        """Open the card's markdown at its line in $EDITOR (the decks reload after)."""
        key = self.selected_key()
        if key is not None:
            self.fetch_for_edit(key)

    def on_browser_screen_edit_ready(self, message: EditReady) -> None:
        if message.card is None:
            self.notify("This card is no longer in any deck.", severity="warning")
            return
        edit_card(self.app, message.card)

    def on_decks_reloaded(self, message: DecksReloaded) -> None:
        self.load_cards()

    def action_suspend(self) -> None:
        self._act("suspend")

    def action_unsuspend(self) -> None:
        self._act("unsuspend")

    def action_reset(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        card = next((c for c in self.cards if c.key == key), None)
        title = card.title if card else key

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_action("reset", key)

        self.app.push_screen(ConfirmModal(
            "Reset this card to new?",
            f"{escape(clip(title, 60))}\nIts memory state starts over; the review history "
            "is kept."), confirmed)




def _short_source(source: str) -> str:
    """``path:line`` as its folder, file and line (``decks/conv.md:6``): it fits the line;
    e opens the file."""
    path, _, line = source.rpartition(":")
    folder, name = PurePath(path).parent.name, PurePath(path).name
    return f"{folder}/{name}:{line}" if path and folder else source


def _due(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "–"
    days = (due - now).total_seconds() / 86400
    if days <= 0:
        return "now"
    return f"in {days_text(days)}"
