"""What every exercise family provides, and the objects that leave this package.

A family (``conv-output-size``, ``maxpool-backward``, ...) generates an ``Instance`` from a
level and a seed: the parameters, a prompt in each language, the exact expected answer
(computed by ``trainer.exercises.solver``), and a worked solution step by step. The same
(family, level, seed) always gives the same instance, so a review that stores its seed can
show the exact instance again later.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from trainer.core.model import Model
from trainer.exercises.catalog import BY_NAME, LEVELS

if TYPE_CHECKING:  # NumPy is imported when an instance is drawn, not with these models
    import numpy as np

AnswerKind = Literal["integer", "shape", "number", "matrix", "sequence"]


class ExpectedAnswer(Model):
    """The exact answer and how a typed answer is compared with it.

    - ``integer``: ``value`` is an int; typed ``1,234``, ``１４`` are accepted.
    - ``shape``: ``value`` is a list of ints; typed ``14x14``, ``14×14``, ``(14, 14)``.
    - ``sequence``: ``value`` is a list of ints in order (e.g. the boxes NMS keeps); typed
      ``2, 1, 3`` or ``2 1 3``; a different count is a wrong answer, not a shorthand.
    - ``number``: ``value`` is a float; correct when it rounds to the same ``decimals``.
    - ``matrix``: ``value`` is a list of rows (lists of floats); each entry compared as a
      number with ``decimals``; ``rows``/``cols`` give the grid the UI shows.
    """

    kind: AnswerKind
    value: Any
    decimals: int | None = None
    rows: int | None = None
    cols: int | None = None

    def display(self) -> str:
        if self.kind == "integer":
            return f"{self.value:,}"
        if self.kind == "shape":
            return " × ".join(str(v) for v in self.value)
        if self.kind == "sequence":
            return ", ".join(str(v) for v in self.value)
        if self.kind == "number":
            return _number(self.value, self.decimals)
        return "\n".join("  ".join(_number(v, self.decimals) for v in row) for row in self.value)


def _number(value: float, decimals: int | None) -> str:
    if decimals is None:
        return f"{value:g}"
    return fixed(value, decimals)


def fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, a half rounded away from zero as people do
    (6.0625 -> 6.063; ``format`` rounds half to even: 6.062 beside 6.1875 -> 6.188). The
    value is read as written (its shortest repr), so 2.675 -> 2.68."""
    value = float(value)
    written = repr(value)
    _, dot, digits = written.partition(".")
    if "e" in written or not dot or len(digits) != decimals + 1 or digits[-1] != "5":
        text = f"{value:.{decimals}f}"  # not a written half: format rounds it the same
    else:  # a half as written (6.0625 to 3 decimals): away from zero
        from decimal import ROUND_HALF_UP, Decimal

        text = f"{Decimal(written).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP):f}"
    return text.lstrip("-") if float(text) == 0 else text


class Instance(Model):
    """One posed exercise. Prompts and solutions are markdown, keyed by language."""

    family: str
    level: int
    seed: int | None = Field(description="None when posed from explicit parameters")
    params: dict[str, Any]
    prompt: dict[str, str]
    expected: ExpectedAnswer
    solution: dict[str, str]
    rounding_note: dict[str, str] = Field(default_factory=dict)


class CheckResult(Model):
    """``correct`` is None when the typed text could not be read (no grade is given)."""

    correct: bool | None
    message: str
    parsed: Any = None


class Family(ABC):
    """An exercise family. Subclasses set the class attributes and implement two methods."""

    name: str  # slug, e.g. "conv-output-size": its entry in trainer/exercises/catalog.py
    topic: str  # from the catalog: a built-in deck topic slug, e.g. "sampling"
    title: dict[str, str]  # from the catalog: {"en": ..., "zh": ...}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:  # a concrete family: KeyError if it is not catalogued
            entry = BY_NAME[cls.name]
            cls.topic, cls.title = entry.topic, entry.title

    @abstractmethod
    def sample_params(self, level: int, rng: np.random.Generator) -> dict[str, Any]:
        """Random valid parameters for ``level`` (1 easy .. 3 hard)."""

    @abstractmethod
    def pose(self, params: dict[str, Any], level: int, seed: int | None) -> Instance:
        """The instance for these parameters: prompt, expected answer, worked solution.

        Raises ``SolverError`` (a ValueError) with a clear message for invalid parameters.
        """

    def generate(self, level: int, seed: int) -> Instance:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {level}")
        import numpy as np

        rng = np.random.default_rng(seed)
        return self.pose(self.sample_params(level, rng), level, seed)

    def check(self, instance: Instance, typed: str) -> CheckResult:
        from trainer.exercises.answers import check_answer

        return check_answer(instance.expected, typed)
