"""``TRAINER_<NAME>`` variables: read by ``config.environment_values``, validated by
``Settings``, between the config file and the flags in precedence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trainer.cli.main import main
from trainer.config.settings import ConfigError, environment_values, load_settings


@pytest.fixture
def home() -> Path:
    return Path(os.environ["TRAINER_HOME"])  # the private home of tests/conftest.py


def test_plain_values_are_text_and_lists_are_json():
    values = environment_values({
        "TRAINER_NEW_PER_DAY": "30", "TRAINER_DECKS": '["/a", "/b"]',
        "TRAINER_FSRS_PARAMETERS": "null", "TRAINER_NOT_A_SETTING": "x", "HOME": "/root",
    })
    assert values == {"new_per_day": "30", "decks": ["/a", "/b"], "fsrs_parameters": None}


def test_a_list_that_is_not_json_names_the_variable():
    with pytest.raises(ConfigError, match=r"^TRAINER_LEARNING_STEPS_MINUTES: not a JSON list"):
        environment_values({"TRAINER_LEARNING_STEPS_MINUTES": "1,10"})


def test_file_then_environment_then_flags(home, monkeypatch):
    (home / "config.toml").write_text('new-per-day = 12\nlanguage = "zh"\n'
                                      'decks = ["/from-file"]\n', encoding="utf-8")
    assert load_settings().new_per_day == 12
    monkeypatch.setenv("TRAINER_NEW_PER_DAY", "30")
    monkeypatch.setenv("TRAINER_DECKS", '["/from-env"]')
    settings = load_settings(language="en", decks=[Path("/from-flag")])
    assert settings.new_per_day == 30  # the environment beats the file
    assert settings.language == "en"  # a flag beats both
    assert settings.decks == [Path("/from-env"), Path("/from-flag")]  # --decks adds


def test_an_invalid_variable_stops_the_start_with_one_line(home, monkeypatch, capsys):
    monkeypatch.setenv("TRAINER_NEW_PER_DAY", "many")
    assert main(["paths"]) == 2
    assert capsys.readouterr().err == ("trainer: invalid settings: TRAINER_NEW_PER_DAY: "
                                       "new-per-day: Input should be a valid integer, unable "
                                       "to parse string as an integer (got 'many')\n")


def test_config_set_validates_the_change_even_where_the_environment_overrides_it(
        home, monkeypatch, capsys):
    monkeypatch.setenv("TRAINER_NEW_PER_DAY", "30")
    assert main(["config", "set", "new-per-day", "-5"]) == 2
    assert "new-per-day: Input should be greater than or equal to 0" in capsys.readouterr().err
    assert not (home / "config.toml").exists()
    assert main(["config", "set", "new-per-day", "15"]) == 0
    assert "TRAINER_NEW_PER_DAY is set in the environment" in capsys.readouterr().err
    assert load_settings().new_per_day == 30
