"""The invited body's side: the e-mailed link opens once, answers once, expires; accepting
names contact persons and gives the first one an invited_body account; declining keeps a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprog.auth.models import User
from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.core.time import naive_utc, utcnow
from coprog.notify.models import OutboxMessage
from coprog.subprocedures import services
from coprog.subprocedures.models import Invitation, InvitationContact, InvitationState

from ..conftest import PASSWORD, csrf_token_from
from ..factories import make_user
from .conftest import token_of

NEW_PASSWORD = "Una-password-lunga-2025"


def _accept_fields(page_html: str, **overrides) -> dict:
    fields = {
        "csrf_token": csrf_token_from(page_html),
        "contacts-0-full_name": "Giulia Referente",
        "contacts-0-role": "Responsabile progetti",
        "contacts-0-email": "fondazione@esempio.it",
        "contacts-0-phone": "051 000000",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "privacy": "y",
    }
    fields.update(overrides)
    return fields


def _counts(session):
    return tuple(
        session.scalar(select(func.count(model.id))) for model in (User, InvitationContact, OutboxMessage)
    )


# Opening ---------------------------------------------------------------------------------------


def test_opening_marks_opened_once(client, session, invite):
    invitation, link = invite()
    assert client.get(link).status_code == 200
    session.refresh(invitation)
    first_opened = invitation.opened_at
    assert invitation.state == InvitationState.OPENED and first_opened
    assert client.get(link).status_code == 200
    session.refresh(invitation)
    assert invitation.opened_at == first_opened
    assert [e.action for e in history(invitation)] == ["invited", "opened"]


def test_forged_token_is_400_and_changes_nothing(client, session, invite):
    invitation, link = invite()
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400
    assert "Il collegamento non è valido" in response.get_data(as_text=True)
    session.refresh(invitation)
    assert invitation.state == InvitationState.SENT
    assert client.get("/invito/" + "x" * 300).status_code == 400


def test_expired_token_is_410_and_changes_nothing(client, session, invite):
    invitation, link = invite()
    invitation.expires_at = naive_utc(utcnow() - timedelta(minutes=1))
    session.commit()
    before = _counts(session)
    for response in (
        client.get(link),
        client.post(link + "/accetta", data=_accept_fields(client.get("/accedi").get_data(as_text=True))),
        client.post(link + "/rifiuta", data={"csrf_token": csrf_token_from(client.get("/accedi").get_data(as_text=True))}),
    ):
        assert response.status_code == 410
        assert "Il collegamento è scaduto" in response.get_data(as_text=True)
    session.refresh(invitation)
    assert invitation.state == InvitationState.SENT and invitation.opened_at is None
    assert _counts(session) == before
    assert invitation.shown_state() == InvitationState.EXPIRED


def test_expiry_with_now_parameter(session, invite):
    invitation, link = invite()
    token = token_of(link)
    just_before = utcnow() + timedelta(days=14) - timedelta(minutes=1)
    assert services.invitation_for_token(token, now=just_before) is invitation
    with pytest.raises(services.InvalidInvitationToken) as refused:
        services.open_invitation(token, now=utcnow() + timedelta(days=14, minutes=1))
    assert refused.value.gone
    assert invitation.state == InvitationState.SENT


def test_closed_subprocedure_link_is_410(client, session, sub, staff, invite):
    _, link = invite()
    sub.close(by=staff)
    session.commit()
    response = client.get(link)
    assert response.status_code == 410 and "sub-procedimento è chiuso" in response.get_data(as_text=True)


# Accepting -------------------------------------------------------------------------------------


def test_accept_creates_a_signed_in_invited_body_account(client, session, invite):
    invitation, link = invite()
    page = client.get(link).get_data(as_text=True)
    assert 'value="fondazione@esempio.it"' in page  # the first contact's e-mail is prefilled
    fields = _accept_fields(page, **{
        "contacts-1-full_name": "Marco Secondo", "contacts-1-email": "marco@esempio.it",
    })
    response = client.post(link + "/accetta", data=fields)
    assert response.status_code == 302 and response.headers["Location"].endswith("/invito/esito")
    outcome = client.get("/invito/esito").get_data(as_text=True)
    assert "Invito accettato" in outcome and "Fondazione Esempio" in outcome
    assert "hai già effettuato l&#39;accesso" in outcome or "hai già effettuato l'accesso" in outcome
    assert client.get("/profilo").status_code == 200  # signed in
    session.refresh(invitation)
    user = invitation.user
    assert invitation.state == InvitationState.ACCEPTED and invitation.answered_at
    assert user.role == Role.INVITED_BODY and user.email == "fondazione@esempio.it"
    assert user.email_verified and user.check_password(NEW_PASSWORD)
    assert [(c.full_name, c.email) for c in invitation.contacts] == [
        ("Giulia Referente", "fondazione@esempio.it"), ("Marco Secondo", "marco@esempio.it"),
    ]
    assert [(e.action, e.actor_id) for e in history(invitation)] == [
        ("invited", invitation.invited_by_id), ("opened", None), ("accepted", user.id),
    ]
    assert [e.action for e in history(user)][0] == "registered"
    # single use: the same link now says it was answered, and nothing more can happen
    again = client.get(link)
    assert again.status_code == 410 and "Hai già risposto" in again.get_data(as_text=True)
    fresh = csrf_token_from(client.get("/profilo").get_data(as_text=True))  # the session was renewed
    assert client.post(link + "/rifiuta", data={"csrf_token": fresh}).status_code == 410


def test_invited_body_cannot_reach_staff_pages_after_accepting(client, session, sub, invite):
    _, link = invite()
    client.post(link + "/accetta", data=_accept_fields(client.get(link).get_data(as_text=True)))
    assert client.get(f"/gestione/sub-procedimenti/{sub.id}").status_code == 403
    assert client.get("/gestione/avvisi").status_code == 403


def test_accept_links_an_existing_account(client, session, invite):
    existing = make_user(Role.INVITED_BODY, email="fondazione@esempio.it", password=PASSWORD)
    session.commit()
    invitation, link = invite()
    before = session.scalar(select(func.count(User.id)))
    response = client.post(link + "/accetta", data=_accept_fields(
        client.get(link).get_data(as_text=True), password="", password_confirm="",
    ))
    assert response.status_code == 302
    session.refresh(invitation)
    assert invitation.user_id == existing.id
    assert session.scalar(select(func.count(User.id))) == before
    assert existing.check_password(PASSWORD)  # untouched
    assert "collegato all&#39;account già esistente" in client.get("/invito/esito").get_data(as_text=True) \
        or "collegato all'account già esistente" in client.get("/invito/esito").get_data(as_text=True)
    assert client.get("/profilo").status_code == 302  # the link does not sign into an existing account


def test_other_first_contact_address_gets_a_verification_email(client, session, invite):
    invitation, link = invite()
    response = client.post(link + "/accetta", data=_accept_fields(
        client.get(link).get_data(as_text=True), **{"contacts-0-email": "altra@esempio.it"},
    ))
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "altra@esempio.it"))
    assert user.role == Role.INVITED_BODY and not user.email_verified
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "altra@esempio.it")).template == "verify_email"
    assert client.get("/profilo").status_code == 302  # not signed in until verified


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"contacts-0-full_name": ""}, "contacts-0-full_name", "Indica nome e cognome del referente."),
        ({"contacts-0-email": ""}, "contacts-0-email", "Indica l'e-mail del referente."),
        ({"contacts-0-email": "nonvalida"}, "contacts-0-email", "non è valido"),
        ({"contacts-0-phone": "telefono"}, "contacts-0-phone", "Numero di telefono non valido."),
        ({"contacts-1-role": "Tesoriere"}, "contacts-1-full_name", "Indica nome e cognome del referente."),
        ({"password": "corta", "password_confirm": "corta"}, "password", "da 12 a 128 caratteri"),
        ({"password_confirm": "diversa-diversa"}, "password_confirm", "Le due password non coincidono."),
        ({"password": "", "password_confirm": ""}, "password", "Scegli una password"),
        ({"privacy": ""}, "privacy", "informativa sulla privacy"),
    ],
)
def test_accept_bad_input(client, session, invite, overrides, field, message):
    invitation, link = invite()
    page = client.get(link).get_data(as_text=True)
    before = _counts(session)
    fields = {k: v for k, v in _accept_fields(page, **overrides).items() if v != ""}
    response = client.post(link + "/accetta", data=fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.split(f'id="{field}-error"', 1)[1][:400].replace("&#39;", "'")
    assert "Il modulo contiene errori" in html
    if field != "contacts-0-full_name":
        assert 'value="Giulia Referente"' in html  # input kept
    session.refresh(invitation)
    assert invitation.state == InvitationState.OPENED
    assert _counts(session) == before


def test_script_in_contact_fields_is_shown_as_text(client, session, sub, staff, invite):
    invitation, link = invite()
    script = "<script>alert('x')</script>"
    client.post(link + "/accetta", data=_accept_fields(client.get(link).get_data(as_text=True), **{
        "contacts-0-full_name": script, "contacts-0-role": script,
    }))
    client.post("/esci", data={"csrf_token": csrf_token_from(client.get("/esci").get_data(as_text=True))})
    staff.set_password(PASSWORD)
    session.commit()
    login = client.get("/accedi").get_data(as_text=True)
    client.post("/accedi", data={"email": staff.email, "password": PASSWORD, "csrf_token": csrf_token_from(login)})
    page = client.get(f"/gestione/sub-procedimenti/{sub.id}/inviti/{invitation.id}").get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page


# Declining -------------------------------------------------------------------------------------


def test_decline_with_a_reason(client, session, invite):
    invitation, link = invite()
    page = client.get(link).get_data(as_text=True)
    response = client.post(link + "/rifiuta", data={"csrf_token": csrf_token_from(page), "reason": "Nessuna risorsa disponibile."})
    assert response.status_code == 302
    assert "Invito rifiutato" in client.get("/invito/esito").get_data(as_text=True)
    session.refresh(invitation)
    assert invitation.state == InvitationState.DECLINED
    assert invitation.decline_reason == "Nessuna risorsa disponibile." and invitation.user_id is None
    entry = history(invitation)[-1]
    assert (entry.action, entry.reason) == ("declined", "Nessuna risorsa disponibile.")
    assert client.get(link).status_code == 410


def test_decline_reason_too_long(client, session, invite):
    invitation, link = invite()
    page = client.get(link).get_data(as_text=True)
    response = client.post(link + "/rifiuta", data={"csrf_token": csrf_token_from(page), "reason": "x" * 2001})
    assert response.status_code == 422
    assert "Massimo 2000 caratteri." in response.get_data(as_text=True).split('id="reason-error"', 1)[1][:300]
    session.refresh(invitation)
    assert invitation.state == InvitationState.OPENED


def test_decline_without_reason(client, session, invite):
    invitation, link = invite()
    page = client.get(link).get_data(as_text=True)
    assert client.post(link + "/rifiuta", data={"csrf_token": csrf_token_from(page)}).status_code == 302
    session.refresh(invitation)
    assert invitation.state == InvitationState.DECLINED and invitation.decline_reason is None


# One link, one invitation --------------------------------------------------------------------------


def test_a_token_acts_only_on_its_own_invitation(client, session, invite):
    first, first_link = invite(email="primo@esempio.it", body_name="Primo")
    second, second_link = invite(email="secondo@esempio.it", body_name="Secondo")
    page = client.get(first_link).get_data(as_text=True)
    assert "Primo" in page and "Secondo" not in page
    client.post(first_link + "/rifiuta", data={"csrf_token": csrf_token_from(page)})
    session.refresh(first)
    session.refresh(second)
    assert first.state == InvitationState.DECLINED
    assert second.state == InvitationState.SENT and second.opened_at is None
    # the hash of one invitation's token is not another's token
    assert client.get(f"/invito/{second.token_hash}").status_code == 400


def test_outcome_page_without_an_answer_goes_home(client, session):
    response = client.get("/invito/esito")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_invitation_row_count_unchanged_by_link_pages(client, session, invite):
    invite()
    assert session.scalar(select(func.count(Invitation.id))) == 1
