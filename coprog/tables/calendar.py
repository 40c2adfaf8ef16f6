"""iCalendar (RFC 5545) export of a procedure's table sessions: one event per session."""

from __future__ import annotations

from flask_babel import gettext as _

from ..core.ical import event, new_calendar
from ..core.time import utcnow
from ..notices.models import Notice
from .models import TableSession


def sessions_calendar(notice: Notice, sessions: list[TableSession], *, url: str, host: str) -> bytes:
    calendar = new_calendar(_("Tavoli – %(title)s", title=notice.title))
    stamp = utcnow()
    for session in sessions:
        calendar.add_component(event(
            f"table-session-{session.id}@{host}", session_summary(session), session.starts_at, session.ends_at,
            url=url, stamp=stamp, location=session.place or session.online_url,
            description=_session_description(session, url),
        ))
    return calendar.to_ical()


def session_summary(session: TableSession) -> str:
    return _("Tavolo %(axis)s – %(groups)s", axis=session.axis.name, groups=" + ".join(g.name for g in session.groups))


def _session_description(session: TableSession, url: str) -> str:
    lines = [session.title] if session.title else []
    if session.is_merged:
        lines.append(_("Incontro congiunto dei tavoli: %(groups)s", groups=", ".join(g.name for g in session.groups)))
    lines.append(session.shift.label)
    if session.online_url:
        lines.append(_("Collegamento online: %(url)s", url=session.online_url))
    lines.append(url)
    return "\n".join(str(line) for line in lines)
