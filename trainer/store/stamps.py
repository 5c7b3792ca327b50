"""Timestamps as the store writes them: the one implementation, for the plain SQL of the
hot path and for the ORM's ``TZDateTime`` alike (no SQLAlchemy here: the statistics read
the database through the sqlite3 module alone, see ``database.open_reader``)."""

from __future__ import annotations

from datetime import UTC, datetime

from trainer.core.time import require_utc

# A stamp's text as a strftime format (years 1000 on), for code formatting many at once
# (the benchmarks): SQLAlchemy's SQLite DATETIME text, the store's format since its first
# schema; fixed width, so stamps compare in SQL as the moments do.
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def stamp(moment: datetime) -> str:
    """A UTC moment as the store writes it (so plain SQL can compare and bind it)."""
    # isoformat: STAMP_FORMAT with the year zero-padded as SQLAlchemy pads it (strftime's
    # %Y does not pad years before 1000).
    return require_utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds")


def parse_stamp(value: str | None) -> datetime | None:
    """A stored timestamp back as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
