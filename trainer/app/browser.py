"""The card browser's objects: a query, a card row, a card's review history."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from trainer.core.model import Model
from trainer.scheduling.memory import Grade
from trainer.store.records import StoredState

if TYPE_CHECKING:
    from trainer.deck.cards import Card
    from trainer.store.stats_queries import HistoryRow

STATE_NAMES = {StoredState.LEARNING: "learning", StoredState.REVIEW: "review",
               StoredState.RELEARNING: "relearning"}
BrowseState = Literal["all", "new", "learning", "review", "suspended", "leech"]
BROWSE_STATES: tuple[BrowseState, ...] = ("all", "new", "learning", "review", "suspended",
                                          "leech")


class BrowseQuery(Model):
    text: str = ""
    topic: str | None = None
    tag: str | None = None
    state: BrowseState = "all"


class BrowserCard(Model):
    key: str
    topic: str
    topic_title: str
    title: str
    tags: list[str]
    kind: str
    state: str = Field(description="new, learning, relearning or review")
    suspended: bool
    leech: bool
    due: datetime | None
    last_review: datetime | None
    stability: float | None
    reviews: int | None = Field(None, description="scheduled reviews (card details only)")
    lapses: int | None = Field(None, description="lapses since last new (card details only)")
    recall: float | None
    source: str | None = Field(None, description="path:line of the card's text")


class HistoryEntry(Model):
    reviewed_at: datetime
    kind: str = Field(description="scheduled or drill")
    grade: int
    grade_label: str
    was_new: bool
    interval_days: float | None = Field(
        description="the interval this review set (scheduled reviews; None when unknown)")
    seconds: float | None
    answer: str | None
    correct: bool | None
    seed: int | None


class CardHistory(Model):
    card: BrowserCard
    entries: list[HistoryEntry]


def matches(card: BrowserCard, query: BrowseQuery, needle: str, deck_card: Card | None
             ) -> bool:
    if query.topic and card.topic != query.topic:
        return False
    if query.tag and query.tag not in card.tags:
        return False
    state = query.state
    if state in ("new", "review") and card.state != state:
        return False
    if state == "learning" and card.state not in ("learning", "relearning"):
        return False
    if state == "suspended" and not card.suspended:
        return False
    if state == "leech" and not card.leech:
        return False
    if not needle:
        return True
    haystack = [card.key, card.title]
    if deck_card is not None:
        for text in deck_card.texts.values():  # every language, LaTeX braces ignored
            haystack += [_LATEX_MARKS.sub("", text.question), _LATEX_MARKS.sub("", text.answer)]
    return any(needle in h.lower() for h in haystack)


_LATEX_MARKS = re.compile(r"[{}$]")


def history_entries(rows: list[HistoryRow], card: BrowserCard) -> list[HistoryEntry]:
    """Each scheduled review's interval = the due it set - its time: the next scheduled
    review's ``state_before`` holds that due; for the last one it is the card's due now."""
    scheduled = [r for r in rows if r.kind == "scheduled"]
    set_due: dict[int, datetime | None] = {}
    for n, this in enumerate(scheduled):
        following = scheduled[n + 1] if n + 1 < len(scheduled) else None
        if following is None:
            set_due[this.id] = card.due
        else:
            set_due[this.id] = None if following.was_new else following.due_before
    entries = []
    for r in rows:
        due = set_due.get(r.id)
        entries.append(HistoryEntry(
            reviewed_at=r.reviewed_at, kind=r.kind, grade=r.rating,
            grade_label=Grade(r.rating).label if r.rating in (1, 2, 3, 4) else str(r.rating),
            was_new=r.was_new,
            interval_days=(due - r.reviewed_at) / timedelta(days=1) if due else None,
            seconds=r.duration_ms / 1000 if r.duration_ms is not None else None,
            answer=r.answer, correct=r.correct, seed=r.seed))
    return entries
