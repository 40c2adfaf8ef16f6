"""Milestones, documents, questions and lifecycle buttons with bad input: refused, explained,
nothing saved; removals of a published notice need the amendment reason."""

import io
import re
from datetime import timedelta

from coprog.core.roles import Role
from coprog.core.time import rome_today
from coprog.notices import services
from coprog.notices.models import AttachmentKind, NoticeState

from ..conftest import csrf_token_from
from ..factories import make_notice, pdf_bytes


def _token(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _error(html, field):
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def test_milestone_end_before_start_is_refused(client, session, login_as):
    staff = login_as(Role.STAFF)
    notice = make_notice(by=staff)
    session.commit()
    url = f"/gestione/avvisi/{notice.id}/cronoprogramma"
    data = {"csrf_token": _token(client, url), "kind": "tavolo", "title": "Tavolo Abitare",
            "day": (rome_today() + timedelta(days=5)).isoformat(), "start_time": "14:00", "end_time": "09:00"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "deve seguire" in _error(html, "end_time") and 'value="Tavolo Abitare"' in html
    session.refresh(notice)
    assert notice.milestones == []
    data["end_time"] = "17:00"
    assert client.post(url, data=data).status_code == 302
    session.refresh(notice)
    assert [m.title for m in notice.milestones] == ["Tavolo Abitare"]


def test_milestone_on_published_notice_needs_a_reason(client, session, login_as):
    staff = login_as(Role.STAFF)
    notice = make_notice(by=staff, published=True)
    session.commit()
    url = f"/gestione/avvisi/{notice.id}/cronoprogramma"
    data = {"csrf_token": _token(client, url), "kind": "altro", "title": "Incontro",
            "day": (rome_today() + timedelta(days=5)).isoformat()}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "motivo della rettifica" in _error(response.get_data(as_text=True), "amendment_reason")
    session.refresh(notice)
    assert notice.milestones == [] and notice.amendments == []


def test_document_upload_bad_input(client, session, login_as):
    staff = login_as(Role.STAFF)
    notice = make_notice(by=staff)
    session.commit()
    url = f"/gestione/avvisi/{notice.id}/documenti"
    token = _token(client, url)
    no_file = client.post(url, data={"csrf_token": token, "kind": "altro", "title": "Verbale"},
                          content_type="multipart/form-data")
    assert no_file.status_code == 422 and "Scegli un file PDF" in _error(no_file.get_data(as_text=True), "file")
    fake = client.post(url, data={"csrf_token": token, "kind": "altro", "title": "Verbale",
                                  "file": (io.BytesIO(b"<html>non un pdf</html>"), "verbale.pdf")},
                       content_type="multipart/form-data")
    html = fake.get_data(as_text=True)
    assert fake.status_code == 422 and "non è un PDF valido" in _error(html, "file") and 'value="Verbale"' in html
    bad_kind = client.post(url, data={"csrf_token": token, "kind": "inventato",
                                      "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                           content_type="multipart/form-data")
    assert bad_kind.status_code == 422
    session.refresh(notice)
    assert notice.attachments == []


def test_removing_a_document_of_a_published_notice(client, session, login_as):
    staff = login_as(Role.STAFF)
    notice = make_notice(by=staff)
    services.add_attachment(notice, services.Upload(AttachmentKind.MODELLO_A, "a.pdf", pdf_bytes()), by=staff, reason=None)
    notice.publish(by=staff)
    session.commit()
    attachment_id = notice.attachments[0].id
    url = f"/gestione/avvisi/{notice.id}/documenti/{attachment_id}/elimina"
    token = _token(client, f"/gestione/avvisi/{notice.id}/documenti")
    refused = client.post(url, data={"csrf_token": token, "reason": ""}, follow_redirects=True)
    assert "motivo della rettifica" in refused.get_data(as_text=True)
    session.refresh(notice)
    assert len(notice.attachments) == 1
    client.post(url, data={"csrf_token": token, "reason": "Documento sbagliato"})
    session.refresh(notice)
    assert notice.attachments == [] and notice.amendments[-1].reason == "Documento sbagliato"


def test_question_published_without_answer_is_refused(client, session, login_as):
    staff = login_as(Role.STAFF)
    notice = make_notice(by=staff)
    session.commit()
    url = f"/gestione/avvisi/{notice.id}/domande"
    data = {"csrf_token": _token(client, url), "question": "Chi può partecipare?", "answer": "", "published": "y"}
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "scrivi la risposta" in _error(html, "answer")
    assert "Chi può partecipare?" in html
    empty = client.post(url, data={"csrf_token": data["csrf_token"], "question": ""})
    assert empty.status_code == 422
    session.refresh(notice)
    assert notice.questions == []


def test_publish_button_refuses_an_incomplete_draft(client, session, login_as):
    staff = login_as(Role.STAFF)
    notice = make_notice(by=staff, rup_name="")
    session.commit()
    token = _token(client, f"/gestione/avvisi/{notice.id}")
    page = client.post(f"/gestione/avvisi/{notice.id}/stato/pubblica", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Operazione non consentita" in page and "RUP" in page
    session.refresh(notice)
    assert notice.state == NoticeState.DRAFT
    assert client.post(f"/gestione/avvisi/{notice.id}/stato/inventata", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/gestione/avvisi/{notice.id}/stato/pubblica", data={}).status_code == 400
