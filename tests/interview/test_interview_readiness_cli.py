"""`trainer stats` (predicted against observed recall) and `trainer interview` (the target per
card, the capacity, what would reach it) on a history the app itself recorded: a
simulated learner who forgets faster than FSRS's defaults assume, answering what the
queue shows for four weeks."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from benchmarks.interview_sim import SimulatedLearner
from tests.helpers import open_study
from tests.interview.test_interview_calibration import DECAY, FACTOR, torch_map_scale
from trainer.cli.main import main
from trainer.cli.settings import format_readiness
from trainer.config.settings import Settings

START = datetime(2026, 10, 1, 9, tzinfo=UTC)
N_CARDS = 40
DAYS = 28


def write_home(root: Path, **config) -> Settings:
    folder = root / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    body = "---\ntopic: sim\ntitle: Simulated\n---\n\n" + "".join(
        f"## Question {i}? {{#q{i}}}\n\nAnswer {i}.\n\n" for i in range(N_CARDS))
    (folder / "sim.md").write_text(body, encoding="utf-8")
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    values = {"builtin-deck": False, "exercises": False, "decks": [str(folder)],
              "new-per-day": 4, **config}
    (home / "config.toml").write_text(tomli_w.dumps(values), encoding="utf-8")
    return Settings(home=home, builtin_deck=False, exercises=False, decks=[folder],
                    new_per_day=4)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A home whose database holds four weeks of the simulated learner's answers."""
    root = tmp_path_factory.mktemp("history")
    settings = write_home(root)
    study = open_study(settings)
    learner = SimulatedLearner(N_CARDS, np.random.default_rng(11))
    for day in range(DAYS):
        moment = START + timedelta(days=day)
        for _ in range(300):
            card = study.next_card(moment)
            if card is None:
                break
            grade = learner.answer(int(card.key.removeprefix("sim:q")), moment)
            study.answer(card.key, int(grade), moment)
            moment += timedelta(minutes=1)
    study.close()
    return root


def home_copy(history: Path, tmp_path: Path, monkeypatch, **config) -> Settings:
    shutil.copytree(history, tmp_path / "copy")
    settings = write_home(tmp_path / "copy", **config)
    monkeypatch.setenv("TRAINER_HOME", str(settings.home))
    return settings


def stored_samples(db: Path) -> list[tuple[float, float, bool]]:
    """The oracle's own reading of the log: scheduled reviews of cards in the Review state,
    the stability and last review from the JSON written with each, in Python."""
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT state_before, reviewed_at, rating FROM reviews WHERE "
                         "kind = 'scheduled' AND prev_state = 2").fetchall()
    out = []
    for state, at, rating in rows:
        before = json.loads(state)
        last = datetime.fromisoformat(before["last_review"].replace("Z", "+00:00"))
        when = datetime.fromisoformat(at).replace(tzinfo=UTC)
        elapsed = (when - last).total_seconds() / 86400
        if elapsed >= 0.5:
            out.append((before["stability"], elapsed, rating > 1))
    return out


def test_stats_show_predicted_against_observed_recall(history, tmp_path, monkeypatch,
                                                      capsys):
    settings = home_copy(history, tmp_path, monkeypatch)
    assert main(["stats", "--json"]) == 0
    calibration = json.loads(capsys.readouterr().out)["calibration"]
    samples = stored_samples(settings.db_path)
    assert calibration["reviews"] == len(samples) >= 100
    predicted = [(1 + FACTOR * t / s) ** DECAY for s, t, _ in samples]
    assert calibration["predicted"] == pytest.approx(sum(predicted) / len(samples), abs=1e-9)
    assert calibration["observed"] == pytest.approx(
        sum(y for _, _, y in samples) / len(samples), abs=1e-12)
    # This learner forgets faster than FSRS assumes: fewer recalled than predicted, and a
    # stability scale below 1, the posterior maximum torch finds too.
    assert calibration["observed"] < calibration["predicted"] - 0.03
    assert calibration["stability_scale"] == pytest.approx(torch_map_scale(samples),
                                                           rel=1e-4)
    assert calibration["stability_scale"] < 0.9
    assert sum(b["reviews"] for b in calibration["bins"]) == len(samples)
    assert main(["stats"]) == 0
    text = capsys.readouterr().out
    assert f"Recall calibration, last {len(samples):,} reviews of learned cards" in text
    assert f"{calibration['stability_scale']:.2f}x the stability" in text


def test_interview_shows_the_share_at_the_target_and_the_plan(history, tmp_path,
                                                              monkeypatch):
    end = START + timedelta(days=DAYS)  # the morning after the last study day
    settings = home_copy(history, tmp_path, monkeypatch)
    study = open_study(settings.model_copy(update={
        "interview_date": (end + timedelta(days=30)).date(), "max_reviews_per_day": 200}))
    ready = study.readiness(end)
    study.close()
    assert 30 <= ready.total <= N_CARDS  # leeches are suspended: not counted
    assert 0 <= ready.at_target <= 1 and ready.days_left == 30
    assert ready.feasible and ready.planned > ready.at_target
    assert ready.needed_per_day is None and ready.ready_by is None
    assert ready.calibration_reviews >= 100 and ready.stability_scale < 0.9
    text = format_readiness(ready)
    assert (f"{ready.at_target:.0%} of the {ready.total} cards at or above the 90% target "
            "on the day if you stopped now") in text
    assert "plan: every card at the target by the day within 200 answers a day" in text
    assert f"{ready.stability_scale:.2f}x the stability FSRS predicts" in text


def test_interview_says_when_the_deck_cannot_be_ready(tmp_path, monkeypatch, capsys):
    settings = write_home(tmp_path)
    study = open_study(settings.model_copy(update={
        "interview_date": (START + timedelta(days=3)).date(), "max_reviews_per_day": 12}))
    ready = study.readiness(START)
    study.close()
    assert not ready.feasible and 0 < ready.planned < 1
    assert ready.max_per_day == 12 and ready.needed_per_day > 12
    assert ready.ready_by > ready.interview_date
    text = format_readiness(ready)
    assert (f"cannot be ready: within 12 answers a day (learning steps included) about "
            f"{ready.planned:.0%} of the cards can reach the target by the day") in text
    assert (f"all of them would need about {ready.needed_per_day} answers a day or an "
            f"interview on {ready.ready_by:%a %d %b %Y} or later") in text
    # The command prints the same, and its --json the same fields (the real clock).
    config = {"interview-date": (datetime.now(UTC) + timedelta(days=3)).date(),
              "max-reviews-per-day": 12}
    write_home(tmp_path / "cli", **config)
    monkeypatch.setenv("TRAINER_HOME", str(tmp_path / "cli" / "home"))
    assert main(["interview", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["feasible"] is False and shown["needed_per_day"] > 12
    assert main(["interview"]) == 0
    assert "cannot be ready: within 12 answers a day" in capsys.readouterr().out
