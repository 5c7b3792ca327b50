"""``trainer export reviews`` and ``trainer import reviews``: the FSRS optimizer's columns,
exact round trips of 10,000 reviews, no duplicates, FSRS replays, one line on bad input."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from tests.helpers import NOW, open_study
from trainer.app.interchange.reviews import FSRS_COLUMNS, read_reviews
from trainer.cli.main import main
from trainer.config.settings import Settings
from trainer.store.stamps import stamp

REVIEW_COLUMNS = ("c.key, r.rating, r.reviewed_at, r.duration_ms, r.was_new, r.state_before, "
                  "r.lang, r.seed, r.params, r.answer, r.correct, r.kind, r.prev_state, "
                  "r.prev_interval")
CARD_COLUMNS = "key, state, step, stability, difficulty, due, last_review"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def review_rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as c:
        return c.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews r JOIN cards c "
                         "ON c.id = r.card_id ORDER BY c.key, r.reviewed_at").fetchall()


def card_rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as c:
        return c.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE due IS NOT NULL "
                         "ORDER BY key").fetchall()


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))[1:]


def cli(settings: Settings, *args: str) -> int:
    return main(["--home", str(settings.home), *args])


def home_with(home: Path, decks: Path) -> Settings:
    """A trainer home whose config.toml says what ``tiny`` says (the tiny deck
    only), so the command line sees the same settings as the tests' sessions."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f"builtin_deck = false\nexercises = false\ndecks = [{json.dumps(str(decks))}]\n",
        encoding="utf-8")
    return Settings(home=home, builtin_deck=False, exercises=False, decks=[decks])


@pytest.fixture
def tiny(tmp_path, tiny_deck) -> Settings:
    return home_with(tmp_path / "home", tiny_deck)


def fresh(tmp_path: Path, name: str, like: Settings) -> Settings:
    """Another home with the same decks and an empty database."""
    return home_with(tmp_path / name, like.decks[0])


# -- a database of 10,000 varied reviews, written with plain SQL (not by the code under test)
WEIRD_ANSWERS = ["14x14", "1,234", 'say "hi", then\nnewline', "逗号，中文", "", " =SUM(A1) ",
                 "NA", "null"]


def synthetic_history(settings: Settings, count: int, seed: int = 7) -> None:
    """``count`` reviews over the tiny deck's cards and 40 keys no deck has, every column
    exercised: drills, exercise attempts, unknown durations, odd text, microseconds."""
    rng = random.Random(seed)
    open_study(settings).close()  # the database, with the deck's cards in it
    with sqlite3.connect(settings.db_path) as c:
        known = [k for (k,) in c.execute("SELECT key FROM cards")]
        keys = known + [f"gone:card-{i}" for i in range(40)]
        c.executemany("INSERT INTO cards (key, deck, topic, kind, ordinal, suspended, "
                      "retired, leech) VALUES (?, 'gone', 'old-topic', 'basic', 0, 0, 1, 0)",
                      [(k,) for k in keys if k not in known])
        ids = dict(c.execute("SELECT key, id FROM cards"))
        moment = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
        seen: set[str] = set()
        rows = []
        for _ in range(count):
            moment += timedelta(seconds=rng.randint(1, 20_000),
                                microseconds=rng.randint(0, 999_999))
            key = rng.choice(keys)
            drill = rng.random() < 0.1
            new = key not in seen and not drill
            seen.add(key)
            before = None
            if not new and not drill:
                last = moment - timedelta(days=rng.uniform(0.001, 40))
                before = json.dumps({
                    "state": 2, "step": None, "stability": rng.uniform(0.1, 300),
                    "difficulty": rng.uniform(1, 10),
                    "due": (last + timedelta(days=rng.uniform(0.01, 50))).isoformat(),
                    "last_review": last.isoformat()})
            exercise = rng.random() < 0.2
            rows.append((
                ids[key], rng.randint(1, 4), stamp(moment),
                None if rng.random() < 0.05 else rng.randint(0, 120_000), new, before,
                rng.choice([None, "en", "zh"]),
                rng.randint(0, 2**62) if exercise else None,
                json.dumps({"size": rng.randint(1, 64)}) if exercise else None,
                rng.choice(WEIRD_ANSWERS) if exercise else None,
                rng.choice([True, False]) if exercise else None,
                "drill" if drill else "scheduled",
                None if new or drill else rng.choice([1, 2, 3]),
                None if new or drill else rng.uniform(0.0001, 400)))
        c.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, was_new, "
            "state_before, lang, seed, params, answer, correct, kind, prev_state, "
            "prev_interval) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


@pytest.mark.parametrize("fmt", ["fsrs", "anki-revlog"])
def test_ten_thousand_reviews_round_trip_exactly(tmp_path, tiny, fmt, capsys):
    synthetic_history(tiny, 10_000)
    original = review_rows(tiny.db_path)
    assert len(original) == 10_000
    out = tmp_path / "history.csv"
    assert cli(tiny, "export", "reviews", str(out), "--format", fmt) == 0
    with out.open(newline="", encoding="utf-8") as f:
        assert sum(1 for _ in csv.reader(f)) == 10_001  # the header, a row per review

    other = fresh(tmp_path, "other", tiny)
    assert cli(other, "import", "reviews", str(out)) == 0  # into an empty database
    assert review_rows(other.db_path) == original  # every column, to the microsecond
    again = tmp_path / "again.csv"
    assert cli(other, "export", "reviews", str(again), "--format", fmt) == 0
    if fmt == "fsrs":
        assert again.read_bytes() == out.read_bytes()
    else:  # the same, but for the interval each card's last review set: its due date
        # there, which these made-up cards (never scheduled) did not have
        before, after = csv_rows(out), csv_rows(again)
        last = {row[1]: i for i, row in enumerate(before) if row[8] != "3"}
        assert len(before) == len(after)
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            assert b[:4] + b[5:] == a[:4] + a[5:]
            assert b[4] == a[4] or i == last[b[1]]

    capsys.readouterr()
    assert cli(other, "import", "reviews", str(out)) == 0  # a second time: nothing new
    assert "0 review(s) added, 10000 already there" in capsys.readouterr().out
    assert cli(tiny, "import", "reviews", str(out)) == 0  # into its own source
    assert review_rows(tiny.db_path) == original


def test_the_fsrs_layout_is_the_optimizers(tmp_path, tiny):
    """Columns named as fsrs-optimizer's schema, time in UTC ms, the state before the
    review (0 for a new card), a drill with an empty state (the optimizer drops it)."""
    study = open_study(tiny)
    first = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    study.answer("pooling:pool-max", 3, first, duration_ms=4200)
    later = first + timedelta(days=3)
    study.answer("pooling:pool-max", 1, later, duration_ms=None)
    from trainer.app.progress import ProgressTracker

    ProgressTracker.of(study).queries.record_drill(
        "pooling:pool-max", rating=4, reviewed_at=later + timedelta(hours=1), duration_ms=900,
        lang="en")
    study.close()
    out = tmp_path / "h.csv"
    assert cli(tiny, "export", "reviews", str(out)) == 0
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == FSRS_COLUMNS
    epoch_ms = (first - EPOCH) // timedelta(milliseconds=1)
    assert rows[1][:5] == ["pooling:pool-max", str(epoch_ms), "3", "0", "4200"]
    assert rows[2][:5] == ["pooling:pool-max", str(epoch_ms + 3 * 86_400_000), "1", "1", "0"]
    assert rows[3][2:5] == ["4", "", "900"]
    assert json.loads(rows[3][5])["kind"] == "drill"
    assert json.loads(rows[2][5])["duration_ms"] is None  # unknown, not 0


def test_answers_in_the_app_come_back_with_the_same_schedule(tmp_path, tiny):
    """Reviews made by the study session (FSRS, no fuzz): imported into an empty database,
    every card's FSRS state is rebuilt exactly, and the history is the same."""
    study = open_study(tiny)
    now = NOW
    rng = random.Random(3)
    for _ in range(60):
        card = study.next_card(now)
        if card is None:
            now += timedelta(hours=20)
            continue
        study.answer(card.key, rng.choice([1, 2, 3, 3, 4]), now, duration_ms=rng.randint(1, 9999))
        now += timedelta(minutes=rng.randint(1, 3000))
    study.close()
    out = tmp_path / "h.csv"
    assert cli(tiny, "export", "reviews", str(out)) == 0
    other = fresh(tmp_path, "other", tiny)
    assert cli(other, "import", "reviews", str(out)) == 0
    assert review_rows(other.db_path) == review_rows(tiny.db_path)
    assert card_rows(other.db_path) == card_rows(tiny.db_path)
    assert len(card_rows(other.db_path)) == 4


def test_a_history_in_parts_adds_only_what_is_missing(tmp_path, tiny, capsys):
    synthetic_history(tiny, 500, seed=11)
    out = tmp_path / "all.csv"
    assert cli(tiny, "export", "reviews", str(out)) == 0
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    first_half = tmp_path / "half.csv"
    first_half.write_text("".join(lines[:251]), encoding="utf-8")
    other = fresh(tmp_path, "other", tiny)
    assert cli(other, "import", "reviews", str(first_half)) == 0
    assert len(review_rows(other.db_path)) == 250
    capsys.readouterr()
    assert cli(other, "import", "reviews", str(out)) == 0
    assert "250 review(s) added, 250 already there" in capsys.readouterr().out
    assert review_rows(other.db_path) == review_rows(tiny.db_path)


def test_a_file_from_another_tool_is_replayed_by_fsrs(tmp_path, tiny):
    """Only the optimizer's five columns: the card's state is FSRS applied to its reviews
    in order (the oracle: py-fsrs's own scheduler, with the trainer's default steps)."""
    start = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    answers = [(0, Rating.Good), (10, Rating.Good), (60 * 24 * 2, Rating.Again),
               (60 * 24 * 2 + 15, Rating.Good), (60 * 24 * 9, Rating.Easy)]
    lines = ["card_id,review_time,review_rating,review_state,review_duration"]
    for minutes, rating in answers:
        at = start + timedelta(minutes=minutes)
        ms = (at - EPOCH) // timedelta(milliseconds=1)
        lines.append(f"conv:conv-size,{ms},{int(rating)},,5000")
    path = tmp_path / "foreign.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli(tiny, "import", "reviews", str(path)) == 0

    scheduler = Scheduler(learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
                          relearning_steps=(timedelta(minutes=10),), enable_fuzzing=False)
    card = FsrsCard(card_id=1, state=State.Learning, step=0, due=start)
    for minutes, rating in answers:
        card, _ = scheduler.review_card(card, rating, start + timedelta(minutes=minutes))
    with sqlite3.connect(tiny.db_path) as c:
        state, step, stability, difficulty, due, last = c.execute(
            "SELECT state, step, stability, difficulty, due, last_review FROM cards "
            "WHERE key = 'conv:conv-size'").fetchone()
        was_new = [n for (n,) in c.execute(
            "SELECT was_new FROM reviews ORDER BY reviewed_at")]
    assert (state, step) == (int(card.state), card.step)
    assert stability == pytest.approx(card.stability, rel=1e-12)
    assert difficulty == pytest.approx(card.difficulty, rel=1e-12)
    assert due == stamp(card.due) and last == stamp(card.last_review)
    assert was_new == [1, 0, 0, 0, 0]  # the first review met the card new


def test_anki_revlog_rows_that_are_not_answers_are_skipped(tmp_path, tiny, capsys):
    path = tmp_path / "revlog.csv"
    path.write_text("id,cid,usn,ease,ivl,lastIvl,factor,time,type\n"
                    "1700000000000,pooling:pool-avg,-1,3,-600,0,0,8000,0\n"
                    "1700000600000,pooling:pool-avg,-1,3,3,-600,0,6000,0\n"
                    "1700500000000,pooling:pool-avg,-1,0,5,3,0,0,4\n", encoding="utf-8")
    assert cli(tiny, "import", "reviews", str(path)) == 0
    assert "1 row(s) that are not answers skipped" in capsys.readouterr().out
    rows = review_rows(tiny.db_path)
    assert [(r[1], r[3], r[4], r[11]) for r in rows] == [(3, 8000, 1, "scheduled"),
                                                         (3, 6000, 0, "scheduled")]
    assert rows[1][13] == pytest.approx(600 / 86_400)  # lastIvl -600: 600 seconds


# -- bad paths and bad files: one line, exit 2, nothing written ------------------------------
BAD_FILES = {
    "empty.csv": ("", "empty file"),
    "header.csv": ("a,b,c\n1,2,3\n", "not a review history"),
    "rating.csv": ("card_id,review_time,review_rating\nk,1700000000000,3\nk,1700000001000,7\n",
                   ":3: review_rating 7: must be 1 (Again) to 4 (Easy)"),
    "time.csv": ("card_id,review_time,review_rating\nk,yesterday,3\n",
                 ":2: review_time 'yesterday' is not a whole number"),
    "key.csv": ("card_id,review_time,review_rating\n,1700000000000,3\n", ":2: card_id is empty"),
    "state.csv": ("card_id,review_time,review_rating,review_state\nk,1700000000000,3,9\n",
                  ":2: review_state 9"),
    "json.csv": ("card_id,review_time,review_rating,trainer\nk,1700000000000,3,{oops\n",
                 ":2: the trainer column is not valid JSON"),
    "binary.csv": (b"\x89PNG\r\n\x1a\n\x00\xff", "not a CSV text file"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_review_file_is_one_line_and_changes_nothing(tmp_path, tiny, capsys,
                                                           name):
    content, message = BAD_FILES[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert cli(tiny, "import", "reviews", str(path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"trainer: {path}")
    assert message in err
    assert not tiny.db_path.exists()  # read whole before the database is opened


def test_a_missing_review_file_and_a_missing_word(tmp_path, tiny, capsys):
    assert cli(tiny, "import", "reviews", str(tmp_path / "nope.csv")) == 2
    assert capsys.readouterr().err == f"trainer: {tmp_path / 'nope.csv'}: no such file\n"
    assert cli(tiny, "import", "deck.md", "x.csv") == 2  # two paths, no 'reviews'
    assert capsys.readouterr().err.startswith("trainer: usage: trainer import PATH")
    assert not tiny.db_path.exists()


@pytest.mark.parametrize("target, message", [
    ("missing/out.csv", "no such folder"),
    ("out.txt", "the file name must end in .csv"),
    (".", "is a folder"),
])
def test_a_bad_export_path_is_one_line_and_writes_nothing(tmp_path, tiny, capsys,
                                                          monkeypatch, target, message):
    synthetic_history(tiny, 10)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cli(tiny, "export", "reviews", target) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"trainer: {target}: ") and message in err
    assert list(work.iterdir()) == []


def test_exporting_without_a_database_creates_none(tmp_path, tiny, capsys):
    assert cli(tiny, "export", "reviews", str(tmp_path / "h.csv")) == 2
    assert "no database here yet" in capsys.readouterr().err
    assert not tiny.db_path.exists() and not (tmp_path / "h.csv").exists()


def test_read_reviews_accepts_spreadsheet_numbers_and_a_bom(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes("\ufeffcard_id,review_time,review_rating,review_state,review_duration\n"
                     "a:b,1700000000000.0,3.0,0,12.0\n\n".encode())
    [review] = read_reviews(path).reviews
    assert (review.key, review.rating, review.duration_ms, review.was_new) == ("a:b", 3, 12, True)
