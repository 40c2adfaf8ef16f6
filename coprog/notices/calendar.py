"""iCalendar (RFC 5545) export of a notice's milestones and deadline."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from ..core.time import as_utc, to_rome, utcnow
from .models import Notice
from .services import timeline


def notice_calendar(notice: Notice, *, url: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//coprog//Avvisi di co-programmazione//IT")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", notice.title)
    calendar.add("x-wr-timezone", "Europe/Rome")
    stamp = utcnow()
    for item in timeline(notice):
        calendar.add_component(_event(notice, item, url=url, host=host, stamp=stamp))
    return calendar.to_ical()


def _event(notice, item, *, url, host, stamp) -> Event:
    event = Event()
    event.add("uid", f"notice-{notice.id}-{item.key}@{host}")
    event.add("dtstamp", stamp)
    event.add("summary", item.title)
    if item.all_day:
        day = to_rome(item.at).date()
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    else:
        event.add("dtstart", as_utc(item.at))
        event.add("dtend", as_utc(item.ends_at) if item.ends_at else as_utc(item.at) + timedelta(minutes=30))
    description = f"{item.kind_label} – {notice.title}\n{url}"
    event.add("description", description)
    if item.place:
        event.add("location", item.place)
    event.add("url", url)
    return event
