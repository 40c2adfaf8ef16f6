"""Creating and claiming organisations. Services flush; the view commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import audit
from ..extensions import db
from .codes import CodeError
from .models import MemberRole, Membership, Organisation

PROFILE_FIELDS = ("name", "runts_section", "repertorio", "seat_comune", "seat_province", "pec", "email", "phone")


def organisations_of(user) -> list[Organisation]:
    query = (
        select(Organisation)
        .join(Membership)
        .where(Membership.user_id == user.id)
        .options(selectinload(Organisation.members))
        .order_by(Organisation.name)
    )
    return list(db.session.scalars(query))


def by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.codice_fiscale == code))


def runts_prefill(code: str) -> dict | None:
    """The RUNTS mirror's data for the form, or None when the code is not in the mirror."""
    from ..registry.services import find_entity

    record = find_entity(code)
    if record is None:
        return None
    return {
        "name": record.denominazione or "",
        "runts_section": record.sezione.value if record.sezione else None,
        "repertorio": record.repertorio or "",
        "seat_comune": record.comune or "",
        "seat_province": record.provincia or "",
    }


def register_organisation(code: str, data: dict, role: MemberRole, *, by) -> Organisation:
    """Create the organisation, or claim it when it exists and nobody acts for it yet."""
    organisation = by_code(code)
    if organisation is not None and organisation.members:
        if organisation.has_member(by):
            return organisation
        raise CodeError(
            _("Questo ente è già registrato da un'altra persona: chiedi a un referente dell'ente "
              "o al responsabile del procedimento di aggiungerti.")
        )
    if organisation is None:
        organisation = Organisation(codice_fiscale=code, created_by_id=by.id)
        db.session.add(organisation)
    for name in PROFILE_FIELDS:
        setattr(organisation, name, (data.get(name) or "").strip() or None)
    organisation.prefilled_from_runts = runts_prefill(code) is not None
    organisation.members.append(Membership(user_id=by.id, role=role))
    db.session.flush()
    audit.record(organisation, "register", by=by, details={"role": role.value})
    return organisation
