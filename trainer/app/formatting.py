"""Text for people: windows, durations, percentages, counts, and a card's title line."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.deck.cards import Card

_WINDOW = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_window(text: str) -> timedelta | None:
    """``7d``, ``24h``, ``2w``, ``90m``, or ``all`` (None: no limit)."""
    if text.strip().lower() == "all":
        return None
    match = _WINDOW.match(text.lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a window: use a number and a unit, e.g. 7d, 24h, "
                         "2w, or 'all'")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def in_window(window: timedelta | None) -> str:
    """``in the last 7 days``, or ``at any time`` for no window (never "the last all time")."""
    return "at any time" if window is None else f"in the last {format_window(window)}"


def count_of(n: int, word: str) -> str:
    """``1 review``, ``2 reviews``, ``1,234 reviews``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def format_window(window: timedelta | None) -> str:
    if window is None:
        return "all time"
    if window % timedelta(days=1) == timedelta(0):
        days = window.days
        return f"{days} day{'s' * (days != 1)}"
    hours = window / timedelta(hours=1)
    return f"{hours:g} hour{'s' * (hours != 1)}"


def format_duration(seconds: float) -> str:
    """``45s``, ``12m``, ``1h 05m``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h {minutes % 60:02d}m"


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def card_title(card: Card, language: str) -> str:
    """The first line of the question as the card shows it: formulas in Unicode, markdown
    marks dropped, code and escaped characters kept (``d_k``, ``x**2``)."""
    text = card.text(language).question.strip()
    line = next((ln for ln in text.splitlines() if ln.strip()), card.key)
    return _render(line).strip().lstrip("#").strip()


@lru_cache(maxsize=4096)
def _render(markdown: str) -> str:
    from trainer.deck.math_markdown import render_math  # only when there is a deck

    # The text markdown-it reads, not a regex over the source: an underscore inside a
    # word or code, or escaped by the formula renderer (`d\_(model)`), is text.
    children = [c for t in _inline_parser().parseInline(render_math(markdown))
                for c in t.children or ()]
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


@lru_cache(maxsize=1)
def _inline_parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def format_interval(delta: timedelta) -> str:
    """Compact, like Anki's buttons: <1m, 10m, 3h, 4d, then months from 30 days (1.5mo),
    years from 365 (2.1y)."""
    minutes = delta.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"
