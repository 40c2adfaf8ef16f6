"""Entries of the list of qualified entities and their services.

- An ETS requests an entry by submitting an application to a list notice (`request_entry`, called
  by the application engine on submission); it keeps its services (`save_service`) and their
  availability (`update_availability`) current, before and after qualification.
- Staff decide (`decide`): qualify with a validity period and a review date, refuse, suspend,
  remove, renew; always with a reason, audited, the entity notified.
- Every day (`coprog elenco scadenze`): a reminder before expiry, then expiry; both notified.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ...core import audit
from ...core.time import naive_utc, rome_today, utcnow
from ...extensions import db
from ...mapping.models import ResourceType
from ...mapping.services.places import address_point, locate
from ...notices.models import ProcedureKind
from ...notify.services import absolute_url, queue_email
from ...territory.geo import places_of
from ...territory.models import Axis, Comune, District
from ..models import EntryService, EntryState, IllegalTransition, QualifiedEntry
from .invitations import services_from_contributions
from .search import search_text_of

TITLE_MAX = 200
TEXT_MAX = 4000
REASON_MAX = 2000
DEFAULT_REMINDER_DAYS = 30


class EntryError(ValueError):
    """Input that cannot be saved; `problems` maps form fields to Italian messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


# Entries ------------------------------------------------------------------------------------------


def entry_of(procedure, organisation) -> QualifiedEntry | None:
    return db.session.scalar(select(QualifiedEntry).where(
        QualifiedEntry.procedure_id == procedure.id, QualifiedEntry.organisation_id == organisation.id))


def request_entry(application, *, by) -> QualifiedEntry | None:
    """On the submission of an application to a list: the entity's entry, requested (a refused or
    removed entity applies again; a qualified one stays as it is, its services kept)."""
    procedure = application.notice.procedure
    if procedure.kind != ProcedureKind.QUALIFIED_LIST:
        return None
    entry = entry_of(procedure, application.organisation)
    if entry is None:
        entry = QualifiedEntry(procedure=procedure, organisation=application.organisation,
                               contact_email=application.email or "", contact_phone=application.phone or "")
        db.session.add(entry)
        db.session.flush()
        services_from_contributions(entry)  # what it mapped in the co-programming, to complete
    elif entry.state in (EntryState.REFUSED, EntryState.REMOVED):
        entry.move(EntryState.REQUESTED)
    entry.application = application
    db.session.flush()
    audit.record(entry, "request", by=by, to_state=entry.state.value)
    return entry


class Decision(enum.StrEnum):
    QUALIFY = "qualifica"
    REFUSE = "rifiuta"
    SUSPEND = "sospendi"
    REMOVE = "cancella"
    RENEW = "rinnova"

    @property
    def to(self) -> EntryState:
        return {Decision.QUALIFY: EntryState.QUALIFIED, Decision.REFUSE: EntryState.REFUSED,
                Decision.SUSPEND: EntryState.SUSPENDED, Decision.REMOVE: EntryState.REMOVED,
                Decision.RENEW: EntryState.QUALIFIED}[self]

    @property
    def needs_validity(self) -> bool:
        return self in (Decision.QUALIFY, Decision.RENEW)


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date
    review_on: date | None


def check_decision(decision: Decision, reason: str, validity: Validity | None) -> dict[str, str]:
    problems = {}
    if not (reason or "").strip():
        problems["reason"] = _("Indica la motivazione della decisione.")
    elif len(reason) > REASON_MAX:
        problems["reason"] = _("Massimo %(max)d caratteri.", max=REASON_MAX)
    if decision.needs_validity:
        if validity is None:
            problems["valid_until"] = _("Indica il periodo di validità.")
        elif validity.valid_until < validity.valid_from:
            problems["valid_until"] = _("La fine della validità non può precedere l'inizio.")
        elif validity.review_on and not validity.valid_from <= validity.review_on <= validity.valid_until:
            problems["review_on"] = _("La data di revisione deve cadere nel periodo di validità.")
    return problems


def decide(entry: QualifiedEntry, decision: Decision, reason: str, *, by,
           validity: Validity | None = None) -> None:
    """A staff decision, with its reason; audited and notified. IllegalTransition if the
    entry's state does not allow it (a concurrent decision, a stale page)."""
    problems = check_decision(decision, reason, validity)
    if problems:
        raise EntryError(problems)
    from_state = entry.state
    entry.move(decision.to)
    if decision.needs_validity:
        entry.valid_from, entry.valid_until, entry.review_on = validity.valid_from, validity.valid_until, validity.review_on
        entry.reminded_at = None
    entry.decision_reason = reason.strip()
    entry.decided_at, entry.decided_by_id = naive_utc(utcnow()), getattr(by, "id", None)
    audit.record(entry, decision.value, by=by, from_state=from_state.value, to_state=entry.state.value,
                 reason=entry.decision_reason)
    _notify(entry, "qualified_decision")


def _addresses(entry: QualifiedEntry) -> set[str]:
    members = {m.user.email for m in entry.organisation.members}
    application = entry.application
    extra = {application.email, application.pec} if application is not None else set()
    return (members | extra | {entry.contact_email}) - {"", None}


def _notify(entry: QualifiedEntry, template: str, **context) -> None:
    subject = _("Elenco dei soggetti qualificati: %(state)s", state=entry.state.label)
    if template == "qualified_reminder":
        subject = _("Elenco dei soggetti qualificati: iscrizione in scadenza")
    url = absolute_url("qualified.my_entry", entry_id=entry.id)
    for address in sorted(_addresses(entry)):
        queue_email(address, subject, template, entry=entry, url=url, **context)


# Expiry -------------------------------------------------------------------------------------------


def reminder_days() -> int:
    return int(current_app.config.get("COPROG_QUALIFIED_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def run_expiry(today: date | None = None) -> tuple[int, int]:
    """Remind the entries that expire within the reminder period (once), expire the ones past
    their validity. Returns (reminded, expired)."""
    today = today or rome_today()
    qualified = select(QualifiedEntry).where(QualifiedEntry.state == EntryState.QUALIFIED)
    expired = db.session.scalars(qualified.where(QualifiedEntry.valid_until < today)).all()
    for entry in expired:
        entry.move(EntryState.EXPIRED)
        audit.record(entry, "expire", from_state=EntryState.QUALIFIED.value, to_state=EntryState.EXPIRED.value)
        _notify(entry, "qualified_decision")
    due = db.session.scalars(qualified.where(
        QualifiedEntry.valid_until >= today, QualifiedEntry.valid_until <= today + timedelta(days=reminder_days()),
        QualifiedEntry.reminded_at.is_(None))).all()
    for entry in due:
        entry.reminded_at = naive_utc(utcnow())
        _notify(entry, "qualified_reminder", days=(entry.valid_until - today).days)
    return len(due), len(expired)


# Services -----------------------------------------------------------------------------------------


def _editable(entry: QualifiedEntry) -> None:
    if entry.state not in (EntryState.REQUESTED, EntryState.QUALIFIED, EntryState.SUSPENDED, EntryState.EXPIRED):
        raise EntryError({"entry": _("L'iscrizione non è attiva: i servizi non si modificano.")})


def _count(value, field: str, problems: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        problems[field] = _("Indica un numero intero.")
        return None
    if number < 0:
        problems[field] = _("Il numero non può essere negativo.")
    return number


def _in_authority(model, value, authority_id: int, field: str, message: str, problems: dict):
    try:
        found = db.session.get(model, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        found = None
    owner = getattr(found, "authority_id", None)
    if found is None or (owner is not None and owner != authority_id):
        problems[field] = message
        return None
    return found


def _comuni(authority, ids) -> list[Comune]:
    wanted = {int(i) for i in ids or [] if str(i).isdigit()}
    if not wanted:
        return []
    return list(db.session.scalars(select(Comune).join(District).where(
        Comune.id.in_(wanted), District.authority_id == authority.id)))


def _districts(authority, ids) -> list[District]:
    wanted = {int(i) for i in ids or [] if str(i).isdigit()}
    if not wanted:
        return []
    return list(db.session.scalars(select(District).where(District.id.in_(wanted),
                                                           District.authority_id == authority.id)))


def check_service(entry: QualifiedEntry, data: dict) -> dict:
    """Clean values, or EntryError with every problem at once."""
    authority = entry.procedure.authority
    problems: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        problems["title"] = _("Indica il nome del servizio.")
    elif len(title) > TITLE_MAX:
        problems["title"] = _("Massimo %(max)d caratteri.", max=TITLE_MAX)
    description = (data.get("description") or "").strip()
    if len(description) > TEXT_MAX:
        problems["description"] = _("Massimo %(max)d caratteri.", max=TEXT_MAX)
    axis = _in_authority(Axis, data.get("axis_id"), authority.id, "axis_id", _("Scegli l'asse del servizio."), problems)
    kind = _in_authority(ResourceType, data.get("resource_type_id"), authority.id, "resource_type_id",
                         _("Scegli il tipo di servizio."), problems)
    targets = {t for t in data.get("targets") or []}
    if not targets & {"adulti_csm", "minori_npia", "serdp"}:
        problems["targets"] = _("Indica a chi si rivolge il servizio.")
    comune = _comune_of(authority, data.get("comune_id"), problems)
    districts, comuni = _districts(authority, data.get("district_ids")), _comuni(authority, data.get("comune_ids"))
    if not districts and not comuni and comune is None:
        problems["district_ids"] = _("Indica i distretti o i comuni in cui il servizio è offerto.")
    capacity = _count(data.get("capacity"), "capacity", problems)
    available = _count(data.get("available"), "available", problems)
    if (capacity is not None and available is not None and available > capacity
            and not {"capacity", "available"} & problems.keys()):  # a refused capacity is no bound
        problems["available"] = _("I posti disponibili non possono superare la capacità.")
    address = (data.get("address") or "").strip()[:300]
    point = _placed(authority, comune, address, problems)
    if problems:
        raise EntryError(problems)
    return dict(title=title, description=description, axis=axis, resource_type=kind, targets=targets,
                comune=comune, address=address, point=point, districts=districts, comuni=comuni,
                capacity=capacity, available=available, step_free=bool(data.get("step_free")),
                public_transport=(data.get("public_transport") or "").strip()[:300],
                access_notes=(data.get("access_notes") or "").strip()[:TEXT_MAX])


def _comune_of(authority, value, problems: dict) -> Comune | None:
    if value in (None, ""):
        return None
    found = _comuni(authority, [value])
    if not found:
        problems["comune_id"] = _("Il comune indicato non è nel territorio dell'azienda.")
        return None
    return found[0]


def _placed(authority, comune, address: str, problems: dict):
    """The service's point: its address if a geocoder is configured and finds it inside the
    territory, else its comune's point. An address found outside the territory is refused."""
    if comune is None:
        if address and "comune_id" not in problems:  # an unknown comune keeps its own message
            problems["comune_id"] = _("Indica il comune dell'indirizzo.")
        return None
    found = address_point(authority, comune, address)  # remembered: locate() below asks no server again
    places = places_of(authority.slug)
    if found is not None and places is not None and not places.contains(*found):
        problems["address"] = _("L'indirizzo è fuori dal territorio dell'azienda.")
        return None
    return locate(authority, comune, address)


def save_service(entry: QualifiedEntry, data: dict, *, by, service: EntryService | None = None) -> EntryService:
    _editable(entry)
    clean = check_service(entry, data)
    if service is None:
        service = EntryService(entry=entry)
        db.session.add(service)
    service.title, service.description = clean["title"], clean["description"]
    service.axis, service.resource_type, service.comune = clean["axis"], clean["resource_type"], clean["comune"]
    service.address, service.districts, service.comuni = clean["address"], clean["districts"], clean["comuni"]
    service.for_adults = "adulti_csm" in clean["targets"]
    service.for_minors = "minori_npia" in clean["targets"]
    service.for_addictions = "serdp" in clean["targets"]
    point = clean["point"]
    service.longitude, service.latitude = (point.longitude, point.latitude) if point else (None, None)
    service.capacity = clean["capacity"]
    if clean["available"] != service.available or service.availability_updated_at is None:
        service.available, service.availability_updated_at = clean["available"], naive_utc(utcnow())
    service.step_free, service.public_transport = clean["step_free"], clean["public_transport"]
    service.access_notes = clean["access_notes"]
    service.search_text = search_text_of(service, entry.organisation.name)
    db.session.flush()
    audit.record(service, "save", by=by)
    return service


def update_availability(service: EntryService, value, *, by) -> None:
    """The places free now, said by the ETS: dated, so case managers see how fresh it is."""
    _editable(service.entry)
    problems: dict[str, str] = {}
    available = _count(value, "available", problems)
    if available is None and not problems:
        problems["available"] = _("Indica quanti posti sono disponibili ora (0 se nessuno).")
    if available is not None and service.capacity is not None and available > service.capacity:
        problems["available"] = _("I posti disponibili non possono superare la capacità.")
    if problems:
        raise EntryError(problems)
    service.available, service.availability_updated_at = available, naive_utc(utcnow())
    audit.record(service, "availability", by=by, details={"available": available})


def delete_service(service: EntryService, *, by) -> None:
    _editable(service.entry)
    audit.record(service, "delete", by=by)
    db.session.delete(service)


# Contacts -----------------------------------------------------------------------------------------

CONTACT_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
CONTACT_PHONE = r"^[0-9 +().-]{6,40}$"


def save_contacts(entry: QualifiedEntry, data: dict, *, by) -> None:
    """The desk that answers case managers (a desk, not a person's own data): name, e-mail and
    phone, at least one way to reach it. EntryError with every problem at once."""
    _editable(entry)
    desk = (data.get("contact_desk") or "").strip()
    email = (data.get("contact_email") or "").strip()
    phone = (data.get("contact_phone") or "").strip()
    problems: dict[str, str] = {}
    if len(desk) > 200:
        problems["contact_desk"] = _("Massimo %(max)d caratteri.", max=200)
    if email and (len(email) > 254 or not re.match(CONTACT_EMAIL, email)):
        problems["contact_email"] = _("Indirizzo e-mail non valido.")
    if phone and not re.match(CONTACT_PHONE, phone):
        problems["contact_phone"] = _("Numero di telefono non valido.")
    if not email and not phone and "contact_email" not in problems:
        problems["contact_email"] = _("Indica almeno un'e-mail o un telefono a cui i case manager possano rivolgersi.")
    if problems:
        raise EntryError(problems)
    entry.contact_desk, entry.contact_email, entry.contact_phone = desk, email, phone
    audit.record(entry, "contacts", by=by)


__all__ = ["Decision", "EntryError", "IllegalTransition", "Validity", "decide", "delete_service", "entry_of",
           "request_entry", "run_expiry", "save_contacts", "save_service", "update_availability"]
