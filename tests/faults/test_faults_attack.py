"""The attack round's findings, each against the real thing where it can run: a real small
file system that fills up (tmpfs, mounted by the test as root), a real read-only file for
a real non-root user (``setpriv`` to ``nobody``), real processes and time zones, the real
app (Pilot). Each test failed before its fix."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from tests.helpers import NOW, open_study, settle
from trainer.cli.main import main
from trainer.config.settings import Settings
from trainer.deck.latex import MAX_NESTING, latex_to_unicode
from trainer.tui.app import make_app
from trainer.tui.screens.settings_screen import SettingsScreen

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"


def run(args: list[str], env: dict[str, str] | None = None, *, user: bool | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real command in its own process (optionally as another user)."""
    command = [sys.executable, "-m", "trainer", *args]
    if user is not None:  # root without the capability to override file permissions
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          input=stdin, env={**os.environ, "PYTHONPATH": str(ROOT),
                                            **(env or {})})


def one_line(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    err = result.stderr
    assert err.count("\n") == 1 and err.startswith("trainer: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


# -- a real file system that fills up ------------------------------------------------------
@contextmanager
def small_disk(size_kib: int) -> Iterator[Path]:
    """A tmpfs of ``size_kib`` KiB mounted for the test; skipped (failing under CI) where
    this user cannot mount one."""
    mount = Path(tempfile.mkdtemp(prefix="trainer-smallfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755",
                           "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        mount.rmdir()
        reason = f"cannot mount a small tmpfs here: {done.stderr.strip()}"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        shutil.rmtree(mount, ignore_errors=True)


def fill(disk: Path) -> Path:
    """Use up every free byte of ``disk``; returns the filler (unlink it to free space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0
    return filler


def make_home(home: Path, tiny_deck: Path, answers: int = 2) -> Settings:
    settings = Settings(home=home, builtin_deck=False, exercises=False, decks=[tiny_deck])
    study = open_study(settings)
    for i in range(answers):
        moment = NOW + timedelta(minutes=i)
        study.answer(study.next_card(moment).key, 3, moment)
    study.close()
    return settings


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def test_a_full_disk_at_start_up_says_so_and_never_blames_the_file(tiny_deck):
    with small_disk(8192) as disk:
        make_home(disk / "home", tiny_deck)
        db = disk / "home" / "trainer.sqlite3"
        assert not Path(f"{db}-shm").exists()  # closed cleanly: reopening must create it
        fill(disk)
        before = db.read_bytes()
        err = one_line(run(["--home", str(disk / "home"), "stats"]), "the disk is full")
        assert "move it away" not in err and "cannot be read as a database" not in err
        assert db.read_bytes() == before


def test_import_on_a_full_disk_is_all_or_nothing(tiny_deck, tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    (source / "a.md").write_text("## Question one?\n\nAnswer one.\n" * 1, encoding="utf-8")
    (source / "b.md").write_text("## Question two?\n\n" + "Long answer. " * 4000 + "\n",
                                 encoding="utf-8")
    with small_disk(8192) as disk:
        home = disk / "home"
        make_home(home, tiny_deck)
        filler = fill(disk)
        os.truncate(filler, os.path.getsize(filler) - 16 * 1024)  # room for a.md, not b.md
        before = snapshot(home)
        one_line(run(["--home", str(home), "import", str(source), "--copy"]),
                 "No space left on device", "nothing was imported")
        assert snapshot(home) == before or _only_empty_folders_added(before, snapshot(home))
        filler.unlink()  # room again: the same import now works (nothing blocks it)
        done = run(["--home", str(home), "import", str(source), "--copy"])
        assert done.returncode == 0, done.stderr
        assert (home / "decks" / "mine" / "b.md").read_bytes() == (source / "b.md").read_bytes()


def _only_empty_folders_added(before: dict, after: dict) -> bool:
    added = {k: v for k, v in after.items() if k not in before}
    return all(v is None for v in added.values()) and all(
        after.get(k) == v for k, v in before.items())


def test_import_writes_the_config_last_a_bad_database_leaves_it_alone(tmp_path, tiny_deck):
    home = tmp_path / "home"
    home.mkdir()
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("not a database\n", encoding="utf-8")
    result = run(["--home", str(home), "--db", str(notes), "import", str(tiny_deck)])
    assert result.returncode == 2 and "is not an SQLite database" in result.stderr
    assert not (home / "config.toml").exists()


FAKE_EDITOR = """#!{python}
import sys
card = "\\n## What is kept when the disk is full?\\n\\nThe text.\\n"
open(sys.argv[-1], "a", encoding="utf-8").write(card)
"""


def test_add_on_a_full_disk_keeps_the_text_and_names_the_failure(tiny_deck, tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text(FAKE_EDITOR.format(python=sys.executable), encoding="utf-8")
    editor.chmod(0o755)
    with small_disk(8192) as disk:
        home = disk / "home"
        make_home(home, tiny_deck)
        fill(disk)
        result = run(["--home", str(home), "add"], {"EDITOR": str(editor), "VISUAL": ""})
        err = one_line(result, "could not be saved (No space left on device)",
                       "your text is kept in")
        kept = Path(err.split("your text is kept in ")[1].split(" ")[0])
        try:
            assert "## What is kept when the disk is full?" in kept.read_text(encoding="utf-8")
        finally:
            kept.unlink()
        assert not (home / "decks" / "my-cards.md").exists()
        assert not list((home / "decks").glob(".*")) if (home / "decks").exists() else True


def test_config_set_on_a_full_disk_leaves_no_temporary_file(tiny_deck):
    with small_disk(4096) as disk:
        home = disk / "home"
        home.mkdir()
        (home / "config.toml").write_text("new-per-day = 5\n", encoding="utf-8")
        fill(disk)
        result = run(["--home", str(home), "config", "set", "desired-retention", "0.85"])
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert sorted(p.name for p in home.iterdir()) == ["config.toml"]
        assert (home / "config.toml").read_text(encoding="utf-8") == "new-per-day = 5\n"


def test_a_killed_backup_s_leftovers_are_removed_by_the_next_one(tmp_path, tiny_deck, capsys):
    settings = make_home(tmp_path / "home", tiny_deck)
    folder = settings.home / "backups"
    folder.mkdir(mode=0o700)
    stale = [folder / ".trainer-20261101-000000.sqlite3.partial",
             folder / ".trainer-20261101-000000.sqlite3.partial-journal"]
    fresh = folder / ".trainer-29991231-000000.sqlite3.partial"  # another copy under way
    for leftover in [*stale, fresh]:
        leftover.write_bytes(b"half")
    old = time.time() - 3600
    for leftover in stale:
        os.utime(leftover, (old, old))
    assert main(["--home", str(settings.home), "backup"]) == 0
    assert not any(p.exists() for p in stale) and fresh.exists()


# -- a real read-only file, for a real non-root user ----------------------------------------
def test_a_read_only_database_as_a_user_without_override_is_one_line(tmp_path, tiny_deck):
    """Root ignores file modes; ``setpriv`` drops the capabilities that let it, so the
    command meets a read-only file as any user would."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        reason = "needs root and setpriv to drop the file-permission override"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    settings = make_home(tmp_path / "home", tiny_deck)
    db = settings.db_path
    db.chmod(0o400)
    before = db.read_bytes()
    env = {"TRAINER_DECKS": f'["{tiny_deck}"]', "TRAINER_BUILTIN_DECK": "false",
           "TRAINER_EXERCISES": "false"}
    home = ["--home", str(settings.home)]
    stats = run([*home, "stats"], env, user=True)
    assert "Traceback" not in stats.stderr and stats.returncode in (0, 2), stats.stderr
    if stats.returncode == 2:
        one_line(stats, str(db), "read-only")
    backup = run([*home, "backup"], env, user=True)
    assert backup.returncode == 0, backup.stderr  # a copy can still be read from it
    config = tmp_path / "home" / "config.toml"
    config.write_text("new-per-day = 3\n", encoding="utf-8")
    config.chmod(0o400)
    refused = run([*home, "config", "set", "new-per-day", "5"], env, user=True)
    one_line(refused, "config.toml")
    assert config.read_text(encoding="utf-8") == "new-per-day = 3\n"
    assert db.read_bytes() == before


# -- formulas nested too deeply --------------------------------------------------------------
DEEP = "{" * 330 + "x" + "}" * 330


def test_check_reports_a_deep_formula_at_its_place(tmp_path, capsys):
    deck = tmp_path / "deep.md"
    deck.write_text(f"## Deep?\n\nIt is ${DEEP}$ indeed.\n", encoding="utf-8")
    assert main(["check", str(deck)]) == 1
    out = capsys.readouterr().out
    assert f"{deck}:3:{8 + MAX_NESTING}: error: formula nested too deeply" in out


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(0, 600), opener=st.sampled_from(["{", "\\frac{", "x^{", "["]))
def test_no_nesting_depth_makes_the_renderer_raise(depth, opener):
    closer = "]" if opener == "[" else "}"
    formula = opener * depth + "a" + closer * depth
    shown = latex_to_unicode(formula)  # must not raise, whatever the depth
    assert isinstance(shown, str) and shown
    if depth > MAX_NESTING:
        assert shown == formula  # shown as written


async def test_the_app_shows_a_deep_formula_as_written_and_goes_on(tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "deep.md").write_text(
        f"## Deep first?\n\nIt is ${DEEP}$ indeed.\n\n## Plain second?\n\nFine.\n",
        encoding="utf-8")
    settings_ = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                         decks=[decks])
    study = open_study(settings_)
    app = make_app(settings_, study, clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("q")
    with closing(sqlite3.connect(settings_.db_path)) as c:
        assert c.execute("SELECT count(*) FROM reviews").fetchone() == (1,)


# -- every setting's range, through every entry point -----------------------------------
OUT_OF_RANGE = {  # setting -> a value past its range, as text
    "desired-retention": "0.5", "new-per-day": "10001", "max-reviews-per-day": "100001",
    "learning-steps-minutes": "[1e12]", "relearning-steps-minutes": "[1e308]",
    "rollover-hour": "24", "learn-ahead-minutes": "1441", "maximum-interval-days": "36501",
    "leech-threshold": "0", "interview-date": "2100-01-01", "interview-target": "0.995",
}


@pytest.mark.parametrize("name", sorted(OUT_OF_RANGE))
def test_out_of_range_values_are_refused_by_variable_and_config_set(name, tmp_path, capsys,
                                                                    monkeypatch):
    value = OUT_OF_RANGE[name]
    home = tmp_path / "home"
    monkeypatch.setenv(f"TRAINER_{name.upper().replace('-', '_')}", value)
    assert main(["--home", str(home), "paths"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"TRAINER_{name.upper().replace('-', '_')}" in err
    monkeypatch.delenv(f"TRAINER_{name.upper().replace('-', '_')}")
    assert main(["--home", str(home), "config", "set", name, value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err, err
    assert not (home / "config.toml").exists()


SCREEN_FIELDS = {"desired-retention": "0.99", "new-per-day": "10001",
                 "max-reviews-per-day": "100001", "rollover-hour": "24",
                 "interview-date": "2100-01-01"}


@pytest.mark.parametrize("name", sorted(SCREEN_FIELDS))
async def test_out_of_range_values_are_refused_by_the_settings_screen(name, tiny_settings):
    app = make_app(tiny_settings, open_study(tiny_settings), clock=lambda: NOW,
                   start_practice=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        await pilot.click(f"#set-{name}")
        await pilot.press("end", "ctrl+u", *SCREEN_FIELDS[name])
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert screen.query_one(f"#set-{name}", Input).value == SCREEN_FIELDS[name]
        error = screen.query_one("#settings-error", Static)
        assert error.display and name in str(error.content)
    assert not tiny_settings.config_path.exists()


# -- damaged files, stamps, time zones, odd paths ------------------------------------------
def _damage(db: Path) -> None:
    with closing(sqlite3.connect(db)) as c:
        roots = [r for (n, r) in c.execute("SELECT name, rootpage FROM sqlite_master "
                                           "WHERE rootpage > 0") if "review" in n]
    data = bytearray(db.read_bytes())
    for root in roots:
        data[(root - 1) * 4096:(root - 1) * 4096 + 8] = b"\xff" * 8
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_stats_on_a_damaged_file_is_one_line_and_changes_no_byte(tmp_path, tiny_deck, journal):
    settings = make_home(tmp_path / "home", tiny_deck, answers=4)
    db = settings.db_path
    if journal == "delete":  # e.g. a copy put in place by hand: not yet in WAL mode
        with closing(sqlite3.connect(db)) as c:
            c.execute("PRAGMA journal_mode = DELETE")
    _damage(db)
    before = db.read_bytes()
    one_line(run(["--home", str(settings.home), "stats", "--json"]), "damaged",
             "trainer restore")
    assert db.read_bytes() == before  # the header (bytes 18-19, change counter) too


def test_a_stamp_that_does_not_match_the_tables_is_refused_untouched(tmp_path, tiny_deck):
    settings = make_home(tmp_path / "home", tiny_deck)
    db = settings.db_path
    with closing(sqlite3.connect(db)) as c:
        c.execute("UPDATE alembic_version SET version_num = '0002'")
        c.commit()
    before = db.read_bytes()
    one_line(run(["--home", str(settings.home), "stats"]), "do not match the schema revision "
             "0002")
    assert db.read_bytes() == before
    assert not list(db.parent.glob("*.bak"))


def test_an_impossible_time_zone_falls_back_to_utc_with_one_warning(tmp_path, tiny_deck):
    settings = make_home(tmp_path / "home", tiny_deck)
    result = run(["--home", str(settings.home), "stats", "--json"], {"TZ": "UTC-25"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("\n") == 1 and "using UTC" in result.stderr
    assert '"reviews_total"' in result.stdout or result.stdout.startswith("{")


def test_backup_into_a_new_folder_named_with_a_slash(tmp_path, tiny_deck, capsys):
    settings = make_home(tmp_path / "home", tiny_deck)
    target = tmp_path / "new" / "dir"
    assert main(["--home", str(settings.home), "backup", f"{target}/"]) == 0
    copy = Path(capsys.readouterr().out.strip())
    assert target.is_dir() and copy.parent == target and copy.name.startswith("trainer-")


@pytest.mark.parametrize("argv", [["stats"], ["stats", "--json"],
                                  ["review", "--missed", "--list"]])
def test_reading_at_a_mistyped_path_creates_nothing(tmp_path, capsys, argv):
    wrong = tmp_path / "nonexistent" / "dir" / "x.db"
    assert main(["--db", str(wrong), *argv]) == 2
    assert "no database here yet" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()


def test_a_device_as_the_database_is_named_as_such(capsys):
    assert main(["--db", os.devnull, "stats"]) == 2
    err = capsys.readouterr().err
    assert "is not a regular file" in err and "disk I/O" not in err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # and it was left alone


def test_without_a_terminal_practice_says_so_and_exits(tmp_path, tiny_deck):
    """`trainer < /dev/null` drew the app to stderr forever at 85 % of a core."""
    settings = make_home(tmp_path / "home", tiny_deck)
    env = {"TRAINER_DECKS": f'["{tiny_deck}"]', "TRAINER_BUILTIN_DECK": "false",
           "TRAINER_EXERCISES": "false"}
    with open(os.devnull) as nothing:
        done = subprocess.run([sys.executable, "-m", "trainer", "--home", str(settings.home)],
                              stdin=nothing, capture_output=True, text=True, timeout=60,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "practising needs a terminal" in done.stderr and done.stdout == ""


def test_import_into_an_unwritable_decks_folder_is_one_line(tmp_path, tiny_deck):
    """A PermissionError traceback once; now one line, nothing copied, config untouched."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        reason = "needs root and setpriv to drop the file-permission override"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    settings = make_home(tmp_path / "home", tiny_deck)
    decks = settings.home / "decks"
    decks.mkdir(exist_ok=True)
    decks.chmod(0o555)
    source = tmp_path / "mine"
    source.mkdir()
    (source / "a.md").write_text("## Question?\n\nAnswer.\n", encoding="utf-8")
    try:
        result = run(["--home", str(settings.home), "import", str(source), "--copy"],
                     user=True)
        one_line(result, "Permission denied", "nothing was imported")
        assert list(decks.iterdir()) == []
        assert not (settings.home / "config.toml").exists()
    finally:
        decks.chmod(0o755)
