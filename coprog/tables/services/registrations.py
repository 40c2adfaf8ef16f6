"""Registrations (iscrizioni): per session and group, with a category; capacity with a
waitlist that moves up on cancellation; a reminder the day before. Use-cases flush only.

Capacity is checked with the session row locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite
writing requests already hold the write lock from BEGIN IMMEDIATE), so two last-place
registrations at once cannot both be confirmed. The same person twice is refused: by a unique
key per session (e-mail, else name), checked first for the message and enforced by the index;
and, when no e-mail is given, by the name against every active registration of the session.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ...applications.admission import spreadsheet_safe
from ...auth.services import normalize_email
from ...core import audit
from ...core.time import naive_utc, rome_datetime, to_rome, utcnow
from ...extensions import db
from ...notices.models import Procedure
from ...notify.services import queue_email
from ..models import Registration, RegistrationState, TableCategory, TableGroup, TableSession
from .access import own_registrations_clause

CONFIRMED, WAITLISTED, CANCELLED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED, RegistrationState.CANCELLED
ACTIVE = (CONFIRMED, WAITLISTED)


class RegistrationError(ValueError):
    """A refusal with a message for the user; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def fold(text: str) -> str:
    """Lower case, without accents, single spaces: what searches and duplicate checks compare."""
    plain = unicodedata.normalize("NFKD", " ".join(text.split())).encode("ascii", "ignore").decode()
    return plain.casefold()


def person_key(full_name: str, email: str | None) -> str:
    """Who a registration is, for the duplicate check: the e-mail, else the name (case,
    accents and spacing ignored)."""
    if email and email.strip():
        return normalize_email(email)
    return "nome:" + fold(full_name)


def lock_session(session_id: int) -> TableSession:
    query = select(TableSession).where(TableSession.id == session_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def confirmed_count(session_id: int) -> int:
    """Places taken: confirmed registrations, walk-ins excluded (they are outside capacity)."""
    query = select(func.count()).select_from(Registration).where(
        Registration.session_id == session_id,
        Registration.state == CONFIRMED,
        Registration.is_walk_in.is_(False),
    )
    return db.session.scalar(query)


# Registering -----------------------------------------------------------------------------------


def register(
    session: TableSession,
    group: TableGroup,
    category: TableCategory,
    *,
    full_name: str,
    email: str | None,
    affiliation: str = "",
    organisation_id: int | None = None,
    invitation_id: int | None = None,
    by,
    walk_in: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register one person; confirmed while there is room, else waitlisted (walk-ins are
    people already in the room: always confirmed, outside the capacity)."""
    moment = naive_utc(now or utcnow())
    session = lock_session(session.id)
    _check(session, group, category, full_name, walk_in=walk_in, moment=moment)
    full_name, affiliation = " ".join(full_name.split()), " ".join((affiliation or "").split())
    email = normalize_email(email) or None
    key = person_key(full_name, email)
    _refuse_duplicate(session.id, key, full_name, email)
    full = not walk_in and session.capacity is not None and confirmed_count(session.id) >= session.capacity
    registration = Registration(
        session_id=session.id, group_id=group.id, category_id=category.id,
        full_name=full_name, email=email, affiliation=affiliation, person_key=key,
        search_text=fold(f"{full_name} {affiliation}")[:520],
        organisation_id=organisation_id, invitation_id=invitation_id,
        state=WAITLISTED if full else CONFIRMED,
        is_walk_in=walk_in, registered_by_id=getattr(by, "id", None), created_at=moment,
    )
    db.session.add(registration)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same person
        raise RegistrationError(_("Questa persona è già iscritta a questo incontro."), "email") from exc
    audit.record(registration, "walk_in" if walk_in else "registered", by=by, to_state=registration.state,
                 details={"session": session.id, "group": group.id, "category": category.code})
    if email and not walk_in:
        _notify(registration, "table_registration")
    return registration


def _check(session, group, category, full_name, *, walk_in: bool, moment: datetime) -> None:
    if not full_name or not full_name.strip():
        raise RegistrationError(_("Indicare nome e cognome."), "full_name")
    if group.id not in {g.id for g in session.groups}:
        raise RegistrationError(_("Il tavolo scelto non partecipa a questo incontro."), "group_id")
    if category.procedure_id != session.procedure_id:
        raise RegistrationError(_("Categoria non valida per questo procedimento."), "category_id")
    if not walk_in and moment >= session.starts_at:
        raise RegistrationError(_("L'incontro è già iniziato: le iscrizioni sono chiuse."))


def _refuse_duplicate(session_id: int, key: str, full_name: str, email: str | None) -> None:
    """The same e-mail twice; or, without an e-mail, a name already registered (whatever the
    e-mail of that registration): the name is then all that tells who the person is."""
    if _active_with_key(session_id, key) is not None:
        raise RegistrationError(_("Questa persona è già iscritta a questo incontro."), "email" if email else "full_name")
    if email is None and _active_with_name(session_id, full_name):
        raise RegistrationError(
            _("Una persona con questo nome è già iscritta a questo incontro. Se è un'altra persona, "
              "indicarne l'e-mail."), "full_name")


def _active_with_key(session_id: int, key: str) -> Registration | None:
    query = select(Registration).where(Registration.session_id == session_id, Registration.person_key == key)
    return db.session.scalars(query).first()


def _active_with_name(session_id: int, full_name: str) -> bool:
    folded = fold(full_name)
    query = select(Registration.full_name).where(
        Registration.session_id == session_id,
        Registration.state.in_(ACTIVE),
        Registration.search_text.like(_like_prefix(folded), escape="\\"),
    )
    return any(fold(name) == folded for name in db.session.scalars(query))


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# Cancelling and the waitlist -------------------------------------------------------------------


def cancel_problem(registration: Registration, now: datetime | None = None) -> str | None:
    """Why the registration cannot be cancelled now, or None."""
    if registration.state == CANCELLED:
        return _("L'iscrizione è già stata annullata.")
    if registration.attendance is not None:
        return _("La persona risulta presente all'incontro: l'iscrizione non si può annullare.")
    if registration.session.has_started(now):
        return _("L'incontro è già iniziato: l'iscrizione non si può più annullare.")
    return None


def cancel(registration: Registration, *, by, now: datetime | None = None) -> Registration | None:
    """Cancel a registration; if it held a place, the first on the waitlist moves up (and is
    told by e-mail). Returns the promoted registration, if any."""
    moment = naive_utc(now or utcnow())
    session = lock_session(registration.session_id)
    db.session.refresh(registration)
    problem = cancel_problem(registration, moment)
    if problem:
        raise RegistrationError(problem)
    held_place = registration.state == CONFIRMED and not registration.is_walk_in
    from_state = registration.state
    registration.state, registration.person_key, registration.cancelled_at = CANCELLED, None, moment
    audit.record(registration, "cancelled", by=by, from_state=from_state, to_state=registration.state)
    db.session.flush()
    return promote_waitlisted(session, moment=moment) if held_place else None


def promote_waitlisted(session: TableSession, *, moment: datetime) -> Registration | None:
    """Move the first waitlisted person up if there is room; they are told by e-mail."""
    if session.capacity is not None and confirmed_count(session.id) >= session.capacity:
        return None
    query = (
        select(Registration)
        .where(Registration.session_id == session.id, Registration.state == WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
        .limit(1)
    )
    first = db.session.scalars(query).first()
    if first is None:
        return None
    first.state, first.promoted_at = CONFIRMED, naive_utc(moment)
    audit.record(first, "promoted", by=None, from_state=WAITLISTED, to_state=first.state)
    db.session.flush()
    if first.email:
        _notify(first, "table_promoted")
    return first


def fill_places(session: TableSession, *, moment: datetime | None = None) -> list[Registration]:
    """Move up as many waitlisted people as there are free places (after the capacity grew)."""
    moment = naive_utc(moment or utcnow())
    session = lock_session(session.id)
    promoted = []
    while (registration := promote_waitlisted(session, moment=moment)) is not None:
        promoted.append(registration)
    return promoted


def _notify(registration: Registration, template: str) -> None:
    session = registration.session
    queue_email(
        registration.email,
        _subject(template, session),
        template,
        registration=registration,
        session=session,
        starts=to_rome(session.starts_at),
        ends=to_rome(session.ends_at),
    )


def _subject(template: str, session: TableSession) -> str:
    day = f"{to_rome(session.starts_at):%d/%m/%Y}"
    if template == "table_promoted":
        return _("Posto confermato al tavolo del %(day)s", day=day)
    if template == "table_reminder":
        return _("Promemoria: tavolo di co-programmazione domani, %(day)s", day=day)
    return _("Iscrizione al tavolo di co-programmazione del %(day)s", day=day)


# Reading: places, waitlist positions, lists ----------------------------------------------------


@dataclass(frozen=True)
class Occupancy:
    """Places of a session: taken (confirmed, walk-ins excluded) and waiting."""

    capacity: int | None
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity


def occupancy(sessions: list[TableSession]) -> dict[int, Occupancy]:
    """Occupancy of each session, in one query."""
    ids = [s.id for s in sessions]
    counts: Counter = Counter()
    if ids:
        query = (
            select(Registration.session_id, Registration.state, func.count())
            .where(Registration.session_id.in_(ids), Registration.state.in_(ACTIVE), Registration.is_walk_in.is_(False))
            .group_by(Registration.session_id, Registration.state)
        )
        counts.update({(sid, state): n for sid, state, n in db.session.execute(query)})
    return {s.id: Occupancy(s.capacity, counts[(s.id, CONFIRMED)], counts[(s.id, WAITLISTED)]) for s in sessions}


def waitlist_positions(session_ids) -> dict[int, int]:
    """Position (1 = next to move up) of every waitlisted registration of these sessions."""
    ids = list(set(session_ids))
    if not ids:
        return {}
    position = func.row_number().over(
        partition_by=Registration.session_id, order_by=(Registration.created_at, Registration.id)
    )
    query = select(Registration.id, position).where(Registration.session_id.in_(ids), Registration.state == WAITLISTED)
    return dict(db.session.execute(query).all())


def waitlist_position(registration: Registration) -> int | None:
    if registration.state != WAITLISTED:
        return None
    return waitlist_positions([registration.session_id]).get(registration.id)


def upcoming_sessions(procedures: list[Procedure], now: datetime | None = None) -> list[TableSession]:
    """Sessions not started yet of these procedures, by start, with what the lists show."""
    ids = [p.id for p in procedures]
    if not ids:
        return []
    query = (
        select(TableSession)
        .where(TableSession.procedure_id.in_(ids), TableSession.starts_at > naive_utc(now or utcnow()))
        .options(selectinload(TableSession.axis), selectinload(TableSession.groups))
        .order_by(TableSession.starts_at, TableSession.id)
    )
    return list(db.session.scalars(query))


def _with_details(query: Select) -> Select:
    return query.options(
        selectinload(Registration.category), selectinload(Registration.group),
        selectinload(Registration.attendance), selectinload(Registration.registered_by),
    )


def registrations_of(session: TableSession, *, states=None) -> list[Registration]:
    query = _with_details(select(Registration).where(Registration.session_id == session.id)).order_by(
        Registration.full_name, Registration.id
    )
    if states:
        query = query.where(Registration.state.in_(list(states)))
    return list(db.session.scalars(query))


def registrations_in(session: TableSession, *, states=ACTIVE, category_id: int | None = None,
                          group_id: int | None = None) -> Select:
    """The staff list of a session, filtered: confirmed first (by name), then the waitlist in
    its order, then the cancelled. A query, for the caller to paginate."""
    query = _with_details(select(Registration).where(Registration.session_id == session.id))
    if states:
        query = query.where(Registration.state.in_(list(states)))
    if category_id:
        query = query.where(Registration.category_id == category_id)
    if group_id:
        query = query.where(Registration.group_id == group_id)
    state_rank = case((Registration.state == CONFIRMED, 0), (Registration.state == WAITLISTED, 1), else_=2)
    waitlist_order = case((Registration.state == WAITLISTED, Registration.created_at), else_=None)
    return query.order_by(state_rank, waitlist_order, func.lower(Registration.full_name), Registration.id)


def count_rows(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


@dataclass(frozen=True)
class Counts:
    by_state: dict[str, int]
    by_category: dict[int, int]  # active registrations
    by_group: dict[int, int]  # active registrations
    walk_ins: int


def registration_counts(session: TableSession) -> Counts:
    """What the staff page counts, in SQL."""
    where = Registration.session_id == session.id
    active = (where, Registration.state.in_(ACTIVE))

    def grouped(column, *conditions):
        query = select(column, func.count()).where(*conditions).group_by(column)
        return {key: n for key, n in db.session.execute(query)}

    by_state = {str(state): n for state, n in grouped(Registration.state, where).items()}
    walk_ins = db.session.scalar(select(func.count()).where(*active, Registration.is_walk_in.is_(True)))
    return Counts(by_state, grouped(Registration.category_id, *active), grouped(Registration.group_id, *active), walk_ins)


def visible_registrations(user, *, upcoming: bool, now: datetime | None = None, limit: int | None = None):
    """The registrations a registrant may see (its own, its organisations', its invitations'),
    of sessions to come (by start) or past (latest first)."""
    moment = naive_utc(now or utcnow())
    query = _with_details(
        select(Registration)
        .join(TableSession, TableSession.id == Registration.session_id)
        .where(own_registrations_clause(user))
    ).options(selectinload(Registration.session).selectinload(TableSession.axis))
    if upcoming:
        query = query.where(TableSession.starts_at > moment).order_by(
            TableSession.starts_at, TableSession.id, func.lower(Registration.full_name), Registration.id)
    else:
        query = query.where(TableSession.starts_at <= moment).order_by(
            TableSession.starts_at.desc(), TableSession.id, func.lower(Registration.full_name), Registration.id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_visible_past(user, now: datetime | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .join(TableSession, TableSession.id == Registration.session_id)
        .where(own_registrations_clause(user), TableSession.starts_at <= naive_utc(now or utcnow()))
    )
    return db.session.scalar(query)


# The staff's CSV ---------------------------------------------------------------------------------

CSV_HEADER = ("nome_cognome", "email", "ente_o_servizio", "categoria", "tavolo", "stato",
              "posizione_lista_attesa", "iscritto_il", "iscritto_da", "presenza_non_iscritta", "presente")


def registrations_csv(session: TableSession) -> str:
    """Every registration of the session (cancelled ones included), cells spreadsheet-safe.
    Personal data: for staff only."""
    registrations = list(db.session.scalars(registrations_in(session, states=None)))
    positions = waitlist_positions([session.id])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for r in registrations:
        row = (
            r.full_name, r.email or "", r.affiliation, r.category.label, r.group.name, r.state.label,
            positions.get(r.id, ""), f"{to_rome(r.created_at):%Y-%m-%d %H:%M}",
            r.registered_by.full_name if r.registered_by else "",
            _("sì") if r.is_walk_in else _("no"), _("sì") if r.attendance is not None else _("no"),
        )
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


# Reminders ---------------------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every confirmed registration, with an e-mail, of the sessions that
    start tomorrow (Rome); each at most once, even if two runs overlap (the registration is
    marked with a conditional UPDATE before its e-mail is queued). For a daily timer:
    `coprog tables remind`."""
    moment = naive_utc(now or utcnow())
    tomorrow = to_rome(moment).date() + timedelta(days=1)
    start, end = rome_datetime(tomorrow), rome_datetime(tomorrow + timedelta(days=1))
    query = (
        select(Registration)
        .join(TableSession, TableSession.id == Registration.session_id)
        .where(
            TableSession.starts_at >= naive_utc(start),
            TableSession.starts_at < naive_utc(end),
            Registration.state == CONFIRMED,
            Registration.email.is_not(None),
            Registration.reminder_sent_at.is_(None),
        )
        .options(selectinload(Registration.session).selectinload(TableSession.procedure),
                 selectinload(Registration.group))
        .order_by(Registration.id)
    )
    sent = 0
    for registration in db.session.scalars(query).all():
        mark = (
            update(Registration)
            .where(Registration.id == registration.id, Registration.reminder_sent_at.is_(None))
            .values(reminder_sent_at=moment)
            .execution_options(synchronize_session=False)
        )
        if db.session.execute(mark).rowcount != 1:
            continue  # another run took it
        set_committed_value(registration, "reminder_sent_at", moment)
        _notify(registration, "table_reminder")
        sent += 1
    db.session.flush()
    return sent
