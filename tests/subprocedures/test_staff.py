"""Staff pages: create and open a sub-procedure, invite bodies (bad input, duplicates), the
e-mail in the outbox, resend and revoke; and who may not reach these pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.notify.models import OutboxMessage
from coprog.subprocedures.models import Invitation, InvitationState, SubProcedure, SubProcedureState

from ..conftest import csrf_token_from
from .conftest import last_link, make_subprocedure

SCRIPT = "<script>alert('x')</script>"


def _token(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _counts(session):
    return tuple(
        session.scalar(select(func.count(model.id))) for model in (SubProcedure, Invitation, OutboxMessage)
    )


@pytest.fixture
def signed_staff(login_as):
    return login_as(Role.STAFF)


# Creating and opening ----------------------------------------------------------------------------


def test_notice_page_links_to_the_subprocedure_tab(client, session, notice, signed_staff):
    page = client.get(f"/gestione/avvisi/{notice.id}").get_data(as_text=True)
    assert f"/gestione/procedure/{notice.procedure_id}/sub-procedimenti" in page
    assert "Sub-procedimento" in page


def test_staff_creates_and_opens_a_subprocedure(client, session, notice, signed_staff):
    url = f"/gestione/procedure/{notice.procedure_id}/sub-procedimenti"
    page = client.get(url).get_data(as_text=True)
    assert "L. 241/1990; art. 55 D.Lgs. 117/2017" in page  # the default legal basis, prefilled
    response = client.post(url, data={
        "csrf_token": csrf_token_from(page), "title": "Coinvolgimento di soggetti diversi dagli ETS",
        "purpose": "Finalità.", "legal_basis": "L. 241/1990",
    })
    assert response.status_code == 302
    sub = session.scalar(select(SubProcedure).where(SubProcedure.procedure_id == notice.procedure_id))
    assert sub.state == SubProcedureState.DRAFT and sub.created_by_id == signed_staff.id
    manage = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Apri il sub-procedimento" in manage and "Invita un soggetto" not in manage
    client.post(f"/gestione/sub-procedimenti/{sub.id}/stato/apri", data={"csrf_token": csrf_token_from(manage)})
    session.refresh(sub)
    assert sub.state == SubProcedureState.OPEN
    assert "Invita un soggetto" in client.get(f"/gestione/sub-procedimenti/{sub.id}").get_data(as_text=True)
    assert [e.actor_id for e in history(sub)] == [signed_staff.id, signed_staff.id]


def test_subprocedure_form_bad_input(client, session, notice, signed_staff):
    url = f"/gestione/procedure/{notice.procedure_id}/sub-procedimenti"
    before = _counts(session)
    response = client.post(url, data={
        "csrf_token": _token(client, url), "title": "", "purpose": SCRIPT, "legal_basis": "x" * 2001,
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and "Campo obbligatorio." in html
    assert 'id="legal_basis-error"' in html and "Massimo 2000 caratteri." in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and SCRIPT not in html  # kept, as text
    assert _counts(session) == before


def test_illegal_transition_is_refused_with_a_message(client, session, sub, signed_staff):
    url = f"/gestione/sub-procedimenti/{sub.id}"
    response = client.post(f"{url}/stato/apri", data={"csrf_token": _token(client, url)}, follow_redirects=True)
    assert "Operazione non consentita" in response.get_data(as_text=True)
    assert client.post(f"{url}/stato/vola", data={"csrf_token": _token(client, url)}).status_code == 404


# Inviting --------------------------------------------------------------------------------------


def _invite_fields(token, **overrides):
    fields = {"csrf_token": token, "body_kind": "impresa", "body_name": "Impresa Dimostrativa S.r.l.",
              "tax_code": "", "email": "Impresa@Esempio.it"}
    fields.update(overrides)
    return fields


def test_staff_invites_a_body_and_the_email_link_works(client, session, sub, signed_staff):
    url = f"/gestione/sub-procedimenti/{sub.id}"
    response = client.post(url, data=_invite_fields(_token(client, url), tax_code="IT 00743110157"))
    assert response.status_code == 302
    invitation = session.scalar(select(Invitation).where(Invitation.sub_procedure_id == sub.id))
    assert invitation.email == "impresa@esempio.it"
    assert invitation.tax_code == "00743110157"
    assert invitation.invited_by_id == signed_staff.id
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "impresa@esempio.it"))
    assert message.template == "subprocedure_invitation"
    assert "http://coprog.test/invito/" in message.body_text  # built on COPROG_BASE_URL
    assert sub.title in message.subject
    page = client.get(url).get_data(as_text=True)
    assert "Impresa Dimostrativa S.r.l." in page and "Inviato" in page
    login_as_none = client.get(last_link(session, "impresa@esempio.it"))
    assert login_as_none.status_code == 200
    assert "Accetta l'invito" in login_as_none.get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"body_kind": ""}, "body_kind", "Scegli il tipo di soggetto."),
        ({"body_kind": "banca"}, "body_kind", "Scegli il tipo di soggetto."),
        ({"body_name": ""}, "body_name", "Campo obbligatorio."),
        ({"body_name": "x" * 301}, "body_name", "Massimo 300 caratteri."),
        ({"email": ""}, "email", "Indica l'indirizzo e-mail."),
        ({"email": "non-una-email"}, "email", "L'indirizzo e-mail non è valido"),
        ({"tax_code": "12345678901"}, "tax_code", "Codice fiscale o partita IVA non valido"),
        ({"tax_code": "RSSMRA85T10A562S"}, "tax_code", "È il codice fiscale di una persona"),
    ],
)
def test_invitation_form_bad_input(client, session, sub, signed_staff, overrides, field, message):
    url = f"/gestione/sub-procedimenti/{sub.id}"
    before = _counts(session)
    response = client.post(url, data=_invite_fields(_token(client, url), **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error"', 1)[1][:400]
    assert message in error
    assert _counts(session) == before
    if field != "body_name":
        assert 'value="Impresa Dimostrativa S.r.l."' in html  # the other input is kept


def test_duplicate_email_in_the_same_subprocedure(client, session, sub, signed_staff, invite):
    invite(email="doppio@esempio.it")
    url = f"/gestione/sub-procedimenti/{sub.id}"
    before = _counts(session)
    response = client.post(url, data=_invite_fields(_token(client, url), email="DOPPIO@esempio.it"))
    assert response.status_code == 422
    error = response.get_data(as_text=True).split('id="email-error"', 1)[1][:500]
    assert "già stato invitato a questo sub-procedimento" in error
    assert _counts(session) == before


def test_same_email_may_be_invited_to_another_subprocedure(client, session, notice, staff, sub, signed_staff, invite):
    invite(email="doppio@esempio.it")
    other = make_subprocedure(notice, staff)
    session.commit()
    url = f"/gestione/sub-procedimenti/{other.id}"
    assert client.post(url, data=_invite_fields(_token(client, url), email="doppio@esempio.it")).status_code == 302


# Resend and revoke -------------------------------------------------------------------------------


def test_resend_gives_a_new_link_and_kills_the_old_one(client, session, sub, signed_staff, invite):
    invitation, old_link = invite()
    client.get(old_link)  # opened
    url = f"/gestione/sub-procedimenti/{sub.id}/inviti/{invitation.id}"
    old_expiry = invitation.expires_at
    response = client.post(f"{url}/reinvia", data={"csrf_token": _token(client, url)})
    assert response.status_code == 302
    session.refresh(invitation)
    new_link = last_link(session, invitation.email)
    assert new_link != old_link
    assert invitation.state == InvitationState.SENT and invitation.opened_at is None
    assert invitation.expires_at >= old_expiry and invitation.times_sent == 2
    assert client.get(old_link).status_code == 400
    assert client.get(new_link).status_code == 200
    assert [e.action for e in history(invitation)] == ["invited", "opened", "resent", "opened"]


def test_revoke_kills_the_link(client, session, sub, signed_staff, invite):
    invitation, link = invite()
    url = f"/gestione/sub-procedimenti/{sub.id}/inviti/{invitation.id}"
    client.post(f"{url}/revoca", data={"csrf_token": _token(client, url), "reason": "Indirizzo errato"})
    session.refresh(invitation)
    assert invitation.state == InvitationState.REVOKED and invitation.revoked_at
    response = client.get(link)
    assert response.status_code == 410 and "revocato" in response.get_data(as_text=True)
    entry = history(invitation)[-1]
    assert (entry.action, entry.reason, entry.actor_id) == ("revoked", "Indirizzo errato", signed_staff.id)
    page = client.get(url).get_data(as_text=True)
    assert "Revoca l'invito" not in page and "Indirizzo errato" in page


def test_invitation_of_another_subprocedure_is_404(client, session, notice, staff, sub, signed_staff, invite):
    invitation, _ = invite()
    other = make_subprocedure(notice, staff)
    session.commit()
    assert client.get(f"/gestione/sub-procedimenti/{other.id}/inviti/{invitation.id}").status_code == 404
    assert client.get("/gestione/sub-procedimenti/9999").status_code == 404


# Who may not ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.INVITED_BODY, Role.ETS, Role.FACILITATOR, Role.CASE_MANAGER])
def test_others_cannot_reach_the_staff_pages(client, session, sub, login_as, invite, role):
    invitation, _ = invite()
    login_as(role)
    base = f"/gestione/sub-procedimenti/{sub.id}"
    for url in (f"/gestione/procedure/{sub.procedure_id}/sub-procedimenti", base, f"{base}/inviti/{invitation.id}"):
        assert client.get(url).status_code == 403, url
    token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    for url in (f"{base}/stato/chiudi", f"{base}/inviti/{invitation.id}/reinvia", f"{base}/inviti/{invitation.id}/revoca"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    assert client.post(base, data=_invite_fields(token)).status_code == 403
    session.refresh(invitation)
    assert invitation.state == InvitationState.SENT and invitation.times_sent == 1


def test_anonymous_is_sent_to_login(client, session, sub):
    response = client.get(f"/gestione/sub-procedimenti/{sub.id}")
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]
