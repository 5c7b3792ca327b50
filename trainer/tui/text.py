"""clip: text cut to a width in cells, with "…" (titles, typed answers, table cells)."""

from __future__ import annotations

from typing import overload

from rich.text import Text


@overload
def clip(text: str, width: int) -> str: ...
@overload
def clip(text: Text, width: int) -> Text: ...
def clip(text: str | Text, width: int) -> str | Text:
    """At most ``width`` cells, the cut marked with "…" (a wide character counts two).

    A ``str`` is plain text put on one line (runs of white space, newlines too, become
    one space); a ``Text`` keeps its styles and its lines."""
    if isinstance(text, str):
        line = Text(" ".join(text.split()))
        line.truncate(width, overflow="ellipsis")
        return line.plain
    clipped = text.copy()
    clipped.truncate(width, overflow="ellipsis")
    return clipped
