"""Bad database files and places: one line on stderr naming the file and what to do,
exit status 2, no traceback, and the file (and its folder) left exactly as they were.

Also a disk that fills up during a write, for real: SQLite's ``max_page_count`` on the
connection makes the next write that needs a page fail with "database or disk is full".
The TUI keeps the card unanswered and says so; the CLI exits 2 with one line.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import NOW, UTC_ZONE, Notes, open_study, settle
from trainer.app.study import StudySession
from trainer.cli.main import build_parser, main
from trainer.config.settings import Settings
from trainer.deck.loader import load_deck
from trainer.store import database
from trainer.store.database import StoreError, open_database
from trainer.tui.app import TrainerApp, make_app

TRAINER = Path(sys.executable).parent / "trainer"
NOTES = b"my precious notes, not a database\n" * 40


def not_sqlite(folder: Path) -> Path:
    path = folder / "notes.sqlite3"
    path.write_bytes(NOTES)
    return path


def newer_schema(folder: Path) -> Path:
    path = folder / "future.sqlite3"
    with closing(sqlite3.connect(path)) as c, c:
        c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        c.execute("INSERT INTO alembic_version VALUES ('9999')")
        c.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY, hologram BLOB)")
    return path


def other_sqlite(folder: Path) -> Path:
    path = folder / "photos.sqlite3"
    with closing(sqlite3.connect(path)) as c, c:
        c.execute("CREATE TABLE photos (id INTEGER)")
    return path


def corrupt(folder: Path) -> Path:
    """The SQLite magic, then garbage: looks like a database until it is read."""
    path = folder / "corrupt.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 32)
    return path


def directory(folder: Path) -> Path:
    path = folder / "a-folder.sqlite3"
    path.mkdir()
    return path


def parent_is_a_file(folder: Path) -> Path:
    (folder / "plain-file").write_text("x", encoding="utf-8")
    return folder / "plain-file" / "trainer.sqlite3"  # its folder cannot be created


BAD = {  # kind -> (make it, words the message must have)
    "not-sqlite": (not_sqlite, "is not an SQLite database"),
    "newer-schema": (newer_schema, "newer trainer"),
    "other-sqlite": (other_sqlite, "not a trainer one"),
    "corrupt": (corrupt, "cannot be read as a database"),
    "directory": (directory, "is a directory"),
    "parent-is-a-file": (parent_is_a_file, "cannot create its folder"),
}
ADVICE = ("point --db or TRAINER_DB", "upgrade trainer", "move it away")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def one_clear_line(err: str, path: Path, words: str) -> None:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"trainer: {path}: "), err
    assert words in err and any(advice in err for advice in ADVICE), err
    assert "Traceback" not in err


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("command", ["practice", "backup"])
def test_a_bad_database_is_one_line_exit_2_and_untouched(tmp_path, capsys, kind, command):
    make, words = BAD[kind]
    place = tmp_path / "place"
    place.mkdir()
    path = make(place)
    before = snapshot(place)
    status = main(["--home", str(tmp_path / "home"), "--db", str(path), command])
    captured = capsys.readouterr()
    assert snapshot(place) == before  # byte for byte, and no -wal, -shm or copy beside it
    if command == "backup" and kind == "newer-schema":
        # A newer trainer's file cannot be opened, but it can be copied as it is.
        assert status == 0 and captured.err == ""
        copy = Path(captured.out.strip())
        assert copy.parent == tmp_path / "home" / "backups"
        with closing(sqlite3.connect(copy)) as c:
            assert c.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)
        return
    if command == "backup" and kind == "parent-is-a-file":
        words = "no database here yet, nothing to back up"
    assert status == 2
    assert captured.out == ""
    one_clear_line(captured.err, path, words)


def subcommands() -> list[str]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(action.choices)


def test_every_command_goes_through_the_same_checks(tmp_path, capsys, monkeypatch):
    """Whatever a command does, a bad database never costs a byte or a traceback; the
    commands that open it exit 2 with the same one line. For every command the parser
    has now and any added later (in-process; the real processes are below)."""
    path = not_sqlite(tmp_path)
    monkeypatch.setenv("TRAINER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TRAINER_DB", str(path))
    monkeypatch.setenv("EDITOR", "true")  # `trainer add`: an editor that adds nothing
    monkeypatch.setenv("VISUAL", "true")
    monkeypatch.chdir(tmp_path)

    def no_app(self, *args, **kwargs):
        raise AssertionError("the app started on a database that cannot be opened")

    monkeypatch.setattr(TrainerApp, "run", no_app)
    opened = []
    for command in subcommands():
        try:
            status = main([command])
        except SystemExit as exc:  # argparse: the command needs arguments
            status = exc.code
        err = capsys.readouterr().err
        assert "Traceback" not in err, (command, err)
        assert status in (0, 1, 2), (command, status, err)
        if str(path) in err:
            opened.append(command)
            assert status == 2, command
            one_clear_line(err, path, "is not an SQLite database")
    assert path.read_bytes() == NOTES
    assert {p.name for p in tmp_path.iterdir()} <= {"home", "notes.sqlite3"}  # no -wal
    assert {"practice", "backup"} <= set(opened)
    assert "stats" in opened or "stats" not in subcommands()


def test_the_acceptance_check_in_real_processes(tmp_path: Path):
    """``TRAINER_DB=not-sqlite trainer stats --json``: one line, exit 2, file untouched
    (and ``trainer practice``, which opens the same way)."""
    path = not_sqlite(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    env.update(TRAINER_HOME=str(tmp_path / "home"), TRAINER_DB=str(path))
    runs = [["practice"]] + ([["stats", "--json"]] if "stats" in subcommands() else [])
    processes = [subprocess.Popen([str(TRAINER), *argv], env=env, cwd=tmp_path,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for argv in runs]
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 2 and out == ""
        one_clear_line(err, path, "is not an SQLite database")
    assert path.read_bytes() == NOTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite3"]


def permissions_enforced(tmp_path: Path) -> bool:
    """False for root with CAP_DAC_OVERRIDE (the usual root), which writes anywhere. (Root
    without it, e.g. ``setpriv --bounding-set=-dac_override``, runs these tests.)"""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o500)
    try:
        (probe / "x").touch()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o700)
    return False


SKIP_REASON = ("file permissions are not enforced for this user (root): the parent-is-a-file "
               "case covers an unwritable place here")


def test_a_read_only_folder_is_one_clear_line(tmp_path: Path, capsys):
    if not permissions_enforced(tmp_path):
        pytest.skip(SKIP_REASON)
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["--home", str(tmp_path / "home"), "--db", str(folder / "t.sqlite3"),
                     "practice"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(folder / "t.sqlite3") in err
        assert "Traceback" not in err and list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_read_only_database_file_is_one_clear_line(tmp_path: Path, capsys, tiny_deck):
    if not permissions_enforced(tmp_path):
        pytest.skip(SKIP_REASON)
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[tiny_deck])
    open_study(settings).close()
    (tiny_deck / "more.md").write_text("## One more? {#more}\n\nYes.\n", encoding="utf-8")
    settings.db_path.chmod(0o444)
    before = settings.db_path.read_bytes()
    status = main(["--home", str(settings.home), "--decks", str(tiny_deck), "practice"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and str(settings.db_path) in err
    assert settings.db_path.read_bytes() == before


# -- a disk that fills up during a write ---------------------------------------------------
def many_cards(folder: Path, name: str, count: int) -> None:
    body = "".join(f"## {name} question {i}? {{#{name}-{i}}}\n\nAnswer {i}.\n\n"
                   for i in range(count))
    (folder / f"{name}.md").write_text(f"---\ntopic: {name}\n---\n\n{body}", encoding="utf-8")


def full_settings(tmp_path: Path) -> Settings:
    decks = tmp_path / "decks"
    decks.mkdir()
    many_cards(decks, "first", 100)
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[decks], new_per_day=1000)
    open_study(settings).close()  # created, migrated and synced through the real path
    with closing(sqlite3.connect(settings.db_path)) as c:
        c.execute("VACUUM")  # no free pages left: the next page the file needs is new
    return settings


def page_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as c:
        return c.execute("PRAGMA page_count").fetchone()[0]


def image(path: Path) -> bytes:
    """The database as committed, page for page (what a reader sees, WAL included)."""
    with closing(sqlite3.connect(path)) as c:
        return c.serialize()


def reviews(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as c:
        return c.execute("SELECT c.key, r.rating FROM reviews r JOIN cards c "
                         "ON c.id = r.card_id ORDER BY r.id").fetchall()


def test_a_full_disk_at_start_up_is_one_line_exit_2_and_untouched(tmp_path, capsys,
                                                                   monkeypatch):
    settings = full_settings(tmp_path)
    many_cards(settings.decks[0], "second", 1000)  # the start-up sync must write them
    before = snapshot(settings.home)
    monkeypatch.setitem(database.EXTRA_PRAGMAS, "max_page_count",
                        page_count(settings.db_path))

    def no_app(self, *args, **kwargs):
        raise AssertionError("the app must not start on a full disk")

    monkeypatch.setattr(TrainerApp, "run", no_app)  # a guard, should the write succeed
    (settings.home / "config.toml").write_text("builtin-deck = false\nexercises = false\n",
                                               encoding="utf-8")
    before["config.toml"] = (settings.home / "config.toml").read_bytes()
    status = main(["--home", str(settings.home), "--decks", str(settings.decks[0]),
                   "practice"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"trainer: {settings.db_path}: not saved")
    assert "the disk is full; free some space and try again" in err
    assert snapshot(settings.home) == before


async def test_a_full_disk_keeps_the_card_unanswered_and_says_so(tmp_path: Path):
    """Chosen behaviour: the TUI does not exit; it shows the error, keeps the card as it
    was (answer shown, unanswered) and the same key grades it again once there is room."""
    settings = full_settings(tmp_path)
    path = settings.db_path
    db = open_database(path, pragmas={"max_page_count": page_count(path)})
    deck = load_deck(None, settings.deck_dirs)
    study = StudySession(settings, deck, db, tz=UTC_ZONE, enable_fuzzing=False)
    # Answer through the study layer until the disk is full (fast, no UI): the answer
    # that failed is the one the app will show first, and it needs the same new page.
    answered = 0
    while True:
        card = study.next_card(NOW)
        committed = image(path)
        try:
            study.answer(card.key, 3, NOW)
        except StoreError as exc:
            assert str(exc).startswith(f"{path}: not saved") and "disk is full" in str(exc)
            break
        answered += 1
        assert answered < 100, "the disk never filled up"
    assert answered > 0 and len(reviews(path)) == answered
    assert image(path) == committed  # the failed answer changed nothing at all
    app = make_app(settings, study, clock=lambda: NOW)
    notes = Notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.card.key == card.key
        await pilot.press("space", "3")
        await settle(pilot)
        (note,) = [n for n in notes if n.title == "Not saved"]
        assert note.severity == "error"
        assert note.message.startswith(f"{path}: not saved") and "disk is full" in note.message
        assert "\n" not in note.message
        assert screen.card.key == card.key and screen.revealed and not screen.busy
        assert image(path) == committed and len(reviews(path)) == answered
        # Room again (the limit lifted on fresh connections): the same key saves it.
        db.pragmas.pop("max_page_count")
        db.engine.dispose()
        await pilot.press("3")
        await settle(pilot)
        assert reviews(path)[-1] == (card.key, 3) and len(reviews(path)) == answered + 1
        assert screen.card.key != card.key
