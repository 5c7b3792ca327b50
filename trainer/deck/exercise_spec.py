"""Exercise cards as a deck describes them: a fenced ``exercise`` block under a card heading.

    ## Output sizes of VGG-like layers {#my-vgg-sizes}

    ```exercise
    family: conv-output-size
    level: 2
    params:
      input: 28..64        # a whole number drawn from 28 to 64 (both included)
      kernel: 3|5|7        # one of these
      stride: 2            # fixed
    ```

Here the block is read for its shape (its keys, ``a..b`` ranges, ``x|y`` choices), each
problem at its line, into an ``ExerciseSpec``: data only. The deck never reaches the
exercise families: ``trainer/app/exercise_cards.py`` checks a block against them (family,
level, parameters, an instance for the ranges) and draws instances, and the app passes
its ``read_spec`` to the parser. Without it (``read_as_written``) a block's family, level
and parameter names are taken as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from pydantic import Field

from trainer.core.model import Model
from trainer.core.yaml_errors import yaml_error_at

# PyYAML is imported when a block is read: deck models that merely hold a spec need none.

FENCE_INFO = "exercise"
SPEC_KEYS = ("family", "level", "params")
_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")


class ExerciseSpec(Model):
    """What an ``exercise`` block asks for: a family, a level, and parameter choices."""

    family: str
    level: int = 1
    fixed: dict[str, Any] = Field(default_factory=dict)
    ranges: dict[str, tuple[int, int]] = Field(default_factory=dict)
    choices: dict[str, list[Any]] = Field(default_factory=dict)


class ProblemSink(Protocol):
    """Where a reader reports a problem: ``problem(line, message, hint)``."""

    def __call__(self, line: int, message: str, hint: str = "", /) -> None: ...


# How the parser reads a block: (content, its first line in the file, problem) -> the spec,
# or None when the block has an error (reported).
SpecReader = Callable[[str, int, ProblemSink], ExerciseSpec | None]


class Param(NamedTuple):
    """One ``name: value`` line under ``params``, and its line in the file."""

    name: Any
    value: Any
    line: int


@dataclass(frozen=True)
class ExerciseBlock:
    """A block's values as written (not checked yet), and where its keys are.

    ``failed``: an error was already reported (an unknown key); reading goes on so that
    the block's other errors are reported too.
    """

    family: Any
    level: Any
    raw_params: Any
    first_line: int
    lines: tuple[str, ...]
    failed: bool

    def line(self, key: str) -> int:
        """The line of ``key:`` in the file (the block's first line when not written)."""
        return _key_line(self.lines, self.first_line, key)

    def params(self, problem: ProblemSink) -> list[Param] | None:
        """The ``params`` lines; None (reported) when they are not ``name: value`` lines."""
        params = self.raw_params or {}
        if not isinstance(params, dict):
            problem(self.line("params"), "params must be 'name: value' lines",
                    "for example 'input: 28..64' or 'stride: 1|2'")
            return None
        return [Param(name, value, self.line(str(name))) for name, value in params.items()]


def read_block(content: str, first_line: int, problem: ProblemSink) -> ExerciseBlock | None:
    """Read a block's YAML (its first line is ``first_line`` of the file, 1-based); None
    (reported) when it is not YAML ``key: value`` lines."""
    import yaml

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        at = yaml_error_at(exc)
        line = first_line + at.line - 1 if at.line is not None else first_line
        problem(line, f"exercise block is not valid YAML: {at.problem or 'invalid YAML'}",
                "write 'family: NAME' and 'level: 1' lines")
        return None
    if not isinstance(data, dict):
        problem(first_line, "exercise block must be 'key: value' lines",
                "for example 'family: conv-output-size' and 'level: 2'")
        return None
    lines = tuple(content.split("\n"))
    failed = False
    for key in data:
        if key not in SPEC_KEYS:
            problem(_key_line(lines, first_line, str(key)),
                    f"unknown key {key!r} in an exercise block",
                    f"known keys: {', '.join(SPEC_KEYS)}")
            failed = True
    return ExerciseBlock(family=data.get("family"), level=data.get("level", 1),
                         raw_params=data.get("params"), first_line=first_line, lines=lines,
                         failed=failed)


def add_param(spec: ExerciseSpec, param: Param, problem: ProblemSink) -> bool:
    """Put ``param`` into ``spec``: ``LOW..HIGH`` a range, ``x|y`` a choice, else a fixed
    value. False (reported) for an empty range."""
    name, value = param.name, param.value
    if isinstance(value, str) and _RANGE.match(value):
        low, high = (int(v) for v in _RANGE.match(value).groups())
        spec.ranges[name] = (low, high)
        if low > high:
            problem(param.line, f"empty range {value!r}", "write LOW..HIGH with LOW <= HIGH")
            return False
    elif isinstance(value, str) and "|" in value:
        spec.choices[name] = [_scalar(part) for part in value.split("|")]
    else:
        spec.fixed[name] = value
    return True


def read_as_written(content: str, first_line: int, problem: ProblemSink) -> ExerciseSpec | None:
    """A block's shape only: its family, level and parameter names are taken as written
    (``trainer.app.exercise_cards.read_spec`` checks them against the exercise families)."""
    block = read_block(content, first_line, problem)
    if block is None:
        return None
    if not isinstance(block.family, str):
        problem(block.line("family"), "exercise block needs a family" if block.family is None
                else f"unknown exercise family {block.family!r}",
                "'trainer exercise --list' shows the families")
        return None
    if isinstance(block.level, bool) or not isinstance(block.level, int):
        problem(block.line("level"), f"level must be a whole number, not {block.level!r}",
                "1 is the easiest")
        return None
    params = block.params(problem)
    if params is None:
        return None
    spec = ExerciseSpec(family=block.family, level=block.level)
    added = [add_param(spec, param, problem) for param in params]
    return None if block.failed or not all(added) else spec


def _key_line(lines: tuple[str, ...], first_line: int, key: str) -> int:
    for offset, text in enumerate(lines):
        if re.match(rf"^\s*{re.escape(key)}\s*:", text):
            return first_line + offset
    return first_line


def _scalar(text: str) -> Any:
    import yaml

    try:
        value = yaml.safe_load(text.strip())
    except yaml.YAMLError:
        return text.strip()
    return text.strip() if value is None or isinstance(value, dict | list) else value
