"""The study day: it rolls over at a fixed local hour (04:00 by default), as in Anki.

A review card due any time before the next rollover counts as due today, so a card
scheduled for "tomorrow" is not shown at 23:59 and is shown first thing next morning.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from trainer.core.time import require_utc


def study_day_bounds(
    now: datetime, rollover_hour: int = 4, tz: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the study day containing ``now``, in ``tz`` (default: local).

    Built from the local calendar date, so a day across a daylight-saving change is 23
    or 25 hours long, as it is on the wall clock.
    """
    now = require_utc(now)
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    day = (local - timedelta(hours=rollover_hour)).date()
    start = _local_moment(day, rollover_hour, tz)
    end = _local_moment(day + timedelta(days=1), rollover_hour, tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _local_moment(day, hour: int, tz: tzinfo | None) -> datetime:
    naive = datetime.combine(day, time(hour))
    if tz is None:
        return naive.astimezone()  # a naive datetime is read as the system's local time
    return naive.replace(tzinfo=tz)
