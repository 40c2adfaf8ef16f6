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
    make_notice,
    make_organisation,
    make_user,
    pdf_bytes,
)

PUBLIC, SIGNED_IN, STAFF = "public", "signed_in", "staff"
ETS_ONLY = "ets"  # people acting for a Third Sector Entity
OWNED = "owned"  # one organisation's data: its members (and staff, to read) only

ACCESS = {
    "pages.home": PUBLIC,
    "pages.accessibility": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.set_language": PUBLIC,
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
    }


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
    if role is None:
        return None if _is_login_redirect(response) else "anonymous not sent to login"
    if access == SIGNED_IN:
        return "signed-in user refused" if response.status_code == 403 or _is_login_redirect(response) else None
    if access == ETS_ONLY:
        if role == Role.ETS:
            return "ETS user refused" if response.status_code == 403 or _is_login_redirect(response) else None
        return None if response.status_code == 403 else "a non-ETS user reached an ETS page"
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
