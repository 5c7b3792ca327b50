"""trainer.app.preferences: a setting parsed, checked with the whole file, then written."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from trainer.app.preferences import (
    SettingError,
    save_form,
    save_language,
    set_setting,
    unset_setting,
)
from trainer.config.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=False)


def saved(settings: Settings) -> dict:
    return tomllib.loads(settings.config_path.read_text(encoding="utf-8"))


def test_set_parses_checks_and_writes_one_value(settings):
    name, after = set_setting(settings, "interview-date", "2026-12-20")
    assert name == "interview_date" and after.interview_date == date(2026, 12, 20)
    assert saved(settings) == {"interview-date": date(2026, 12, 20)}


@pytest.mark.parametrize(("key", "text", "words"), [
    ("rollover-hour", "25", "rollover-hour"),
    ("no-such-thing", "1", "unknown setting"),
    ("new-per-day", "", "give a value"),
    ("home", "/tmp", "home cannot be set"),
])
def test_a_refused_value_writes_nothing(settings, key, text, words):
    with pytest.raises(SettingError, match=words):
        set_setting(settings, key, text)
    assert not settings.config_path.exists()


def test_unset_removes_only_what_the_file_sets(settings):
    set_setting(settings, "new-per-day", "7")
    assert unset_setting(settings, "language") == ("language", None)  # not in the file
    name, after = unset_setting(settings, "new-per-day")
    assert name == "new_per_day" and after.new_per_day == 20
    assert saved(settings) == {}
    with pytest.raises(SettingError, match="not a config file setting"):
        unset_setting(settings, "home")


def test_the_form_writes_only_what_changed(settings):
    current = settings.model_copy(update={"interview_date": date(2026, 12, 20)})
    fields = {"language": "zh", "new_per_day": " 20 ", "desired_retention": "0.85",
              "interview_date": ""}
    result = save_form(current, fields)
    assert result.changed == ["language", "desired_retention", "interview_date"]
    assert (result.settings.language, result.settings.desired_retention,
            result.settings.interview_date) == ("zh", 0.85, None)
    assert saved(settings) == {"language": "zh", "desired-retention": 0.85}


def test_a_file_that_cannot_be_written_is_a_setting_error(settings):
    settings.home.parent.mkdir(parents=True, exist_ok=True)
    settings.home.write_text("a file where the home folder should be", encoding="utf-8")
    with pytest.raises(SettingError, match="cannot write"):
        save_language(settings, "zh")


def test_a_broken_file_is_left_as_it_is(settings):
    settings.home.mkdir(parents=True)
    settings.config_path.write_text("new-per-day = [\n", encoding="utf-8")
    with pytest.raises(SettingError, match="not valid TOML"):
        save_language(settings, "zh")
    assert settings.config_path.read_text(encoding="utf-8") == "new-per-day = [\n"
