"""iCalendar (RFC 5545) export of a notice's milestones and deadline."""

from __future__ import annotations

from datetime import timedelta

from ..core.ical import event, new_calendar
from ..core.time import to_rome, utcnow
from .models import Notice
from .services import timeline


def notice_calendar(notice: Notice, *, url: str, host: str) -> bytes:
    calendar = new_calendar(notice.title)
    stamp = utcnow()
    for item in timeline(notice):
        calendar.add_component(_event(notice, item, url=url, host=host, stamp=stamp))
    return calendar.to_ical()


def _event(notice, item, *, url, host, stamp):
    if item.all_day:
        starts = to_rome(item.at).date()
        ends = starts + timedelta(days=1)
    else:
        starts, ends = item.at, item.ends_at or item.at + timedelta(minutes=30)
    return event(
        f"notice-{notice.id}-{item.key}@{host}", item.title, starts, ends, url=url, stamp=stamp,
        description=f"{item.kind_label} – {notice.title}\n{url}", location=item.place or "",
    )
