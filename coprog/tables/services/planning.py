"""Planning the tables: categories, groups per axis, sessions (merged or not), facilitators,
and the communication of the calendar. Use-cases flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...applications.models import Application, ApplicationState
from ...auth.models import User
from ...auth.services import normalize_email
from ...core import audit
from ...core.models import AuditEntry
from ...core.roles import Role
from ...core.time import naive_utc, to_rome, utcnow
from ...extensions import db
from ...notices.models import Notice, Procedure
from ...notify.services import absolute_url, queue_email
from ...subprocedures.models import Invitation, InvitationState, SubProcedure
from ...territory.models import Axis, District, SubArea
from ..models import (
    DEFAULT_CATEGORIES,
    Registration,
    Shift,
    TableCategory,
    TableGroup,
    TableSession,
)


class PlanningError(ValueError):
    """A refusal with a message for the user; `field` names the form field it belongs to.
    `problems` ({field: message}) holds every problem found, so that a form shows them all."""

    def __init__(self, message: str, field: str | None = None, problems: dict[str, str] | None = None):
        super().__init__(message)
        self.field = field
        self.problems = problems or ({field: message} if field else {})


# Categories ------------------------------------------------------------------------------------


def categories_of(procedure: Procedure) -> list[TableCategory]:
    """The procedure's categories, created from the defaults the first time they are needed."""
    query = select(TableCategory).where(TableCategory.procedure_id == procedure.id).order_by(
        TableCategory.position, TableCategory.id
    )
    found = list(db.session.scalars(query))
    if found:
        return found
    for position, (code, label) in enumerate(DEFAULT_CATEGORIES):
        db.session.add(TableCategory(procedure_id=procedure.id, code=code, label=str(label), position=position))
    db.session.flush()
    return list(db.session.scalars(query))


def category_by_code(procedure: Procedure, code: str) -> TableCategory:
    return next(c for c in categories_of(procedure) if c.code == code)


def save_category(procedure: Procedure, category: TableCategory | None, label: str, *, by) -> TableCategory:
    label = " ".join(label.split())
    if not label:
        raise PlanningError(_("Indicare il nome della categoria."), "label")
    if any(c.label.casefold() == label.casefold() and c is not category for c in categories_of(procedure)):
        raise PlanningError(_("Esiste già una categoria con questo nome."), "label")
    if category is None:
        position = len(categories_of(procedure))
        category = TableCategory(procedure_id=procedure.id, code=f"cat{position + 1}", label=label, position=position)
        db.session.add(category)
        db.session.flush()
        audit.record(category, "created", by=by, details={"label": label})
    else:
        audit.record(category, "renamed", by=by, details={"from": category.label, "to": label})
        category.label = label
    db.session.flush()
    return category


# Groups ----------------------------------------------------------------------------------------


def groups_of(procedure: Procedure, axis_id: int | None = None) -> list[TableGroup]:
    query = (
        select(TableGroup)
        .where(TableGroup.procedure_id == procedure.id)
        .options(selectinload(TableGroup.axis), selectinload(TableGroup.districts), selectinload(TableGroup.sub_areas))
        .order_by(TableGroup.axis_id, TableGroup.position, TableGroup.id)
    )
    if axis_id is not None:
        query = query.where(TableGroup.axis_id == axis_id)
    return list(db.session.scalars(query))


def save_group(procedure: Procedure, group: TableGroup | None, data: dict, *, by) -> TableGroup:
    """Create or change a group: name, axis, districts and/or sub-areas (at least one place)."""
    authority = procedure.authority
    axis = _authority_item(Axis, data.get("axis_id"), authority.id, "axis_id", _("Scegliere l'asse."))
    districts = _authority_items(District, data.get("district_ids") or [], authority.id)
    sub_areas = [s for s in _load(SubArea, data.get("sub_area_ids") or []) if s.district.authority_id == authority.id]
    name = " ".join((data.get("name") or "").split())
    if not name:
        raise PlanningError(_("Indicare il nome del tavolo."), "name")
    if not districts and not sub_areas:
        raise PlanningError(_("Indicare almeno un distretto o una sua parte."), "district_ids")
    if group is not None and group.axis_id != axis.id and group.sessions:
        raise PlanningError(_("Il tavolo ha già incontri su un altro asse: toglierlo prima dagli incontri."), "axis_id")
    clash = db.session.scalar(
        select(TableGroup.id).where(
            TableGroup.procedure_id == procedure.id, TableGroup.axis_id == axis.id,
            func.lower(TableGroup.name) == name.lower(), TableGroup.id != (group.id if group else -1),
        )
    )
    if clash:
        raise PlanningError(_("Esiste già un tavolo con questo nome su questo asse."), "name")
    created = group is None
    if created:
        position = len(groups_of(procedure, axis.id))
        group = TableGroup(procedure_id=procedure.id, position=position)
        db.session.add(group)
    group.name, group.axis = name, axis
    group.districts, group.sub_areas = districts, sub_areas
    db.session.flush()
    audit.record(group, "created" if created else "changed", by=by, details=_group_details(group))
    return group


def _group_details(group: TableGroup) -> dict:
    return {
        "name": group.name,
        "axis": group.axis.code,
        "districts": [d.code for d in group.districts],
        "sub_areas": [s.code for s in group.sub_areas],
    }


def group_delete_problem(group: TableGroup) -> str | None:
    """Why the group cannot be deleted, or None."""
    if db.session.scalar(select(func.count()).select_from(Registration).where(Registration.group_id == group.id)):
        return _("Il tavolo ha già degli iscritti: non si può eliminare.")
    if group.sessions:  # its sessions would be left without it, or with no group at all
        return _("Il tavolo fa parte di uno o più incontri: toglierlo prima dagli incontri.")
    return None


def delete_group(group: TableGroup, *, by) -> None:
    problem = group_delete_problem(group)
    if problem:
        raise PlanningError(problem)
    audit.record(group, "deleted", by=by, details=_group_details(group))
    db.session.delete(group)
    db.session.flush()


def _load(model, ids) -> list:
    ids = [int(i) for i in ids]
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def _authority_items(model, ids, authority_id: int) -> list:
    return [item for item in _load(model, ids) if item.authority_id == authority_id]


def _authority_item_or_none(model, ident, authority_id: int):
    try:
        item = db.session.get(model, int(ident)) if ident else None
    except (TypeError, ValueError):
        return None
    return item if item is not None and item.authority_id == authority_id else None


def _authority_item(model, ident, authority_id: int, field: str, message: str):
    item = _authority_item_or_none(model, ident, authority_id)
    if item is None:
        raise PlanningError(message, field)
    return item


# Sessions --------------------------------------------------------------------------------------


def sessions_of(procedure: Procedure, *, axis_id: int | None = None) -> list[TableSession]:
    query = (
        select(TableSession)
        .where(TableSession.procedure_id == procedure.id)
        .options(
            selectinload(TableSession.axis),
            selectinload(TableSession.groups).selectinload(TableGroup.districts),
            selectinload(TableSession.groups).selectinload(TableGroup.sub_areas),
            selectinload(TableSession.facilitators),
            selectinload(TableSession.minutes),
        )
        .order_by(TableSession.starts_at, TableSession.id)
    )
    if axis_id is not None:
        query = query.where(TableSession.axis_id == axis_id)
    return list(db.session.scalars(query))


def sessions_facilitated_by(user) -> list[TableSession]:
    from ..models import table_session_facilitators as link

    query = (
        select(TableSession)
        .join(link, link.c.table_session_id == TableSession.id)
        .where(link.c.user_id == user.id)
        .options(selectinload(TableSession.groups), selectinload(TableSession.axis), selectinload(TableSession.procedure))
        .order_by(TableSession.starts_at)
    )
    return list(db.session.scalars(query))


def facilitator_choices() -> list[User]:
    """Who can be named facilitator: active facilitators and staff."""
    query = select(User).where(User.role.in_([Role.FACILITATOR, Role.STAFF]), User.active.is_(True)).order_by(User.full_name)
    return list(db.session.scalars(query))


def save_session(procedure: Procedure, session: TableSession | None, data: dict, *, by) -> TableSession:
    """Create or change a session. `data`: axis_id, group_ids, starts_at and ends_at (aware or
    naive UTC), shift, place, online_url, capacity, facilitator_ids, title, notes.
    Refused (PlanningError with every problem) when `session_problems` finds any."""
    problems = session_problems(procedure, session, data)
    if problems:
        field, message = next(iter(problems.items()))
        raise PlanningError(message, field, problems)
    axis = db.session.get(Axis, int(data["axis_id"]))
    groups = _session_groups(procedure, data)
    facilitators = [u for u in _load(User, data.get("facilitator_ids") or []) if u.role in (Role.FACILITATOR, Role.STAFF)]
    created = session is None
    before = None if created else _communicated(session)
    if created:
        session = TableSession(procedure_id=procedure.id)
        db.session.add(session)
    session.axis = axis
    session.groups, session.facilitators = groups, facilitators
    session.starts_at, session.ends_at = naive_utc(data["starts_at"]), naive_utc(data["ends_at"])
    session.shift = Shift(data.get("shift") or default_shift(session.starts_at))
    session.title = (data.get("title") or "").strip()
    session.place, session.online_url = (data.get("place") or "").strip(), (data.get("online_url") or "").strip()
    session.capacity, session.notes = data.get("capacity"), (data.get("notes") or "").strip()
    if before is not None and before != _communicated(session):
        session.calendar_sent_at = None  # what people were told is out of date: tell them again
    db.session.flush()
    audit.record(session, "created" if created else "changed", by=by, details=session_details(session))
    return session


def session_problems(procedure: Procedure, session: TableSession | None, data: dict) -> dict[str, str]:
    """Every rule a session breaks, as {field: message} (in the order of the form); empty when
    it may be saved. The form shows them all at once; save_session refuses on any."""
    problems: dict[str, str] = {}
    axis = _authority_item_or_none(Axis, data.get("axis_id"), procedure.authority_id)
    if axis is None:
        problems["axis_id"] = _("Scegliere l'asse.")
    elif session is not None and session.axis_id != axis.id and _registration_count(session):
        problems["axis_id"] = _("L'incontro ha già degli iscritti: non si può cambiare l'asse.")
    groups = _session_groups(procedure, data)
    if not groups:
        problems["group_ids"] = _("Scegliere almeno un tavolo (distretto) per l'incontro.")
    elif axis is not None and any(g.axis_id != axis.id for g in groups):
        problems["group_ids"] = _("I tavoli scelti devono essere dello stesso asse dell'incontro.")
    elif session is not None and _removed_groups_with_people(session, groups):
        problems["group_ids"] = _("Un tavolo tolto dall'incontro ha già degli iscritti.")
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None or ends_at is None:
        problems["starts_at"] = _("Indicare data, ora di inizio e ora di fine.")
    elif naive_utc(ends_at) <= naive_utc(starts_at):
        problems["ends_at"] = _("L'incontro deve finire dopo l'inizio.")
    place, online_url = (data.get("place") or "").strip(), (data.get("online_url") or "").strip()
    if not place and not online_url:
        problems["place"] = _("Indicare il luogo o il collegamento online.")
    if online_url and not is_web_address(online_url):
        problems["online_url"] = _("Il collegamento deve essere un indirizzo web che inizia con https:// o http://.")
    capacity = data.get("capacity")
    if capacity is not None and capacity < 1:
        problems["capacity"] = _("La capienza deve essere di almeno una persona.")
    return problems


def is_web_address(value: str) -> bool:
    """An http(s) URL with a host and no spaces (the online link people will click)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)


def _session_groups(procedure: Procedure, data: dict) -> list[TableGroup]:
    return [g for g in _load(TableGroup, data.get("group_ids") or []) if g.procedure_id == procedure.id]


def _communicated(session: TableSession) -> tuple:
    """What the calendar e-mail tells about a session."""
    return (session.axis_id, session.starts_at, session.ends_at, session.shift, session.place,
            session.online_url, tuple(g.id for g in session.groups))


def default_shift(starts_at: datetime) -> Shift:
    hour = to_rome(starts_at).hour
    return Shift.MORNING if hour < 13 else Shift.AFTERNOON if hour < 18 else Shift.EVENING


def session_details(session: TableSession) -> dict:
    return {
        "axis": session.axis.code,
        "groups": [g.name for g in session.groups],
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "place": session.place,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "facilitators": [f.id for f in session.facilitators],
    }


def _registration_count(session: TableSession) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(Registration.session_id == session.id))


def _removed_groups_with_people(session: TableSession, groups: list[TableGroup]) -> bool:
    removed = {g.id for g in session.groups} - {g.id for g in groups}
    if not removed:
        return False
    query = select(func.count()).select_from(Registration).where(
        Registration.session_id == session.id, Registration.group_id.in_(removed)
    )
    return bool(db.session.scalar(query))


def session_delete_problem(session: TableSession) -> str | None:
    """Why the session cannot be deleted, or None: its registrations and minutes are evidence."""
    if _registration_count(session):
        return _("L'incontro ha già degli iscritti: non si può eliminare. Per spostarlo, modificane data e luogo.")
    if session.minutes is not None:
        return _("L'incontro ha già un verbale: non si può eliminare.")
    return None


def delete_session(session: TableSession, *, by) -> None:
    problem = session_delete_problem(session)
    if problem:
        raise PlanningError(problem)
    audit.record(session, "deleted", by=by, details=session_details(session))
    db.session.delete(session)
    db.session.flush()


def mark_calendar_sent(sessions: list[TableSession], now: datetime | None = None) -> None:
    moment = naive_utc(now or utcnow())
    for session in sessions:
        session.calendar_sent_at = moment


# The calendar: its public view and its communication by e-mail ---------------------------------

CALENDAR_SENT = "table_calendar_sent"  # audit action, on the procedure's notice


@dataclass(frozen=True)
class CalendarDay:
    day: date  # in Rome
    sessions: list[TableSession]


@dataclass(frozen=True)
class AxisCalendar:
    axis: Axis
    days: list[CalendarDay]


def calendar_by_axis(sessions: list[TableSession]) -> list[AxisCalendar]:
    """Sessions grouped by axis (in the authority's order), then by day in Rome (in date order)."""
    by_axis = sorted(sessions, key=lambda s: (s.axis.position, s.axis_id, s.starts_at, s.id))
    return [
        AxisCalendar(axis=axis_sessions[0].axis, days=[
            CalendarDay(day, list(day_sessions))
            for day, day_sessions in groupby(axis_sessions, key=lambda s: to_rome(s.starts_at).date())
        ])
        for axis_sessions in (list(g) for _, g in groupby(by_axis, key=lambda s: s.axis_id))
    ]


def calendar_recipients(procedure: Procedure) -> list[str]:
    """Who is told the calendar, each address once: the admitted applicants (their e-mail and
    their contact for the tables) and the bodies that accepted an invitation of one of the
    procedure's sub-procedures (their e-mail and their contact persons)."""
    applications = db.session.execute(
        select(Application.email, Application.table_contact_email)
        .join(Notice, Notice.id == Application.notice_id)
        .where(Notice.procedure_id == procedure.id, Application.state == ApplicationState.ADMITTED)
        .order_by(Application.id)
    )
    invitations = db.session.scalars(
        select(Invitation)
        .join(SubProcedure, SubProcedure.id == Invitation.sub_procedure_id)
        .where(SubProcedure.procedure_id == procedure.id, Invitation.state == InvitationState.ACCEPTED)
        .options(selectinload(Invitation.contacts))
        .order_by(Invitation.id)
    )
    addresses = [address for row in applications for address in row]
    addresses += [address for i in invitations for address in (i.email, *(c.email for c in i.contacts))]
    return list(dict.fromkeys(a for a in map(normalize_email, addresses) if a))


def last_calendar_sent(procedure: Procedure) -> AuditEntry | None:
    """The last communication of the calendar (when, by whom, to how many), if any."""
    if procedure.notice is None:
        return None
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == "Notice", AuditEntry.object_id == procedure.notice.id,
               AuditEntry.action == CALENDAR_SENT)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return db.session.scalars(query.limit(1)).first()


def calendar_problem(procedure: Procedure, sessions: list[TableSession], recipients: list[str]) -> str | None:
    """Why the calendar cannot be communicated now, or None."""
    if procedure.notice is None or not procedure.notice.is_public:
        return _("Il calendario si comunica dopo la pubblicazione dell'avviso.")
    if not sessions:
        return _("Non ci sono incontri da comunicare: crea prima gli incontri.")
    if not recipients:
        return _("Nessun destinatario: non ci sono enti ammessi né soggetti che hanno accettato l'invito.")
    return None


def communicate_calendar(procedure: Procedure, *, by, now: datetime | None = None) -> int:
    """Queue one e-mail per recipient with every session of the procedure and the link to the
    public calendar; returns how many. Sending again (after a change) is allowed."""
    sessions, recipients = sessions_of(procedure), calendar_recipients(procedure)
    problem = calendar_problem(procedure, sessions, recipients)
    if problem:
        raise PlanningError(problem)
    notice = procedure.notice
    updated = last_calendar_sent(procedure) is not None
    subject = (_("Calendario aggiornato dei tavoli di co-programmazione – %(title)s", title=notice.title) if updated
               else _("Calendario dei tavoli di co-programmazione – %(title)s", title=notice.title))
    context = {
        "notice": notice, "sessions": sessions, "updated": updated,
        "calendar_url": absolute_url("tables.calendar", slug=procedure.slug),
        "ics_url": absolute_url("tables.calendar_ics", slug=procedure.slug),
    }
    for address in recipients:
        queue_email(address, subject, "table_calendar", **context)
    mark_calendar_sent(sessions, now)
    audit.record(notice, CALENDAR_SENT, by=by, details={"recipients": len(recipients), "sessions": len(sessions)})
    db.session.flush()
    return len(recipients)
