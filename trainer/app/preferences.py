"""Changing settings from a face: a value parsed from text, checked with the rest of
config.toml through ``Settings``, then written (``trainer config set|unset``, the settings
screen, the language key).

Nothing is written unless the whole file, with the change, is valid; every refusal is a
``SettingError`` with one line for the user, a file that cannot be written included. The
file is written here, so a face calls these off its UI thread. Writes in this process are
one at a time (two quick language switches must not interleave their writes).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from trainer.config.edit import (
    NOT_IN_FILE,
    SettingError,
    apply,
    dashed,
    field_name,
    parse_value,
    setting_names,
    shown_value,
    source_of,
    toml_value,
)
from trainer.config.settings import Settings, read_config_file
from trainer.core.model import Model

_WRITING = threading.Lock()


class SettingsSaved(Model):
    """What a save left: the settings to run with, and the names written or removed."""

    settings: Settings
    changed: list[str]


def write(settings: Settings, changes: Mapping[str, object], removed: tuple[str, ...] = ()
          ) -> Settings:
    """Check ``changes`` (typed values) and ``removed`` with the rest of the file, then
    write them; the settings the file now gives. SettingError when refused."""
    parameters = changes.get("fsrs_parameters")
    if parameters:  # their bounds are the scheduler's (imported only for them)
        from trainer.app.memory import parameters_problem

        if problem := parameters_problem(parameters):
            raise SettingError(f"fsrs-parameters: {problem} (got {parameters})")
    with _WRITING:
        try:
            return apply(settings.home, dict(changes), removed)
        except OSError as exc:
            raise SettingError(
                f"{settings.config_path}: cannot write ({exc.strerror or exc})") from exc


def set_setting(settings: Settings, key: str, text: str) -> tuple[str, Settings]:
    """``trainer config set KEY VALUE``: the setting's name and the settings saved."""
    name = field_name(key)
    value = parse_value(name, text)
    if value is None or value == "":
        raise SettingError(f"{dashed(name)}: give a value, or use 'trainer config unset "
                           f"{dashed(name)}'")
    return name, write(settings, {name: value})


def unset_setting(settings: Settings, key: str) -> tuple[str, Settings | None]:
    """``trainer config unset KEY``: the setting's name and the settings after; None when
    the file did not set it (nothing was written)."""
    name = field_name(key)
    if name in NOT_IN_FILE:
        raise SettingError(f"{dashed(name)} is not a config file setting")
    if name not in read_config_file(settings.config_path):
        return name, None
    return name, write(settings, {}, removed=(name,))


def save_form(current: Settings, fields: Mapping[str, str]) -> SettingsSaved:
    """The settings screen: each field as typed (an empty interview date removes it);
    only the values that differ from ``current`` are written."""
    changes: dict[str, object] = {}
    removed: list[str] = []
    for name, text in fields.items():
        text = text.strip()
        if name == "interview_date" and not text:
            if current.interview_date is not None:
                removed.append(name)
            continue
        value = parse_value(name, text) if text else text
        if value != getattr(current, name):
            changes[name] = value
    saved = write(current, changes, tuple(removed))
    changed = [*changes, *removed]
    return SettingsSaved(settings=current.model_copy(
        update={n: getattr(saved, n) for n in changed}), changed=changed)


def save_language(settings: Settings, language: str) -> Settings:
    """The language key: remember the language for the next start."""
    return write(settings, {"language": language})


__all__ = [
    "NOT_IN_FILE", "SettingError", "SettingsSaved", "dashed", "field_name", "parse_value",
    "save_form", "save_language", "set_setting", "setting_names", "shown_value",
    "source_of", "toml_value", "unset_setting", "write",
]
