"""Typed settings, built once by the CLI and passed down (never read from globals).

Precedence, highest first: command-line flags, ``TRAINER_*`` environment variables,
the config file (``config.toml`` in the trainer home), built-in defaults.
``TRAINER_HOME`` moves everything (database, user decks, config) at once.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, get_args, get_origin

from pydantic import ConfigDict, Field, FiniteFloat, ValidationError, field_validator

from trainer.core.model import Model

Language = Literal["en", "zh"]


def default_home() -> Path:
    """Where everything lives unless told otherwise: ``TRAINER_HOME`` or the user data dir."""
    env = os.environ.get("TRAINER_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs  # imported when needed: every command starts here (`trainer stats`)

    return Path(platformdirs.user_data_dir("trainer", appauthor=False))


ENV_PREFIX = "TRAINER_"
MAX_STEPS = 10  # learning or relearning steps
MAX_STEP_MINUTES = 7 * 24 * 60
FSRS_PARAMETER_COUNT = 21  # FSRS-6's; their bounds are checked where the scheduler is built


class Settings(Model):
    """Everything the app can be told. Tests build their own with explicit paths.

    Built from explicit values only: ``load_settings`` gathers them from the config file,
    the ``TRAINER_*`` environment variables (``environment_values``) and the flags.
    """

    model_config = ConfigDict(extra="forbid")

    home: Path = Field(default_factory=default_home)
    db: Path | None = None
    decks: list[Path] = Field(default_factory=list)
    builtin_deck: bool = True
    exercises: bool = True  # the numeric exercise cards (one per family and level)
    language: Language = "en"
    # Every value has a range, checked wherever it comes from (file, variable, flag,
    # `config set`, the settings screen): a value past it once crashed every start
    # (a learning step of 1e12 minutes overflows the date arithmetic).
    desired_retention: float = Field(0.90, ge=0.70, le=0.97, allow_inf_nan=False)
    new_per_day: int = Field(20, ge=0, le=10_000)
    max_reviews_per_day: int = Field(9999, ge=0, le=100_000)
    learning_steps_minutes: list[float] = Field(default_factory=lambda: [1.0, 10.0],
                                                max_length=MAX_STEPS)
    relearning_steps_minutes: list[float] = Field(default_factory=lambda: [10.0],
                                                  max_length=MAX_STEPS)
    rollover_hour: int = Field(4, ge=0, le=23)
    learn_ahead_minutes: int = Field(20, ge=0, le=24 * 60)
    maximum_interval_days: int = Field(36500, ge=1, le=36500)
    # A card is a leech (marked and suspended) at this many lapses, then every half of it
    # more (trainer/scheduling/leech.py).
    leech_threshold: int = Field(8, ge=1, le=1000)
    # Interview mode: until this date, every studied card's predicted recall on the day is
    # kept at or above interview_target (trainer/scheduling/interview.py); None: plain FSRS.
    interview_date: date | None = Field(None, ge=date(2000, 1, 1), le=date(2099, 12, 31))
    interview_target: float = Field(0.90, ge=0.70, le=0.99, allow_inf_nan=False)
    # Personal FSRS parameters fitted by `trainer optimize`; None: the library's defaults.
    fsrs_parameters: list[FiniteFloat] | None = None

    @field_validator("learning_steps_minutes", "relearning_steps_minutes")
    @classmethod
    def _positive_steps(cls, steps: list[float]) -> list[float]:
        if not all(0 < s <= MAX_STEP_MINUTES for s in steps):  # NaN fails too
            raise ValueError(f"each step must be more than 0 and at most {MAX_STEP_MINUTES:,} "
                             "minutes (7 days)")
        return steps

    @field_validator("fsrs_parameters")
    @classmethod
    def _fsrs_parameter_count(cls, parameters: list[float] | None) -> list[float] | None:
        # The shape only (the fsrs library's wording); the library's bounds belong to
        # trainer.scheduling, checked by the application layer (trainer.app.memory).
        if parameters is not None and len(parameters) != FSRS_PARAMETER_COUNT:
            raise ValueError(f"Expected {FSRS_PARAMETER_COUNT} parameters, "
                             f"got {len(parameters)}.")
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
    env_values = environment_values()
    merged = {**file_values, **env_values}
    if "decks" in overrides and isinstance(merged.get("decks"), list):
        # --decks adds folders to the configured ones (`trainer import` registers there)
        overrides["decks"] = [*merged["decks"], *overrides["decks"]]
    merged.update(overrides)
    merged["home"] = home
    try:
        return Settings(**merged)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        if name in overrides:
            where = "command line: "
        elif name in env_values:
            where = f"{env_name(name)}: "
        elif name in file_values:
            where = f"{_line_of(home / 'config.toml', name)}: "
        else:
            where = ""
        raise _invalid(where, name, str(error["msg"]), merged.get(name)) from exc


def invalid_setting(settings: Settings, name: str, message: str) -> ConfigError:
    """The error ``load_settings`` gives for ``name``, for a check made after loading (the
    FSRS parameters' bounds): where the value came from (its ``TRAINER_*`` variable, else
    the config file's line), the message in one line, and the value."""
    env_values = environment_values()
    file_values = read_config_file(settings.config_path)
    if name in env_values:
        where, value = f"{env_name(name)}: ", env_values[name]
    elif name in file_values:
        where, value = f"{_line_of(settings.config_path, name)}: ", file_values[name]
    else:
        where, value = "", getattr(settings, name)
    return _invalid(where, name, message, value)


def _invalid(where: str, name: str, message: str, value: object) -> ConfigError:
    message = " ".join(message.split()).removeprefix("Value error, ")
    return ConfigError(f"invalid settings: {where}{name.replace('_', '-')}: {message} "
                       f"(got {value!r})")


def _line_of(path: Path, name: str) -> str:
    """``path:line`` of the line that sets ``name`` (either spelling), else ``path``."""
    spellings = {name, name.replace("_", "-")}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.split("=", 1)[0].strip() in spellings:
            return f"{path}:{number}"
    return str(path)


def env_name(name: str) -> str:
    """The environment variable that sets ``name``: ``TRAINER_NEW_PER_DAY``."""
    return f"{ENV_PREFIX}{name.upper()}"


def environment_values(environ: dict[str, str] | None = None) -> dict[str, object]:
    """The settings given as ``TRAINER_<NAME>`` variables.

    A list (``decks``, the steps, ``fsrs-parameters``) is written as JSON, as in
    ``TRAINER_DECKS='["~/cards"]'``; anything else is the plain text, which the settings
    model then validates. Raises ConfigError for a list that is not valid JSON.
    """
    import json

    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, field in Settings.model_fields.items():
        variable = env_name(name)
        text = environ.get(variable)
        if text is None:
            continue
        if not is_list(field.annotation):
            values[name] = text
            continue
        try:
            values[name] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{variable}: not a JSON list ({exc.msg}); "
                              f"write it as {variable}='[...]'") from exc
    return values


def is_list(annotation: object) -> bool:
    """``list[...]`` or ``list[...] | None``."""
    return get_origin(annotation) is list or any(get_origin(a) is list
                                                 for a in get_args(annotation))


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
