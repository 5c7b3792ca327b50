"""Exercise cards declared in markdown: a fenced ``exercise`` block under a card heading.

    ## Output sizes of VGG-like layers {#my-vgg-sizes}

    ```exercise
    family: conv-output-size
    level: 2
    params:
      input: 28..64        # a whole number drawn from 28 to 64 (both included)
      kernel: 3|5|7        # one of these
      stride: 2            # fixed
    ```

Each review draws a fresh instance from the family (``trainer exercise --list``), with
the parameters the block fixes or draws and the rest drawn as the family does at that
level; the seed reproduces it. ``spec_from_yaml`` validates the block (unknown family,
level or parameter, a range that never gives a valid instance) with the line of each
problem.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import Field

from trainer.core.model import Model
from trainer.exercises.catalog import BY_NAME as FAMILY_NAMES
from trainer.exercises.catalog import LEVELS

if TYPE_CHECKING:
    from trainer.exercises.base import Instance

# NumPy and the families (which import it) are imported when an instance is drawn, and
# PyYAML when a block is read: deck models that merely hold a spec need neither.

FENCE_INFO = "exercise"
SPEC_KEYS = ("family", "level", "params")
_TRIES = 50  # draws per instance before the parameters are declared impossible
_CHECK_SEEDS = range(5)
_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")


class ExerciseSpec(Model):
    """What an ``exercise`` block asks for: a family, a level, and parameter choices."""

    family: str
    level: int = 1
    fixed: dict[str, Any] = Field(default_factory=dict)
    ranges: dict[str, tuple[int, int]] = Field(default_factory=dict)
    choices: dict[str, list[Any]] = Field(default_factory=dict)

    def generate(self, seed: int) -> Instance:
        """The instance for ``seed`` (the same seed, the same instance).

        Raises ValueError when no valid instance is found (``trainer check`` reports such
        blocks, so a checked deck never does).
        """
        import numpy as np

        from trainer.exercises.families import FAMILIES

        family = FAMILIES[self.family]
        rng = np.random.default_rng(seed)
        problem: Exception | None = None
        for _ in range(_TRIES):
            params = dict(family.sample_params(self.level, rng))
            params.update(self.fixed)
            for name, (low, high) in self.ranges.items():
                params[name] = int(rng.integers(low, high + 1))
            for name, options in self.choices.items():
                params[name] = options[int(rng.integers(len(options)))]
            try:
                return family.pose(params, self.level, seed)
            except (ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
                problem = exc
        raise ValueError(f"no valid {self.family} instance with these parameters: {problem}")


@cache
def family_parameters(name: str) -> tuple[str, ...]:
    """The parameter names a family uses (read from its own draws at every level)."""
    import numpy as np

    from trainer.exercises.families import FAMILIES

    family = FAMILIES[name]
    names: set[str] = set()
    for level in LEVELS:
        for seed in range(5):
            names.update(family.sample_params(level, np.random.default_rng(seed)))
    return tuple(sorted(names))


def spec_from_yaml(content: str, first_line: int, problem) -> ExerciseSpec | None:
    """Read a block's YAML (its first line is ``first_line`` of the file, 1-based).

    ``problem(line, message, hint)`` is called for each error; None when there is one.
    """
    import yaml

    lines = content.split("\n")

    def key_line(key: str) -> int:
        for offset, line in enumerate(lines):
            if re.match(rf"^\s*{re.escape(key)}\s*:", line):
                return first_line + offset
        return first_line

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem(line, f"exercise block is not valid YAML: "
                      f"{getattr(exc, 'problem', None) or 'invalid YAML'}",
                "write 'family: NAME' and 'level: 1' lines")
        return None
    if not isinstance(data, dict):
        problem(first_line, "exercise block must be 'key: value' lines",
                "for example 'family: conv-output-size' and 'level: 2'")
        return None
    failed = False
    for key in data:
        if key not in SPEC_KEYS:
            problem(key_line(str(key)), f"unknown key {key!r} in an exercise block",
                    f"known keys: {', '.join(SPEC_KEYS)}")
            failed = True
    family = data.get("family")
    if not isinstance(family, str) or family not in FAMILY_NAMES:
        close = difflib.get_close_matches(str(family), list(FAMILY_NAMES), n=1)
        problem(key_line("family"),
                "exercise block needs a family" if family is None
                else f"unknown exercise family {family!r}",
                f"did you mean {close[0]}?" if close
                else "'trainer exercise --list' shows the families")
        return None
    level = data.get("level", 1)
    if isinstance(level, bool) or level not in LEVELS:
        problem(key_line("level"), f"level must be 1, 2 or 3, not {level!r}",
                "1 is the easiest")
        return None
    spec = ExerciseSpec(family=family, level=level)
    params = data.get("params") or {}
    if not isinstance(params, dict):
        problem(key_line("params"), "params must be 'name: value' lines",
                "for example 'input: 28..64' or 'stride: 1|2'")
        return None
    known = family_parameters(family)
    for name, value in params.items():
        where = key_line(str(name))
        if name not in known:
            problem(where, f"unknown parameter {name!r} for {family}",
                    f"its parameters: {', '.join(known)}")
            failed = True
            continue
        if isinstance(value, str) and _RANGE.match(value):
            low, high = (int(v) for v in _RANGE.match(value).groups())
            if low > high:
                problem(where, f"empty range {value!r}", "write LOW..HIGH with LOW <= HIGH")
                failed = True
            spec.ranges[name] = (low, high)
        elif isinstance(value, str) and "|" in value:
            spec.choices[name] = [_scalar(part) for part in value.split("|")]
        else:
            spec.fixed[name] = value
    if failed:
        return None
    errors = []
    for seed in _CHECK_SEEDS:
        try:
            spec.generate(seed)
            break
        except ValueError as exc:
            errors.append(str(exc))
        except Exception as exc:  # a family meeting values it was never written for
            errors.append(f"{type(exc).__name__}: {exc}")
    else:
        problem(key_line("params") if params else first_line, errors[-1],
                "widen the ranges or drop a fixed value")
        return None
    return spec


def _scalar(text: str) -> Any:
    import yaml

    try:
        value = yaml.safe_load(text.strip())
    except yaml.YAMLError:
        return text.strip()
    return text.strip() if value is None or isinstance(value, dict | list) else value
