"""Factories: small functions that make valid objects, with any field overridden."""

from __future__ import annotations

import itertools

from coprog.auth.models import User
from coprog.core.roles import Role
from coprog.core.time import naive_utc, utcnow
from coprog.extensions import db

_counter = itertools.count(1)


def make_user(role: Role = Role.STAFF, *, admin: bool = False, password: str | None = None, **fields) -> User:
    n = next(_counter)
    user = User(
        email=fields.pop("email", f"utente{n}@esempio.it"),
        full_name=fields.pop("full_name", f"Utente di prova {n}"),
        role=role,
        is_admin=admin,
        email_verified_at=fields.pop("email_verified_at", naive_utc(utcnow())),
        **fields,
    )
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_authority(slug: str = "ente-prova"):
    """A small authority: two axes, two districts with one comune each."""
    from coprog.territory.models import Authority, Axis, Comune, District

    authority = Authority(slug=slug, name="Azienda di prova", short_name="Ente di prova")
    db.session.add(authority)
    for position, (code, name) in enumerate((("abitare", "Abitare"), ("lavoro", "Formazione/Lavoro"))):
        db.session.add(Axis(authority=authority, code=code, name=name, position=position))
    n = next(_counter)
    for position, (code, name, istat, comune) in enumerate(
        (("nord", "Distretto Nord", f"9{n:04d}1", "Comune Alfa"), ("sud", "Distretto Sud", f"9{n:04d}2", "Comune Beta"))
    ):
        district = District(authority=authority, code=code, name=name, position=position)
        db.session.add(Comune(istat_code=istat, name=comune, district=district))
    db.session.flush()
    return authority


def notice_data(authority, **overrides) -> dict:
    """Valid data for notices.services.create_notice/update_notice."""
    from datetime import timedelta

    data = {
        "title": "Avviso di prova",
        "summary": "Oggetto dell'avviso di prova.",
        "legal_basis": "Art. 55 D.Lgs. 117/2017.",
        "objectives": "Obiettivi.",
        "requirements": "Requisiti.",
        "how_to_apply": "Come partecipare.",
        "rup_name": "Responsabile di prova",
        "rup_role": "Dirigente",
        "contact_email": "info@esempio.it",
        "contact_pec": "",
        "contact_phone": "",
        "deadline_at": utcnow() + timedelta(days=20),
        "axis_ids": [a.id for a in authority.axes],
        "district_ids": [d.id for d in authority.districts],
    }
    data.update(overrides)
    return data


def make_notice(authority=None, *, by=None, published=False, slug=None, **overrides):
    from coprog.notices import services

    authority = authority or make_authority(f"ente-{next(_counter)}")
    by = by or make_user(Role.STAFF)
    notice = services.create_notice(
        authority, slug or f"avviso-{next(_counter)}", notice_data(authority, **overrides), [], by=by
    )
    if published:
        notice.publish(by=by)
    db.session.flush()
    return notice


def pdf_bytes(title: str = "Documento di prova") -> bytes:
    from coprog.demo.documents import demo_pdf

    return demo_pdf(title, ["Riga di prova."])




def entity_code() -> str:
    """A valid 11-digit codice fiscale (partita IVA checksum) not used yet in this run."""
    from stdnum import luhn  # the partita IVA check digit is Luhn's

    base = f"{1000000 + next(_counter):07d}001"  # 7-digit serial, office code 001 (Rome)
    return base + luhn.calc_check_digit(base)


def make_organisation(user=None, **fields):
    from coprog.organisations.models import MemberRole, Membership, Organisation

    organisation = Organisation(
        codice_fiscale=fields.pop("codice_fiscale", entity_code()),
        name=fields.pop("name", f"Associazione di prova {next(_counter)}"),
        runts_section=fields.pop("runts_section", "b"),
        **fields,
    )
    if user is not None:
        organisation.members.append(Membership(user_id=user.id, role=MemberRole.LEGAL_REPRESENTATIVE))
    db.session.add(organisation)
    db.session.flush()
    return organisation


COMPLETE_APPLICATION = {
    "applicant_role": "legale_rappresentante",
    "legal_rep_name": "Giulia Esempio",
    "legal_rep_cf": "RSSMRA80A01H501U",
    "legal_rep_role": "Presidente",
    "pec": "ente@pec.esempio.it",
    "email": "ente@esempio.it",
    "declared_section": "b",
    "declared_repertorio": "12345",
    "table_contact_name": "Marco Referente",
    "table_contact_email": "referente@esempio.it",
    "dsan_no_exclusion": True,
    "dsan_no_conflict": True,
    "dsan_accepts_notice": True,
    "dsan_truthful": True,
    "privacy_ack": True,
}


def make_application(notice, organisation, *, by, complete=True, **fields):
    from datetime import date

    from coprog.applications import services

    application = services.start_draft(notice, organisation, by=by)
    if complete:
        data = dict(COMPLETE_APPLICATION, declared_registered_on=date(2020, 1, 15))
        data["axis_ids"] = [a.id for a in notice.axes]
        data.update(fields)
        services.save_draft(application, data)
    return application
