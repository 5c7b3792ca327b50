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


# The slow part of the suite: the PyTorch and Hugging Face oracles, the wheel build, the
# benchmark and the real terminals. The default run (the README's command) runs them all;
# `pytest -m "not slow"` is the quick loop while working.
SLOW_FILES = {
    "tests/exercises/test_exercises_torch.py",
    "tests/exercises/test_exercises_torch_training.py",
    "tests/exercises/test_exercises_torch_transformer.py",
    "tests/solver/test_solver_live_torch.py",
    "tests/networks/test_networks_torch.py",
    "tests/networks/test_networks_transformers.py",
    "tests/test_packaging.py",
    "tests/test_benchmarks.py",
}
ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        where = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
        if where in SLOW_FILES or item.get_closest_marker("tmux") is not None:
            item.add_marker(pytest.mark.slow)
