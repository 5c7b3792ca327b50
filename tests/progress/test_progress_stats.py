"""Statistics from a hand-written review log, with a frozen clock."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from tests.helpers import NOW, open_study
from tests.progress.conftest import add_review, set_card
from trainer.app.charts import hbar, heat_levels, vbars
from trainer.app.formatting import format_duration, format_window, parse_window
from trainer.app.progress import ProgressTracker
from trainer.app.stats import WEAK_BELOW
from trainer.cli.main import main
from trainer.scheduling.recall import recall_now

DAY = timedelta(days=1)


@pytest.fixture
def study(tiny_settings):
    study = open_study(tiny_settings)
    yield study
    study.close()


def test_reviews_per_day_follow_study_days_and_count_drills(study):
    db = study.db
    add_review(db, "conv:conv-size", NOW, 3, duration_ms=30_000)  # Thu 26, 12:00
    add_review(db, "conv:conv-size", NOW.replace(hour=3, minute=30), 3)  # before 04:00: 25th
    add_review(db, "pooling:pool-max", NOW - DAY + timedelta(hours=-7), 1)  # 25th, 05:00
    add_review(db, "pooling:pool-max", NOW - 2 * DAY, 1, kind="drill", duration_ms=90_000)
    add_review(db, "pooling:pool-avg", NOW - 200 * DAY, 4)  # before the heatmap
    stats = ProgressTracker.of(study).stats(NOW)
    assert stats.today == date(2026, 11, 26)
    heat = stats.heatmap
    assert len(heat) == 16 * 7 and heat[0].day == date(2026, 8, 10) and heat[0].day.weekday() == 0
    assert heat[-1].day == date(2026, 11, 29) and heat[-1].future and not heat[-4].future
    counts = {d.day: d.reviews for d in heat if d.reviews}
    assert counts == {date(2026, 11, 26): 1, date(2026, 11, 25): 2, date(2026, 11, 24): 1}
    assert stats.reviews_today == 1 and stats.streak_days == 3
    assert stats.time.today_seconds == 30 and stats.time.week_seconds == 30 + 1 + 1 + 90
    assert stats.time.heatmap_seconds == 122


def test_study_days_across_a_daylight_saving_change(tiny_settings):
    berlin = ZoneInfo("Europe/Berlin")
    tracker = ProgressTracker(open_study(tiny_settings).db, tiny_settings, tz=berlin)
    start, end = tracker.day_bounds(date(2026, 10, 24))  # clocks go back in that night
    assert (start, end) == (datetime(2026, 10, 24, 2, tzinfo=UTC),
                            datetime(2026, 10, 25, 3, tzinfo=UTC))
    assert tracker.study_date(datetime(2026, 10, 25, 2, 30, tzinfo=UTC)) == date(2026, 10, 24)
    assert tracker.study_date(datetime(2026, 10, 25, 3, 30, tzinfo=UTC)) == date(2026, 10, 25)


def test_true_retention_young_mature_windows(study):
    db = study.db
    at2, at20, at60 = NOW - 2 * DAY, NOW - 20 * DAY, NOW - 60 * DAY
    add_review(db, "conv:conv-size", at2, 3, interval_days=5)  # young, passed
    add_review(db, "conv:conv-size", at2, 1, interval_days=5)  # young, failed
    add_review(db, "conv:conv-params", at2, 3, interval_days=30)  # mature, passed
    add_review(db, "conv:conv-params", at2, 1, interval_days=30, kind="drill")  # not counted
    add_review(db, "pooling:pool-max", at2, 1, interval_days=0.01, state=3)  # relearning
    add_review(db, "pooling:pool-max", at2, 3, was_new=True)  # a new card's first review
    add_review(db, "pooling:pool-avg", at20, 1, interval_days=21)  # mature (21 days), failed
    add_review(db, "pooling:pool-avg", at20, 4, interval_days=20.9)  # young, passed
    add_review(db, "conv:conv-size", at60, 2, interval_days=3)  # young, passed (Hard)
    add_review(db, "conv:conv-size", NOW - 100 * DAY, 1, interval_days=40)  # too old
    windows = {w.days: w for w in ProgressTracker.of(study).stats(NOW).retention}
    assert list(windows) == [7, 30, 90]
    got = {d: (w.young_reviews, w.young_passed, w.mature_reviews, w.mature_passed)
           for d, w in windows.items()}
    assert got == {7: (2, 1, 1, 1), 30: (3, 2, 2, 1), 90: (4, 3, 2, 1)}
    assert windows[7].young == 0.5 and windows[30].overall == 3 / 5
    assert ProgressTracker.of(study).stats(NOW - 300 * DAY).retention[0].young is None


def test_due_forecast_30_days_overdue_counted_today(study):
    db = study.db
    for key, due in (("conv:conv-size", NOW - 3 * DAY),  # overdue: today
                     ("conv:conv-params", NOW.replace(hour=23)),  # today (ends 04:00)
                     ("pooling:pool-max", NOW + DAY - timedelta(hours=7)),  # tomorrow, 05:00
                     ("pooling:pool-avg", NOW + 40 * DAY)):  # beyond the 30 days
        set_card(db, key, state=2, due=due, last_review=NOW - 5 * DAY, stability=5.0)
    forecast = ProgressTracker.of(study).stats(NOW).forecast
    assert len(forecast) == 30 and forecast[0].day == date(2026, 11, 26)
    assert [f.due for f in forecast[:3]] == [2, 1, 0] and sum(f.due for f in forecast) == 3
    set_card(db, "pooling:pool-max", suspended=True)
    assert ProgressTracker.of(study).stats(NOW).forecast[1].due == 0


@pytest.mark.parametrize("w20", [DEFAULT_PARAMETERS[20], 0.5])
def test_recall_is_fsrs_retrievability_vectorised(w20):
    parameters = (*DEFAULT_PARAMETERS[:20], w20)
    scheduler = Scheduler(parameters=parameters)
    rng = np.random.default_rng(7)
    stability = rng.uniform(0.1, 300, 400)
    elapsed = [timedelta(days=float(d)) for d in rng.uniform(-2, 400, 400)]
    elapsed[:4] = [3 * DAY, 3 * DAY - timedelta(microseconds=1), -DAY, timedelta(0)]
    last = [NOW - e for e in elapsed]
    got = recall_now(stability, np.array([t.replace(tzinfo=None) for t in last],
                                         dtype="datetime64[us]"), NOW, scheduler)
    expected = [scheduler.get_card_retrievability(
        FsrsCard(state=State.Review, stability=float(s), difficulty=5.0, last_review=t), NOW)
        for s, t in zip(stability, last, strict=True)]
    assert got.tolist() == pytest.approx(expected, rel=1e-12)
    never = recall_now(np.array([np.nan]), np.array(["NaT"], dtype="datetime64[us]"), NOW,
                       scheduler)
    assert never.tolist() == [0.0]


@pytest.mark.parametrize("w20", [DEFAULT_PARAMETERS[20], 0.5])
def test_recall_in_sql_is_exactly_fsrs_retrievability(study, w20):
    """Mastery and the weakest cards are computed in SQL: bit for bit the library's
    retrievability, whole days floored to the microsecond, a future review counting 0."""
    scheduler = Scheduler(parameters=(*DEFAULT_PARAMETERS[:20], w20))
    cards = {"conv:conv-size": (2.5, NOW - 3 * DAY),  # exactly 3 days
             "conv:conv-params": (40.0, NOW - 3 * DAY + timedelta(microseconds=1)),  # 2 days
             "pooling:pool-max": (0.3, NOW + DAY),  # reviewed "after" now: 0 days
             "pooling:pool-avg": (7.77, NOW - timedelta(days=417, seconds=5, microseconds=9))}
    for key, (stability, last) in cards.items():
        set_card(study.db, key, state=2, stability=stability, last_review=last, due=last + DAY)
    tracker = ProgressTracker(study.db, study.settings, tz=study.tz, scheduler=scheduler)
    weakest = tracker.stats(NOW).weakest
    expected = {key: scheduler.get_card_retrievability(FsrsCard(
        state=State.Review, stability=stability, difficulty=5.0, last_review=last), NOW)
        for key, (stability, last) in cards.items()}
    assert expected["pooling:pool-max"] == 1.0  # shown as 100 %: not among the weakest
    weak = {key: recall for key, recall in expected.items() if recall < WEAK_BELOW}
    assert {w.key: w.recall for w in weakest} == weak  # exact, not approximate
    assert [w.key for w in weakest] == sorted(weak, key=weak.get)
    assert expected["conv:conv-size"] != expected["conv:conv-params"]


def test_stats_command_imports_no_sqlalchemy_numpy_or_textual(tiny_settings):
    """`trainer stats` reads an up-to-date database through the sqlite3 module alone:
    SQLAlchemy, Alembic, NumPy and Textual are left unimported (their import time is most
    of a fresh process's)."""
    open_study(tiny_settings).close()
    code = ("import sys\n"
            "from trainer.cli.main import main\n"
            "assert main(sys.argv[1:]) == 0\n"
            "heavy = {'sqlalchemy', 'alembic', 'numpy', 'textual'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy), file=sys.stderr)\n")
    for args in (["stats", "--json"], ["stats"]):
        result = subprocess.run(
            [sys.executable, "-c", code, "--home", str(tiny_settings.home), *args],
            capture_output=True, text=True, check=True)
        assert result.stderr.strip() == "[]", (args, result.stderr)
        assert "retention" in result.stdout.lower()


def test_mastery_per_topic_and_the_weakest_cards(study):
    db = study.db
    scheduler = study.memory.scheduler

    def fsrs_recall(stability, last):
        return scheduler.get_card_retrievability(FsrsCard(
            state=State.Review, stability=stability, difficulty=5.0, last_review=last), NOW)

    set_card(db, "conv:conv-size", state=2, stability=2.0, last_review=NOW - 10 * DAY,
             due=NOW)
    set_card(db, "conv:conv-params", state=2, stability=50.0, last_review=NOW - 10 * DAY,
             due=NOW + 40 * DAY)
    set_card(db, "pooling:pool-max", state=2, stability=8.0, last_review=NOW - 4 * DAY,
             due=NOW + 4 * DAY)
    set_card(db, "pooling:pool-avg", state=2, stability=1.0, last_review=NOW - 9 * DAY,
             due=NOW, suspended=True)
    stats = ProgressTracker.of(study).stats(NOW)
    conv = [fsrs_recall(2.0, NOW - 10 * DAY), fsrs_recall(50.0, NOW - 10 * DAY)]
    pool = [fsrs_recall(8.0, NOW - 4 * DAY), fsrs_recall(1.0, NOW - 9 * DAY)]
    mastery = {m.topic: m for m in stats.mastery}
    assert [m.topic for m in stats.mastery] == ["conv", "pooling"]  # the deck's order
    assert mastery["conv"].title == "Convolution"
    assert mastery["conv"].mastery == pytest.approx(sum(conv) / 2)
    assert mastery["pooling"].mastery == pytest.approx(sum(pool) / 2)
    assert (mastery["pooling"].cards, mastery["pooling"].studied) == (2, 2)
    # The suspended card (pool-avg) is left out of the weakest list.
    assert [w.key for w in stats.weakest] == ["conv:conv-size", "pooling:pool-max",
                                              "conv:conv-params"]
    assert stats.weakest[0].recall == pytest.approx(conv[0])
    assert stats.weakest[0].title == "Output size of a convolution?"
    set_card(db, "conv:conv-params", state=None, stability=None, last_review=None, due=None)
    mastery = {m.topic: m for m in ProgressTracker.of(study).stats(NOW).mastery}
    assert mastery["conv"].mastery == pytest.approx(conv[0] / 2)  # a new card counts 0
    assert mastery["conv"].recall == pytest.approx(conv[0]) and mastery["conv"].studied == 1


def test_stats_json_command(tiny_settings, capsys):
    study = open_study(tiny_settings)
    now = datetime.now(UTC)
    add_review(study.db, "conv:conv-size", now - timedelta(minutes=1), 3, duration_ms=4000)
    study.close()
    assert main(["--home", str(tiny_settings.home), "stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"heatmap", "retention", "forecast", "mastery", "weakest", "time",
                         "reviews_today", "streak_days"}
    assert len(data["heatmap"]) == 112 and [w["days"] for w in data["retention"]] == [7, 30, 90]
    assert data["reviews_today"] == 1 and data["time"]["today_seconds"] == 4
    assert {m["topic"] for m in data["mastery"]} == {"conv", "pooling"}
    assert main(["--home", str(tiny_settings.home), "stats"]) == 0
    out = capsys.readouterr().out
    assert "True retention" in out and "Mastery per topic" in out and "Mon " in out


def test_stats_on_a_foreign_file_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n", encoding="utf-8")
    assert main(["--db", str(path), "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an SQLite database" in err


def test_block_character_charts():
    assert heat_levels([0, 1, 2, 3, 4, 8]) == [0, 1, 1, 2, 2, 4]
    assert heat_levels([0, 0]) == [0, 0]
    assert hbar(0.5, 4) == "██  " and hbar(0, 3) == "   "
    assert hbar(1 / 8, 1) == "▏" and hbar(0.5, 1) == "▌"
    assert vbars([0, 1, 8, 16], 2) == ["   █", " ▁██"]
    assert format_duration(45) == "45s" and format_duration(65 * 60 + 5) == "1h 05m"
    assert parse_window("2w") == timedelta(weeks=2) and parse_window("all") is None
    assert [format_window(parse_window(w)) for w in ("1h", "36h", "1d", "2w", "all")] == [
        "1 hour", "36 hours", "1 day", "14 days", "all time"]
    with pytest.raises(ValueError, match="not a window"):
        parse_window("0d")
