"""/registrati and e-mail verification (/verifica-email/<token>, /verifica-email/invia)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coprog.auth import tokens
from coprog.auth.models import User
from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.core.time import naive_utc, utcnow
from coprog.notify.models import OutboxMessage
from tests.conftest import PASSWORD

from .helpers import (
    count,
    flashes,
    link_in,
    outbox_to,
    page_text,
    signed_in_user_id,
    token_made_ago,
)

GOOD = {
    "full_name": "Anna Bianchi",
    "email": "Anna.Bianchi@Esempio.it",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "privacy": "y",
}


def registered(session, email="anna.bianchi@esempio.it") -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def test_register_page(client):
    html = page_text(client.get("/registrati"))
    for field in ("full_name", "email", "password", "password_confirm", "privacy"):
        assert f'for="{field}"' in html
    assert 'href="/privacy"' in html


def test_register_creates_unverified_ets_user_and_queues_verification(
    client, session, submit, login
):
    response = submit("/registrati", GOOD)

    assert response.status_code == 302 and response.headers["Location"] == "/accedi"
    assert (
        "Ti abbiamo inviato un'e-mail all'indirizzo anna.bianchi@esempio.it" in flashes(client)[0]
    )
    user = registered(session)
    assert user.role == Role.ETS and not user.is_admin
    assert user.full_name == "Anna Bianchi"
    assert not user.email_verified
    assert user.check_password(PASSWORD) and user.password_hash != PASSWORD
    audit = session.scalars(select(AuditEntry).where(AuditEntry.object_id == user.id)).one()
    assert audit.action == "registered" and audit.details == {"privacy_acknowledged": True}

    # Not before the address is confirmed.
    assert "Devi ancora confermare" in page_text(login(user.email))

    [message] = outbox_to(session, "anna.bianchi@esempio.it")
    assert message.subject == "Conferma il tuo indirizzo e-mail"
    assert "Gentile Anna Bianchi" in message.body_text
    confirmed = client.get(link_in(message))
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/accedi"
    assert "Indirizzo e-mail confermato: ora puoi accedere." in flashes(client)
    session.refresh(user)
    assert user.email_verified

    assert login(user.email).status_code == 302
    assert signed_in_user_id(client).startswith(f"{user.id}:")


def test_register_with_a_taken_address_answers_the_same_and_warns_the_owner(
    client, session, submit, user
):
    response = submit("/registrati", {**GOOD, "email": user.email})

    assert response.status_code == 302 and response.headers["Location"] == "/accedi"
    assert f"Ti abbiamo inviato un'e-mail all'indirizzo {user.email}" in flashes(client)[0]
    assert count(session, User) == 1
    [message] = outbox_to(session, user.email)
    assert message.template == "account_exists"
    assert "http://coprog.test/password-dimenticata" in message.body_text
    session.refresh(user)
    assert user.full_name == "Mario Rossi" and user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": "  "}, "full_name", "Indica nome e cognome."),
        ({"email": ""}, "email", "Indica l'indirizzo e-mail."),
        ({"email": "anna.bianchi@"}, "email", "L'indirizzo e-mail non è valido"),
        ({"password": "", "password_confirm": ""}, "password", "Scegli una password."),
        (
            {"password": "corta-11car", "password_confirm": "corta-11car"},
            "password",
            "La password deve avere da 12 a 128 caratteri.",
        ),
        (
            {"password_confirm": PASSWORD + "x"},
            "password_confirm",
            "Le due password non coincidono.",
        ),
        ({"privacy": ""}, "privacy", "devi dichiarare di aver letto l'informativa sulla privacy"),
    ],
)
def test_bad_input_saves_nothing_and_keeps_the_input(
    client, session, submit, changes, field, message
):
    data = {
        key: value for key, value in {**GOOD, **changes}.items() if value != "" or key != "privacy"
    }

    response = submit("/registrati", data)

    assert response.status_code == 200
    html = page_text(response)
    assert message in html
    assert f'id="{field}-error"' in html
    assert count(session, User) == 0 and count(session, OutboxMessage) == 0
    if field != "full_name":
        assert 'value="Anna Bianchi"' in html
    if field != "email":
        assert (
            'value="anna.bianchi@esempio.it"' in html or 'value="Anna.Bianchi@Esempio.it"' in html
        )
    assert PASSWORD not in html  # passwords are never sent back


def test_csrf_missing_is_refused(client, session):
    response = client.post("/registrati", data=GOOD)
    assert response.status_code == 400
    assert count(session, User) == 0


@pytest.mark.parametrize(("hours", "status"), [(23, 302), (25, 400)])
def test_verification_link_is_valid_for_24_hours(app, client, session, user, hours, status):
    user.email_verified_at = None
    session.commit()
    payload = {"u": user.id, "e": user.email}
    token = token_made_ago(app, tokens.VERIFY_SALT, payload, hours * 3600)

    response = client.get(f"/verifica-email/{token}")

    assert response.status_code == status
    session.refresh(user)
    assert user.email_verified == (status == 302)
    if status == 400:
        html = page_text(response)
        assert "Il collegamento è scaduto" in html and 'href="/verifica-email/invia"' in html


@pytest.mark.parametrize("token", ["abc", "eyJ1IjoxfQ.forged.signature"])
def test_forged_verification_link(client, token):
    response = client.get(f"/verifica-email/{token}")
    assert response.status_code == 400
    assert "Il collegamento non è valido" in page_text(response)


def test_verification_token_of_another_purpose_is_refused(app, client, session, user):
    with app.test_request_context():
        reset = tokens.reset_token(user)
    assert client.get(f"/verifica-email/{reset}").status_code == 400


def test_verification_link_for_a_changed_address_is_refused(app, client, session, user):
    user.email_verified_at = None
    with app.test_request_context():
        token = tokens.verification_token(user)
    user.email = "cambiato@esempio.it"
    session.commit()
    assert client.get(f"/verifica-email/{token}").status_code == 400
    session.refresh(user)
    assert not user.email_verified


def test_using_a_verification_link_twice_is_harmless(client, session, submit):
    submit("/registrati", GOOD)
    link = link_in(outbox_to(session, "anna.bianchi@esempio.it")[0])
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 302
    user = registered(session)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == user.id)
    ).all()
    assert actions.count("email_verified") == 1


def age_outbox(session, minutes=5):
    for message in session.scalars(select(OutboxMessage)):
        message.created_at = naive_utc(utcnow() - timedelta(minutes=minutes))
    session.commit()


def test_resend_verification(client, session, submit):
    submit("/registrati", GOOD)
    age_outbox(session)

    response = submit("/verifica-email/invia", {"email": "anna.bianchi@esempio.it"})

    assert response.status_code == 302 and response.headers["Location"] == "/accedi"
    assert "riceverai a breve un'e-mail con il collegamento di conferma" in flashes(client)[0]
    first, second = outbox_to(session, "anna.bianchi@esempio.it")
    assert client.get(link_in(second)).status_code == 302
    assert registered(session).email_verified


def test_resend_is_throttled(client, session, submit):
    submit("/registrati", GOOD)
    submit("/verifica-email/invia", {"email": "anna.bianchi@esempio.it"})
    assert len(outbox_to(session, "anna.bianchi@esempio.it")) == 1


def test_resend_prefills_the_address(client):
    html = page_text(client.get("/verifica-email/invia?email=anna@esempio.it"))
    assert 'value="anna@esempio.it"' in html


@pytest.mark.parametrize("email", ["nessuno@esempio.it", "mario.rossi@esempio.it"])
def test_resend_answers_the_same_for_unknown_and_verified(client, session, submit, user, email):
    response = submit("/verifica-email/invia", {"email": email})
    assert response.status_code == 302
    assert "Se all'indirizzo" in flashes(client)[0]
    assert count(session, OutboxMessage) == 0


@pytest.mark.parametrize(
    ("email", "message"), [("", "Indica l'indirizzo e-mail."), ("x@", "non è valido")]
)
def test_resend_bad_input(client, session, submit, email, message):
    response = submit("/verifica-email/invia", {"email": email})
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(session, OutboxMessage) == 0


def test_resend_csrf_missing(client):
    assert client.post("/verifica-email/invia", data={"email": "a@esempio.it"}).status_code == 400
