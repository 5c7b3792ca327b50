"""Typed settings, built once by the CLI and passed down (never read from globals).

Precedence, highest first: command-line flags, ``TRAINER_*`` environment variables,
the config file (``config.toml`` in the trainer home), built-in defaults.
``TRAINER_HOME`` moves everything (database, user decks, config) at once.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["en", "zh"]


def default_home() -> Path:
    """Where everything lives unless told otherwise: ``TRAINER_HOME`` or the user data dir."""
    env = os.environ.get("TRAINER_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs  # imported when needed: every command starts here (`trainer stats`)

    return Path(platformdirs.user_data_dir("trainer", appauthor=False))


class Settings(BaseSettings):
    """Everything the app can be told. Tests build their own with explicit paths."""

    model_config = SettingsConfigDict(env_prefix="TRAINER_", extra="forbid")

    home: Path = Field(default_factory=default_home)
    db: Path | None = None
    decks: list[Path] = Field(default_factory=list)
    builtin_deck: bool = True
    exercises: bool = True  # the numeric exercise cards (one per family and level)
    language: Language = "en"
    desired_retention: float = Field(0.90, gt=0.5, lt=1.0)
    new_per_day: int = Field(20, ge=0, le=10_000)
    max_reviews_per_day: int = Field(9999, ge=0)
    learning_steps_minutes: list[float] = Field(default_factory=lambda: [1.0, 10.0])
    relearning_steps_minutes: list[float] = Field(default_factory=lambda: [10.0])
    rollover_hour: int = Field(4, ge=0, le=23)
    learn_ahead_minutes: int = Field(20, ge=0, le=24 * 60)
    maximum_interval_days: int = Field(36500, ge=1)
    # A card is a leech (marked and suspended) at this many lapses, then every half of it
    # more (trainer/scheduling/leech.py).
    leech_threshold: int = Field(8, ge=1, le=1000)
    # Interview mode: until this date, every studied card's predicted recall on the day is
    # kept at or above interview_target (trainer/scheduling/interview.py); None: plain FSRS.
    interview_date: date | None = None
    interview_target: float = Field(0.90, gt=0.5, lt=1.0)
    # Personal FSRS parameters fitted by `trainer optimize`; None: the library's defaults.
    fsrs_parameters: list[float] | None = None

    @field_validator("learning_steps_minutes", "relearning_steps_minutes")
    @classmethod
    def _positive_steps(cls, steps: list[float]) -> list[float]:
        if any(s <= 0 for s in steps):
            raise ValueError("steps must be positive numbers of minutes")
        return steps

    @field_validator("fsrs_parameters")
    @classmethod
    def _valid_fsrs_parameters(cls, parameters: list[float] | None) -> list[float] | None:
        if parameters is not None:
            from fsrs import Scheduler

            Scheduler(parameters=parameters)  # ValueError: wrong count or out of bounds
        return parameters

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else self.home / "trainer.sqlite3"

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"

    @property
    def user_decks_dir(self) -> Path:
        return self.home / "decks"

    @property
    def deck_dirs(self) -> list[Path]:
        """User deck folders: the default one under the home, then any added ones."""
        return [self.user_decks_dir, *self.decks]

    @property
    def learning_steps(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(minutes=m) for m in self.learning_steps_minutes)

    @property
    def relearning_steps(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(minutes=m) for m in self.relearning_steps_minutes)


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and the problem."""


def load_settings(**overrides: object) -> Settings:
    """Defaults < config file < environment < ``overrides`` (flags that were given)."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    home = Path(overrides["home"]) if "home" in overrides else default_home()
    file_values = read_config_file(home / "config.toml")
    env_keys = {
        name for name in Settings.model_fields if f"TRAINER_{name.upper()}" in os.environ
    }
    merged = {k: v for k, v in file_values.items() if k not in env_keys}
    if "decks" in overrides and isinstance(merged.get("decks"), list):
        # --decks adds folders to the configured ones (`trainer import` registers there)
        overrides["decks"] = [*merged["decks"], *overrides["decks"]]
    merged.update(overrides)
    merged.setdefault("home", home)
    try:
        return Settings(**merged)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"invalid settings: {exc}") from exc


def read_config_file(path: Path) -> dict[str, object]:
    """The config file's values with dashes turned into underscores; {} if there is none."""
    if not path.exists():
        return {}
    import tomllib  # imported when there is a file to read

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = [k for k in raw if k.replace("-", "_") not in Settings.model_fields]
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    return {k.replace("-", "_"): v for k, v in raw.items()}
