"""/profilo and /esci."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from tests.conftest import PASSWORD, csrf_token_from

from .helpers import NEW_PASSWORD, flashes, page_text, signed_in_user_id


def profile_post(client, data: dict):
    html = client.get("/profilo").get_data(as_text=True)
    return client.post("/profilo", data={**data, "csrf_token": csrf_token_from(html)})


def password_change(client, current, new, confirm=None):
    return profile_post(
        client,
        {
            "form": "password",
            "password-current_password": current,
            "password-new_password": new,
            "password-new_password_confirm": new if confirm is None else confirm,
        },
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get("/profilo")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accedi?next=/profilo"


@pytest.mark.parametrize("role", list(Role))
def test_profile_page_for_every_role(client, login_as, role):
    user = login_as(role)
    html = page_text(client.get("/profilo"))
    assert user.email in html and str(role.label) in html
    assert f'value="{user.full_name}"' in html


def test_change_name(client, session, login_as):
    user = login_as(Role.ETS)
    response = profile_post(client, {"form": "profile", "profile-full_name": "  Giulia Verdi "})
    assert response.status_code == 302 and response.headers["Location"] == "/profilo"
    assert flashes(client) == ["Dati del profilo aggiornati."]
    session.refresh(user)
    assert user.full_name == "Giulia Verdi"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "profile_updated")).one()
    assert entry.details["full_name"][1] == "Giulia Verdi"


def test_empty_name_refused(client, session, login_as):
    user = login_as(Role.ETS)
    old = user.full_name
    response = profile_post(client, {"form": "profile", "profile-full_name": " "})
    assert response.status_code == 200
    assert "Indica nome e cognome." in page_text(response)
    session.refresh(user)
    assert user.full_name == old


def test_change_password(app, client, session, login_as):
    user = login_as(Role.STAFF)
    other_device = app.test_client()
    with client.session_transaction() as mine, other_device.session_transaction() as theirs:
        theirs.update(dict(mine))
    assert other_device.get("/profilo").status_code == 200

    response = password_change(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302 and response.headers["Location"] == "/profilo"
    session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/profilo").status_code == 200  # this session goes on
    assert other_device.get("/profilo").status_code == 302  # the others end
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == user.id)
    ).all()
    assert "password_changed" in actions


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        (
            "sbagliata-ma-lunga",
            NEW_PASSWORD,
            None,
            "current_password",
            "La password attuale non è corretta.",
        ),
        ("", NEW_PASSWORD, None, "current_password", "Indica la password attuale."),
        (PASSWORD, "breve", None, "new_password", "da 12 a 128 caratteri"),
        (
            PASSWORD,
            NEW_PASSWORD,
            "diversa-dalla-nuova",
            "new_password_confirm",
            "Le due password non coincidono.",
        ),
    ],
)
def test_change_password_bad_input(
    client, session, login_as, current, new, confirm, field, message
):
    user = login_as(Role.ETS)
    response = password_change(client, current, new, confirm)
    assert response.status_code == 200
    html = page_text(response)
    assert message in html and f'id="password-{field}-error"' in html
    assert NEW_PASSWORD not in html and PASSWORD not in html
    session.refresh(user)
    assert user.check_password(PASSWORD)
    assert client.get("/profilo").status_code == 200


def test_profile_csrf_missing(client, session, login_as):
    user = login_as(Role.ETS)
    response = client.post("/profilo", data={"form": "profile", "profile-full_name": "X Y"})
    assert response.status_code == 400
    session.refresh(user)
    assert user.full_name != "X Y"


def test_deactivated_user_is_signed_out(client, session, login_as):
    user = login_as(Role.ETS)
    user.active = False
    session.commit()
    assert client.get("/profilo").status_code == 302


# Logout --------------------------------------------------------------------------------------


def test_get_logout_only_asks(client, login_as):
    user = login_as(Role.ETS)
    page = client.get("/esci")
    assert page.status_code == 200
    assert "Vuoi uscire dall'area riservata?" in page_text(page)
    assert signed_in_user_id(client).startswith(f"{user.id}:")


def test_post_logout(client, login_as):
    login_as(Role.ETS)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    page = client.get("/esci")
    response = client.post(
        "/esci", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user_id(client) is None
    with client.session_transaction() as sess:
        assert sess.get("lang") == "en"
    assert client.get("/profilo").status_code == 302


def test_logout_without_csrf_is_refused(client, login_as):
    user = login_as(Role.ETS)
    assert client.post("/esci").status_code == 400
    assert signed_in_user_id(client).startswith(f"{user.id}:")


def test_logout_when_anonymous(client):
    assert client.get("/esci").headers["Location"] == "/"
    assert client.post("/esci").status_code == 400  # CSRF first
