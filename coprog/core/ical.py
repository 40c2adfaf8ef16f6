"""iCalendar (RFC 5545) building blocks shared by the calendars of the site (a notice's dates,
a procedure's table sessions): one calendar, events in UTC with a stable UID."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar, Event

from .time import as_utc, utcnow


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//coprog//Co-programmazione//IT")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Rome")
    return calendar


def event(uid: str, summary: str, starts: datetime | date, ends: datetime | date, *, url: str,
          description: str = "", location: str = "", stamp: datetime | None = None) -> Event:
    """An event; datetimes go out in UTC (stored naive UTC or aware), dates as all-day."""
    item = Event()
    item.add("uid", uid)
    item.add("dtstamp", stamp or utcnow())
    item.add("summary", summary)
    item.add("dtstart", _utc(starts))
    item.add("dtend", _utc(ends))
    if description:
        item.add("description", description)
    if location:
        item.add("location", location)
    item.add("url", url)
    return item


def _utc(value: datetime | date) -> datetime | date:
    return as_utc(value) if isinstance(value, datetime) else value
