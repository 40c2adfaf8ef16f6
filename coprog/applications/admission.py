"""Admission (ammissione): the RUP's queue, decisions with a reason, integration requests
(soccorso istruttorio) and their answers, and the public list of admitted entities."""

from __future__ import annotations

import csv
import enum
import io
from collections import Counter
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core import audit, files
from ..core.time import as_utc, naive_utc, to_rome, utcnow
from ..extensions import db
from ..notices.models import Notice, ProcedureKind
from ..notify.services import absolute_url, queue_email
from .models import (
    Application,
    ApplicationState,
    CoOptedKind,
    application_axes,
    application_districts,
)
from .services import ApplicationError, DeadlinePassed

QUEUE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.INTEGRATION_REQUESTED,
    ApplicationState.ADMITTED,
    ApplicationState.EXCLUDED,
    ApplicationState.WITHDRAWN,
    ApplicationState.SUPERSEDED,
)


class Decision(enum.StrEnum):
    ADMIT = "ammetti"
    EXCLUDE = "escludi"
    INTEGRATE = "integrazione"

    @property
    def label(self):
        return {
            Decision.ADMIT: _l("Ammetti"),
            Decision.EXCLUDE: _l("Escludi"),
            Decision.INTEGRATE: _l("Chiedi un'integrazione (soccorso istruttorio)"),
        }[self]

    @property
    def state(self) -> ApplicationState:
        return {
            Decision.ADMIT: ApplicationState.ADMITTED,
            Decision.EXCLUDE: ApplicationState.EXCLUDED,
            Decision.INTEGRATE: ApplicationState.INTEGRATION_REQUESTED,
        }[self]


# The queue -------------------------------------------------------------------------------------


def queue(notice: Notice, *, state=None, verdict=None, axis_id=None, district_id=None) -> list[Application]:
    query = (
        select(Application)
        .where(Application.notice_id == notice.id, Application.state.in_(QUEUE_STATES))
        .options(selectinload(Application.organisation), selectinload(Application.axes),
                 selectinload(Application.districts), selectinload(Application.co_opted))
        .order_by(Application.protocol_number)
    )
    if state:
        query = query.where(Application.state == state)
    if axis_id:
        query = query.where(Application.id.in_(select(application_axes.c.application_id).where(application_axes.c.axis_id == axis_id)))
    if district_id:
        query = query.where(Application.id.in_(
            select(application_districts.c.application_id).where(application_districts.c.district_id == district_id)))
    applications = list(db.session.scalars(query))
    if verdict:  # stored as JSON: filtered here, on an already small list
        applications = [a for a in applications if (a.eligibility or {}).get("verdict") == verdict]
    return applications


def state_counts(notice: Notice) -> dict[str, int]:
    query = (
        select(Application.state, func.count(Application.id))
        .where(Application.notice_id == notice.id, Application.state.in_(QUEUE_STATES))
        .group_by(Application.state)
    )
    return {state.value: count for state, count in db.session.execute(query)}


def verdict_counts(applications) -> Counter:
    return Counter((a.eligibility or {}).get("verdict", "") for a in applications)


# Decisions -------------------------------------------------------------------------------------


def decide(application: Application, decision: Decision, reason: str, *, by,
           due: datetime | None = None, now: datetime | None = None) -> None:
    """Admit, exclude or ask for an integration: always with a reason; the applicant is told."""
    moment = as_utc(now or utcnow())
    if not (reason or "").strip():
        raise ApplicationError(_("La motivazione è obbligatoria."))
    if not application.notice.deadline_passed(moment):
        raise ApplicationError(_("Le domande si valutano dopo la scadenza dell'avviso."))
    if decision == Decision.INTEGRATE and (due is None or as_utc(due) <= moment):
        raise ApplicationError(_("Indica un termine futuro per la risposta all'integrazione."))
    application.move(decision.state, by=by, reason=reason.strip(), now=moment)
    application.integration_due = naive_utc(due) if decision == Decision.INTEGRATE else None
    db.session.flush()
    _notify_decision(application)


def _notify_decision(application: Application) -> None:
    context = dict(
        application=application,
        due=to_rome(application.integration_due).strftime("%d/%m/%Y %H:%M") if application.integration_due else None,
        url=absolute_url("applications.edit", application_id=application.id),
    )
    subject = _("Domanda prot. n. %(number)d: %(state)s", number=application.protocol_number,
                state=application.state.label)
    for address in _addresses(application):
        queue_email(address, subject, "application_decision", **context)


def _addresses(application: Application) -> set[str]:
    members = {m.user.email for m in application.organisation.members}
    return (members | {application.email, application.pec}) - {""}


def answer_integration(application: Application, answer: str, upload: tuple | None, *, by,
                       now: datetime | None = None) -> None:
    """The applicant answers the integration request before its term; back to the RUP."""
    moment = as_utc(now or utcnow())
    if application.state != ApplicationState.INTEGRATION_REQUESTED:
        raise ApplicationError(_("Non c'è nessuna integrazione da inviare per questa domanda."))
    if application.integration_due and moment > as_utc(application.integration_due):
        raise DeadlinePassed(_("Il termine per l'integrazione è scaduto."))
    if not (answer or "").strip():
        raise ApplicationError(_("Scrivi la risposta all'integrazione."))
    application.integration_answer = answer.strip()
    application.integration_answered_at = naive_utc(moment)
    if upload is not None:
        stored = files.store(*upload[:2], upload[2], by=by)
        db.session.add(stored)
        application.integration_file = stored
    application.move(ApplicationState.SUBMITTED, by=by, reason=_("Integrazione inviata."), now=moment)
    db.session.flush()


# The public list -------------------------------------------------------------------------------


def publish_admitted_list(notice: Notice, *, by, now: datetime | None = None) -> None:
    moment = as_utc(now or utcnow())
    if notice.procedure.kind == ProcedureKind.QUALIFIED_LIST:
        raise ApplicationError(_("Un elenco di soggetti qualificati non ha un elenco degli ammessi: "
                                 "ogni iscrizione è pubblicata quando è qualificata."))
    if not notice.deadline_passed(moment):
        raise ApplicationError(_("L'elenco degli ammessi si pubblica dopo la scadenza."))
    notice.admitted_published_at = naive_utc(moment)
    audit.record(notice, "admitted_list", by=by, details={"admitted": len(admitted(notice))})
    db.session.flush()


def admitted(notice: Notice) -> list[Application]:
    query = (
        select(Application)
        .where(Application.notice_id == notice.id, Application.state == ApplicationState.ADMITTED)
        .options(selectinload(Application.organisation), selectinload(Application.co_opted))
        .order_by(Application.protocol_number)
    )
    return list(db.session.scalars(query))


def public_co_opted_name(subject) -> str:
    """Co-opted citizens are people: the public list says what they are, not who."""
    if subject.kind == CoOptedKind.CITIZEN:
        return str(_("Cittadino (nome non pubblicato)"))
    return subject.name


ADMITTED_CSV_HEADER = ("protocollo", "codice_fiscale", "denominazione", "sezione_runts", "soggetti_cooptati")


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): text that starts with
    = + - @ or a control character gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def admitted_csv(notice: Notice) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ADMITTED_CSV_HEADER)
    for application in admitted(notice):
        co_opted = " | ".join(f"{public_co_opted_name(c)} ({c.kind.label})" for c in application.co_opted)
        row = (application.protocol_number, application.organisation.codice_fiscale,
               application.organisation.name, application.organisation.runts_section, co_opted)
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
