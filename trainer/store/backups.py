"""Backups of the database file: ``trainer backup`` and the rotating copy kept on exit.

Every copy goes through SQLite's online backup API (``database.backup``): consistent even
while another instance is writing, written to a temporary file and renamed into place,
readable by its owner only, in a folder only its owner can open. Names carry the UTC time
they were taken, so they sort the same whatever the time zone or daylight-saving time:

- ``trainer-YYYYMMDD-HHMMSS.sqlite3``  taken by ``trainer backup``; never removed by us
- ``auto-YYYYMMDD-HHMMSS.sqlite3``     taken when the app exits; the newest ``KEEP`` stay
- ``before-restore-YYYYMMDD-HHMMSS.sqlite3``  the file ``trainer restore`` replaced; kept

Two copies in the same second get ``-2``, ``-3``, ... before the extension. Files whose
names do not match exactly are never touched.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from trainer.core.time import require_utc
from trainer.store.database import StoreError, backup, check_trainer_file

KEEP = 7
MANUAL, AUTO, BEFORE_RESTORE = "trainer", "auto", "before-restore"
STAMP = "%Y%m%d-%H%M%S"
NAME = re.compile(r"^(?P<kind>trainer|auto|before-restore)-(?P<stamp>\d{8}-\d{6})"
                  r"(?:-(?P<n>[1-9]\d*))?\.sqlite3$")


def backups_dir(home: Path) -> Path:
    return home / "backups"


def free_name(folder: Path, kind: str, now: datetime) -> Path:
    """``folder/KIND-YYYYMMDD-HHMMSS.sqlite3`` (UTC), with ``-2``... if that one exists."""
    stamp = require_utc(now).strftime(STAMP)
    candidate = folder / f"{kind}-{stamp}.sqlite3"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{kind}-{stamp}-{n}.sqlite3"
    return candidate


def write_backup(source: Path, target: Path | str | None, *, folder: Path, now: datetime,
                 kind: str = MANUAL) -> Path:
    """Copy the database at ``source`` to ``target`` (a new file, or a folder to put it in:
    an existing one, or any path written with a trailing slash, created if missing), or,
    when ``target`` is None, to a new time-stamped file in ``folder``. Returns the path.

    Raises ``StoreError`` (one line: the file and what to do) when there is nothing to copy,
    the source is not an SQLite database, the target exists, or the copy fails; the source
    is never changed and no partial copy is left behind.
    """
    source, folder = source.expanduser().absolute(), folder.expanduser().absolute()
    if not source.exists():
        raise StoreError(f"{source}: no database here yet, nothing to back up; "
                         "point --db or TRAINER_DB at your database")
    check_trainer_file(source, newer_ok=True)  # the same refusals as opening it
    if target is None:
        target = free_name(folder, kind, now)
    else:
        as_folder = isinstance(target, str) and target.endswith(("/", os.sep))
        target = Path(target).expanduser().absolute()
        if as_folder and target.exists() and not target.is_dir():
            raise StoreError(f"{target}: is a file, not a folder; nothing was written")
        if as_folder or target.is_dir():
            target = free_name(target, kind, now)
        elif target.exists():
            raise StoreError(f"{target}: already exists, nothing was written; "
                             "name a new file or a folder")
    try:
        _make_private_folder(target.parent)
        _remove_stale_partials(target.parent, now)
        backup(source, target)
        _verify(target)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{target}: backup of {source} failed ({_reason(exc)}); nothing was "
                         "changed; check the disk or choose another place") from exc
    return target


def keep_exit_backup(source: Path, folder: Path, *, now: datetime, keep: int = KEEP
                     ) -> Path | None:
    """The copy taken when the app exits: a new ``auto-`` backup, then only the newest
    ``keep`` automatic ones remain. None when there is no database (nothing to keep)."""
    if not source.exists() or source.stat().st_size == 0:
        return None
    written = write_backup(source, None, folder=folder, now=now, kind=AUTO)
    prune(folder, keep)
    return written


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest ``keep`` automatic backups; returns what was removed.

    Newest means latest time stamp in the name (then the higher ``-N``), not the file's
    modification time, which a copy or a restore from elsewhere can change.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    if not folder.is_dir():
        return []
    dated = []
    for path in folder.iterdir():
        match = NAME.match(path.name)
        if match and match["kind"] == AUTO and path.is_file():
            try:
                moment = datetime.strptime(match["stamp"], STAMP)
            except ValueError:  # e.g. month 13: not one of ours
                continue
            dated.append((moment, int(match["n"] or 1), path))
    dated.sort()
    removed = [path for _, _, path in dated[:-keep]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parent (the trainer home) owner-only."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)


STALE_PARTIAL_SECONDS = 600  # a copy in progress is rewritten far more often than this


def _remove_stale_partials(folder: Path, now: datetime) -> None:
    """What a backup killed mid-copy (SIGKILL, power cut) left behind: its hidden
    ``.NAME.partial`` file and SQLite's ``-journal`` of it. A copy still being written by
    another process touches its file every few milliseconds, so an old one is dead."""
    cutoff = require_utc(now).timestamp() - STALE_PARTIAL_SECONDS
    for leftover in folder.glob(".*.partial*"):
        if not leftover.name.endswith((".partial", ".partial-journal")):
            continue
        try:
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            continue  # someone else's to clean


def _verify(path: Path) -> None:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as copy:
        result = copy.execute("PRAGMA quick_check").fetchone()
    if result != ("ok",):
        path.unlink(missing_ok=True)
        raise sqlite3.DatabaseError(f"the copy failed its check: {result[0]}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
