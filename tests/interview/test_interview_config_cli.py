"""`trainer config` and `trainer interview`, run in-process against a private home."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date
from pathlib import Path

import pytest

from trainer.cli.main import main
from trainer.config.settings import load_settings


@pytest.fixture
def home() -> Path:
    return Path(os.environ["TRAINER_HOME"])  # the private home of tests/conftest.py


def config(home: Path) -> dict:
    return tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))


def test_set_get_list_unset(home, capsys):
    assert main(["config", "set", "interview-date", "2026-12-20"]) == 0
    assert "interview-date = 2026-12-20" in capsys.readouterr().out
    assert config(home) == {"interview-date": date(2026, 12, 20)}  # a TOML date
    assert load_settings().interview_date == date(2026, 12, 20)
    assert main(["config", "set", "new_per_day", "30"]) == 0
    assert main(["config", "set", "learning-steps-minutes", "1,10,60"]) == 0
    assert main(["config", "set", "language", "zh"]) == 0
    capsys.readouterr()
    assert config(home) == {"interview-date": date(2026, 12, 20), "new-per-day": 30,
                            "learning-steps-minutes": [1.0, 10.0, 60.0], "language": "zh"}
    assert main(["config", "get", "interview-date"]) == 0
    assert capsys.readouterr().out == "2026-12-20\n"
    assert main(["config", "get", "learning-steps-minutes"]) == 0
    assert capsys.readouterr().out == "[1.0, 10.0, 60.0]\n"
    assert main(["config", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert any(line.startswith("new-per-day = 30") and line.endswith("# config.toml")
               for line in listed)
    assert any(line.startswith("desired-retention = 0.9") and line.endswith("# default")
               for line in listed)
    assert any(line.startswith("fsrs-parameters = (not set)") for line in listed)
    assert main(["config", "unset", "interview-date"]) == 0
    assert "interview-date" not in config(home)
    assert load_settings().interview_date is None
    assert main(["config", "unset", "interview-date"]) == 0  # again: nothing to do
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["set", "desired-retention", "1.5"],
     "desired-retention: Input should be less than or equal to 0.97"),
    (["set", "interview-date", "2026-13-40"],
     "interview-date: expected a date written YYYY-MM-DD, e.g. 2026-12-20"),
    (["set", "interview-date", "soon"],
     "interview-date: expected a date written YYYY-MM-DD, e.g. 2026-12-20"),
    (["set", "interview-date", "yesterday"],  # pydantic said "input is too short"
     "interview-date: expected a date written YYYY-MM-DD, e.g. 2026-12-20"),
    (["set", "language", "fr"], "language: Input should be 'en' or 'zh' (got 'fr')"),
    (["set", "new-per-day", "many"], "new-per-day: Input should be a valid integer"),
    (["set", "rollover-hour", "24"], "rollover-hour: Input should be less than or equal to 23"),
    (["set", "fsrs-parameters", "[1, 2]"], "fsrs-parameters: Expected 21 parameters, got 2"),
    (["set", "colour", "blue"], "unknown setting 'colour'; settings: db, decks"),
    (["set", "home", "/tmp"], "home cannot be set in the config file"),
    (["get", "colour"], "unknown setting 'colour'"),
])
def test_bad_values_are_one_line_exit_2_and_the_file_untouched(home, capsys, args, message):
    (home / "config.toml").write_text('new-per-day = 12  # mine\n', encoding="utf-8")
    assert main(["config", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"trainer: {message}") and err.count("\n") == 1
    assert (home / "config.toml").read_text(encoding="utf-8") == 'new-per-day = 12  # mine\n'


def test_interview_countdown_and_readiness(home, capsys):
    assert main(["interview"]) == 0
    assert "no interview date" in capsys.readouterr().err
    assert main(["config", "set", "interview-date", "2099-12-31"]) == 0
    capsys.readouterr()
    assert main(["interview", "--json"]) == 0
    ready = json.loads(capsys.readouterr().out)
    assert ready["interview_date"] == "2099-12-31" and ready["days_left"] > 20_000
    assert ready["expected_recall"] == 0.0 and ready["studied"] == 0
    assert ready["total"] >= 100  # the built-in deck, exercises included, all unstudied
    assert main(["interview"]) == 0
    assert "expected recall on the day 0%" in capsys.readouterr().out
    assert main(["config", "set", "interview-date", "2000-01-01"]) == 0
    capsys.readouterr()
    assert main(["interview"]) == 0
    assert "has passed" in capsys.readouterr().out
