"""Column types. Datetimes go in as timezone-aware UTC and come out the same way."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

STAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how TZDateTime (SQLAlchemy's DateTime) stores a value


def stamp(moment: datetime) -> str:
    """A UTC moment as the store writes it (so plain SQL can compare and bind it)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware UTC datetime")
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


def parse_stamp(value: str | None) -> datetime | None:
    """A stored timestamp back as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class TZDateTime(TypeDecorator[datetime]):
    """UTC datetimes in SQLite (SQLAlchemy's documented TZDateTime recipe).

    Naive datetimes are refused: every timestamp in the store is UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
