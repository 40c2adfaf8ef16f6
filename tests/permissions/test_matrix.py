"""The permission matrix: every registered route, with every role (anonymous included).

Each endpoint is classified below; a new route that is not classified fails the test, so that
nobody adds a page without deciding who may reach it.
"""

from __future__ import annotations

import io

import pytest

from coprog.core.roles import Role
from coprog.notices import services
from coprog.notices.models import AttachmentKind, MilestoneKind

from ..conftest import csrf_token_from
from ..factories import (
    make_application,
    make_authority,
    make_contribution,
    make_list_notice,
    make_notice,
    make_organisation,
    make_qualified_entry,
    make_registration,
    make_table_session,
    make_user,
    pdf_bytes,
)

PUBLIC, SIGNED_IN, STAFF = "public", "signed_in", "staff"
ETS_ONLY = "ets"  # people acting for a Third Sector Entity
OWNED = "owned"  # one organisation's data: its members (and staff, to read) only
REGISTRANTS = "registrants"  # ETS users and invited bodies (their table registrations)
PARTIES = "parties"  # an admitted ETS or an invited body that accepted, of that procedure
FACILITATED = "facilitated"  # the facilitators of that session, and staff
FACILITATORS = "facilitators"  # facilitators and staff
PARTIES_AND_STAFF = "parties_and_staff"  # a party of that procedure (none in the matrix), or staff
CASE_MANAGERS = "case_managers"  # case managers and staff (the search of the qualified list)
API_KEY = "api_key"  # a key of the v1 API, whoever is signed in: 401 to every role without one

ACCESS = {
    "pages.home": PUBLIC,
    "pages.accessibility": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.set_language": PUBLIC,
    "pages.favicon": PUBLIC,
    "territory.overview": PUBLIC,
    "notices.public_list": PUBLIC,
    "notices.detail": PUBLIC,
    "notices.calendar": PUBLIC,
    "notices.download": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.register": PUBLIC,
    "auth.verify_email": PUBLIC,
    "auth.resend_verification": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.profile": SIGNED_IN,
    "notices.manage_list": STAFF,
    "notices.create": STAFF,
    "notices.manage": STAFF,
    "notices.edit": STAFF,
    "notices.preview": STAFF,
    "notices.transition": STAFF,
    "notices.milestones": STAFF,
    "notices.delete_milestone": STAFF,
    "notices.attachments": STAFF,
    "notices.delete_attachment": STAFF,
    "notices.questions": STAFF,
    "notices.delete_question_view": STAFF,
    "subprocedures.for_procedure": STAFF,
    "subprocedures.manage": STAFF,
    "subprocedures.transition": STAFF,
    "subprocedures.invitation": STAFF,
    "subprocedures.resend": STAFF,
    "subprocedures.revoke": STAFF,
    "subprocedures.invitation_page": PUBLIC,  # the e-mailed token is the permission
    "subprocedures.accept": PUBLIC,
    "subprocedures.decline": PUBLIC,
    "subprocedures.answered": PUBLIC,
    "organisations.mine": ETS_ONLY,
    "organisations.register": ETS_ONLY,
    "organisations.detail": OWNED,
    "applications.mine": ETS_ONLY,
    "applications.start": ETS_ONLY,
    "applications.edit": OWNED,
    "applications.add_co_opted_subject": OWNED,
    "applications.remove_co_opted_subject": OWNED,
    "applications.withdraw_application": OWNED,
    "applications.new_version": OWNED,
    "applications.receipt": OWNED,
    "applications.signed_file": OWNED,
    "applications.answer": OWNED,
    "applications.review_queue": STAFF,
    "applications.review": STAFF,
    "applications.publish_admitted": STAFF,
    "applications.admitted_open_data": PUBLIC,
    # tables: planning (staff), public calendar, figures and published minutes
    "tables.plan_overview": STAFF,
    "tables.add_category": STAFF,
    "tables.rename_category": STAFF,
    "tables.new_group": STAFF,
    "tables.edit_group": STAFF,
    "tables.delete_group": STAFF,
    "tables.new_session": STAFF,
    "tables.edit_session": STAFF,
    "tables.delete_session": STAFF,
    "tables.communicate_calendar": STAFF,
    "tables.session_registrations": STAFF,
    "tables.session_registrations_csv": STAFF,
    "tables.staff_cancel_registration": STAFF,
    "tables.staff_figures": STAFF,
    "tables.publish_minutes": STAFF,
    "tables.calendar": PUBLIC,
    "tables.calendar_ics": PUBLIC,
    "tables.public_figures": PUBLIC,
    "tables.figures_json": PUBLIC,
    "tables.figures_csv": PUBLIC,
    "tables.public_minutes": PUBLIC,
    "tables.public_minutes_pdf": PUBLIC,
    # tables: registrations by ETS and invited bodies
    "tables.my_registrations": REGISTRANTS,
    "tables.register_person": PARTIES,
    "tables.cancel_registration": OWNED,
    # tables: the door and the minutes, for the session's facilitators (and staff)
    "tables.facilitator_home": FACILITATORS,
    "tables.door": FACILITATED,
    "tables.check_in": FACILITATED,
    "tables.undo_check_in": FACILITATED,
    "tables.add_walk_in": FACILITATED,
    "tables.admit_waitlisted": FACILITATED,
    "tables.edit_minutes": FACILITATED,
    "tables.add_finding": FACILITATED,
    "tables.edit_finding": FACILITATED,
    "tables.delete_finding": FACILITATED,
    "tables.move_finding": FACILITATED,
    "tables.add_direction": FACILITATED,
    "tables.edit_direction": FACILITATED,
    "tables.delete_direction": FACILITATED,
    "tables.move_direction": FACILITATED,
    "tables.save_minutes_notes": FACILITATED,
    "tables.approve_minutes": FACILITATED,
    "tables.reopen_minutes": FACILITATED,
    "tables.minutes_document": FACILITATED,
    "tables.minutes_pdf_download": FACILITATED,
    # resource mapping: contributions, moderation, map, network, coverage, open data
    "mapping.my_contributions": REGISTRANTS,
    "mapping.new_contribution": PARTIES_AND_STAFF,
    "mapping.contribution_page": OWNED,
    "mapping.contributions_from_table": FACILITATED,
    "mapping.moderation_queue": STAFF,
    "mapping.moderate_contribution": STAFF,
    "mapping.rebuild_network": STAFF,
    "mapping.map_page": PUBLIC,
    "mapping.map_script": PUBLIC,
    "mapping.map_boundaries": PUBLIC,
    "mapping.map_resources": PUBLIC,
    "mapping.map_resource": PUBLIC,
    "mapping.public_network": PUBLIC,
    "mapping.coverage_page": PUBLIC,
    "mapping.open_resources": PUBLIC,
    "mapping.network_json": PUBLIC,
    "mapping.coverage_csv_data": PUBLIC,
    # restitution: the synthesis editor
    "restitution.manage_synthesis": STAFF,
    "restitution.add_item": STAFF,
    "restitution.save_introduction": STAFF,
    "restitution.change_state": STAFF,
    "restitution.edit_item": STAFF,
    "restitution.move_item": STAFF,
    "restitution.delete_item": STAFF,
    "restitution.add_source": STAFF,
    "restitution.remove_source": STAFF,
    "restitution.public_restitution": PUBLIC,
    "restitution.public_item": PUBLIC,
    "restitution.synthesis_json": PUBLIC,
    "restitution.open_data_catalogue": PUBLIC,
    "restitution.catalogue_jsonld": PUBLIC,
    "restitution.manage_final_document": STAFF,
    "restitution.final_document_preview_pdf": STAFF,
    "restitution.change_final_state": STAFF,
    "restitution.public_final_document": PUBLIC,
    "restitution.public_final_document_pdf": PUBLIC,
    "restitution.transparency": PUBLIC,
    "restitution.amendment_file": PUBLIC,
    # the list of qualified entities: the search of case managers (and staff), the shortlist
    "qualified.search_page": CASE_MANAGERS,
    "qualified.search_map_script": CASE_MANAGERS,
    "qualified.search_boundaries": CASE_MANAGERS,
    "qualified.entity_page": CASE_MANAGERS,
    "qualified.shortlist_page": CASE_MANAGERS,
    "qualified.shortlist_csv": CASE_MANAGERS,
    "qualified.shortlist_add": CASE_MANAGERS,
    "qualified.shortlist_remove": CASE_MANAGERS,
    # the list of qualified entities: staff decide; an ETS keeps its own entry (the world's is another's)
    "qualified.manage_entries": STAFF,
    "qualified.invite_admitted_entities": STAFF,
    "qualified.manage_entry": STAFF,
    "qualified.my_entry": OWNED,
    "qualified.add_service": OWNED,
    "qualified.edit_service": OWNED,
    "qualified.remove_service": OWNED,
    "qualified.update_service_availability": OWNED,
    "qualified.save_entry_contacts": OWNED,
    # the list of qualified entities for other systems: public HSDS and CSV, the keyed v1 API, its keys
    "qualified.hsds_meta": PUBLIC,
    "qualified.hsds_openapi": PUBLIC,
    "qualified.hsds_services": PUBLIC,
    "qualified.hsds_service": PUBLIC,
    "qualified.hsds_organizations": PUBLIC,
    "qualified.list_open_data": PUBLIC,
    "qualified.v1_openapi": PUBLIC,
    "qualified.v1_services": API_KEY,
    "qualified.v1_entity": API_KEY,
    "qualified.api_keys": STAFF,
    "qualified.revoke_api_key": STAFF,
}

ROLES = [
    ("anonymous", None, False),
    ("staff", Role.STAFF, False),
    ("admin", Role.STAFF, True),
    ("ets", Role.ETS, False),
    ("facilitator", Role.FACILITATOR, False),
    ("case_manager", Role.CASE_MANAGER, False),
    ("invited_body", Role.INVITED_BODY, False),
]


@pytest.fixture
def world(session):
    """A published notice with a milestone, a document and a question."""
    authority = make_authority()
    staff = make_user(Role.STAFF)
    notice = make_notice(authority, by=staff, published=True)
    upload = services.Upload(kind=AttachmentKind.MODELLO_A, filename="a.pdf", data=pdf_bytes())
    services.add_attachment(notice, upload, by=staff, reason="Allegato")
    starts, ends, all_day = services.milestone_times(notice.deadline_at.date(), None, None)
    milestone = services.add_milestone(
        notice, dict(kind=MilestoneKind.TABLE, title="Tavolo", starts_at=starts, ends_at=ends, all_day=all_day),
        by=staff, reason="Data del tavolo",
    )
    question = services.save_question(notice, None, {"question": "D?", "answer": "R.", "published": True}, by=staff)
    sub, invitation = _subprocedure_with_invitation(notice, staff)
    application = _submitted_application(notice)
    tables = _tables(notice, staff)
    contribution = make_contribution(notice, by=staff)  # another ETS's, published
    item, source = _synthesis(notice, staff, contribution)
    entry = make_qualified_entry(make_list_notice(authority, by=staff), by=staff)  # qualified, valid today
    api = _api_values(entry, staff)
    session.commit()
    return {
        "notice_id": notice.id,
        "slug": notice.procedure.slug,
        "attachment_id": notice.attachments[0].id,
        "milestone_id": milestone.id,
        "question_id": question.id,
        "action": "pubblica",
        "lang": "en",
        "token": "token-non-valido",
        "procedure_id": notice.procedure_id,
        "sub_id": sub.id,
        "invitation_id": invitation.id,
        "organisation_id": application.organisation_id,
        "application_id": application.id,
        "subject_id": application.co_opted[0].id,
        **{name: obj.id for name, obj in tables.items()},
        "kind": "bisogno",
        "contribution_id": contribution.id,
        "item_id": item.id,
        "source_id": source.id,
        "entry_id": entry.id,
        "service_id": entry.services[0].id,
        **api,
        "number": 1,  # a rettifica (none here: the public route answers 404)
    }


def _api_values(entry, staff):
    """The HSDS id of the entry's service, the entry as a v1 entity, and an API key to revoke."""
    from coprog.qualified.api_keys import issue_key
    from coprog.qualified.hsds import hsds_id

    key, _secret = issue_key("Sistema dell'azienda", by=staff)
    return {"service_uuid": hsds_id("service", entry.services[0].id), "entity_id": entry.id, "key_id": key.id}


def _tables(notice, staff):
    """A session facilitated by someone else, with a registration made by another ETS, a
    published verbale with a Part 1 finding and a Part 2 direction, and its categories."""
    from datetime import timedelta

    from coprog.tables.models import Direction, Finding, FindingKind, Minutes, MinutesState

    facilitator = make_user(Role.FACILITATOR)
    meeting = make_table_session(notice, by=staff, facilitators=[facilitator], starts_in_hours=-1)
    owner = make_user(Role.ETS)
    registration = make_registration(meeting, category="ets", by=owner, now=meeting.starts_at - timedelta(days=1))
    minutes = Minutes(session=meeting, state=MinutesState.PUBLISHED)
    finding = Finding(minutes=minutes, kind=FindingKind.NEED, text="Bisogno")
    direction = Direction(minutes=minutes, who="Chi", what="Cosa", how="Come")
    from coprog.extensions import db

    db.session.add_all([minutes, finding, direction])
    db.session.flush()
    return {"session_id": meeting, "group_id": meeting.groups[0], "registration_id": registration,
            "category_id": registration.category, "finding_id": finding, "direction_id": direction}


def _synthesis(notice, staff, contribution):
    """A draft synthesis with a cross-cutting item that cites the contribution."""
    from coprog.restitution.services import synthesis as synthesis_service

    synthesis = synthesis_service.synthesis_of(notice.procedure, create=True)
    item = synthesis_service.add_item(synthesis, {"kind": "cross_cutting", "title": "Voce"}, by=staff)
    return item, synthesis_service.add_source(item, contribution_id=contribution.id, by=staff)


def _submitted_application(notice):
    """Another ETS's submitted application, with a co-opted subject and a signed file."""
    from coprog.applications import services as applications
    from coprog.applications.models import CoOptedKind

    owner = make_user(Role.ETS)
    application = make_application(notice, make_organisation(owner), by=owner)
    applications.add_co_opted(application, dict(kind=CoOptedKind.COMPANY, name="Impresa", role="Tirocini"))
    applications.attach_signed_file(application, "f.pdf", pdf_bytes(), "application/pdf", by=owner)
    applications.submit(application.id, notice.id, by=owner)
    return application


def _subprocedure_with_invitation(notice, staff):
    from coprog.subprocedures import services as subprocedures

    sub = subprocedures.create_subprocedure(
        notice.procedure, {"title": "Sub", "purpose": "Finalità", "legal_basis": "L. 241/1990"}, by=staff
    )
    sub.open(by=staff)
    invitation = subprocedures.invite_body(
        sub, {"body_kind": "fondazione", "body_name": "Fondazione", "email": "f@esempio.it"}, by=staff
    )
    return sub, invitation


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    assert endpoints - ACCESS.keys() == set(), "classify the new routes in ACCESS"
    assert ACCESS.keys() - endpoints == set(), "ACCESS names routes that no longer exist"


def _url(rule, values):
    from flask import url_for

    args = {name: values[name] for name in rule.arguments}
    return url_for(rule.endpoint, **args)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accedi" in response.headers.get("Location", "")


@pytest.mark.parametrize("label,role,admin", ROLES, ids=[r[0] for r in ROLES])
def test_matrix(app, client, login_as, world, label, role, admin):
    login_as(role, admin=admin) if role else None
    token = csrf_token_from(client.get("/accedi" if role is None else "/profilo").get_data(as_text=True))
    failures = []
    for rule, method in routes(app):
        with app.test_request_context():
            url = _url(rule, world)
        if method == "POST":
            data = {"csrf_token": token, "reason": "matrice", "file": (io.BytesIO(b""), "")}
            response = client.post(url, data=data, content_type="multipart/form-data")
        else:
            response = client.get(url)
        problem = _check(ACCESS[rule.endpoint], role, response)
        if problem:
            failures.append(f"{method} {url}: {problem} (status {response.status_code})")
        if rule.endpoint == "auth.logout" and role is not None:
            login_as(role, admin=admin)
            token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    assert not failures, f"role {label}:\n" + "\n".join(failures)


def _check(access: str, role, response) -> str | None:
    if response.status_code >= 500:
        return "server error"
    if access == PUBLIC:
        if response.status_code in (401, 403) or _is_login_redirect(response):
            return "public route refused"
        return None
    if access == API_KEY:
        return None if response.status_code == 401 else "answered without an API key"
    if role is None:
        return None if _is_login_redirect(response) else "anonymous not sent to login"
    if access == SIGNED_IN:
        return "signed-in user refused" if response.status_code == 403 or _is_login_redirect(response) else None
    if access == ETS_ONLY:
        if role == Role.ETS:
            return "ETS user refused" if response.status_code == 403 or _is_login_redirect(response) else None
        return None if response.status_code == 403 else "a non-ETS user reached an ETS page"
    if access == PARTIES_AND_STAFF:
        if role == Role.STAFF:
            return "staff refused" if response.status_code in (401, 403) or _is_login_redirect(response) else None
        return None if response.status_code in (403, 404) else "reached a procedure it has no part in"
    if access in (PARTIES, FACILITATED):
        # no role of the matrix is a party of the procedure or a facilitator of the session;
        # staff may facilitate every session (tests/tables/ check the parties themselves)
        if access == FACILITATED and role == Role.STAFF:
            return "staff refused" if response.status_code in (401, 403) or _is_login_redirect(response) else None
        return None if response.status_code in (403, 404) else "reached a session it has no part in"
    if access in (REGISTRANTS, FACILITATORS, CASE_MANAGERS):
        allowed = {REGISTRANTS: (Role.ETS, Role.INVITED_BODY), FACILITATORS: (Role.FACILITATOR, Role.STAFF),
                   CASE_MANAGERS: (Role.CASE_MANAGER, Role.STAFF)}[access]
        if role in allowed:
            return "refused" if response.status_code == 403 or _is_login_redirect(response) else None
        return None if response.status_code == 403 else "reached a page of another role"
    if access == OWNED:
        if role == Role.STAFF:
            return None  # staff read every application; changing one is refused (403)
        return None if response.status_code in (403, 404) else "reached another organisation's data"
    if role != Role.STAFF:
        return None if response.status_code == 403 else "non-staff reached a staff route"
    return "staff refused" if response.status_code == 403 or _is_login_redirect(response) else None


def test_drafts_are_not_public(client, session, login_as):
    draft = make_notice(title="Bozza riservata")
    session.commit()
    url = f"/avvisi/{draft.procedure.slug}"
    assert _is_login_redirect(client.get(url))
    login_as(Role.ETS)
    assert client.get(url).status_code == 403
    assert client.get(f"/avvisi/{draft.procedure.slug}/calendario.ics").status_code == 403
    assert "Bozza riservata" not in client.get("/avvisi").get_data(as_text=True)
