"""A settings write into a home that does not exist yet makes it owner-only (0700), as
opening the database does, whatever the umask says."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from trainer.config.edit import apply
from trainer.config.file import save_setting


@pytest.fixture
def loose_umask():
    previous = os.umask(0o022)  # the most common umask: group and others may read
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_setting_makes_a_new_home_owner_only(tmp_path, loose_umask):
    home = tmp_path / "new-home"
    save_setting(home / "config.toml", "language", "zh")
    assert mode(home) == 0o700
    assert (home / "config.toml").read_text(encoding="utf-8") == 'language = "zh"\n'


def test_trainer_config_set_into_a_new_home_makes_it_owner_only(tmp_path, loose_umask):
    home = tmp_path / "other-home"
    settings = apply(home, {"new_per_day": 12})
    assert settings.new_per_day == 12 and mode(home) == 0o700


def test_an_existing_home_keeps_its_mode(tmp_path, loose_umask):
    home = tmp_path / "shared-home"
    home.mkdir(mode=0o750)
    save_setting(home / "config.toml", "language", "zh")
    assert mode(home) == 0o750  # the user's choice: never changed behind their back
