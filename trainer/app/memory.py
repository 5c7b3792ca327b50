"""The FSRS memory model the settings ask for, and the settings' FSRS parameters checked
against the library's bounds.

``trainer.config`` checks their shape (21 finite numbers) and cannot know the bounds: they
belong to ``trainer.scheduling``, below which config does not reach. This module, which
sees both, reports a value out of bounds as the settings' own error, naming its source.
"""

from __future__ import annotations

from collections.abc import Sequence

from trainer.config.settings import Settings, invalid_setting
from trainer.scheduling.memory import MemoryModel, check_parameters


def parameters_problem(parameters: Sequence[float] | None) -> str | None:
    """Why the fsrs library refuses ``parameters`` (its message, in one line); None when
    they are usable (None: the defaults)."""
    if not parameters:
        return None
    try:
        check_parameters(parameters)
    except ValueError as exc:
        return " ".join(str(exc).split())
    except TypeError:  # not numbers: the settings' own validation says so
        return None
    return None


def check_settings(settings: Settings) -> Settings:
    """``settings`` when the scheduler accepts their FSRS parameters; else ConfigError,
    ``invalid settings: <source>: fsrs-parameters: ...`` as ``load_settings`` words it."""
    problem = parameters_problem(settings.fsrs_parameters)
    if problem is not None:
        raise invalid_setting(settings, "fsrs_parameters", problem)
    return settings


def memory_model(settings: Settings, *, enable_fuzzing: bool = True) -> MemoryModel:
    """FSRS with the settings' retention, steps, longest interval and parameters (checked:
    ConfigError as ``check_settings``)."""
    check_settings(settings)
    return MemoryModel(
        desired_retention=settings.desired_retention,
        learning_steps=settings.learning_steps,
        relearning_steps=settings.relearning_steps,
        maximum_interval=settings.maximum_interval_days,
        enable_fuzzing=enable_fuzzing,
        parameters=tuple(settings.fsrs_parameters) if settings.fsrs_parameters else None,
    )
