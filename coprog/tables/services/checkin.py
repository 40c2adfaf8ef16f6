"""Check-in at the door: search, one tap marks present (with the time), undo, walk-ins.

A registration has at most one attendance (unique key): the check-in is an
INSERT … ON CONFLICT DO NOTHING, so a double tap or a resubmitted request counts once and
answers as the first did. Use-cases flush only.

Who is at the door: the confirmed registrations, and the waitlisted ones (a person on the
waitlist who comes anyway is admitted at the door, outside the capacity, like a walk-in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, literal, select
from sqlalchemy.orm import contains_eager, selectinload

from ...core import audit
from ...core.cache import public_content_changed
from ...core.sql import inserted_if_absent
from ...core.time import naive_utc, utcnow
from ...extensions import db
from ..models import (
    Attendance,
    Registration,
    RegistrationState,
    TableCategory,
    TableGroup,
    TableSession,
)
from .registrations import RegistrationError, fold, register

SEARCH_LIMIT = 50
MATCH_LIMIT = 5  # registered people offered when a walk-in's name matches theirs
SEARCH_WORDS = 5
AT_THE_DOOR = (RegistrationState.CONFIRMED, RegistrationState.WAITLISTED)
# The door opens this long before the start; attendance can be recorded afterwards (from a
# paper sheet) until the minutes, which report it, are approved.
DOOR_OPENS_BEFORE = timedelta(hours=12)


class CheckInError(ValueError):
    """A refusal with a message for the facilitator."""


@dataclass(frozen=True)
class DoorCounts:
    """The facilitator's counter: `present` of `registered` (confirmed registrations, walk-ins
    excluded, as the published figures count them); `walk_ins` are among the present."""

    present: int = 0
    registered: int = 0
    walk_ins: int = 0


def attendance_problem(session: TableSession, now: datetime | None = None) -> str | None:
    """Why attendance cannot be recorded now, or None."""
    if naive_utc(now or utcnow()) < session.starts_at - DOOR_OPENS_BEFORE:
        return _("Le presenze si registrano dal giorno dell'incontro.")
    if session.minutes is not None and not session.minutes.editable:
        return _("Il verbale è approvato: le presenze non si possono più modificare.")
    return None


def attendance_problems(sessions: list[TableSession], now: datetime | None = None) -> dict[int, str | None]:
    """attendance_problem of each session, their minutes loaded in one query."""
    if sessions:
        query = (
            select(TableSession)
            .where(TableSession.id.in_([s.id for s in sessions]))
            .options(selectinload(TableSession.minutes))
        )
        db.session.scalars(query).all()
    return {s.id: attendance_problem(s, now) for s in sessions}


def _check_open(session: TableSession, now: datetime | None) -> None:
    problem = attendance_problem(session, now)
    if problem:
        raise CheckInError(problem)


def check_in(registration: Registration, *, by, now: datetime | None = None) -> bool:
    """Mark present; True if this call did it, False if the person was already present."""
    _check_open(registration.session, now)
    if registration.state != RegistrationState.CONFIRMED:
        raise CheckInError(_("La persona non ha un posto confermato: aggiungerla come presenza non iscritta."))
    inserted = inserted_if_absent(
        db.session.connection(), Attendance.__table__, registration_id=registration.id,
        session_id=registration.session_id, checked_in_at=naive_utc(now or utcnow()),
        checked_in_by_id=getattr(by, "id", None),
    )
    if inserted:
        audit.record(registration, "checked_in", by=by)
        public_content_changed()  # a Core statement: the flush hook does not see it
    db.session.expire(registration, ["attendance"])
    return inserted


def undo_check_in(registration: Registration, *, by, now: datetime | None = None) -> bool:
    """Remove the check-in; True if there was one."""
    _check_open(registration.session, now)
    result = db.session.execute(delete(Attendance).where(Attendance.registration_id == registration.id))
    removed = result.rowcount == 1
    if removed:
        audit.record(registration, "check_in_undone", by=by)
        public_content_changed()
    db.session.expire(registration, ["attendance"])
    return removed


def admit_from_waitlist(registration: Registration, *, by, now: datetime | None = None) -> bool:
    """A waitlisted person who came anyway: confirmed at the door outside the capacity (as a
    walk-in, so not counted among the registered) and marked present. Idempotent: a person
    already admitted is checked in as usual."""
    _check_open(registration.session, now)
    if registration.state == RegistrationState.WAITLISTED:
        registration.state, registration.is_walk_in = RegistrationState.CONFIRMED, True
        registration.promoted_at = naive_utc(now or utcnow())
        audit.record(registration, "admitted_at_door", by=by, from_state=RegistrationState.WAITLISTED,
                     to_state=registration.state)
        db.session.flush()
    return check_in(registration, by=by, now=now)


def add_walk_in(session: TableSession, group: TableGroup, category: TableCategory, *, full_name: str,
                affiliation: str = "", email: str | None = None, by, now: datetime | None = None) -> Registration:
    """Someone not registered, added at the door and marked present in one step."""
    _check_open(session, now)
    registration = register(session, group, category, full_name=full_name, email=email, affiliation=affiliation,
                            by=by, walk_in=True, now=now)
    check_in(registration, by=by, now=now)
    return registration


def search(session: TableSession, text: str = "", *, limit: int = SEARCH_LIMIT,
           whole_words: bool = False) -> list[Registration]:
    """The people at the door (confirmed and waitlisted) whose name or affiliation contain every
    word of the text (accents and case ignored; `whole_words`: as whole words), present ones
    included, in name order, with their attendance, group and category: one query."""
    query = (
        select(Registration)
        .join(Registration.category)
        .join(Registration.group)
        .outerjoin(Registration.attendance)
        .where(Registration.session_id == session.id, Registration.state.in_(AT_THE_DOOR))
        .options(
            contains_eager(Registration.attendance),
            contains_eager(Registration.category),
            contains_eager(Registration.group),
        )
        .order_by(func.lower(Registration.full_name), Registration.id)
        .limit(limit)
    )
    haystack = literal(" ") + Registration.search_text + literal(" ") if whole_words else Registration.search_text
    for word in fold(text).split()[:SEARCH_WORDS]:
        pattern = f"% {_escape_like(word)} %" if whole_words else f"%{_escape_like(word)}%"
        query = query.where(haystack.like(pattern, escape="\\"))
    return list(db.session.scalars(query).unique())


def name_matches(session: TableSession, full_name: str) -> list[Registration]:
    """Registered people whose name has every word of `full_name`: before adding a walk-in,
    the facilitator is offered to mark them instead."""
    if not fold(full_name).split():
        return []
    return search(session, full_name, limit=MATCH_LIMIT, whole_words=True)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def door_counts(session: TableSession) -> DoorCounts:
    return door_counts_of([session.id]).get(session.id, DoorCounts())


def door_counts_of(session_ids: Iterable[int]) -> dict[int, DoorCounts]:
    """{session id: DoorCounts}, one grouped query whatever the number of sessions."""
    ids = list(session_ids)
    if not ids:
        return {}
    present = Attendance.id.is_not(None)
    registered = (Registration.state == RegistrationState.CONFIRMED) & Registration.is_walk_in.is_(False)
    query = (
        select(
            Registration.session_id,
            func.count(Attendance.id),
            func.sum(case((registered, 1), else_=0)),
            func.sum(case((present & Registration.is_walk_in.is_(True), 1), else_=0)),
        )
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.session_id.in_(ids))
        .group_by(Registration.session_id)
    )
    return {row[0]: DoorCounts(int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in db.session.execute(query)}


__all__ = [
    "CheckInError", "DoorCounts", "RegistrationError", "add_walk_in", "admit_from_waitlist", "attendance_problem",
    "attendance_problems",
    "check_in", "door_counts", "door_counts_of", "name_matches", "search", "undo_check_in",
]
