"""Backups: before a migration, on demand (``trainer backup``), and rotating on exit.

Every copy must be consistent (SQLite's integrity check, every card's history replays),
owner-only (0600 in a 0700 folder), a single file, and never cost the source a byte.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
import tempfile
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.faults.replay import replay
from tests.helpers import NOW, open_study
from trainer.cli.main import main
from trainer.config.settings import Settings
from trainer.store.backups import KEEP, keep_exit_backup, prune
from trainer.store.database import HEAD_REVISION, open_database
from trainer.tui.app import TrainerApp

FIXTURE_0001 = Path(__file__).resolve().parent.parent / "fixtures" / "schema_0001.sqlite3"
MANUAL_NAME = re.compile(r"^trainer-\d{8}-\d{6}\.sqlite3$")
WRITES_DURING_BACKUPS = 40  # answers a second instance commits while backups are taken
ROTATION_EXAMPLES = 60


def dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as c:
        return list(c.iterdump())


def assert_good_copy(copy: Path) -> None:
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert c.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # a single file
    assert not copy.with_name(copy.name + "-wal").exists()
    assert [p.name for p in copy.parent.iterdir() if p.name.startswith(".")] == []


def test_a_backup_is_taken_before_a_migration(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_0001, path)
    original = dump(path)
    open_database(path).close()
    backup = tmp_path / f"old.sqlite3.before-{HEAD_REVISION}.bak"
    assert_good_copy(backup)
    assert dump(backup) == original  # exactly the first schema's file, row for row
    assert dump(path) != original  # ... and the file itself was upgraded


def tiny_home(tmp_path: Path, tiny_deck: Path) -> Settings:
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[tiny_deck])
    study = open_study(settings)
    study.answer(study.next_card(NOW).key, 3, NOW)
    study.close()
    return settings


def test_trainer_backup_writes_a_private_consistent_copy(tmp_path, tiny_deck, capsys):
    settings = tiny_home(tmp_path, tiny_deck)
    source = settings.db_path.read_bytes()
    assert main(["--home", str(settings.home), "backup"]) == 0
    copy = Path(capsys.readouterr().out.strip())
    assert copy.parent == settings.home / "backups" and MANUAL_NAME.match(copy.name)
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert_good_copy(copy)
    assert dump(copy) == dump(settings.db_path)
    assert settings.db_path.read_bytes() == source

    # PATH: a new file is written; a folder gets a time-stamped file; an existing file
    # is never overwritten (one line, exit 2, untouched).
    mine = tmp_path / "mine.sqlite3"
    assert main(["--home", str(settings.home), "backup", str(mine)]) == 0
    assert capsys.readouterr().out.strip() == str(mine)
    assert dump(mine) == dump(settings.db_path)
    folder = tmp_path / "usb"
    folder.mkdir()
    assert main(["--home", str(settings.home), "backup", str(folder)]) == 0
    (inside,) = folder.iterdir()
    assert MANUAL_NAME.match(inside.name) and dump(inside) == dump(settings.db_path)
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite\n", encoding="utf-8")
    assert main(["--home", str(settings.home), "backup", str(precious)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{precious}: already exists" in err
    assert precious.read_text(encoding="utf-8") == "do not overwrite\n"


def test_backups_taken_while_another_instance_writes_are_consistent(tmp_path, tiny_deck,
                                                                    capsys):
    folder = tiny_deck
    for i in range(WRITES_DURING_BACKUPS):
        (folder / f"extra{i}.md").write_text(f"## Extra {i}? {{#x{i}}}\n\nYes.\n",
                                             encoding="utf-8")
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[folder], new_per_day=1000)
    study = open_study(settings)
    done = threading.Event()

    def answer_all() -> None:
        try:
            for i in range(WRITES_DURING_BACKUPS):
                now = NOW + timedelta(seconds=i)
                study.answer(study.next_card(now).key, 3, now)
        finally:
            done.set()

    writer = threading.Thread(target=answer_all)
    writer.start()
    copies = []
    while not done.is_set() or not copies:
        assert main(["--home", str(settings.home), "backup"]) == 0
        copies.append(Path(capsys.readouterr().out.strip()))
    writer.join()
    study.close()
    assert len(copies) == len(set(copies))  # same-second copies get -2, -3, ...
    counts = []
    for copy in copies:
        assert_good_copy(copy)
        histories = replay(copy, settings)
        assert all(h.stored == h.replayed and not h.broken_links for h in histories.values())
        counts.append(sum(h.reviews for h in histories.values()))
    assert counts == sorted(counts) and counts[-1] <= WRITES_DURING_BACKUPS
    assert max(counts) > 0 or len(copies) == 1


def test_no_database_yet_is_one_line(tmp_path: Path, capsys):
    assert main(["--home", str(tmp_path / "home"), "backup"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing to back up" in err
    assert not (tmp_path / "home").exists()


# -- rotation on exit ----------------------------------------------------------------------
stamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                      timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=ROTATION_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(taken=st.lists(stamps, min_size=0, max_size=25), keep=st.integers(1, 9))
def test_pruning_keeps_the_newest_automatic_backups_and_nothing_else_moves(taken, keep):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        entries = []  # (moment, n, name); same-second ones get -2, -3, ... as on exit
        for moment in taken:
            n = 1 + sum(1 for m, _, _ in entries if m == moment)
            suffix = f"-{n}" if n > 1 else ""
            entries.append((moment, n, f"auto-{moment:%Y%m%d-%H%M%S}{suffix}.sqlite3"))
            (folder / entries[-1][2]).write_bytes(b"x")
        bystanders = ["trainer-20200101-000000.sqlite3", "auto-20261301-000000.sqlite3",
                      "auto-notes.sqlite3", "notes.txt", "auto-20200101-000000.sqlite3.bak"]
        for name in bystanders:
            (folder / name).write_bytes(b"mine")
        removed = prune(folder, keep)
        expected = {name for _, _, name in sorted(entries)[-keep:]}
        assert {p.name for p in folder.iterdir()} == expected | set(bystanders)
        assert {p.name for p in removed} == {name for _, _, name in entries} - expected
        assert all((folder / name).read_bytes() == b"mine" for name in bystanders)


def test_each_exit_keeps_one_more_copy_and_only_the_last_seven(tmp_path, tiny_deck):
    settings = tiny_home(tmp_path, tiny_deck)
    folder = settings.home / "backups"
    berlin = ZoneInfo("Europe/Berlin")
    # Twelve exits over a daylight-saving night, two of them in the same second, one
    # given in Berlin time: names are UTC, sorted by the moment they were taken.
    moments = [datetime(2026, 10, 24, 22, 0, tzinfo=UTC) + timedelta(minutes=30 * i)
               for i in range(10)]
    moments.insert(5, moments[4])  # the same second again
    moments.append(datetime(2026, 10, 25, 6, 0, tzinfo=berlin))  # 05:00 UTC (CET)
    written = [keep_exit_backup(settings.db_path, folder, now=m) for m in moments]
    assert written[4].name == "auto-20261025-000000.sqlite3"
    assert written[5].name == "auto-20261025-000000-2.sqlite3"
    assert written[-1].name == "auto-20261025-050000.sqlite3"
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == KEEP == 7
    assert kept == sorted(p.name for p in written[-KEEP:])
    for path in folder.iterdir():
        assert_good_copy(path)
    assert keep_exit_backup(tmp_path / "none.sqlite3", folder, now=NOW) is None


def test_the_exit_backup_is_taken_even_when_the_app_crashes(tmp_path, tiny_deck,
                                                            monkeypatch):
    settings = tiny_home(tmp_path, tiny_deck)
    (settings.home / "config.toml").write_text(
        f"builtin-deck = false\nexercises = false\ndecks = [{str(tiny_deck)!r}]\n",
        encoding="utf-8")

    def crash(self, *args, **kwargs):  # the UI dies with an unexpected error
        raise RuntimeError("boom")

    monkeypatch.setattr(TrainerApp, "run", crash)
    monkeypatch.setattr("trainer.cli.session.needs_terminal", lambda: None)  # as in a terminal
    with pytest.raises(RuntimeError, match="boom"):
        main(["--home", str(settings.home), "practice"])
    (copy,) = (settings.home / "backups").glob("auto-*.sqlite3")
    assert_good_copy(copy)
    assert dump(copy) == dump(settings.db_path)
