"""The SQLite file: opening it safely, pragmas on every connection, migrations, backups."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported where an engine is made
    from sqlalchemy import Engine
    from sqlalchemy.exc import DatabaseError

HEAD_REVISION = "0005"  # the newest migration in trainer/store/migrations/versions
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")
_SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """The database cannot be used; the message names the file and what to do."""


class DatabaseBusy(StoreError):
    """Another instance held the write lock for longer than ``busy_timeout``."""


class UnreadableFile(StoreError):
    """SQLite cannot read the file as a database (damaged, or not one at all): what
    ``trainer restore`` may put a backup over."""


# PRAGMAs added to every connection of every database this process opens (under those
# given to ``open_database``). A test hook, empty in use: ``max_page_count`` makes SQLite
# fail the next write that needs a new page with "database or disk is full", for real.
EXTRA_PRAGMAS: dict[str, int | str] = {}


class Database:
    """The trainer database at ``path``.

    The hot path (``read``, ``write``: the queue, the answers, the deck syncs) runs on
    connections of its own from the sqlite3 module, with the same pragmas as the engine's.
    SQLAlchemy's engine is made when first used (the migrations, tools and tests): the
    app and its commands never import SQLAlchemy on an up-to-date database (its import
    is a large share of a start: docs/performance.md).

    ``pragmas``: extra PRAGMAs run on every new connection (a test hook: ``max_page_count``
    makes the next write fail as on a full disk). Mutable: change it, then ``dispose()``
    (or ``engine.dispose()``, which does the same).
    """

    IDLE = 4  # connections kept for reuse (one per thread at work is plenty)

    def __init__(self, path: Path, pragmas: dict[str, int | str] | None = None) -> None:
        self.path = path
        self.pragmas = pragmas if pragmas is not None else {}
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._idle: list[tuple[sqlite3.Connection, int]] = []
        self._generation = 0  # a connection made before the last dispose is not reused

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from sqlalchemy import event

            engine = _engine(self.path, self.pragmas)
            event.listen(engine, "engine_disposed", lambda _engine: self._discard_idle())
            self._engine = engine
        return self._engine

    def dispose(self) -> None:
        """Close every idle connection; the next ones are made with ``pragmas`` as they
        are now."""
        if self._engine is not None:
            self._engine.dispose()  # its engine_disposed listener discards ours too
        else:
            self._discard_idle()

    def close(self) -> None:
        self.dispose()

    # -- the hot path: the sqlite3 connection itself ---------------------------------
    # Answering a card runs about ten small statements: through ORM sessions, the session
    # and transaction overhead around each was many times SQLite's own work; a pooled
    # sqlite3 connection costs next to nothing (docs/performance.md, "Store").
    def read(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection in autocommit mode: each statement reads a consistent snapshot
        (WAL), no write lock is taken. SQLite failures become ``StoreError``."""
        return self._connection(reading=True)

    def checkpoint(self) -> None:
        """Copy the WAL into the file and sync it (PASSIVE: never waits for, nor blocks,
        another instance). Commits are durable against a power cut from here on."""
        with self.read() as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back whole on any
        failure; SQLite failures become ``StoreError`` (``DatabaseBusy`` when locked)."""
        with self._connection(reading=False) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    @contextmanager
    def _connection(self, *, reading: bool) -> Iterator[sqlite3.Connection]:
        with _store_errors(self.path, reading=reading):
            connection, generation = self._checkout()
            try:
                yield connection
            finally:
                self._checkin(connection, generation)

    def _checkout(self) -> tuple[sqlite3.Connection, int]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            generation = self._generation
        connection = sqlite3.connect(self.path, check_same_thread=False)
        try:
            _set_pragmas(connection, self.pragmas)
        except BaseException:
            connection.close()
            raise
        return connection, generation

    def _checkin(self, connection: sqlite3.Connection, generation: int) -> None:
        try:
            if connection.in_transaction:  # never hand on a transaction left open
                connection.rollback()
        except sqlite3.Error:  # a connection that cannot roll back is not reused
            connection.close()
            return
        with self._lock:
            if generation == self._generation and len(self._idle) < self.IDLE:
                self._idle.append((connection, generation))
                return
        connection.close()

    def _discard_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._generation += 1
        for connection, _ in idle:
            connection.close()


@contextmanager
def _store_errors(path: Path, *, reading: bool) -> Iterator[None]:
    """sqlite3 failures of the file itself as ``StoreError`` (as the engine's handle_error:
    constraint errors pass through unchanged)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
            raise write_error(path, exc, reading=reading) from exc
        raise


@dataclass
class Reader:
    """A trainer database opened for reading only, through the sqlite3 module alone: the
    same ``read()`` as ``Database``, without importing SQLAlchemy (``trainer stats``)."""

    path: Path
    connection: sqlite3.Connection

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection (autocommit, ``query_only``); SQLite failures become
        ``StoreError``."""
        with _store_errors(self.path, reading=True):
            yield self.connection

    def close(self) -> None:
        self.connection.close()


def open_reader(path: Path, *, pragmas: Mapping[str, int | str] | None = None) -> Reader:
    """The trainer database at ``path``, for reading only. A file at the newest schema is
    checked (``_inspect``) and opened with the sqlite3 module and the engine's pragmas; a
    missing or older one is first created or migrated by ``open_database`` (its backup
    included), which is where SQLAlchemy and Alembic are imported."""
    path = path.expanduser().absolute()
    _refuse_foreign_file(path)
    if not path.exists() or path.stat().st_size == 0:  # reading never creates a database
        raise StoreError(f"{path}: no database here yet (nothing studied); run 'trainer' to "
                         "start, or point --db or TRAINER_DB at your database")
    if _inspect(path) != HEAD_REVISION:
        open_database(path, pragmas=pragmas).close()
    with _store_errors(path, reading=True):
        # mode=rw: never creates a file (one removed since _inspect stays missing)
        connection = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True,
                                     check_same_thread=False)
        try:
            _set_pragmas(connection, {**EXTRA_PRAGMAS, **(pragmas or {})})
            connection.execute("PRAGMA query_only = ON")
        except BaseException:
            connection.close()
            raise
    return Reader(path, connection)


def open_database(path: Path, *, pragmas: Mapping[str, int | str] | None = None) -> Database:
    """Open (creating or migrating as needed) the trainer database at ``path``.

    A new file is created readable by its owner only (before SQLite writes a byte, so the
    ``-wal`` and ``-shm`` files SQLite derives from it are owner-only too). If creating it
    fails half-way, the half-made file is removed; an existing file is never removed.
    """
    path = path.expanduser().absolute()  # relative (--db x.sqlite3): SQLite URIs need absolute
    _refuse_foreign_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create its folder ({exc.strerror}); "
                         "point --db or TRAINER_DB at a writable place") from exc
    created = not path.exists() and _create_owner_only(path)
    if not created and path.stat().st_size == 0:
        os.chmod(path, 0o600)  # an empty file adopted as a new database: owner-only too
    revision = _inspect(path) if not created else None
    if revision is not None and revision != HEAD_REVISION:
        _check_stamp(path, revision)  # before the engine's pragmas touch the file
    db = Database(path, {**EXTRA_PRAGMAS, **(pragmas or {})})
    if revision == HEAD_REVISION:
        return db  # nothing to migrate (and SQLAlchemy not imported)
    from sqlalchemy.exc import DatabaseError, OperationalError

    try:
        _migrate(db.engine, path, revision)
    except OperationalError as exc:
        db.close()
        _remove_if_created(path, created)
        raise StoreError(f"{path}: cannot open the database ({exc.orig}); check that the "
                         "folder is writable, or point --db or TRAINER_DB elsewhere") from exc
    except DatabaseError as exc:
        db.close()
        _remove_if_created(path, created)
        raise StoreError(f"{path}: not a usable trainer database ({exc.orig}); move it "
                         "away or point --db or TRAINER_DB elsewhere") from exc
    except BaseException:
        db.close()
        _remove_if_created(path, created)
        raise
    return db


def _create_owner_only(path: Path) -> bool:
    """Create an empty owner-only file; False if another instance created it just now."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the database ({exc.strerror}); check that "
                         "the folder is writable, or point --db or TRAINER_DB elsewhere"
                         ) from exc
    return True


def _remove_if_created(path: Path, created: bool) -> None:
    """Remove a database this call created and could not finish (never a user's file)."""
    if not created:
        return
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


# -- the write path: retry while another instance holds the lock, then say what is wrong --
WRITE_ATTEMPTS = 3
T = TypeVar("T")


def guarded_write(path: Path, write: Callable[[], T]) -> T:
    """Run one write transaction; retry it when the database stays locked, else explain.

    ``busy_timeout`` already waits 10 s for another instance's lock; a transaction that
    still gets "database is locked" rolled back whole, so running it again cannot double
    anything. Any other failure (disk full, read-only file, I/O error) becomes a
    ``StoreError`` naming the file and what to do; the transaction was rolled back.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            try:
                return write()
            except Exception as exc:  # SQLAlchemy's, not translated (an engine not ours)
                orm = sys.modules.get("sqlalchemy.exc")  # not imported: none to translate
                if orm is not None and isinstance(exc, orm.DatabaseError):
                    raise write_error(path, exc) from exc
                raise
        except DatabaseBusy:
            if attempt == WRITE_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _result_code(exc: DatabaseError | sqlite3.Error) -> int | None:
    """SQLite's primary result code of a failure (``SQLITE_BUSY``, ...; an extended code
    such as ``SQLITE_READONLY_DBMOVED`` counts as its primary one). ``exc``: the sqlite3
    module's exception or SQLAlchemy's wrapper of one; None when SQLite gave no code."""
    code = getattr(getattr(exc, "orig", exc), "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _is_busy(exc: DatabaseError | sqlite3.Error) -> bool:
    return _result_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def write_error(path: Path, exc: DatabaseError | sqlite3.DatabaseError, *,
                reading: bool = False) -> StoreError:
    """One line for a failed statement: what happened, that nothing was saved (the
    transaction is rolled back) or, for a read, that it could not be read, and what to
    do. ``exc``: SQLAlchemy's wrapper or the sqlite3 module's own exception."""
    cause = str(getattr(exc, "orig", exc))
    code = _result_code(exc)
    kind = StoreError
    if code == sqlite3.SQLITE_FULL:
        advice = "the disk is full; free some space and try again"
    elif code == sqlite3.SQLITE_READONLY:
        advice = ("the file or its folder is read-only; make it writable, or point --db or "
                  "TRAINER_DB elsewhere")
    elif _is_busy(exc):
        kind = DatabaseBusy
        advice = "another trainer kept the database busy; close the other window and try again"
    elif code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        advice = (f"the file is damaged ({cause}); put a backup back with 'trainer restore' "
                  "(it lists them), or point --db or TRAINER_DB elsewhere")
    else:
        advice = f"{cause}; check the disk and try again"
    what = "could not be read" if reading else "not saved"
    return kind(f"{path}: {what}, nothing was changed: {advice}")


def _refuse_foreign_file(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file; "
                         "point --db or TRAINER_DB at a file")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path}: is not a regular file (a device, a pipe or a socket); "
                         "point --db or TRAINER_DB at a file")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise StoreError(f"{path}: is not an SQLite database (the file was left as it "
                             "is); move it away or point --db or TRAINER_DB elsewhere")


def check_trainer_file(path: Path, *, newer_ok: bool = False) -> str | None:
    """Refuse anything but a trainer database (``StoreError``, the same words as opening
    it), reading without changing a byte; returns its schema revision. ``newer_ok``
    accepts a newer trainer's database (``trainer backup`` may copy it)."""
    path = path.expanduser().absolute()
    _refuse_foreign_file(path)
    return _inspect(path, newer_ok=newer_ok) if path.exists() else None


def _set_pragmas(dbapi_connection: sqlite3.Connection,
                 pragmas: Mapping[str, int | str] | None = None) -> None:
    """What every connection runs first (the engine's and ``open_reader``'s)."""
    # Let SQLAlchemy (or the caller), not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA foreign_keys = ON")
    _set_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    # No checkpoint inside a commit: SQLite's automatic one (every 1,000 WAL pages) made
    # an occasional answer wait for its fsyncs (docs/performance.md). The app checkpoints
    # between cards instead (``Database.checkpoint``), and SQLite does when the last
    # connection closes.
    cursor.execute("PRAGMA wal_autocheckpoint = 0")
    for name, value in (pragmas or {}).items():
        cursor.execute(f"PRAGMA {name} = {int(value) if isinstance(value, bool) else value}")
    cursor.close()


WAL_TRIES = 500  # x 20 ms: the same 10 s as busy_timeout


def _set_wal(cursor: sqlite3.Cursor) -> None:
    """``journal_mode = WAL``, waiting for another instance as ``busy_timeout`` would.

    Turning a new file to WAL takes its exclusive lock. When two instances create the same
    database at once, both hold its shared lock and want that one: SQLite answers one of
    them "database is locked" at once, without its busy handler, which cannot resolve such
    a deadlock (the two-process test failed so in one of four suite runs). The statement
    failed and let go of its lock, so trying again shortly succeeds."""
    for attempt in range(WAL_TRIES):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == WAL_TRIES - 1:
                raise
            time.sleep(0.02)


def _engine(path: Path, pragmas: Mapping[str, int | str] | None = None) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import DatabaseError, OperationalError

    # Thread workers use the pool; a connection is only ever used by one thread at a time.
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        _set_pragmas(dbapi_connection, pragmas)

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> StoreError | None:
        # Whatever module ran the statement, a failure of the file itself (disk full,
        # read-only, locked past busy_timeout, I/O error, damaged file) surfaces as one
        # StoreError line naming the file; constraint errors pass through unchanged.
        error = context.sqlalchemy_exception
        if isinstance(error, OperationalError) or type(error) is DatabaseError:
            statement = (context.statement or "").lstrip().upper()
            return write_error(path, error, reading=statement.startswith(("SELECT", "WITH")))
        return None

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # IMMEDIATE takes the write lock up front, so two instances queue politely
        # (busy_timeout) instead of failing with "database is locked" mid-transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _inspect(path: Path, newer_ok: bool = False) -> str | None:
    """The schema revision of an existing file, read without changing a byte of it.

    Anything that is not a trainer database we can upgrade is refused here, before the
    engine's pragmas (WAL) would touch the file.
    """
    if path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        legacy = handle.read(20)[18:20] != b"\x02\x02"  # not (yet) a WAL file
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            if legacy:  # a file copied in: checked before turning it to WAL rewrites its header
                result = connection.execute("PRAGMA quick_check").fetchone()
                if result != ("ok",):
                    raise StoreError(
                        f"{path}: is damaged ({result[0]}); the file was left as it is; put a "
                        "backup back with 'trainer restore' (it lists them), or point --db "
                        "or TRAINER_DB elsewhere")
            revision = None
            if "alembic_version" in tables:
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = revision[0] if revision else None
    except sqlite3.DatabaseError as exc:
        raise _open_error(path, exc) from exc
    if revision is not None and revision not in KNOWN_REVISIONS and not newer_ok:
        raise StoreError(f"{path}: was written by a newer trainer (schema {revision}); "
                         "upgrade trainer, or point --db or TRAINER_DB elsewhere")
    if revision is None and tables - {"sqlite_sequence"}:
        raise StoreError(f"{path}: is an SQLite database but not a trainer one; "
                         "point --db or TRAINER_DB elsewhere")
    return revision


def _schema_of(connection: sqlite3.Connection) -> dict[str, list[str]]:
    """Each table's column names (Alembic's own table and SQLite's left out)."""
    tables = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type='table' "
        "AND name NOT IN ('alembic_version', 'sqlite_sequence')")]
    return {table: sorted(row[1] for row in connection.execute(
        f"PRAGMA table_info(\"{table}\")")) for table in sorted(tables)}


def _check_stamp(path: Path, revision: str) -> None:
    """Refuse a file whose tables are not those of the revision it is stamped with (a
    hand-edited ``alembic_version``, a half-copied file): migrating it would fail half-way
    or, worse, succeed on the wrong tables. The expected tables come from the migrations
    themselves, run on an empty in-memory database. Reads the file only."""
    from sqlalchemy import create_engine

    memory = create_engine("sqlite://")
    try:
        run_migrations(memory, revision)
        with memory.connect() as connection:
            expected = _schema_of(connection.connection.dbapi_connection)
    finally:
        memory.dispose()
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
        found = _schema_of(connection)
    if found != expected:
        differ = sorted(t for t in expected.keys() | found.keys()
                        if expected.get(t) != found.get(t))
        raise StoreError(f"{path}: its tables ({', '.join(differ)}) do not match the schema "
                         f"revision {revision} it is stamped with; nothing was changed; put "
                         "a backup back with 'trainer restore', or point --db or TRAINER_DB "
                         "elsewhere")


def _disk_full(folder: Path) -> bool:
    try:
        return os.statvfs(folder).f_bavail == 0
    except OSError:
        return False


def _open_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """Why an existing file could not be opened, told apart by SQLite's error code: a full
    disk or an I/O failure is no reason to move a healthy database away."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or (name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN"))
                                 and _disk_full(path.parent)):
        return StoreError(f"{path}: cannot be opened: the disk is full; free some space and "
                          "try again (the file was left as it is)")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY")):
        return StoreError(f"{path}: cannot be opened ({exc}); check the disk and that the "
                          "file and its folder are readable and writable (the file was left "
                          "as it is)")
    if name.startswith("SQLITE_CORRUPT"):
        return UnreadableFile(f"{path}: cannot be read as a database: it is damaged ({exc}); "
                              "the file was left as it is; put a backup back with 'trainer "
                              "restore' (it lists them), or point --db or TRAINER_DB elsewhere")
    return UnreadableFile(f"{path}: cannot be read as a database ({exc}); the file was left "
                          "as it is; move it away or point --db or TRAINER_DB elsewhere")


def _migrate(engine: Engine, path: Path, revision: str | None) -> None:
    if revision == HEAD_REVISION:
        return
    if revision is not None:
        backup(path, path.with_name(f"{path.name}.before-{HEAD_REVISION}.bak"))
    run_migrations(engine)


def run_migrations(engine: Engine, target: str = "head") -> None:
    """Upgrade with Alembic (imported here: only a database that needs it pays for it).

    Foreign keys are switched off while migrating, as SQLite's documentation prescribes
    for schema changes: batch mode rebuilds a table by copy, drop and rename, and dropping
    ``cards`` with foreign keys on would cascade-delete every review. Integrity is checked
    before the transaction commits.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "trainer.store:migrations")
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")  # no-op inside a transaction: do it first
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, target)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(f"migration left {len(broken)} dangling rows; "
                                     "nothing was changed")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def backup(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's online backup API, readable by the owner only.

    The copy is written to a temporary file (created 0600 before a byte is written) and
    renamed over ``target`` when complete, so ``target`` is never a half-written file.
    The copy is a single file (rollback journal, not WAL): it can be moved or mailed as is.
    """
    source, target = source.absolute(), target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with closing(sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True)) as src, \
                closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target
