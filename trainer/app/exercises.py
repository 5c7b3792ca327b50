"""The exercise families as ``trainer exercise`` uses them: list them, pose one instance
(from a seed or from explicit parameters), and check a typed answer as the app does."""

from __future__ import annotations

from trainer.core.model import Model
from trainer.exercises.base import LEVELS, CheckResult, Instance
from trainer.exercises.catalog import CATALOG


class FamilyInfo(Model):
    name: str
    topic: str
    title: dict[str, str]
    levels: list[int]


def exercise_families() -> list[FamilyInfo]:
    return [FamilyInfo(name=f.name, topic=f.topic, title=f.title, levels=list(LEVELS))
            for f in CATALOG]


def pose_exercise(
    name: str, level: int = 1, seed: int | None = None, params: dict | None = None
) -> Instance:
    """An instance of family ``name``: from explicit ``params``, else from ``seed`` (random
    when None). Raises KeyError for an unknown family, ValueError for invalid parameters."""
    import numpy as np

    from trainer.exercises.families import FAMILIES

    if name not in FAMILIES:
        raise KeyError(f"no exercise family {name!r}; families: {', '.join(FAMILIES)}")
    family = FAMILIES[name]
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(str, LEVELS))}")
    if params is not None:
        return family.pose(params, level, None)
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 2**31 - 1))
    return family.generate(level, seed)


def example_params(name: str, level: int = 1) -> dict:
    """A complete, valid parameter set of family ``name`` (the one seed 0 poses): what
    ``--params`` must look like."""
    return pose_exercise(name, level, 0).params


def check_exercise(instance: Instance, typed: str) -> CheckResult:
    """The verdict on ``typed`` for ``instance``, exactly as the app grades it (a
    ``CheckResult``: ``correct`` is None when the text could not be read)."""
    from trainer.exercises.families import FAMILIES

    return FAMILIES[instance.family].check(instance, typed)
