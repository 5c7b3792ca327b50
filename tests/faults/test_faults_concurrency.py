"""Two trainer instances on one database, answering at the same moment, in real processes.

Both start together on a database that does not exist yet (so they also race to create
and migrate it), then each answers K cards as fast as it can. They mostly pick the same
card at the same time: the second answer must build on the first, not overwrite it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from tests.faults.replay import replay
from tests.helpers import NOW, open_study
from trainer.config.settings import Settings
from trainer.store.database import StoreError, open_database
from trainer.store.deck_sync import sync_cards
from trainer.store.repository import Repository

K = 100  # answers per process
WORKER = Path(__file__).resolve().parent / "answer_worker.py"


def deck(folder: Path, cards: int) -> Path:
    folder.mkdir()
    body = "".join(f"## Question {i}? {{#q{i}}}\n\nAnswer {i}.\n\n" for i in range(cards))
    (folder / "many.md").write_text(f"---\ntopic: many\n---\n\n{body}", encoding="utf-8")
    return folder


def test_two_processes_answering_at_once_lose_and_double_nothing(tmp_path: Path):
    decks = deck(tmp_path / "decks", 3 * K)
    db = tmp_path / "home" / "shared.sqlite3"
    go = tmp_path / "go"
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), str(db), str(decks), str(K), str(go),
                          grades], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for grades in ("3", "1342")
    ]
    go.touch()  # both open (create, migrate, sync) the database at once
    for worker in workers:
        assert worker.stdout.readline() == "ready\n", worker.communicate()[1]
    go.with_name("go.answer").touch()  # both answer at once
    results = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert err == ""  # no "database is locked", no traceback, no warning
    answered = [json.loads(out) for out, _ in results]
    assert [len(a) for a in answered] == [K, K]

    with closing(sqlite3.connect(db)) as c:
        rows = c.execute("SELECT r.id, c.key, r.rating FROM reviews r "
                         "JOIN cards c ON c.id = r.card_id ORDER BY r.id").fetchall()
        (cards,) = c.execute("SELECT count(*) FROM cards").fetchone()
    assert cards == 3 * K  # both synced the deck; neither inserted a card twice
    # Every answer is there exactly once, with the grade it was given.
    assert sorted(map(tuple, answered[0] + answered[1])) == rows
    # Each card's history is a chain: every answer built on the one before it.
    settings = Settings(home=db.parent, db=db)
    histories = replay(db, settings)
    assert sum(h.reviews for h in histories.values()) == 2 * K
    for history in histories.values():
        assert history.broken_links == [], history.key
        assert history.stored == history.replayed, history.key
    shared = [h for h in histories.values() if h.reviews > 1]
    assert shared, "the two instances never answered the same card: no contention tested"


# -- the replay check itself catches what it is there to catch ------------------------------
def test_replay_flags_a_lost_review_and_a_wrong_state(tmp_path: Path):
    decks = deck(tmp_path / "decks", 2)
    db = tmp_path / "home" / "t.sqlite3"
    settings = Settings(home=db.parent, db=db, builtin_deck=False, exercises=False,
                        decks=[decks])
    study = open_study(settings)
    for minutes in (0, 10, 30):
        study.answer("many:q0", 3, NOW + timedelta(minutes=minutes))
    study.answer("many:q1", 3, NOW)
    study.close()
    assert all(h.stored == h.replayed and not h.broken_links
               for h in replay(db, settings).values())
    with closing(sqlite3.connect(db)) as c, c:
        c.execute("DELETE FROM reviews WHERE id = 2")  # the middle answer of q0 is lost
        c.execute("UPDATE cards SET stability = stability + 1e-9 WHERE key = 'many:q1'")
    histories = replay(db, settings)
    assert histories["many:q0"].broken_links != []
    assert histories["many:q1"].stored != histories["many:q1"].replayed


# -- the bounded retry in the write path ---------------------------------------------------
def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another instance in the middle of a long write: BEGIN IMMEDIATE, then wait."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        time.sleep(seconds)
        holder.execute("COMMIT")
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def one_card(tmp_path: Path, busy_ms: int):
    db = open_database(tmp_path / "t.sqlite3", pragmas={"busy_timeout": busy_ms})
    repo = Repository(db)
    sync_cards(db, lambda: [("d:a", "d", "a", "basic", 0)])
    before = repo.card("d:a")
    after = before.model_copy(update=dict(state=1, step=1, stability=2.0, difficulty=5.0,
                                          due=NOW, last_review=NOW))
    return db, repo, before, after


def count_reviews(path: Path) -> int:
    with closing(sqlite3.connect(path)) as c:
        return c.execute("SELECT count(*) FROM reviews").fetchone()[0]


def test_a_write_outlasting_busy_timeout_is_retried_not_lost(tmp_path: Path):
    # busy_timeout 0.6 s; the other instance holds the lock 1.0 s: the first attempt gives
    # up at 0.6 s, the retry (from ~0.65 s, waiting up to 0.6 s more) gets the lock.
    db, repo, before, after = one_card(tmp_path, busy_ms=600)
    holder = hold_write_lock(db.path, 1.0)
    try:
        review_id = repo.record_review(before, after, rating=3, reviewed_at=NOW,
                                       duration_ms=None, lang="en")
    finally:
        holder.join()
    assert count_reviews(db.path) == 1 and repo.card("d:a") == after
    assert review_id == 1
    db.close()


def test_a_lock_outlasting_every_retry_is_one_clear_error_and_nothing_written(tmp_path: Path):
    db, repo, before, after = one_card(tmp_path, busy_ms=50)
    holder = hold_write_lock(db.path, 0.8)  # far beyond 3 x 50 ms + 150 ms of back-off
    try:
        with pytest.raises(StoreError) as caught:
            repo.record_review(before, after, rating=3, reviewed_at=NOW, duration_ms=None,
                               lang="en")
    finally:
        holder.join()
    message = str(caught.value)
    assert message.startswith(f"{db.path}: not saved") and "\n" not in message
    assert "another trainer kept the database busy" in message
    assert count_reviews(db.path) == 0 and repo.card("d:a") == before
    db.close()


def test_a_retried_deck_sync_reads_its_cards_anew(tmp_path: Path):
    """A retry must see the same input: it reads the cards anew (``entries()`` is called
    again), never a generator the failed attempt consumed (an empty second read would
    retire every card)."""
    db, repo, _, _ = one_card(tmp_path, busy_ms=300)
    holder = hold_write_lock(db.path, 0.5)
    try:
        added, retired = sync_cards(
            db, lambda: ((k, "d", "a", "basic", 0) for k in ("d:a", "d:b")))
    finally:
        holder.join()
    assert (added, retired) == (1, 0)
    assert repo.card("d:a") is not None and repo.new_cards(10)[1].key == "d:b"
    db.close()
