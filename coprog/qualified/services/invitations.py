"""From the co-programming to the list: the entities admitted to a co-programming are invited to
apply to the list, and what they already told the authority is not asked again.

- `invite_admitted`: an e-mail to each entity admitted to a co-programming procedure of the same
  authority that has no entry in the list yet, with the link to apply.
- `prefill_from_coprogramming`: a new application to the list starts with the entity's latest
  admitted co-programming application (applicant, contacts, RUNTS data, experience, axes and
  districts; never the declarations or the signed form, which belong to each notice).
- `services_from_contributions`: a new entry starts with one service per resource the entity
  published in the mapping (axis, type, description, place, capacity), linked to it, for the
  entity to complete (targets, availability) before staff decide.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ...actors.models import Actor
from ...applications.models import DATE_FIELDS, TEXT_FIELDS, Application, ApplicationState
from ...core import audit
from ...core.time import naive_utc, utcnow
from ...extensions import db
from ...mapping.models import Contribution, ContributionState
from ...notices.models import Notice, Procedure, ProcedureKind
from ...notify.services import absolute_url, queue_email
from ..models import EntryService, QualifiedEntry
from .search import search_text_of


def _admitted(procedure: Procedure) -> list[Application]:
    return list(db.session.scalars(select(Application).join(Notice).where(
        Notice.procedure_id == procedure.id, Application.state == ApplicationState.ADMITTED)))


def invitable(list_procedure: Procedure, source: Procedure) -> list[Application]:
    """The admitted applications of `source` whose entity has no entry in the list yet."""
    listed = set(db.session.scalars(select(QualifiedEntry.organisation_id)
                                    .where(QualifiedEntry.procedure_id == list_procedure.id)))
    return [a for a in _admitted(source) if a.organisation_id not in listed]


def invite_admitted(list_notice: Notice, source: Procedure, *, by) -> int:
    """E-mail each invitable entity (its members and the application's addresses)."""
    if list_notice.procedure.kind != ProcedureKind.QUALIFIED_LIST or source.authority_id != list_notice.procedure.authority_id:
        raise ValueError("invitations go from a co-programming to a list of the same authority")
    url = absolute_url("notices.detail", slug=list_notice.procedure.slug)
    subject = _("Invito a iscriversi all'elenco dei soggetti qualificati")
    invited = invitable(list_notice.procedure, source)
    for application in invited:
        addresses = {m.user.email for m in application.organisation.members} | {application.email, application.pec}
        for address in sorted(addresses - {"", None}):
            queue_email(address, subject, "qualified_invitation", notice=list_notice, source=source.notice,
                        organisation=application.organisation, url=url)
    audit.record(list_notice, "invite_admitted", by=by,
                 details={"source": source.slug, "organisations": [a.organisation_id for a in invited]})
    return len(invited)


def prefill_from_coprogramming(application: Application) -> bool:
    """A first application to a list starts from the entity's latest admitted application to a
    co-programming of the same authority. True if something was copied."""
    notice = application.notice
    if notice.procedure.kind != ProcedureKind.QUALIFIED_LIST:
        return False
    source = db.session.scalar(
        select(Application).join(Notice).join(Procedure)
        .where(Application.organisation_id == application.organisation_id,
               Application.state == ApplicationState.ADMITTED,
               Procedure.kind == ProcedureKind.CO_PROGRAMMING,
               Procedure.authority_id == notice.procedure.authority_id)
        .order_by(Application.decided_at.desc(), Application.id.desc()).limit(1))
    if source is None:
        return False
    for name in (*TEXT_FIELDS, *DATE_FIELDS):
        setattr(application, name, getattr(source, name))
    application.axes = list(source.axes)
    application.districts = list(source.districts)
    return True


def services_from_contributions(entry: QualifiedEntry) -> int:
    """One service per published contribution of the entity (its own actor), none twice."""
    linked = {c.id for s in entry.services for c in s.contributions}
    contributions = db.session.scalars(
        select(Contribution).join(Actor, Actor.id == Contribution.actor_id)
        .where(Actor.organisation_id == entry.organisation_id, Contribution.state == ContributionState.APPROVED)
        .order_by(Contribution.id)).all()
    made = 0
    for contribution in contributions:
        if contribution.id in linked or contribution.procedure.authority_id != entry.procedure.authority_id:
            continue
        service = EntryService(
            entry=entry, axis=contribution.axis, resource_type=contribution.resource_type,
            title=contribution.description[:80].rstrip() or contribution.resource_type.stored_label,
            description=contribution.description, comune=contribution.comune, address=contribution.address,
            latitude=contribution.latitude, longitude=contribution.longitude, capacity=contribution.capacity,
            districts=[contribution.district], contributions=[contribution],
        )
        service.search_text = search_text_of(service, entry.organisation.name)
        service.created_at = naive_utc(utcnow())
        db.session.add(service)
        made += 1
    db.session.flush()
    return made
