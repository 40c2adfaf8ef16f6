"""Applying: drafts, bad input, submission with protocol and receipt, deadline at the second,
withdrawal, new versions, and what another ETS can reach."""

import io
import re
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import func, select

from coprog.applications import services
from coprog.applications.models import Application, ApplicationState
from coprog.core.roles import Role
from coprog.core.time import utcnow
from coprog.notify.models import OutboxMessage

from ..conftest import csrf_token_from
from ..factories import (
    COMPLETE_APPLICATION,
    make_application,
    make_notice,
    make_organisation,
    make_user,
    pdf_bytes,
)


@pytest.fixture
def applicant(session, login_as):
    user = login_as(Role.ETS)
    notice = make_notice(published=True)
    organisation = make_organisation(user)
    session.commit()
    return user, notice, organisation


def _form_fields(application, token, **overrides):
    fields = {"csrf_token": token, **{k: ("y" if v is True else v) for k, v in COMPLETE_APPLICATION.items()},
              "declared_registered_on": "2020-01-15", "axes": [str(a.id) for a in application.notice.axes]}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _start(client, notice, organisation):
    url = f"/avvisi/{notice.procedure.slug}/domanda"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "ente": str(organisation.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/domande/(\d+)", response.headers["Location"]).group(1))


def _error(html, field):
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def test_full_submission_gives_protocol_receipt_and_read_only(client, session, applicant):
    user, notice, organisation = applicant
    application_id = _start(client, notice, organisation)
    url = f"/domande/{application_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data=_form_fields(session.get(Application, application_id), token, azione="invia"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/ricevuta")
    application = session.get(Application, application_id)
    session.refresh(application)
    assert application.state == ApplicationState.SUBMITTED and application.protocol_number == 1
    assert application.content_sha256 == application.content_digest()
    assert application.eligibility["verdict"] in ("not_eligible", "manual_check", "eligible")
    receipt = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "application_receipt")).all()
    assert receipt and all(application.content_sha256 in m.body_text and "Protocollo: 1" in m.body_text for m in receipt)
    assert user.email in {m.to_address for m in receipt}
    page = client.get(f"/domande/{application_id}/ricevuta").get_data(as_text=True)
    assert application.content_sha256 in page
    # read-only once submitted: a POST does not change it
    client.post(url, data=_form_fields(application, token, legal_rep_name="Cambiato"))
    session.refresh(application)
    assert application.legal_rep_name == "Giulia Esempio"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"legal_rep_cf": "12345"}, "legal_rep_cf", "non valido"),
        ({"declared_registered_on": (date.today() + timedelta(days=3)).isoformat()}, "declared_registered_on", "futuro"),
        ({"pec": "non-una-pec"}, "pec", "PEC non valido"),
        ({"signed_file": (io.BytesIO(b"MZ not a pdf" * 50), "domanda.pdf")}, "signed_file", "non è un PDF valido"),
        ({"signed_file": (io.BytesIO(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF"), "domanda.pdf")},
         "signed_file", "dimensione massima"),
        ({"signed_file": (io.BytesIO(b"testo qualsiasi"), "domanda.pdf.p7m")}, "signed_file", "busta firmata"),
    ],
)
def test_bad_input_saves_nothing_and_keeps_the_draft(client, session, applicant, overrides, field, message):
    user, notice, organisation = applicant
    application_id = _start(client, notice, organisation)
    url = f"/domande/{application_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    fields = _form_fields(session.get(Application, application_id), token, experience="<script>alert(1)</script>", **overrides)
    response = client.post(url, data=fields, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _error(html, field)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    application = session.get(Application, application_id)
    session.refresh(application)
    assert application.state == ApplicationState.DRAFT and application.experience == ""
    assert application.signed_file_id is None


def test_missing_declaration_keeps_the_draft_and_says_what_is_missing(client, session, applicant):
    user, notice, organisation = applicant
    application_id = _start(client, notice, organisation)
    url = f"/domande/{application_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    fields = _form_fields(session.get(Application, application_id), token, azione="invia", dsan_truthful=None,
                          experience="Vent'anni di attività")
    response = client.post(url, data=fields)
    assert response.status_code == 422
    assert "dichiarazione è necessaria" in _error(response.get_data(as_text=True), "dsan_truthful")
    application = session.get(Application, application_id)
    session.refresh(application)
    assert application.state == ApplicationState.DRAFT and application.experience == "Vent'anni di attività"
    assert application.protocol_number is None


def test_deadline_is_checked_to_the_second(session, applicant):
    user, notice, organisation = applicant
    application = make_application(notice, organisation, by=user)
    session.commit()
    deadline = notice.deadline_at.replace(tzinfo=UTC)
    with pytest.raises(services.DeadlinePassed, match="scaduto"):
        services.submit(application.id, notice.id, by=user, now=deadline + timedelta(seconds=1))
    session.rollback()
    session.refresh(application)
    assert application.state == ApplicationState.DRAFT
    services.submit(application.id, notice.id, by=user, now=deadline - timedelta(seconds=1))
    assert application.protocol_number == 1  # the refused attempt consumed no number


def test_protocol_numbers_are_sequential_and_versions_supersede(session, applicant):
    user, notice, organisation = applicant
    other_user = make_user(Role.ETS)
    other = make_organisation(other_user)
    first = make_application(notice, organisation, by=user)
    services.submit(first.id, notice.id, by=user)
    second = make_application(notice, other, by=other_user)
    services.submit(second.id, notice.id, by=other_user)
    new_version = services.start_draft(notice, organisation, by=user)
    assert new_version.version == 2 and new_version.legal_rep_name == "Giulia Esempio"
    services.submit(new_version.id, notice.id, by=user)
    assert [first.protocol_number, second.protocol_number, new_version.protocol_number] == [1, 2, 3]
    assert first.state == ApplicationState.SUPERSEDED and new_version.state == ApplicationState.SUBMITTED


def test_withdraw_before_the_deadline_only(session, applicant):
    user, notice, organisation = applicant
    application = make_application(notice, organisation, by=user)
    services.submit(application.id, notice.id, by=user)
    with pytest.raises(services.DeadlinePassed):
        services.withdraw(application, by=user, now=utcnow() + timedelta(days=60))
    services.withdraw(application, by=user)
    assert application.state == ApplicationState.WITHDRAWN


def test_another_ets_reaches_nothing(client, session, login_as):
    owner = make_user(Role.ETS)
    notice = make_notice(published=True)
    application = make_application(notice, make_organisation(owner), by=owner)
    services.attach_signed_file(application, "firmata.pdf", pdf_bytes(), "application/pdf", by=owner)
    services.submit(application.id, notice.id, by=owner)
    session.commit()
    urls = [f"/domande/{application.id}", f"/domande/{application.id}/ricevuta",
            f"/domande/{application.id}/documento-firmato"]
    for role in (Role.ETS, Role.FACILITATOR, Role.INVITED_BODY, Role.CASE_MANAGER):
        login_as(role)
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
        token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
        for action in ("ritira", "nuova-versione", "cooptati"):
            assert client.post(f"/domande/{application.id}/{action}", data={"csrf_token": token}).status_code == 404
    session.refresh(application)
    assert application.state == ApplicationState.SUBMITTED
    login_as(None)
    assert "/accedi" in client.get(urls[0]).headers["Location"]
    assert session.scalar(select(func.count(Application.id))) == 1


def test_co_opted_subjects(client, session, applicant):
    user, notice, organisation = applicant
    application_id = _start(client, notice, organisation)
    url = f"/domande/{application_id}/cooptati"
    token = csrf_token_from(client.get(f"/domande/{application_id}").get_data(as_text=True))
    bad = client.post(url, data={"csrf_token": token, "cooptato-kind": "impresa", "cooptato-name": "Impresa Esempio",
                                 "cooptato-code": "RSSMRA80A01H501X", "cooptato-role": "Tirocini"})
    assert bad.status_code == 422 and "non valido" in _error(bad.get_data(as_text=True), "cooptato-code")
    assert 'value="Impresa Esempio"' in bad.get_data(as_text=True)
    good = client.post(url, data={"csrf_token": token, "cooptato-kind": "gruppo_informale",
                                  "cooptato-name": "Gruppo di cammino del quartiere", "cooptato-role": "Uscite settimanali"})
    assert good.status_code == 302
    application = session.get(Application, application_id)
    session.refresh(application)
    assert [c.name for c in application.co_opted] == ["Gruppo di cammino del quartiere"]
    subject_id = application.co_opted[0].id
    client.post(f"{url}/{subject_id}/elimina", data={"csrf_token": token})
    session.refresh(application)
    assert application.co_opted == []
