"""A missed card: graded Again (or an exercise answered wrong) in a window of time."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from trainer.core.model import Model


class MissedCard(Model):
    """A card graded Again (or an exercise answered wrong) in the window."""

    key: str
    topic: str
    topic_title: str
    title: str
    kind: str
    last_missed: datetime
    misses: int
    suspended: bool
    leech: bool
    seed: int | None = Field(description="the missed exercise instance (latest miss)")
    params: dict | None = None
    answer: str | None = Field(None, description="what was typed then")
