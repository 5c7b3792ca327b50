"""Queue policy: which of the candidate cards to show next.

Order: learning cards that are due now, then review cards due today (most overdue first),
then new cards within the daily limit, then learning cards due within the learn-ahead
window (so a session can finish instead of waiting a minute). Topics are interleaved: the
next card is the first candidate whose topic differs from the card just shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def pick_interleaved(candidates: Sequence[T], last_topic: str | None, topic_of) -> T | None:
    """The first candidate of another topic than ``last_topic``, else the first one."""
    if not candidates:
        return None
    for candidate in candidates:
        if topic_of(candidate) != last_topic:
            return candidate
    return candidates[0]
