"""`trainer optimize` on a synthetic history: a simulated learner whose memory is not FSRS's
defaults, scheduled by the real fsrs library, written to a real SQLite file."""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fsrs import Card as FsrsCard
from sqlalchemy import insert, text

from benchmarks.interview_sim import SimulatedLearner
from tests.helpers import NOW, open_study
from trainer.app.optimize import MIN_CARDS, MIN_REVIEWS, optimize
from trainer.cli.main import main
from trainer.config.settings import Settings, load_settings
from trainer.scheduling.memory import Grade
from trainer.store.planning import scheduled_history
from trainer.store.schema import ReviewRow

N_CARDS = 120
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def deck_folder(root: Path, n_cards: int) -> Path:
    folder = root / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    body = "---\ntopic: sim\ntitle: Simulated\n---\n\n" + "".join(
        f"## Question {i}? {{#q{i}}}\n\nAnswer {i}.\n\n" for i in range(n_cards))
    (folder / "sim.md").write_text(body, encoding="utf-8")
    return folder


def settings_for(root: Path, n_cards: int = N_CARDS) -> Settings:
    return Settings(home=root / "home", builtin_deck=False, exercises=False,
                    decks=[deck_folder(root, n_cards)])


def write_history(settings: Settings, n_cards: int, days: int, seed: int = 7) -> int:
    """Each card studied from a staggered first day until ``days``: the learner answers, the
    session's own FSRS model schedules; the reviews are stored in one transaction."""
    study = open_study(settings)
    ids = {s.key: s.id for s in (study.repo.card(f"sim:q{i}") for i in range(n_cards))}
    rng = np.random.default_rng(seed)
    learner = SimulatedLearner(n_cards, rng)
    end = START + timedelta(days=days)
    rows = []
    for i in range(n_cards):
        card_id = ids[f"sim:q{i}"]
        card = FsrsCard(card_id=card_id, due=START)
        moment = START + timedelta(days=i % 50)
        while moment < end:
            grade = learner.answer(i, moment)
            card = study.memory.review(card, Grade(int(grade)), moment)
            rows.append(dict(card_id=card_id, rating=int(grade), reviewed_at=moment,
                             was_new=len(rows) == 0 or rows[-1]["card_id"] != card_id))
            due = card.due
            if due - moment >= timedelta(days=1):
                due += timedelta(hours=float(rng.uniform(0, 8)))  # sits down at another hour
            moment = max(due, moment + timedelta(minutes=1))
    with study.db.engine.begin() as c:  # the ORM table, so TZDateTime stores the times
        c.execute(insert(ReviewRow), rows)
    study.close()
    return len(rows)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A folder holding a home with a database of a simulated year of reviews."""
    root = tmp_path_factory.mktemp("history")
    written = write_history(settings_for(root), N_CARDS, days=240)
    assert written >= MIN_REVIEWS
    return root


def copy_of(history: Path, tmp_path: Path) -> Settings:
    shutil.copytree(history, tmp_path / "copy")
    return settings_for(tmp_path / "copy")


def test_fits_better_parameters_and_keeps_them(history, tmp_path, monkeypatch, capsys):
    settings = copy_of(history, tmp_path)
    study = open_study(settings)
    report = optimize(settings, study.db, tz=study.tz)
    study.close()
    assert report.status == "kept" and report.saved
    assert report.reviews >= MIN_REVIEWS and report.cards == N_CARDS >= MIN_CARDS
    assert report.held_out_reviews == report.reviews - report.train_reviews
    assert report.held_out_reviews == pytest.approx(0.2 * report.reviews, abs=2)
    assert report.current.reviews == report.fitted.reviews >= 50
    assert report.fitted.log_loss < report.current.log_loss
    assert report.fitted.rmse_bins <= report.current.rmse_bins
    saved = tomllib.loads(settings.config_path.read_text(encoding="utf-8"))
    assert saved["fsrs-parameters"] == report.parameters and len(report.parameters) == 21
    # A fresh start reads them back and schedules with them.
    monkeypatch.setenv("TRAINER_HOME", str(settings.home))
    fresh = load_settings()
    assert fresh.fsrs_parameters == report.parameters
    reopened = open_study(fresh.model_copy(update={"builtin_deck": False, "exercises": False,
                                                   "decks": settings.decks}))
    assert reopened.memory.scheduler.parameters == tuple(report.parameters)
    reopened.close()
    # Fitting again on the same history gives the same parameters: not better, not saved.
    before = settings.config_path.read_text(encoding="utf-8")
    assert main(["optimize"]) == 0
    out = capsys.readouterr().out
    assert "log loss" in out and "current (saved)" in out and "not better" in out
    assert settings.config_path.read_text(encoding="utf-8") == before


def test_dry_run_and_json_write_nothing(history, tmp_path, monkeypatch, capsys):
    settings = copy_of(history, tmp_path)
    monkeypatch.setenv("TRAINER_HOME", str(settings.home))
    assert main(["--decks", str(settings.decks[0]), "optimize", "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "kept" and report["saved"] is False
    assert not settings.config_path.exists()


def test_not_enough_history_changes_nothing(tiny_settings, monkeypatch, capsys):
    study = open_study(tiny_settings)
    for i in range(3):
        card = study.next_card(NOW + timedelta(minutes=i))
        study.answer(card.key, Grade.GOOD, NOW + timedelta(minutes=i))
    study.close()
    monkeypatch.setenv("TRAINER_HOME", str(tiny_settings.home))
    assert main(["optimize"]) == 0
    captured = capsys.readouterr()
    assert "not enough review history" in captured.out
    assert f"3 scheduled reviews over 3 cards; it needs at least {MIN_REVIEWS:,}" in captured.out
    assert not tiny_settings.config_path.exists()


def test_drills_do_not_count_as_history(history, tmp_path):
    settings = copy_of(history, tmp_path)
    study = open_study(settings)
    total = len(scheduled_history(study.db))
    with study.db.engine.begin() as c:
        c.execute(text("UPDATE reviews SET kind = 'drill' WHERE id <= 10"))
    assert len(scheduled_history(study.db)) == total - 10
    study.close()


def test_without_the_optimizer_extra_one_clear_line(history, tmp_path, monkeypatch, capsys):
    settings = copy_of(history, tmp_path)
    monkeypatch.setenv("TRAINER_HOME", str(settings.home))
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # as if it were not installed
    assert main(["optimize"]) == 2
    err = capsys.readouterr().err
    assert err == ("trainer: trainer optimize needs the optimizer extra: "
                   "pip install 'trainer[optimizer]' (from a checkout of trainer: "
                   "pip install '.[optimizer]')\n")
    assert not settings.config_path.exists()
