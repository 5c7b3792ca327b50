"""PracticeSession: what the practice screen asks of the session it runs.

The study session (``trainer.app.study.StudySession``) and a drill of missed cards
(``trainer.app.drill.DrillSession``) both satisfy it, so one screen runs either: cards come
in order, answers are saved (one transaction each), the last answer can be undone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from trainer.app.errors import StoreError
from trainer.app.study import (
    AnswerOutcome,
    Attempt,
    CheckResult,
    PracticeCard,
    SessionCount,
    SessionSummary,
)


class UndoneUnread(StoreError):
    """The undo was saved, but the card it goes back to could not be read: the session
    has moved back, the card on screen is no longer the one it expects."""


@runtime_checkable
class PracticeSession(Protocol):
    """A sequence of cards answered one at a time (see the module docstring)."""

    def next_card(self, now: datetime) -> PracticeCard | None:
        """The next card to show; None when the session is done for now."""
        ...

    def card_for(self, key: str, now: datetime, seed: int | None = None) -> PracticeCard:
        """``key`` again (the same exercise instance for ``seed``); KeyError when gone."""
        ...

    def refreshed(self, card: PracticeCard, now: datetime) -> PracticeCard | None:
        """``card`` as the decks now say (after a reload); None when it was removed."""
        ...

    def answer(self, key: str, grade: int, now: datetime, duration_ms: int | None = None,
               attempt: Attempt | None = None) -> AnswerOutcome:
        """Save a grade; ``StoreError`` when nothing was saved."""
        ...

    def can_undo(self) -> bool: ...

    def undo(self, now: datetime) -> PracticeCard | None:
        """Take back the last answer and return its card; ``StoreError`` when nothing was
        undone, ``UndoneUnread`` when it was but its card could not be read."""
        ...

    def progress(self, now: datetime) -> SessionCount: ...

    def summary(self, now: datetime) -> SessionSummary: ...

    def check_exercise(self, card: PracticeCard, typed: str) -> CheckResult:
        """Judge a typed answer (no database: safe on the UI thread)."""
        ...

    def attempt(self, card: PracticeCard, typed: str, result: CheckResult) -> Attempt | None:
        ...

    def checkpoint(self) -> None:
        """Move the write-ahead log into the database file (between cards)."""
        ...


__all__ = ["PracticeSession", "StoreError", "UndoneUnread"]
