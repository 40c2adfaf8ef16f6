"""Time: stored in UTC, shown in Europe/Rome."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def utcnow() -> datetime:
    """Aware UTC now. Columns store it as naive UTC (portable across SQLite and PostgreSQL)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime from a stored naive-UTC or aware value."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_rome(value: datetime) -> datetime:
    return as_utc(value).astimezone(ROME)


def rome_to_utc(value: datetime) -> datetime:
    """A wall-clock time in Rome (naive) to aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ROME)
    return value.astimezone(UTC)


def rome_datetime(day: date, at: time = time(0, 0)) -> datetime:
    return rome_to_utc(datetime.combine(day, at))


def naive_utc(value: datetime) -> datetime:
    """For storage: UTC without tzinfo."""
    return as_utc(value).replace(tzinfo=None)


def rome_today() -> date:
    return utcnow().astimezone(ROME).date()
