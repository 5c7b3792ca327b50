"""Shared fixtures: a private TRAINER_HOME, a fixed clock, a small deck on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import TINY_DECK
from trainer.config.settings import Settings


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """No test ever touches the real user data folder or a developer's TRAINER_* settings."""
    import os

    for name in list(os.environ):
        if name.startswith("TRAINER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRAINER_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture
def tiny_deck(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    for name, text in TINY_DECK.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_settings(tmp_path: Path, tiny_deck: Path) -> Settings:
    return Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                    decks=[tiny_deck])


@pytest.fixture
def builtin_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")
