"""Queue policy: which of the candidate cards to show next.

Order: learning cards that are due now, then review cards due today (most overdue first),
then new cards within the daily limit (review and new cards skip the siblings of a cloze
reviewed today), then learning cards due within the learn-ahead window (so a session can
finish instead of waiting a minute). Topics are interleaved: the next card is the first
candidate whose topic differs from the card just shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_CLOZE_KEY = re.compile(r"^(?P<note>[^:]+:.+):c[0-9]+$")  # deck:id:cN (deck:c3 is a card)


def sibling_note(key: str) -> str | None:
    """The note a cloze card belongs to (``deck:id`` of ``deck:id:c2``), None for any other
    card. Siblings (deletions of one note) are buried for the rest of the study day once
    one of them is reviewed: the next one would show the first one's hidden text."""
    match = _CLOZE_KEY.match(key)
    return match["note"] if match else None


def pick_interleaved(candidates: Sequence[T], last_topic: str | None, topic_of) -> T | None:
    """The first candidate of another topic than ``last_topic``, else the first one."""
    if not candidates:
        return None
    for candidate in candidates:
        if topic_of(candidate) != last_topic:
            return candidate
    return candidates[0]
