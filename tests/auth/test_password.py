"""/password-dimenticata and /reimposta-password/<token>."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprog.auth import tokens
from coprog.auth.models import LoginAttempt
from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.notify.models import OutboxMessage
from tests.conftest import PASSWORD
from tests.factories import make_user

from .helpers import NEW_PASSWORD, count, flashes, link_in, outbox_to, page_text, token_made_ago

SAME_ANSWER = "Se all'indirizzo"


def ask_reset(submit, email):
    return submit("/password-dimenticata", {"email": email})


def reset_link(session, email) -> str:
    [message] = outbox_to(session, email)
    assert message.template == "reset_password"
    return link_in(message)


def test_forgot_page(client):
    assert 'for="email"' in page_text(client.get("/password-dimenticata"))


def test_full_reset(client, session, submit, login, user):
    session.add(LoginAttempt(email=user.email, address="127.0.0.1"))
    session.commit()

    response = ask_reset(submit, "MARIO.ROSSI@esempio.it")

    assert response.status_code == 302 and response.headers["Location"] == "/accedi"
    assert SAME_ANSWER in flashes(client)[0]
    link = reset_link(session, user.email)
    assert link.startswith("/reimposta-password/")
    form = client.get(link)
    assert form.status_code == 200 and 'for="password_confirm"' in page_text(form)

    done = submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert done.status_code == 302 and done.headers["Location"] == "/accedi"
    assert "Password aggiornata" in flashes(client)[0]
    session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert count(session, LoginAttempt) == 0
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == user.id)
    ).all()
    assert {"password_reset_requested", "password_reset"} <= set(actions)
    assert "non corretti" in page_text(login(user.email, PASSWORD))
    assert login(user.email, NEW_PASSWORD).status_code == 302

    # Used once: the link no longer works.
    used = client.get(link)
    assert used.status_code == 400
    assert "Il collegamento non è valido" in page_text(used)


def test_unknown_address_gets_the_same_answer(client, session, submit):
    response = ask_reset(submit, "nessuno@esempio.it")
    assert response.status_code == 302 and response.headers["Location"] == "/accedi"
    assert SAME_ANSWER in flashes(client)[0]
    assert count(session, OutboxMessage) == 0


@pytest.mark.parametrize("fields", [{"active": False}, {"is_demo": True}])
def test_no_reset_for_inactive_or_demo_users(client, session, submit, fields):
    make_user(Role.ETS, password=PASSWORD, email="x@esempio.it", **fields)
    session.commit()
    assert ask_reset(submit, "x@esempio.it").status_code == 302
    assert count(session, OutboxMessage) == 0


def test_reset_verifies_the_address(client, session, submit):
    user = make_user(Role.ETS, password=PASSWORD, email="nuova@esempio.it", email_verified_at=None)
    session.commit()
    ask_reset(submit, user.email)
    link = reset_link(session, user.email)
    submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    session.refresh(user)
    assert user.email_verified


def test_repeated_requests_are_throttled(client, session, submit, user):
    ask_reset(submit, user.email)
    ask_reset(submit, user.email)
    assert len(outbox_to(session, user.email)) == 1


@pytest.mark.parametrize(
    ("email", "message"), [("", "Indica l'indirizzo e-mail."), ("mario@", "non è valido")]
)
def test_forgot_bad_input(client, session, submit, email, message):
    response = ask_reset(submit, email)
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(session, OutboxMessage) == 0


def test_forgot_csrf_missing(client, session, user):
    assert client.post("/password-dimenticata", data={"email": user.email}).status_code == 400
    assert count(session, OutboxMessage) == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "", "password_confirm": ""}, "password", "Scegli una password."),
        ({"password": "breve", "password_confirm": "breve"}, "password", "da 12 a 128 caratteri"),
        (
            {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "!"},
            "password_confirm",
            "Le due password non coincidono.",
        ),
    ],
)
def test_reset_bad_input_changes_nothing(client, session, submit, user, data, field, message):
    ask_reset(submit, user.email)
    link = reset_link(session, user.email)
    response = submit(link, data)
    assert response.status_code == 200
    html = page_text(response)
    assert message in html and f'id="{field}-error"' in html
    assert NEW_PASSWORD not in html
    session.refresh(user)
    assert user.check_password(PASSWORD)
    assert client.get(link).status_code == 200  # the link still works


def test_reset_csrf_missing(client, session, submit, user):
    ask_reset(submit, user.email)
    link = reset_link(session, user.email)
    response = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 400
    session.refresh(user)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(("minutes", "status"), [(59, 200), (61, 400)])
def test_reset_link_is_valid_for_one_hour(app, client, user, minutes, status):
    payload = {"u": user.id, "p": user.password_fingerprint}
    token = token_made_ago(app, tokens.RESET_SALT, payload, minutes * 60)
    response = client.get(f"/reimposta-password/{token}")
    assert response.status_code == status
    if status == 400:
        html = page_text(response)
        assert "Il collegamento è scaduto" in html and 'href="/password-dimenticata"' in html


def test_forged_reset_links(app, client, user):
    forged = token_made_ago(app, "another-salt", {"u": user.id, "p": user.password_fingerprint}, 0)
    for token in ("abc", forged, f"{forged}x"):
        response = client.get(f"/reimposta-password/{token}")
        assert response.status_code == 400
        assert "Il collegamento non è valido" in page_text(response)
    with app.test_request_context():
        verification = tokens.verification_token(user)
    assert client.get(f"/reimposta-password/{verification}").status_code == 400


def test_reset_link_signed_with_another_key(app, client, user):
    other = app.__class__("other")
    other.secret_key = "another-secret"
    token = token_made_ago(
        other, tokens.RESET_SALT, {"u": user.id, "p": user.password_fingerprint}, 0
    )
    assert client.get(f"/reimposta-password/{token}").status_code == 400


def test_password_change_invalidates_a_pending_reset_link(client, session, submit, user):
    ask_reset(submit, user.email)
    link = reset_link(session, user.email)
    user.set_password(NEW_PASSWORD)
    session.commit()
    assert client.get(link).status_code == 400
