"""The statistics screen's objects: activity per day, true retention, the forecast, mastery
per topic, the weakest cards, time studied, and predicted-vs-observed recall."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, computed_field

from trainer.core.model import Model

RETENTION_WINDOWS = (7, 30, 90)
HEATMAP_WEEKS = 16
FORECAST_DAYS = 30
WEAK_BELOW = 0.995  # shown as 100 %: not listed among the weakest
WEAKEST = 10


class DayActivity(Model):
    day: date
    reviews: int
    seconds: float
    future: bool = False


class RetentionWindow(Model):
    """True retention: scheduled reviews of cards in the Review state, passed = not Again.
    Young: the card was due at an interval under 21 days; mature: 21 days or more."""

    days: int
    young_reviews: int
    young_passed: int
    mature_reviews: int
    mature_passed: int

    @computed_field
    @property
    def young(self) -> float | None:
        return self.young_passed / self.young_reviews if self.young_reviews else None

    @computed_field
    @property
    def mature(self) -> float | None:
        return self.mature_passed / self.mature_reviews if self.mature_reviews else None

    @computed_field
    @property
    def overall(self) -> float | None:
        reviews = self.young_reviews + self.mature_reviews
        return (self.young_passed + self.mature_passed) / reviews if reviews else None


class ForecastDay(Model):
    day: date
    due: int


class TopicMastery(Model):
    """Mean predicted recall now: over every card of the topic (a card never studied counts
    0), and over the studied ones only."""

    topic: str
    title: str
    cards: int
    studied: int
    mastery: float
    recall: float | None


class WeakCard(Model):
    key: str
    topic: str
    topic_title: str
    title: str
    recall: float
    stability: float


class StudyTime(Model):
    today_seconds: float
    week_seconds: float
    month_seconds: float
    heatmap_seconds: float


class CalibrationBin(Model):
    """Reviews whose predicted recall fell in ``[low, high)``: predicted against observed."""

    low: float
    high: float
    reviews: int
    predicted: float | None
    observed: float | None


class RecallCalibration(Model):
    """Predicted against observed recall over the latest scheduled reviews of cards in the
    Review state, a day or so after the previous one (``trainer.scheduling.calibration``):
    what FSRS predicted with its current parameters (continuous time) and the share
    recalled. ``stability_scale``: the stability multiplier the answers support (1.0: FSRS
    is right about you), what interview mode plans with; ``calibrated``: the mean
    predicted recall with it."""

    reviews: int
    predicted: float | None
    observed: float | None
    stability_scale: float
    calibrated: float | None
    bins: list[CalibrationBin]


class Stats(Model):
    now: datetime
    today: date
    reviews_today: int
    streak_days: int = Field(description="study days in a row with a review, up to today")
    heatmap: list[DayActivity] = Field(description=f"{HEATMAP_WEEKS} weeks, Monday first")
    retention: list[RetentionWindow]
    forecast: list[ForecastDay]
    mastery: list[TopicMastery]
    weakest: list[WeakCard]
    time: StudyTime
    calibration: RecallCalibration | None = None


def streak(days: list[DayActivity]) -> int:
    """Days in a row with reviews, ending today (or yesterday, before today's first)."""
    streak = 0
    ordered = list(reversed(days))
    if ordered and ordered[0].reviews == 0:
        ordered = ordered[1:]
    for day in ordered:
        if day.reviews == 0:
            break
        streak += 1
    return streak
