"""Use-cases on applications. They flush, never commit (the view commits), except where said.

Submitting takes the notice's protocol counter first, in a transaction that has read nothing
yet: on PostgreSQL the row lock, on SQLite the write lock, orders concurrent submissions; the
deadline is then checked against the clock at that moment, and a refusal rolls the number back.
"""

from __future__ import annotations

import json
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..core import files
from ..core.sql import insert_if_absent
from ..core.time import as_utc, naive_utc, rome_today, to_rome, utcnow
from ..extensions import db
from ..notices.models import Notice
from ..notify.services import absolute_url, queue_email
from ..organisations.codes import CodeError, person_code
from ..qualified.services.entries import request_entry
from ..qualified.services.invitations import prefill_from_coprogramming
from ..registry.eligibility import Declared
from ..registry.models import RuntsSection
from ..territory.models import Axis, District
from .models import (
    DATE_FIELDS,
    DECLARATIONS,
    TEXT_FIELDS,
    Application,
    ApplicationState,
    CoOptedSubject,
    ProtocolCounter,
)

LIVE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.INTEGRATION_REQUESTED,
    ApplicationState.ADMITTED,
    ApplicationState.EXCLUDED,
)


class ApplicationError(ValueError):
    """A refusal with a message for the user."""


class DeadlinePassed(ApplicationError):
    pass


# Queries ---------------------------------------------------------------------------------------


def applications_of(organisations) -> list[Application]:
    ids = [o.id for o in organisations]
    if not ids:
        return []
    query = (
        select(Application)
        .where(Application.organisation_id.in_(ids))
        .options(selectinload(Application.notice).selectinload(Notice.procedure), selectinload(Application.organisation))
        .order_by(Application.updated_at.desc())
    )
    return list(db.session.scalars(query))


def open_draft(notice: Notice, organisation) -> Application | None:
    query = select(Application).where(
        Application.notice_id == notice.id,
        Application.organisation_id == organisation.id,
        Application.state == ApplicationState.DRAFT,
    )
    return db.session.scalar(query)


def current_submission(notice_id: int, organisation_id: int) -> Application | None:
    """The organisation's submitted (or decided) application to this notice, if any."""
    query = select(Application).where(
        Application.notice_id == notice_id,
        Application.organisation_id == organisation_id,
        Application.state.in_(LIVE_STATES),
    )
    return db.session.scalar(query)


# Drafts ----------------------------------------------------------------------------------------


def start_draft(notice: Notice, organisation, *, by) -> Application:
    """A new draft, prefilled from the organisation (and from the last submission, if any)."""
    previous = current_submission(notice.id, organisation.id)
    application = Application(notice=notice, organisation=organisation, created_by_id=by.id)
    if previous is not None:
        _copy_content(previous, application)
        application.version = previous.version + 1
        application.supersedes_id = previous.id
    else:
        application.pec = organisation.pec or ""
        application.email = organisation.email or by.email
        application.phone = organisation.phone or ""
        application.declared_section = organisation.runts_section or ""
        application.declared_repertorio = organisation.repertorio or ""
        application.legal_rep_name = by.full_name
    db.session.add(application)
    db.session.flush()
    if previous is None:
        prefill_from_coprogramming(application)  # a list: what the co-programming already asked
    return application


def _copy_content(source: Application, target: Application) -> None:
    for name in (*TEXT_FIELDS, *DATE_FIELDS, *DECLARATIONS):
        setattr(target, name, getattr(source, name))
    target.axes = list(source.axes)
    target.districts = list(source.districts)
    target.signed_file_id = source.signed_file_id
    target.co_opted = [
        CoOptedSubject(kind=c.kind, name=c.name, code=c.code, contact=c.contact, role=c.role)
        for c in source.co_opted
    ]


def save_draft(application: Application, data: dict) -> None:
    """Keep what was typed. Not a state change: no audit row."""
    if not application.editable:
        raise ApplicationError(_("La domanda è già stata presentata e non si può più modificare."))
    for name in TEXT_FIELDS:
        if name in data:
            setattr(application, name, (data.get(name) or "").strip())
    for name in (*DATE_FIELDS, *DECLARATIONS):
        if name in data:
            setattr(application, name, data.get(name))
    if "axis_ids" in data:
        application.axes = _load(Axis, data["axis_ids"])
    if "district_ids" in data:
        application.districts = _load(District, data["district_ids"])
    db.session.flush()


def _load(model, ids):
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.position)))


def attach_signed_file(application: Application, filename: str, data: bytes, content_type: str, *, by) -> None:
    if not application.editable:
        raise ApplicationError(_("La domanda è già stata presentata e non si può più modificare."))
    stored = files.store(filename, data, content_type, by=by)
    db.session.add(stored)
    application.signed_file = stored
    db.session.flush()


def add_co_opted(application: Application, data: dict) -> CoOptedSubject:
    if not application.editable:
        raise ApplicationError(_("La domanda è già stata presentata e non si può più modificare."))
    subject = CoOptedSubject(**data)
    application.co_opted.append(subject)
    db.session.flush()
    return subject


def remove_co_opted(application: Application, subject: CoOptedSubject) -> None:
    if not application.editable:
        raise ApplicationError(_("La domanda è già stata presentata e non si può più modificare."))
    application.co_opted.remove(subject)
    db.session.flush()


# Checks before submission ----------------------------------------------------------------------


def submission_problems(application: Application) -> dict[str, str]:
    """What still stops the submission, as {field: message in Italian}."""
    problems = {}
    required = {
        "legal_rep_name": _("Indica il nome del legale rappresentante."),
        "legal_rep_role": _("Indica la carica del legale rappresentante."),
        "declared_section": _("Indica la sezione del RUNTS."),
        "table_contact_name": _("Indica la persona di riferimento per i tavoli."),
    }
    for name, message in required.items():
        if not (getattr(application, name) or "").strip():
            problems[name] = message
    if not (application.pec or application.email):
        problems["pec"] = _("Indica almeno una PEC o un'e-mail.")
    if not (application.legal_rep_cf or "").strip():
        problems["legal_rep_cf"] = _("Indica il codice fiscale del legale rappresentante.")
    else:
        try:
            person_code(application.legal_rep_cf)
        except CodeError as error:
            problems["legal_rep_cf"] = str(error)
    problems.update(_date_problems(application))
    if not application.axes:
        problems["axes"] = _("Scegli almeno un asse.")
    for name in DECLARATIONS:
        if not getattr(application, name):
            problems[name] = _("Questa dichiarazione è necessaria per presentare la domanda.")
    return problems


def _date_problems(application: Application) -> dict[str, str]:
    problems = {}
    today = rome_today()
    for name in DATE_FIELDS:
        value = getattr(application, name)
        if value is not None and value > today:
            problems[name] = _("La data non può essere nel futuro.")
    if application.declared_registered_on is None and application.declared_section != "d":
        problems["declared_registered_on"] = _("Indica la data di iscrizione al RUNTS.")
    return problems


# Submission ------------------------------------------------------------------------------------


def submit(application_id: int, notice_id: int, *, by, now: datetime | None = None) -> Application:
    """Submit the draft: protocol number, timestamp, content digest, eligibility, receipt.

    Call it in a transaction that has read nothing yet (the caller commits before)."""
    number = _next_protocol_number(notice_id)
    application = db.session.get(Application, application_id)
    moment = as_utc(now or utcnow())
    if not application.notice.accepts_applications(moment):
        raise DeadlinePassed(
            _("Il termine per presentare le domande è scaduto il %(when)s: la domanda non è stata "
              "presentata e resta salvata come bozza.", when=to_rome(application.notice.deadline_at).strftime("%d/%m/%Y %H:%M"))
        )
    if problems := submission_problems(application):
        raise ApplicationError(" ".join(problems.values()))
    _replace_previous(application, by=by, now=moment)
    application.protocol_number = number
    application.submitted_at = naive_utc(moment)
    application.eligibility = _eligibility(application)
    application.content_sha256 = application.content_digest()
    application.move(ApplicationState.SUBMITTED, by=by, now=moment)
    db.session.flush()
    request_entry(application, by=by)  # a list of qualified entities: the entity's entry, requested
    _send_receipt(application)
    return application


def _next_protocol_number(notice_id: int) -> int:
    """Increment the notice's counter: the first write of the transaction, so it takes the lock."""
    connection = db.session.connection()
    table = ProtocolCounter.__table__
    bump = (
        update(table).where(table.c.notice_id == notice_id)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    )
    number = connection.execute(bump).scalar()
    if number is None:
        connection.execute(insert_if_absent(connection, table, notice_id=notice_id, last_number=0))
        number = connection.execute(bump).scalar()
    return number


def _replace_previous(application: Application, *, by, now) -> None:
    previous = current_submission(application.notice_id, application.organisation_id)
    if previous is None or previous.id == application.id:
        return
    if previous.state != ApplicationState.SUBMITTED:
        raise ApplicationError(_("La domanda precedente è già stata valutata: non si può sostituire."))
    previous.move(ApplicationState.SUPERSEDED, by=by, now=now,
                  reason=_("Sostituita dalla versione %(version)d.", version=application.version))


def _eligibility(application: Application) -> dict:
    from ..registry.services import check_entity

    section = application.declared_section or None
    declared = Declared(
        codice_fiscale=application.organisation.codice_fiscale,
        section=RuntsSection(section) if section in {s.value for s in RuntsSection} else None,
        repertorio=application.declared_repertorio or None,
        registered_on=application.declared_registered_on,
        earlier_registration=application.earlier_registered_on,
        earlier_register=application.earlier_register or None,
        registro_imprese=application.registro_imprese or None,
    )
    verdict = check_entity(application.organisation.codice_fiscale, as_utc(application.notice.deadline_at), declared)
    plain = {"verdict": verdict.verdict, "reason": verdict.reason, "flags": verdict.flags, "evidence": verdict.evidence}
    return json.loads(json.dumps(plain, default=str))


def _send_receipt(application: Application) -> None:
    context = dict(
        application=application,
        notice=application.notice,
        submitted=to_rome(application.submitted_at).strftime("%d/%m/%Y %H:%M:%S"),
        url=absolute_url("applications.receipt", application_id=application.id),
    )
    subject = _("Ricevuta della domanda prot. n. %(number)d", number=application.protocol_number)
    for address in {application.email, application.pec, *(u.email for u in _members(application))} - {""}:
        queue_email(address, subject, "application_receipt", **context)


def _members(application: Application):
    return [m.user for m in application.organisation.members]


def withdraw(application: Application, *, by, now: datetime | None = None) -> None:
    moment = as_utc(now or utcnow())
    if not application.notice.accepts_applications(moment):
        raise DeadlinePassed(_("Il termine è scaduto: la domanda non si può più ritirare."))
    if application.state != ApplicationState.SUBMITTED:
        raise ApplicationError(_("Si può ritirare solo una domanda presentata e non ancora valutata."))
    application.move(ApplicationState.WITHDRAWN, by=by, now=moment)
    db.session.flush()
