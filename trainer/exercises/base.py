"""What every exercise family provides, and the objects that leave this package.

A family (``conv-output-size``, ``maxpool-backward``, ...) generates an ``Instance`` from a
level and a seed: the parameters, a prompt in each language, the exact expected answer
(computed by ``trainer.exercises.solver``), and a worked solution step by step. The same
(family, level, seed) always gives the same instance, so a review that stores its seed can
show the exact instance again later.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from pydantic import Field

from trainer.core.model import Model
from trainer.exercises.answers import AnswerKind, CheckResult, ExpectedAnswer, check_answer
from trainer.exercises.catalog import BY_NAME, LEVELS

if TYPE_CHECKING:  # NumPy is imported when an instance is drawn, not with these models
    import numpy as np

# The answer types are defined with their parsing and checking in answers.py; they leave
# the package from here, beside the instances that carry them.
__all__ = ["LEVELS", "AnswerKind", "CheckResult", "ExpectedAnswer", "Family", "Instance"]


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
        return check_answer(instance.expected, typed)
