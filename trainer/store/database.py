"""The SQLite file: opening it safely, pragmas on every connection, migrations, backups."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

HEAD_REVISION = "0003"  # the newest migration in trainer/store/migrations/versions
KNOWN_REVISIONS = ("0001", "0002", "0003")
_SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """The database cannot be used; the message names the file and what to do."""


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path) -> Database:
    """Open (creating or migrating as needed) the trainer database at ``path``."""
    path = path.expanduser()
    _refuse_foreign_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create its folder ({exc.strerror}); "
                         "point --db or TRAINER_DB at a writable place") from exc
    created = not path.exists()
    revision = _inspect(path) if not created else None
    engine = _engine(path)
    try:
        _migrate(engine, path, revision)
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(f"{path}: cannot open the database ({exc.orig}); check that the "
                         "folder is writable, or point --db or TRAINER_DB elsewhere") from exc
    except DatabaseError as exc:
        engine.dispose()
        raise StoreError(f"{path}: not a usable trainer database ({exc.orig}); move it "
                         "away or point --db or TRAINER_DB elsewhere") from exc
    if created and path.exists():
        os.chmod(path, 0o600)
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False))


def _refuse_foreign_file(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file; "
                         "point --db or TRAINER_DB at a file")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise StoreError(f"{path}: is not an SQLite database (the file was left as it "
                             "is); move it away or point --db or TRAINER_DB elsewhere")


def _engine(path: Path) -> Engine:
    # Thread workers use the pool; a connection is only ever used by one thread at a time.
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # IMMEDIATE takes the write lock up front, so two instances queue politely
        # (busy_timeout) instead of failing with "database is locked" mid-transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _inspect(path: Path) -> str | None:
    """The schema revision of an existing file, read without changing a byte of it.

    Anything that is not a trainer database we can upgrade is refused here, before the
    engine's pragmas (WAL) would touch the file.
    """
    if path.stat().st_size == 0:
        return None
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = revision[0] if revision else None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot be read as a database ({exc}); the file was left "
                         "as it is; move it away or point --db or TRAINER_DB elsewhere") from exc
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise StoreError(f"{path}: was written by a newer trainer (schema {revision}); "
                         "upgrade trainer, or point --db or TRAINER_DB elsewhere")
    if revision is None and tables - {"sqlite_sequence"}:
        raise StoreError(f"{path}: is an SQLite database but not a trainer one; "
                         "point --db or TRAINER_DB elsewhere")
    return revision


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
    """A consistent copy through SQLite's online backup API, readable by the owner only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    os.chmod(target, 0o600)
    return target
