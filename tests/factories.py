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


# Tables -------------------------------------------------------------------------------------------


def make_admitted(notice, user=None, **organisation_fields):
    """An organisation (with `user` as member) whose application to `notice` is admitted."""
    from coprog.applications.models import ApplicationState

    user = user or make_user(Role.ETS)
    organisation = make_organisation(user, **organisation_fields)
    application = make_application(notice, organisation, by=user)
    application.state = ApplicationState.ADMITTED
    db.session.flush()
    return application


def make_table_session(notice=None, *, by=None, groups=1, starts_in_hours=48, capacity=None,
                       facilitators=(), axis=None, **fields):
    """A session of `groups` new table groups (one axis), starting `starts_in_hours` from now,
    lasting 3 hours. Returns the session; its groups are session.groups."""
    from datetime import timedelta

    from coprog.tables.services import planning

    notice = notice or make_notice(published=True)
    by = by or make_user(Role.STAFF)
    procedure = notice.procedure
    axis = axis or notice.procedure.authority.axes[0]
    district_ids = [d.id for d in procedure.authority.districts]
    made = [
        planning.save_group(
            procedure, None,
            {"axis_id": axis.id, "name": f"Tavolo di prova {next(_counter)}", "district_ids": district_ids[:1]},
            by=by,
        )
        for _ in range(groups)
    ]
    starts = utcnow() + timedelta(hours=starts_in_hours)
    data = {
        "axis_id": axis.id, "group_ids": [g.id for g in made], "starts_at": starts,
        "ends_at": starts + timedelta(hours=3), "place": "Sala di prova", "capacity": capacity,
        "facilitator_ids": [f.id for f in facilitators],
    }
    data.update(fields)
    return planning.save_session(procedure, None, data, by=by)


def make_registration(session, *, category="ausl", group=None, by=None, **fields):
    """A registration through the real use-case (confirmed while there is room)."""
    from coprog.tables.services import planning
    from coprog.tables.services.registrations import register

    n = next(_counter)
    category = planning.category_by_code(session.procedure, category)
    fields.setdefault("full_name", f"Persona di prova {n}")
    fields.setdefault("email", f"persona{n}@esempio.it")
    return register(session, group or session.groups[0], category, by=by or make_user(Role.STAFF), **fields)


# Resource mapping ---------------------------------------------------------------------------------


def make_contribution(notice, *, by=None, actor=None, approved=True, comune=None, collaborators=(), **fields):
    """A contribution of `actor` (default: a new admitted ETS's actor) in the notice's first
    district (or `comune`'s), approved unless told otherwise."""
    from coprog.actors.services import actor_for_organisation
    from coprog.mapping.models import ContributionState, OfferMode
    from coprog.mapping.services.contributions import (
        moderate,
        resource_types_of,
        submit_contribution,
    )

    by = by or make_user(Role.STAFF)
    procedure = notice.procedure
    authority = procedure.authority
    actor = actor or actor_for_organisation(make_admitted(notice).organisation)
    district = comune.district if comune is not None else authority.districts[0]
    data = {
        "actor": actor, "collaborators": list(collaborators), "axis_id": authority.axes[0].id,
        "resource_type_id": resource_types_of(authority)[0].id, "description": "Una sala per incontri",
        "offer_mode": OfferMode.MAKING_AVAILABLE.value, "district_id": district.id,
        "comune_id": comune.id if comune is not None else None, "capacity": 10,
        "longitude": 11.3, "latitude": 44.5,
    }
    data.update(fields)
    contribution = submit_contribution(procedure, data, by=by)
    if approved:
        moderate(contribution, ContributionState.APPROVED, "Verificato", by=by)
    return contribution


def make_list_notice(authority=None, *, by=None, published=True, **overrides):
    """A notice of kind "elenco di soggetti qualificati" (open until its closing date)."""
    from datetime import timedelta

    from coprog.notices.models import ProcedureKind

    overrides.setdefault("deadline_at", utcnow() + timedelta(days=900))
    return make_notice(authority, by=by, published=published, kind=ProcedureKind.QUALIFIED_LIST.value,
                       title="Elenco dei soggetti qualificati", **overrides)


def make_qualified_entry(notice, *, by=None, organisation=None, state="qualified", valid_days=365, services=1,
                         **service_fields):
    """An entry of the list (qualified by default, valid from yesterday for `valid_days`) with
    `services` services on the first axis, in the first district's comune, for adults."""
    from datetime import timedelta

    from coprog.core.time import rome_today
    from coprog.mapping.services.contributions import resource_types_of
    from coprog.qualified.models import EntryState, QualifiedEntry
    from coprog.qualified.services.entries import save_service

    by = by or make_user(Role.STAFF)
    organisation = organisation or make_organisation(make_user(Role.ETS))
    authority = notice.procedure.authority
    entry = QualifiedEntry(procedure=notice.procedure, organisation=organisation, state=EntryState.REQUESTED,
                           contact_desk="Sportello inserimenti", contact_email="sportello@esempio.it")
    db.session.add(entry)
    db.session.flush()
    comune = authority.districts[0].comuni[0]
    for number in range(services):
        data = {"title": f"Servizio {number + 1}", "description": "Appartamento supportato per la vita autonoma",
                "axis_id": authority.axes[0].id, "resource_type_id": resource_types_of(authority)[0].id,
                "targets": ["adulti_csm"], "comune_id": comune.id, "district_ids": [authority.districts[0].id],
                "capacity": 4, "available": 2, **service_fields}
        save_service(entry, data, by=by)
    if state != "requested":
        today = rome_today()
        entry.state = EntryState(state)
        entry.valid_from, entry.valid_until = today - timedelta(days=1), today + timedelta(days=valid_days)
    db.session.flush()
    return entry
