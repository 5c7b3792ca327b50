"""Moments in time: every one the trainer handles is timezone-aware (py-fsrs refuses naive
datetimes; the store keeps UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def require_utc(moment: datetime) -> datetime:
    """Refuse naive datetimes (as py-fsrs does); return the moment in UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware datetime")
    return moment.astimezone(UTC)
