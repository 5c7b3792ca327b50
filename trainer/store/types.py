"""Column types. Datetimes go in as timezone-aware UTC and come out the same way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.sqlite import DATETIME
from sqlalchemy.types import TypeDecorator

from trainer.store.stamps import parse_stamp, stamp


class _StampText(DATETIME):
    """SQLite's DATETIME column (the same DDL, so the models compare equal to the
    migrated schema) whose text ``store.stamps`` writes and reads, not SQLAlchemy."""

    def bind_processor(self, dialect):
        return None  # already a stamp

    def result_processor(self, dialect, coltype):
        return None  # parsed by TZDateTime

    def literal_processor(self, dialect):
        return String().literal_processor(dialect)


class TZDateTime(TypeDecorator[datetime]):
    """UTC datetimes, stored as ``store.stamps`` writes them: the ORM and the plain SQL
    of the hot path share one format, one implementation.

    Naive datetimes are refused: every timestamp in the store is UTC. SQLite only, as is
    the store today (issue #18 decides PostgreSQL's timestamps).
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return _StampText()

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        return None if value is None else stamp(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        return parse_stamp(value)
