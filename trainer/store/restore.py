"""Putting a backup back: ``trainer restore``.

Copying a backup over ``trainer.sqlite3`` by hand is unsafe: after a crash the ``-wal``
file beside it still holds the old file's last transactions, and SQLite replays them onto
whatever file it finds at that name (a damaged file, or a restore silently undone). So a
restore goes through SQLite itself:

1. the backup is checked first (a trainer database this version can open, and
   ``PRAGMA integrity_check`` ok);
2. nothing else may have the database open (no SQLite connection holds its WAL index);
3. the current file is kept as ``before-restore-YYYYMMDD-HHMMSS.sqlite3`` in the backups
   folder (a consistent copy through the backup API, its WAL included; a damaged file
   that cannot be copied so is kept byte for byte, with its ``-wal`` beside it);
4. the backup is written into the database through the online backup API, one
   transaction that SQLite journals like any other, then the WAL is checkpointed and
   truncated: what is opened next is exactly the backup. A destination too damaged for
   SQLite to open is replaced whole instead (stale ``-wal``/``-shm`` removed first).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trainer.store.backups import BEFORE_RESTORE, NAME, STAMP, free_name
from trainer.store.database import StoreError, UnreadableFile, backup, check_trainer_file
from trainer.store.stamps import parse_stamp

# The WAL index's "dead man switch" lock (SQLite's wal.c: WALINDEX_LOCK_OFFSET 120 + slot
# 8): every connection to a WAL database holds it shared for as long as it is open.
_DMS_OFFSET = 128


@dataclass(frozen=True)
class BackupInfo:
    """One backup as ``trainer restore`` lists it."""

    path: Path
    taken: datetime  # UTC: from the name, else the file's modification time
    reviews: int | None  # None when the file cannot be read (``problem`` says why)
    last_review: datetime | None
    problem: str | None = None


@dataclass(frozen=True)
class RestoreResult:
    kept: list[Path]  # the copy of the file that was replaced (and its -wal, if raw)
    reviews: int  # reviews in the database now (= in the backup)


def list_backups(db_path: Path, folder: Path) -> list[BackupInfo]:
    """Every backup trainer made for this database, newest first: the ``trainer-``,
    ``auto-`` and ``before-restore-`` copies in ``folder`` and the copies taken before
    a migration beside the database (``trainer.sqlite3.before-NNNN.bak``)."""
    found: list[tuple[Path, datetime]] = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = NAME.match(path.name)
            if match and path.is_file():
                try:
                    taken = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC)
                except ValueError:
                    continue
                found.append((path, taken))
    if db_path.parent.is_dir():
        for path in db_path.parent.glob(f"{db_path.name}.before-*.bak"):
            found.append((path, datetime.fromtimestamp(path.stat().st_mtime, UTC)))
    found.sort(key=lambda item: (item[1], item[0].name), reverse=True)
    return [_describe(path, taken) for path, taken in found]


def _describe(path: Path, taken: datetime) -> BackupInfo:
    try:
        reviews, last = _count_reviews(path)
    except (sqlite3.Error, StoreError) as exc:
        return BackupInfo(path, taken, None, None, problem=_first_line(exc))
    return BackupInfo(path, taken, reviews, last)


def _count_reviews(path: Path) -> tuple[int, datetime | None]:
    check_trainer_file(path)
    with closing(_read_only(path)) as connection:
        count, last = connection.execute(
            "SELECT count(*), max(reviewed_at) FROM reviews").fetchone()
    return count, parse_stamp(last)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def check_backup(path: Path) -> int:
    """Refuse (``StoreError``) anything that is not a sound trainer database this version
    can open; returns its number of reviews. Reads only."""
    path = path.expanduser().absolute()
    if not path.is_file():
        raise StoreError(f"{path}: no such backup file; 'trainer restore' lists them")
    revision = check_trainer_file(path)
    if revision is None:
        raise StoreError(f"{path}: is empty or holds no trainer data; nothing was changed")
    try:
        with closing(_read_only(path)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchall()
            count = connection.execute("SELECT count(*) FROM reviews").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot be read ({exc}); choose another backup; "
                         "nothing was changed") from exc
    if result != [("ok",)]:
        raise StoreError(f"{path}: is damaged ({result[0][0]}); choose another backup; "
                         "nothing was changed")
    return count


def check_target(db_path: Path) -> None:
    """Refuse to restore over anything but a trainer database, a damaged one included
    (that is what a restore is for): a file that is not SQLite at all, another program's
    database, a newer trainer's. ``StoreError``, the same words as opening it."""
    if not db_path.exists():
        return
    try:
        check_trainer_file(db_path)
    except UnreadableFile:
        pass


def in_use(db_path: Path) -> bool:
    """Whether any SQLite connection (another trainer, the sqlite3 shell) has the WAL
    database open, by trying its WAL-index lock. Call it only while this process has
    no connection of its own to the file: POSIX locks are per process, and closing the
    probe's descriptor would drop this process's SQLite locks on that file too."""
    shm = db_path.with_name(db_path.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False  # no connection in WAL mode: each one creates the -shm file
    except OSError as exc:
        raise StoreError(f"{shm}: cannot be checked ({exc.strerror}); nothing was changed"
                         ) from exc
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _DMS_OFFSET)
    except OSError:
        return True
    finally:
        os.close(fd)  # releases the probe's lock (the only lock this process holds there)
    return False


def restore(db_path: Path, source: Path, *, folder: Path, now: datetime) -> RestoreResult:
    """Make the database at ``db_path`` exactly the backup ``source``; the replaced file
    is kept in ``folder`` first. ``StoreError`` (one line, nothing changed) when the
    backup is unusable, the database is open elsewhere, or the disk refuses."""
    db_path, source = db_path.expanduser().absolute(), source.expanduser().absolute()
    if source == db_path:
        raise StoreError(f"{source}: is the database itself; name a backup to restore")
    expected = check_backup(source)
    check_target(db_path)
    if in_use(db_path):
        raise StoreError(f"{db_path}: is open in another trainer (or another SQLite "
                         "program); quit it, then run 'trainer restore' again; nothing "
                         "was changed")
    kept: list[Path] = []
    if db_path.exists() and db_path.stat().st_size > 0:
        kept = _keep_current(db_path, folder, now)
    try:
        if not db_path.exists() or db_path.stat().st_size == 0:
            backup(source, db_path)
        elif not _write_into(source, db_path):
            _replace_whole(source, db_path)
        reviews = _verify(db_path)
    except (OSError, sqlite3.Error) as exc:
        kept_text = f" (the previous file is kept as {kept[0]})" if kept else ""
        raise StoreError(f"{db_path}: restore from {source} failed ({_first_line(exc)})"
                         f"{kept_text}; check the disk and run 'trainer restore' again"
                         ) from exc
    if reviews != expected:  # pragma: no cover - SQLite copied the pages it was given
        raise StoreError(f"{db_path}: holds {reviews} reviews after the restore, the backup "
                         f"{expected}; the previous file is kept as {kept[0]}")
    return RestoreResult(kept, reviews)


def _keep_current(db_path: Path, folder: Path, now: datetime) -> list[Path]:
    """The copy of the file about to be replaced: consistent if SQLite can read it, else
    its bytes (and its ``-wal``, under the matching name so they open together)."""
    from trainer.store.backups import write_backup

    try:
        return [write_backup(db_path, None, folder=folder, now=now, kind=BEFORE_RESTORE)]
    except StoreError:
        pass  # damaged: keep it as it is
    target = free_name(folder, BEFORE_RESTORE, now)
    kept = []
    try:
        for suffix in ("", "-wal"):
            original = db_path.with_name(db_path.name + suffix)
            if original.exists():
                copy = target.with_name(target.name + suffix)
                _private_copy(original, copy)
                kept.append(copy)
    except OSError as exc:
        for copy in kept:
            copy.unlink(missing_ok=True)
        raise StoreError(f"{target}: cannot keep a copy of the current database "
                         f"({exc.strerror}); nothing was changed") from exc
    return kept


def _private_copy(original: Path, copy: Path) -> None:
    folder = copy.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    partial = copy.with_name(f".{copy.name}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        shutil.copyfile(original, partial)
        os.replace(partial, copy)
    finally:
        partial.unlink(missing_ok=True)


def _write_into(source: Path, db_path: Path) -> bool:
    """The backup API into the live file: SQLite journals it as one transaction (a crash
    leaves the old or the new database, never a mix). False when the destination is too
    damaged for SQLite to open at all."""
    try:
        destination = sqlite3.connect(f"{db_path.as_uri()}?mode=rw", uri=True)
    except sqlite3.DatabaseError:
        return False
    with closing(destination), closing(_read_only(source)) as origin:
        destination.execute("PRAGMA busy_timeout = 10000")
        try:
            destination.execute("PRAGMA journal_mode").fetchone()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise  # the disk or a lock, not the file: report it
            return False  # "file is not a database": replace it whole
        origin.backup(destination)
        destination.execute("PRAGMA journal_mode = WAL").fetchone()
        busy, _, _ = destination.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise sqlite3.OperationalError("the database was busy; the restore is written "
                                           "but not yet folded into the file")
    return True


def _replace_whole(source: Path, db_path: Path) -> None:
    """For a file SQLite cannot open: the copy is made beside it, the stale ``-wal`` and
    ``-shm`` go first (replayed onto the new file they would damage it), then the rename."""
    partial = db_path.with_name(f".{db_path.name}.restoring")
    backup(source, partial)
    try:
        for suffix in ("-wal", "-shm"):
            db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
        os.replace(partial, db_path)
    finally:
        partial.unlink(missing_ok=True)


def _verify(db_path: Path) -> int:
    with closing(sqlite3.connect(f"{db_path.as_uri()}?mode=rw", uri=True)) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise sqlite3.DatabaseError(f"the restored file failed its check: {result[0][0]}")
        return connection.execute("SELECT count(*) FROM reviews").fetchone()[0]


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
