"""Changing settings: a typed value from text, validated through ``Settings``, written to
``config.toml`` (``trainer config``, the settings screen).

A value is read as a TOML value when it is one (``0.92``, ``30``, ``2026-12-20``,
``[1, 10]``, ``true``), else as a string (``zh``); a list setting also takes ``1,10``.
Nothing is written unless the whole file, with the change, is valid.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from trainer.config.file import remove_setting, save_setting
from trainer.config.settings import (
    ConfigError,
    Settings,
    env_name,
    environment_values,
    is_list,
    read_config_file,
)

NOT_IN_FILE = {"home"}  # the config file lives in the home: it cannot move it


class SettingError(ValueError):
    """A setting or value that cannot be used; the message is one line for the user."""


def dashed(name: str) -> str:
    return name.replace("_", "-")


def setting_names() -> list[str]:
    return list(Settings.model_fields)


def field_name(key: str) -> str:
    """``interview-date`` or ``interview_date`` -> ``interview_date``; SettingError if unknown."""
    name = key.strip().replace("-", "_")
    if name not in Settings.model_fields:
        known = ", ".join(dashed(n) for n in setting_names() if n not in NOT_IN_FILE)
        raise SettingError(f"unknown setting {key!r}; settings: {known}")
    return name


def parse_value(name: str, text: str) -> object:
    """The typed value ``text`` stands for (validation comes later, in ``validate``)."""
    text = text.strip()
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    if _is_list(name) and isinstance(value, str | int | float) and not isinstance(value, bool):
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
        value = [parse_value("", p) for p in parts]
    return value


def _is_list(name: str) -> bool:
    field = Settings.model_fields.get(name)
    return field is not None and is_list(field.annotation)


def validate(home: Path, changes: dict[str, object], removed: tuple[str, ...] = ()
             ) -> Settings:
    """The settings the config file would give with ``changes`` set and ``removed`` unset
    (environment variables fill in the rest, but never hide an invalid change);
    SettingError, one line, when they are invalid."""
    for name in (*changes, *removed):
        if name in NOT_IN_FILE:
            raise SettingError(f"{dashed(name)} cannot be set in the config file; use --home "
                               "or TRAINER_HOME")
    try:
        values = read_config_file(home / "config.toml")
        environment = environment_values()
    except ConfigError as exc:
        raise SettingError(str(exc)) from exc
    for name in removed:
        values.pop(name, None)
    values.update(changes)
    try:
        return Settings(**{**environment, **values, "home": home})
    except ValidationError as exc:
        raise SettingError(_one_line(exc, changes)) from exc


def _one_line(exc: ValidationError, changes: dict[str, object]) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "value"
    message = " ".join(str(error["msg"]).split())  # fsrs's parameter errors span lines
    message = message.removeprefix("Value error, ")
    if str(error.get("type", "")).startswith("date_"):  # pydantic's "input is too short"
        message = "expected a date written YYYY-MM-DD, e.g. 2026-12-20"
    if name in changes:
        return f"{dashed(name)}: {message} (got {_shown(changes[name])})"
    return f"{dashed(name)}: {message}"


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def toml_value(value: object) -> object:
    """A validated value in a form TOML can hold."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [toml_value(v) for v in value]
    return value


def apply(home: Path, changes: dict[str, object], removed: tuple[str, ...] = ()) -> Settings:
    """Validate, then write the changes (validated values) and removals to config.toml."""
    settings = validate(home, changes, removed)
    path = home / "config.toml"
    for name in changes:
        value = getattr(settings, name)
        if value is None:
            remove_setting(path, name)
        else:
            save_setting(path, name, toml_value(value))
    for name in removed:
        remove_setting(path, name)
    return settings


def shown_value(value: object) -> str:
    """A value as ``trainer config get`` prints it (empty for unset)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | str | int | float | Path):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    return str(value)


def _quoted(value: object) -> str:
    return f'"{value}"' if isinstance(value, str | Path) else shown_value(value)


def source_of(name: str, file_values: dict[str, object], flags: set[str]) -> str:
    """Where the effective value comes from: flag, env, config.toml or default."""
    if name in flags:
        return "flag"
    if env_name(name) in os.environ:
        return "env"
    if name in file_values:
        return "config.toml"
    return "default"
