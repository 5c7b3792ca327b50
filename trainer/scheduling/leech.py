"""Leeches: cards that lapse again and again, as Anki defines them.

A *lapse* is an Again given, in a scheduled review, to a card in the Review state (a card
that had been learned and was then forgotten). Lapses are derived from the review log and
counted since the card was last new (a reset card starts again from zero). At the answer
that brings the count to ``threshold`` (8 by default) the card is marked leech and
suspended; after it is unsuspended it becomes a leech again every ``threshold // 2`` more
lapses (at 12, 16, ... for 8), which is Anki's rule. Drills never count.
"""

from __future__ import annotations


def is_leech_lapse(lapses: int, threshold: int) -> bool:
    """True when the answer that makes ``lapses`` lapses should mark the card a leech."""
    if threshold < 1:
        raise ValueError("the leech threshold must be at least 1")
    if lapses < threshold:
        return False
    return (lapses - threshold) % max(threshold // 2, 1) == 0
