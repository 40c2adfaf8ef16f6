"""The facilitator's pages: the sessions they facilitate, and the door of one session (search as
you type, one tap marks present, undo, walk-ins), made for a phone.

Views parse, check the permission, call one service, commit once. The door page's URL serves
the whole page, or the list of people to an htmx search; an action answers an htmx request
with the person's row (and the counter and the announcement, out of band), a plain form post
with a redirect back to the door, the search kept.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core.permissions import require
from ..core.templating import rome_datetime
from ..core.time import rome_today, to_rome
from ..extensions import db, htmx
from . import bp
from .checkin_forms import WalkInForm
from .models import Registration, TableSession
from .services.checkin import (
    SEARCH_LIMIT,
    CheckInError,
    RegistrationError,
    add_walk_in,
    admit_from_waitlist,
    attendance_problem,
    attendance_problems,
    check_in,
    door_counts,
    door_counts_of,
    name_matches,
    search,
    undo_check_in,
)
from .services.planning import categories_of, sessions_facilitated_by

INVALID = 422
QUERY_MAX = 100


# Loading ---------------------------------------------------------------------------------------


def get_session_or_404(session_id: int) -> TableSession:
    """The session, if the user facilitates it (or is staff): 403 otherwise, before anything
    else about the request is looked at. Its facilitators and minutes come with it: the door
    needs both at every tap."""
    query = (
        select(TableSession)
        .where(TableSession.id == session_id)
        .options(joinedload(TableSession.minutes), selectinload(TableSession.facilitators))
    )
    session = db.session.scalars(query).first()
    if session is None:
        abort(404)
    require("tables.facilitate", session)
    return session


def get_registration_or_404(session: TableSession, registration_id: int) -> Registration:
    query = select(Registration).where(Registration.id == registration_id).options(joinedload(Registration.category))
    registration = db.session.scalars(query).first()
    if registration is None or registration.session_id != session.id:
        abort(404)
    return registration


def _wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _row_prefix(values) -> str:
    """Rows appear in the list ("reg") and among a walk-in's matches ("match"): distinct ids."""
    return "match" if values.get("prefix") == "match" else "reg"


def _query(values) -> str:
    return " ".join((values.get("q") or "").split())[:QUERY_MAX]


# The facilitator's sessions --------------------------------------------------------------------


@bp.get("/tavoli/facilitatore")
def facilitator_home():
    require("tables.facilitator_home")
    sessions = sessions_facilitated_by(current_user)
    today = rome_today()
    by_day = {
        "today": [s for s in sessions if to_rome(s.starts_at).date() == today],
        "upcoming": [s for s in sessions if to_rome(s.starts_at).date() > today],
        "past": [s for s in reversed(sessions) if to_rome(s.starts_at).date() < today],  # latest first
    }
    return render_template(
        "tables/door_home.html", by_day=by_day, counts=door_counts_of(s.id for s in sessions),
        problems=attendance_problems(sessions),
    )


# The door ----------------------------------------------------------------------------------------


@bp.get("/tavoli/incontri/<int:session_id>/ingresso")
def door(session_id: int):
    session = get_session_or_404(session_id)
    query = _query(request.args)
    if _wants_fragment():
        response = render_template("tables/_door_list.html", **_list_context(session, query), oob=True)
    else:
        form = WalkInForm(formdata=None)
        form.full_name.data = " ".join((request.args.get("nome") or "").split())[:200] or None
        response = _door_page(session, form, query)
    return response, 200, {"Vary": "HX-Request"}  # one URL, two bodies: caches must tell them apart


def _list_context(session: TableSession, query: str) -> dict:
    people = search(session, query, limit=SEARCH_LIMIT + 1)
    return {
        "session": session, "query": query, "people": people[:SEARCH_LIMIT], "more": len(people) > SEARCH_LIMIT,
        "problem": attendance_problem(session),
    }


def _door_page(session: TableSession, form: WalkInForm, query: str = "", matches=None) -> str:
    if not form.category_id.choices:
        form.set_choices(session, categories_of(session.procedure))
    return render_template(
        "tables/door.html", **_list_context(session, query), form=form, matches=matches,
        counts=door_counts(session),
    )


# Actions on one person -----------------------------------------------------------------------------


@bp.post("/tavoli/incontri/<int:session_id>/ingresso/<int:registration_id>/presente", endpoint="check_in")
def check_in_person(session_id: int, registration_id: int):
    session = get_session_or_404(session_id)
    registration = get_registration_or_404(session, registration_id)
    return _act(session, registration, check_in, _present_message)


@bp.post("/tavoli/incontri/<int:session_id>/ingresso/<int:registration_id>/ammetti", endpoint="admit_waitlisted")
def admit_waitlisted(session_id: int, registration_id: int):
    session = get_session_or_404(session_id)
    registration = get_registration_or_404(session, registration_id)
    return _act(session, registration, admit_from_waitlist, _present_message)


@bp.post("/tavoli/incontri/<int:session_id>/ingresso/<int:registration_id>/annulla", endpoint="undo_check_in")
def undo_check_in_person(session_id: int, registration_id: int):
    session = get_session_or_404(session_id)
    registration = get_registration_or_404(session, registration_id)
    return _act(session, registration, undo_check_in, _undone_message)


def _present_message(registration: Registration, done: bool) -> str:
    at = rome_datetime(registration.attendance.checked_in_at, "HH:mm")
    if done:
        return _("%(name)s: presente alle %(time)s.", name=registration.full_name, time=at)
    return _("%(name)s era già presente, dalle %(time)s.", name=registration.full_name, time=at)


def _undone_message(registration: Registration, done: bool) -> str:
    if done:
        return _("Presenza di %(name)s annullata.", name=registration.full_name)
    return _("%(name)s non risultava presente.", name=registration.full_name)


def _act(session: TableSession, registration: Registration, action, message):
    """Run one door action and commit; the same answer whether it changed something or the
    request was a repeat (a double tap, a resubmitted form)."""
    try:
        done = action(registration, by=current_user)
    except CheckInError as error:
        db.session.rollback()
        text, level = str(error), "danger"
    else:
        text, level = message(registration, done), "success"
    query = _query(request.form)
    if not _wants_fragment():
        db.session.commit()
        flash(text, level)
        return _back_to_door(session, query, registration)
    row = {"person": registration, "session": session, "query": query, "problem": attendance_problem(session),
           "prefix": _row_prefix(request.form)}
    status = {"counts": door_counts(session), "announcement": text, "alert": level == "danger"}
    _ = session.groups, registration.group  # loaded now (the group from the first): rendered after the commit
    _commit_keeping_loaded()
    return render_template("tables/_door_row.html", **row) + render_template("tables/_door_status.html", **status)


def _commit_keeping_loaded() -> None:
    """Commit without expiring what is loaded, so that the answer is rendered from it without
    another query. Why: on SQLite a writing request holds the write lock from its first query
    to its commit (BEGIN IMMEDIATE); rendering after the commit shortens that window, and with
    it the waits of the other facilitators' taps (bench/checkin.py)."""
    orm_session = db.session()
    orm_session.expire_on_commit = False
    try:
        orm_session.commit()
    finally:
        orm_session.expire_on_commit = True


def _back_to_door(session: TableSession, query: str, registration: Registration | None = None):
    anchor = f"reg-{registration.id}" if registration is not None else None
    return redirect(url_for("tables.door", session_id=session.id, q=query or None, _anchor=anchor), 303)


# Walk-ins ------------------------------------------------------------------------------------------


@bp.post("/tavoli/incontri/<int:session_id>/ingresso/senza-iscrizione", endpoint="add_walk_in")
def add_walk_in_person(session_id: int):
    session = get_session_or_404(session_id)
    form = WalkInForm()
    form.set_choices(session, categories_of(session.procedure))
    if not form.validate_on_submit():
        return _door_page(session, form), INVALID
    if not form.confirm_new.data:
        matches = name_matches(session, form.full_name.data)
        if matches:  # say so, and offer to mark them instead; nothing saved yet
            form.confirm_new.data = "1"
            return _door_page(session, form, matches=matches)
    try:
        registration = add_walk_in(
            session, form.chosen_group(session), form.chosen_category(), full_name=form.full_name.data,
            affiliation=form.affiliation.data or "", by=current_user,
        )
    except RegistrationError as error:
        db.session.rollback()
        field = form[error.field] if error.field in form else form.full_name
        field.errors = [*field.errors, str(error)]
        return _door_page(session, form), INVALID
    except CheckInError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _back_to_door(session, "")
    db.session.commit()
    flash(_("%(name)s: presente alle %(time)s, senza iscrizione.", name=registration.full_name,
            time=rome_datetime(registration.attendance.checked_in_at, "HH:mm")), "success")
    return _back_to_door(session, registration.full_name, registration)
