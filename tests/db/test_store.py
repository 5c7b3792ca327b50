import shutil
import sqlite3
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from trainer.store.database import HEAD_REVISION, StoreError, open_database
from trainer.store.deck_sync import sync_cards
from trainer.store.records import CardState
from trainer.store.repository import Repository
from trainer.store.review_log import all_reviews
from trainer.store.types import TZDateTime

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(tmp_path / "t.sqlite3")
    yield database
    database.close()


def sync(db, *keys: str) -> tuple[int, int]:
    """The decks hold exactly ``keys`` (topic: the first letter after the colon)."""
    rows = [(k, "d", k.split(":")[1][0], "basic", i) for i, k in enumerate(keys)]
    return sync_cards(db, lambda: rows)


def test_head_revision_constant_matches_the_migrations():
    config = Config()
    config.set_main_option("script_location", "trainer.store:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_new_database_is_migrated_with_pragmas(db):
    with db.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert c.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0  # between cards
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


def test_answers_stay_in_the_wal_until_a_checkpoint_moves_them_into_the_file(db):
    repo = Repository(db)
    sync(db, *(f"d:a{i}" for i in range(300)))
    db.checkpoint()  # the schema and the cards in the file
    for i in range(300):  # well past SQLite's automatic checkpoint (1,000 pages)
        card = repo.card(f"d:a{i}")
        repo.record_review(card, card.model_copy(update=dict(
            state=2, stability=3.0, difficulty=5.0, due=NOW + timedelta(days=3),
            last_review=NOW)), rating=3, reviewed_at=NOW, duration_ms=900, lang="en")
    wal = db.path.with_name(db.path.name + "-wal")
    in_file = sqlite3.connect(f"{db.path.as_uri()}?mode=ro&immutable=1", uri=True)
    assert in_file.execute("SELECT count(*) FROM reviews").fetchone() == (0,)  # WAL only
    in_file.close()
    db.checkpoint()
    in_file = sqlite3.connect(f"{db.path.as_uri()}?mode=ro&immutable=1", uri=True)
    assert in_file.execute("SELECT count(*) FROM reviews").fetchone() == (300,)
    in_file.close()
    assert wal.exists()  # kept for reuse; everything in it is now also in the file


FIXTURE_0001 = Path(__file__).resolve().parent.parent / "fixtures" / "schema_0001.sqlite3"


def test_first_schema_upgrades_keeping_every_row_after_a_backup(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_0001, path)
    original = path.read_bytes()
    with sqlite3.connect(path) as c:
        cards_before = c.execute("SELECT * FROM cards ORDER BY id").fetchall()
        reviews_before = c.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    database = open_database(path)
    database.close()
    backup = tmp_path / f"old.sqlite3.before-{HEAD_REVISION}.bak"
    assert backup.read_bytes()[:16] == original[:16]
    with sqlite3.connect(backup) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert c.execute("SELECT * FROM reviews ORDER BY id").fetchall() == reviews_before
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
        cards_after = c.execute("SELECT * FROM cards ORDER BY id").fetchall()
        rows = c.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    assert [row[:14] for row in cards_after] == cards_before
    assert all(row[14:] == (0,) for row in cards_after)  # leech: added by 0003, false
    assert [row[:8] for row in rows] == reviews_before
    assert all(row[8:13] == (None, None, None, None, "scheduled") for row in rows)
    # 0005: the state and scheduled interval before each review, read from its JSON (a
    # Learning card due 10 minutes after its last review); NULL for a new card's review.
    prev = [(row[13], None if row[14] is None else round(row[14] * 1440, 6)) for row in rows]
    assert prev == [(None, None), (1, 10.0), (None, None), (None, None)]
    repo_db = open_database(path)
    assert Repository(repo_db).card("builtin:fs-why").stability == 12.5
    repo_db.close()


def test_timestamps_are_stored_as_utc_and_naive_ones_refused():
    column = TZDateTime()
    shanghai = datetime(2026, 11, 27, 4, 0, tzinfo=timezone(timedelta(hours=8)))
    assert column.process_bind_param(shanghai, None) == "2026-11-26 20:00:00.000000"
    assert column.process_result_value("2026-01-01 00:00:00.000000", None) == datetime(
        2026, 1, 1, tzinfo=UTC)
    assert column.process_result_value("2026-01-01 00:00:00.000000", None).tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), None)


def test_sync_adds_retires_and_restores(db):
    repo = Repository(db)
    assert sync(db, "d:a1", "d:b1") == (2, 0)
    state = repo.card("d:a1")
    repo.record_review(state, state.model_copy(update=dict(state=2, due=NOW, stability=3.0,
                                                            difficulty=5.0, last_review=NOW)),
                       rating=3, reviewed_at=NOW, duration_ms=1000, lang="en")
    assert sync(db, "d:b1") == (0, 1)
    assert repo.new_cards(10) == [repo.card("d:b1")]
    assert sync(db, "d:a1", "d:b1") == (0, 0)
    back = repo.card("d:a1")
    assert back.stability == 3.0 and back.due == NOW  # history kept while retired


def test_record_and_undo_restore_the_exact_state(db):
    repo = Repository(db)
    sync(db, "d:a1")
    new = repo.card("d:a1")
    learned = new.model_copy(update=dict(state=1, step=1, stability=2.3, difficulty=4.1,
                                         due=NOW + timedelta(minutes=10), last_review=NOW))
    first = repo.record_review(new, learned, rating=3, reviewed_at=NOW, duration_ms=900,
                               lang="zh")
    graduated = learned.model_copy(update=dict(state=2, step=None, stability=5.0,
                                               due=NOW + timedelta(days=3)))
    second = repo.record_review(repo.card("d:a1"), graduated, rating=3,
                                reviewed_at=NOW + timedelta(minutes=10), duration_ms=800,
                                lang="zh")
    assert repo.card("d:a1").due == NOW + timedelta(days=3)
    assert repo.undo_review(second) == repo.card("d:a1")
    assert repo.card("d:a1") == learned
    assert repo.undo_review(first).is_new
    assert list(all_reviews(db)) == []
    assert repo.undo_review(first) is None


def test_counts_for_the_day(db):
    repo = Repository(db)
    sync(db, "d:a1", "d:a2", "d:b1")
    a1 = repo.card("d:a1")
    repo.record_review(a1, CardState(**{**a1.model_dump(), "state": 2, "due": NOW}),
                       rating=3, reviewed_at=NOW - timedelta(hours=1), duration_ms=None,
                       lang=None)
    counts = {c.topic: (c.due, c.new, c.total)
              for c in repo.topic_counts(NOW, NOW + timedelta(hours=6))}
    assert counts == {"a": (1, 1, 2), "b": (0, 1, 1)}
    assert repo.new_introduced_since(NOW - timedelta(hours=2)) == 1
    assert repo.new_introduced_since(NOW) == 0
    assert repo.reviews_since(NOW - timedelta(days=1)) == 1


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my precious notes\n" * 10)
    with pytest.raises(StoreError, match="is not an SQLite database"):
        open_database(path)
    assert path.read_bytes() == b"my precious notes\n" * 10


def test_a_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        c.execute("INSERT INTO alembic_version VALUES ('9999')")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer trainer"):
        open_database(path)
    assert path.read_bytes() == before


def test_an_unrelated_sqlite_database_is_refused(tmp_path: Path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE photos (id INTEGER)")
    with pytest.raises(StoreError, match="not a trainer one"):
        open_database(path)


def test_a_directory_is_refused(tmp_path: Path):
    with pytest.raises(StoreError, match="is a directory"):
        open_database(tmp_path)


def test_practising_never_imports_sqlalchemy_on_an_up_to_date_database(tiny_settings):
    """Open, draw, answer, undo and count through the study session and build the app:
    the store's own sqlite3 connections serve all of it, so SQLAlchemy (~150 ms of a
    start) is imported only for migrations and the few ORM writes (drills, browser)."""
    import subprocess
    import sys

    from tests.helpers import open_study

    open_study(tiny_settings).close()  # created and migrated (SQLAlchemy, once)
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from trainer.config.settings import Settings\n"
        "from trainer.app.study import StudySession\n"
        "from trainer.tui.app import make_app\n"
        "settings = Settings(home=Path(sys.argv[1]), builtin_deck=False, exercises=False,\n"
        "                    decks=[Path(sys.argv[2])])\n"
        "study = StudySession.open(settings)\n"
        "now = datetime.now(UTC)\n"
        "card = study.next_card(now)\n"
        "study.answer(card.key, 3, now)\n"
        "assert study.undo(now).key == card.key\n"
        "study.progress(now); study.overview(now); study.checkpoint()\n"
        "make_app(settings, study)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'alembic'}))\n")
    result = subprocess.run([sys.executable, "-c", code, str(tiny_settings.home),
                             str(tiny_settings.decks[0])], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_own_connections_are_reused_and_remade_with_new_pragmas_after_dispose(db):
    with db.read() as first:
        pass
    with db.read() as again:
        assert again is first  # taken back from the idle ones
    db.pragmas["query_only"] = 1
    with db.read() as still:  # made before the change: kept until a dispose
        assert still is first and still.execute("PRAGMA query_only").fetchone() == (0,)
    db.dispose()
    with db.read() as fresh:
        assert fresh is not first and fresh.execute("PRAGMA query_only").fetchone() == (1,)
    with pytest.raises(StoreError, match="not saved, nothing was changed"):
        with db.write() as c:
            c.execute("DELETE FROM cards")
    del db.pragmas["query_only"]
    db.engine.dispose()  # the engine's dispose discards them too (tests and tools use it)
    with db.write() as c:
        c.execute("DELETE FROM cards")
