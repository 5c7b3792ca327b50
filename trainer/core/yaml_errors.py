"""Where a PyYAML error points, read in one place for every YAML reader (deck front matter,
exercise blocks, network specs).

PyYAML is not imported here: the callers already hold the error, and a start must not pay
for PyYAML before the first card (tests/test_start_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class YamlErrorAt:
    """A YAML error's reason and position (1-based, in the YAML text; None when unknown)."""

    problem: str | None
    line: int | None = None
    column: int | None = None


def yaml_error_at(exc: Exception, *, open_bracket: bool = False) -> YamlErrorAt:
    """The reason and position of ``exc`` (a ``yaml.YAMLError``).

    The position is PyYAML's problem mark (its context mark when there is none). With
    ``open_bracket``, an error inside an unclosed ``{`` or ``[`` points at where the
    bracket opened instead (PyYAML stops at the end of the text), and the reason says so.
    """
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    what = getattr(exc, "context", None) or ""
    if open_bracket and context is not None and (mark is None or "flow" in what):
        stopped = f"; the parser stopped at line {mark.line + 1}" if mark else ""
        reason = problem or str(exc)
        problem = f"{reason} ({what} that starts here: is a bracket left open?{stopped})"
        mark = context
    mark = mark or context
    if mark is None:
        return YamlErrorAt(problem)
    return YamlErrorAt(problem, mark.line + 1, mark.column + 1)
