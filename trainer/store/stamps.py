"""Timestamps as the store writes them, for plain SQL (no SQLAlchemy: the statistics read
the database through the sqlite3 module alone, see ``database.open_reader``)."""

from __future__ import annotations

from datetime import UTC, datetime

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
