"""The scene of the API tests: a list with valid, expired and suspended entries, and keys."""

from __future__ import annotations

from dataclasses import dataclass

from coprog.core.roles import Role
from coprog.qualified.api_keys import issue_key, limiter
from coprog.qualified.models import QualifiedEntry

from ..factories import (
    make_authority,
    make_list_notice,
    make_organisation,
    make_qualified_entry,
    make_user,
)


@dataclass
class Scene:
    notice: object
    valid: QualifiedEntry
    other: QualifiedEntry
    expired: QualifiedEntry
    suspended: QualifiedEntry
    key: str
    staff: object


def build_scene(session, authority=None, *, services: int = 2) -> Scene:
    """A published list with two valid entries (`valid` with `services` services, `other` with
    one), one past its validity and one suspended; and an API key."""
    limiter.reset()
    staff = make_user(Role.STAFF)
    authority = authority or make_authority("ente-api")
    notice = make_list_notice(authority, by=staff)
    second = authority.districts[1]
    valid = make_qualified_entry(notice, by=staff, services=services,
                                 organisation=make_organisation(name="Cooperativa Aurora"),
                                 district_ids=[d.id for d in authority.districts], comune_ids=[second.comuni[0].id])
    valid.contact_phone = "051 000000"
    other = make_qualified_entry(notice, by=staff, organisation=make_organisation(name="Associazione Betulla"),
                                 title="Laboratorio di falegnameria", targets=["minori_npia", "serdp"],
                                 axis_id=authority.axes[1].id, available=0)
    expired = make_qualified_entry(notice, by=staff, organisation=make_organisation(name="Scaduta srl"),
                                   title="Servizio scaduto", valid_days=-2)
    suspended = make_qualified_entry(notice, by=staff, state="suspended",
                                     organisation=make_organisation(name="Sospesa onlus"), title="Servizio sospeso")
    _row, key = issue_key("Cartella clinica", by=staff)
    session.commit()
    return Scene(notice, valid, other, expired, suspended, key, staff)


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}
