"""/accedi: login, refusals, the rate limit, the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coprog.auth.models import LoginAttempt
from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.core.time import naive_utc, utcnow
from tests.conftest import PASSWORD
from tests.factories import make_user

from .helpers import count, flashes, page_text, signed_in_user_id

INVALID = "Indirizzo e-mail o password non corretti."


def test_login_page(client):
    page = client.get("/accedi")
    assert page.status_code == 200
    html = page_text(page)
    assert 'for="email"' in html and 'for="password"' in html
    assert 'href="/password-dimenticata"' in html and 'href="/registrati"' in html


def test_good_login_starts_a_session(client, session, login, user):
    with client.session_transaction() as sess:
        sess["lang"] = "it"
        sess["leftover"] = "from before the login"

    response = login("Mario.Rossi@esempio.it ")  # case and spaces do not matter

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user_id(client).startswith(f"{user.id}:")
    with client.session_transaction() as sess:
        assert "leftover" not in sess  # the session is renewed at login
        assert sess["lang"] == "it"
        assert sess.permanent
    session.refresh(user)
    assert user.last_login_at is not None
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == user.id)
    ).all()
    assert "login" in actions
    assert client.get("/profilo").status_code == 200


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/profilo", "/profilo"),
        ("/avvisi?pagina=2", "/avvisi?pagina=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("profilo", "/"),
    ],
)
def test_next_is_followed_only_when_local(client, submit, user, next_url, location):
    from urllib.parse import quote

    url = f"/accedi?next={quote(next_url, safe='')}"
    response = submit(url, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session, login, user):
    wrong = login(user.email, "password-sbagliata-123")
    unknown = login("nessuno@esempio.it", "password-sbagliata-123")
    for response in (wrong, unknown):
        assert response.status_code == 200
        html = page_text(response)
        assert INVALID in html
    assert signed_in_user_id(client) is None
    assert count(session, LoginAttempt) == 2


def test_email_kept_password_not(login, user):
    html = page_text(login(user.email, "password-sbagliata-123"))
    assert f'value="{user.email}"' in html
    assert "password-sbagliata-123" not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": ""}, "Indica l'indirizzo e-mail."),
        ({"email": "mario.rossi@esempio.it", "password": ""}, "Indica la password."),
        ({"email": "non-una-email", "password": "qualcosa"}, "L'indirizzo e-mail non è valido"),
    ],
)
def test_bad_input(client, session, submit, data, message):
    response = submit("/accedi", data)
    assert response.status_code == 200
    html = page_text(response)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert count(session, LoginAttempt) == 0
    assert signed_in_user_id(client) is None


def test_csrf_missing_is_refused(client, user):
    response = client.post("/accedi", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_unverified_user_refused_with_resend_link(client, session, login):
    make_user(Role.ETS, password=PASSWORD, email="nuovo@esempio.it", email_verified_at=None)
    session.commit()
    response = login("nuovo@esempio.it")
    html = page_text(response)
    assert response.status_code == 200
    assert "Devi ancora confermare il tuo indirizzo e-mail" in html
    assert 'href="/verifica-email/invia?email=nuovo@esempio.it"' in html
    assert signed_in_user_id(client) is None


def test_inactive_user_refused(client, session, login):
    make_user(Role.ETS, password=PASSWORD, email="spento@esempio.it", active=False)
    session.commit()
    html = page_text(login("spento@esempio.it"))
    assert "Questo account è stato disattivato" in html
    assert signed_in_user_id(client) is None


def test_demo_user_only_in_demo_mode(app, client, session, login, monkeypatch):
    make_user(Role.STAFF, password=PASSWORD, email="demo@esempio.it", is_demo=True)
    session.commit()
    monkeypatch.setitem(app.config, "COPROG_DEMO", False)
    html = page_text(login("demo@esempio.it"))
    assert "Gli account dimostrativi possono accedere solo" in html
    assert signed_in_user_id(client) is None

    monkeypatch.setitem(app.config, "COPROG_DEMO", True)
    assert login("demo@esempio.it").status_code == 302
    assert client.get("/profilo").status_code == 200

    # Demo mode switched off: the open session ends too.
    monkeypatch.setitem(app.config, "COPROG_DEMO", False)
    assert client.get("/profilo").status_code == 302


def test_rate_limit_per_email(client, session, login, user):
    for _ in range(5):
        assert INVALID in page_text(login(user.email, "password-sbagliata-123"))

    refused = login(user.email)  # the right password, but too many failures

    assert refused.status_code == 429
    html = page_text(refused)
    assert "Troppi tentativi di accesso non riusciti" in html
    assert "riprova dopo le" in html and "tra circa 15 minuti" in html
    assert signed_in_user_id(client) is None
    assert count(session, LoginAttempt) == 5  # refusals while blocked are not counted

    other = make_user(Role.ETS, password=PASSWORD, email="altra@esempio.it")
    session.commit()
    assert login(other.email).status_code == 302  # other e-mails are not affected


def test_rate_limit_ends_after_the_window(client, session, login, user):
    past = naive_utc(utcnow() - timedelta(seconds=901))
    for _ in range(5):
        session.add(LoginAttempt(email=user.email, address="127.0.0.1", at=past))
    session.commit()

    assert login(user.email).status_code == 302
    assert count(session, LoginAttempt) == 0  # old rows pruned


def test_success_clears_the_failures_of_the_email(client, session, login, user):
    for _ in range(4):
        login(user.email, "password-sbagliata-123")
    session.add(LoginAttempt(email="altro@esempio.it", address="10.0.0.9"))
    session.commit()
    assert login(user.email).status_code == 302
    assert session.scalars(select(LoginAttempt.email)).all() == ["altro@esempio.it"]


def test_rate_limit_per_address(app, client, session, login, user):
    now = naive_utc(utcnow())
    for n in range(20):  # 4 × COPROG_LOGIN_MAX_FAILURES, over many e-mails
        session.add(LoginAttempt(email=f"tentativo{n}@esempio.it", address="127.0.0.1", at=now))
    session.commit()

    assert login(user.email).status_code == 429
    other_address = login(user.email, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_address.status_code == 302


@pytest.mark.parametrize(("role", "admin"), [(role, False) for role in Role] + [(Role.STAFF, True)])
def test_login_as_fixture_works_for_every_role(client, login_as, role, admin):
    signed_in = login_as(role, admin=admin)
    assert signed_in_user_id(client).startswith(f"{signed_in.id}:")
    assert client.get("/profilo").status_code == 200
    login_as(None)
    assert signed_in_user_id(client) is None
    assert client.get("/profilo").status_code == 302


def test_login_as_switches_user(client, login_as):
    first = login_as(Role.STAFF)
    second = login_as(Role.ETS)
    assert first.id != second.id
    assert signed_in_user_id(client).startswith(f"{second.id}:")


def test_welcome_message(client, login, user):
    login(user.email)
    assert flashes(client) == ["Benvenuto, Mario Rossi."]
