"""The final document (documento di sintesi): generated from the data while a draft, frozen when
approved, published with its stored PDF and SHA-256; the publication needs its confirmation; the
public sees nothing before and no personal names after."""

from __future__ import annotations

import hashlib
import json

import pytest

from coprog.core.roles import Role
from coprog.extensions import db
from coprog.restitution.models import FinalDocumentState
from coprog.restitution.services import final_document as final_service
from coprog.tables.services.checkin import check_in

from ..conftest import csrf_token_from
from ..factories import make_notice, make_registration, make_table_session
from .test_public import publish

SECRET_NAME = "Ginevra Nascosta"


@pytest.fixture
def notice(session):
    return make_notice(published=True)


@pytest.fixture
def staff(login_as):
    return login_as(Role.STAFF)


@pytest.fixture
def meeting(notice, staff):
    found = make_table_session(notice, by=staff, starts_in_hours=1, facilitators=[staff])
    check_in(make_registration(found, full_name=SECRET_NAME, category="ets"), by=staff)
    return found


def manage_url(notice) -> str:
    return f"/gestione/procedimenti/{notice.procedure_id}/documento-finale"


def move(client, notice, action, **data):
    token = csrf_token_from(client.get(manage_url(notice)).get_data(as_text=True))
    return client.post(f"{manage_url(notice)}/stato/{action}", data={"csrf_token": token, **data})


def document(notice):
    db.session.expire_all()
    return final_service.document_of(notice.procedure)


def test_a_draft_is_computed_from_the_data_and_waits_for_the_synthesis(client, session, notice, staff, meeting):
    session.commit()
    html = client.get(manage_url(notice)).get_data(as_text=True)
    assert "Anteprima del documento" in html and "Tavoli svolti" in html and SECRET_NAME not in html
    assert "si approva dopo averla pubblicata" in html
    response = move(client, notice, "approva")
    assert response.status_code == 302
    assert "Prima si pubblica la sintesi" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert document(notice).state == FinalDocumentState.DRAFT and document(notice).content is None
    assert client.get(f"/avvisi/{notice.procedure.slug}/documento-di-sintesi").status_code == 404


def test_approval_freezes_the_content_and_publication_stores_the_pdf(client, session, notice, staff, meeting):
    publish(notice, staff)
    session.commit()
    assert move(client, notice, "approva").status_code == 302
    frozen = document(notice).content
    assert frozen["participation"]["attended"] == 1 and frozen["synthesis"]["sections"]
    assert SECRET_NAME not in json.dumps(frozen)
    # A later check-in changes the restitution, not the approved document
    check_in(make_registration(meeting, full_name="Altra Persona", category="ausl"), by=staff)
    session.commit()
    assert document(notice).content == frozen

    refused = move(client, notice, "pubblica")
    assert refused.status_code == 422 and "Conferma la pubblicazione." in refused.get_data(as_text=True)
    assert document(notice).state == FinalDocumentState.APPROVED and document(notice).file is None

    assert move(client, notice, "pubblica", confirm="y").status_code == 302
    stored = document(notice).file
    slug = notice.procedure.slug
    pdf = client.get(f"/avvisi/{slug}/documento-di-sintesi.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert hashlib.sha256(pdf.data).hexdigest() == stored.sha256 == pdf.headers["ETag"].strip('"')
    assert client.get(f"/avvisi/{slug}/documento-di-sintesi.pdf",
                      headers={"If-None-Match": pdf.headers["ETag"]}).status_code == 304
    page = client.get(f"/avvisi/{slug}/documento-di-sintesi").get_data(as_text=True)
    assert stored.sha256 in page and "Filiere integrate" in page and SECRET_NAME not in page
    assert f"/avvisi/{slug}/documento-di-sintesi" in client.get(f"/avvisi/{slug}/restituzione").get_data(as_text=True)


def test_reopening_withdraws_the_published_document(client, session, notice, staff, meeting):
    publish(notice, staff)
    session.commit()
    move(client, notice, "approva")
    move(client, notice, "pubblica", confirm="y")
    assert move(client, notice, "riapri").status_code == 302
    found = document(notice)
    assert found.state == FinalDocumentState.DRAFT and found.content is None and found.file is None
    assert client.get(f"/avvisi/{notice.procedure.slug}/documento-di-sintesi.pdf").status_code == 404


def test_unknown_actions_and_moves_out_of_order_are_refused(client, session, notice, staff):
    publish(notice, staff)
    session.commit()
    assert move(client, notice, "cancella").status_code == 404
    response = move(client, notice, "pubblica", confirm="y")  # a draft is not published
    assert response.status_code == 302
    assert "cambiato nel frattempo" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert document(notice).state == FinalDocumentState.DRAFT


def test_the_draft_pdf_is_made_on_request(client, session, notice, staff, meeting):
    session.commit()
    response = client.get(f"{manage_url(notice)}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "documento-di-sintesi-" in response.headers["Content-Disposition"]
