"""The ``config``, ``interview`` and ``optimize`` commands (registered by ``trainer.cli.main``).

``trainer config list|get KEY|set KEY VALUE|unset KEY`` reads and writes config.toml:
values are validated through ``Settings`` first, a bad one is one line and exit status 2
with the file untouched. ``trainer interview`` shows the countdown and readiness.
``trainer optimize`` fits personal FSRS parameters (``trainer.app.optimize``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime

import tomli_w

from trainer.app.preferences import (
    SettingError,
    dashed,
    field_name,
    set_setting,
    setting_names,
    shown_value,
    source_of,
    toml_value,
    unset_setting,
)
from trainer.cli.errors import EXIT_OK
from trainer.cli.errors import fail as _fail
from trainer.config.settings import Settings, env_name, read_config_file


def add_parsers(commands, parents: list[argparse.ArgumentParser]) -> None:
    config = commands.add_parser(
        "config", parents=parents, help="show or change settings in config.toml",
        description="Show or change settings. Values are checked before config.toml is "
                    "written, e.g. 'trainer config set interview-date 2026-12-20'.")
    actions = config.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every setting, its value and where it comes from")
    get = actions.add_parser("get", help="print one setting's value")
    get.add_argument("key")
    put = actions.add_parser("set", help="set a setting in config.toml")
    put.add_argument("key")
    put.add_argument("value")
    unset = actions.add_parser("unset", help="remove a setting from config.toml")
    unset.add_argument("key")
    interview = commands.add_parser(
        "interview", parents=parents,
        help="countdown to the interview date and expected recall on the day")
    interview.add_argument("--json", action="store_true", help="machine-readable output")
    optimize = commands.add_parser(
        "optimize", parents=parents,
        help="fit FSRS parameters to your own review history (needs the optimizer extra)")
    optimize.add_argument("--dry-run", action="store_true",
                          help="report only, never write config.toml")
    optimize.add_argument("--json", action="store_true", help="machine-readable output")


def _toml(value: object) -> str:
    """A value as it would be written in config.toml, on one line."""
    if value is None:
        return "(not set)"
    value = toml_value(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).strip().removeprefix("v = ")


# -- trainer config ------------------------------------------------------------------------
def config_command(settings: Settings, args: argparse.Namespace) -> int:
    try:
        return _CONFIG[args.config_action](settings, args)
    except SettingError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{settings.config_path}: cannot write ({exc.strerror or exc})")


def _config_list(settings: Settings, args: argparse.Namespace) -> int:
    file_values = read_config_file(settings.config_path)
    flags = {name for name, given in (("home", args.home), ("db", args.db),
                                      ("language", args.lang), ("decks", args.decks))
             if given}
    rows = [(dashed(name), _toml(getattr(settings, name)),
             source_of(name, file_values, flags)) for name in setting_names()]
    width = max(len(k) + len(v) for k, v, _ in rows) + 3
    for key, value, source in rows:
        print(f"{f'{key} = {value}':<{width}}  # {source}")
    print(f"config file: {settings.config_path}", file=sys.stderr)
    return EXIT_OK


def _config_get(settings: Settings, args: argparse.Namespace) -> int:
    name = field_name(args.key)
    value = getattr(settings, name)
    if value is None:
        print(f"trainer: {dashed(name)} is not set", file=sys.stderr)
        return EXIT_OK
    print(shown_value(value))
    return EXIT_OK


def _config_set(settings: Settings, args: argparse.Namespace) -> int:
    name, saved = set_setting(settings, args.key, args.value)
    print(f"{dashed(name)} = {_toml(getattr(saved, name))}  (saved to {settings.config_path})")
    _note_env(name)
    if name == "interview_date" and saved.interview_date < datetime.now().date():
        print(f"trainer: warning: {saved.interview_date} is in the past: interview mode stays "
              "off until the date is in the future", file=sys.stderr)
    return EXIT_OK


def _config_unset(settings: Settings, args: argparse.Namespace) -> int:
    name, restored = unset_setting(settings, args.key)
    if restored is None:
        print(f"{dashed(name)} was not set in {settings.config_path}; nothing changed")
        return EXIT_OK
    now = getattr(restored, name)
    print(f"{dashed(name)} removed from {settings.config_path} ("
          + ("now unset)" if now is None else f"now {_toml(now)})"))
    _note_env(name)
    return EXIT_OK


def _note_env(name: str) -> None:
    variable = env_name(name)
    if variable in os.environ:
        print(f"note: {variable} is set in the environment and takes precedence",
              file=sys.stderr)


_CONFIG = {"list": _config_list, "get": _config_get, "set": _config_set,
           "unset": _config_unset}


# -- trainer interview ---------------------------------------------------------------------
def interview_command(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from trainer.app.errors import StoreError
    from trainer.app.study import StudySession

    if settings.interview_date is None:
        if args.json:
            print("null")
        print("no interview date: set one with 'trainer config set interview-date "
              "YYYY-MM-DD'", file=sys.stderr)
        return EXIT_OK
    try:
        study = StudySession.open(settings)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        ready = study.readiness(datetime.now(UTC))
    finally:
        study.close()
    if args.json:
        print(json.dumps(None if ready is None else ready.model_dump(mode="json")))
        return EXIT_OK
    if ready is None:
        print(f"the interview date {settings.interview_date} has passed: plain FSRS "
              "scheduling again ('trainer config unset interview-date' to clear it)")
        return EXIT_OK
    print(format_readiness(ready))
    return EXIT_OK


def format_readiness(ready) -> str:
    """The countdown, the readiness figure (cards at or above the target on the day) and
    what the plan says: every card ready within the daily cap, or what can be reached and
    what would reach it."""
    when = ready.interview_date.strftime("%a %d %b %Y")
    left = ("today" if ready.days_left == 0 else
            "tomorrow" if ready.days_left == 1 else f"in {ready.days_left} days")
    lines = [f"interview {when}, {left}: {ready.at_target:.0%} of the {ready.total} cards at "
             f"or above the {ready.target:.0%} target on the day if you stopped now "
             f"(expected recall on the day {ready.expected_recall:.0%}; {ready.studied} "
             "studied, unstudied count as 0)"]
    if ready.planned is not None:
        cap = f"{ready.max_per_day:,} answers a day"
        if ready.feasible:
            lines.append(f"plan: every card at the target by the day within {cap}, "
                         "learning steps included")
        else:
            ways = []
            if ready.needed_per_day is not None:
                ways.append(f"about {ready.needed_per_day:,} answers a day")
            if ready.ready_by is not None:
                ways.append(f"an interview on {ready.ready_by:%a %d %b %Y} or later")
            lines.append(f"cannot be ready: within {cap} (learning steps included) about "
                         f"{ready.planned:.0%} of the cards can reach the target by the day"
                         + (f"; all of them would need {' or '.join(ways)}" if ways else ""))
    if ready.calibration_reviews:
        lines.append(f"your answers so far ({ready.calibration_reviews:,} reviews): the plan "
                     f"assumes {ready.stability_scale:.2f}x the stability FSRS predicts")
    return "\n".join(lines)


# -- trainer optimize ----------------------------------------------------------------------
def optimize_command(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.errors import StoreError
    from trainer.app.optimize import OptimizerMissing, run

    try:
        report = run(settings, save=not args.dry_run)
    except OptimizerMissing as exc:
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{settings.config_path}: cannot write ({exc.strerror or exc})")
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), indent=1))
        return EXIT_OK
    if report.current is not None and report.fitted is not None:
        print(f"history: {report.reviews:,} scheduled reviews over {report.cards:,} cards; "
              f"fitted on the {report.train_reviews:,} before "
              f"{report.split_at:%Y-%m-%d %H:%M} UTC, judged on the last "
              f"{report.held_out_reviews:,} ({report.current.reviews:,} of them a day or "
              "more after the card's previous review)")
        label = "current (saved)" if settings.fsrs_parameters else "current (defaults)"
        print(f"{'':<20} {'log loss':>9} {'RMSE(bins)':>11}")
        print(f"{label:<20} {report.current.log_loss:>9.4f} {report.current.rmse_bins:>11.4f}")
        print(f"{'fitted':<20} {report.fitted.log_loss:>9.4f} {report.fitted.rmse_bins:>11.4f}")
    print(("kept: " if report.status == "kept" else "") + report.message)
    return EXIT_OK


HANDLERS = {"config": config_command, "interview": interview_command,
            "optimize": optimize_command}
