"""`coprog users create|list|deactivate`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprog.auth.models import User
from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from tests.conftest import PASSWORD
from tests.factories import make_user

from .helpers import count


@pytest.fixture
def cli(app, app_ctx):
    runner = app.test_cli_runner()
    return lambda *args, **kwargs: runner.invoke(args=["users", *args], **kwargs)


def by_email(session, email):
    session.expire_all()
    return session.scalars(select(User).where(User.email == email)).first()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_create_with_password_on_stdin(cli, session, login, role):
    result = cli(
        "create",
        "--email",
        "Nuovo.Utente@Esempio.it",
        "--name",
        "Nuovo Utente",
        "--role",
        role,
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Creato l'utente nuovo.utente@esempio.it" in result.output
    user = by_email(session, "nuovo.utente@esempio.it")
    assert user.role == Role(role) and not user.is_admin and user.active
    assert user.email_verified and user.check_password(PASSWORD)
    assert session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == user.id)
    ).all() == ["created"]
    assert login(user.email).status_code == 302


def test_create_admin_with_prompt(cli, session):
    result = cli(
        "create",
        "--email",
        "rup@esempio.it",
        "--name",
        "La RUP",
        "--role",
        "staff",
        "--admin",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Ripeti la password" in result.output
    assert PASSWORD not in result.output
    user = by_email(session, "rup@esempio.it")
    assert user.is_admin and user.role == Role.STAFF


def test_prompt_asks_again_when_passwords_differ(cli, session):
    result = cli(
        "create",
        "--email",
        "rup@esempio.it",
        "--name",
        "La RUP",
        "--role",
        "staff",
        input=f"{PASSWORD}\naltro-valore-lungo\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert by_email(session, "rup@esempio.it").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["--email", "non-valida", "--name", "X", "--role", "ets"],
            PASSWORD,
            "indirizzo non valido",
        ),
        (
            ["--email", "a@esempio.it", "--name", "X", "--role", "boss"],
            PASSWORD,
            "Invalid value for '--role'",
        ),
        (
            ["--email", "a@esempio.it", "--name", "X", "--role", "ets"],
            "corta",
            "da 12 a 128 caratteri",
        ),
        (
            ["--email", "a@esempio.it", "--name", "X", "--role", "ets", "--admin"],
            PASSWORD,
            "Solo il personale",
        ),
        (
            ["--email", "a@esempio.it", "--name", " ", "--role", "ets"],
            PASSWORD,
            "il nome non può essere vuoto",
        ),
    ],
)
def test_create_bad_input(cli, session, args, stdin, message):
    result = cli("create", *args, "--password-stdin", input=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert count(session, User) == 0


def test_create_duplicate(cli, session, user):
    result = cli(
        "create",
        "--email",
        "MARIO.ROSSI@esempio.it",
        "--name",
        "Altro",
        "--role",
        "ets",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "Esiste già un utente" in result.output
    assert count(session, User) == 1


def test_list(cli, session):
    make_user(Role.STAFF, admin=True, email="admin@esempio.it", full_name="Amministratrice")
    make_user(Role.ETS, email="ets@esempio.it", active=False, email_verified_at=None)
    session.commit()
    result = cli("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    [staff] = [line for line in lines if "admin@esempio.it" in line]
    assert "staff" in staff and "Amministratrice" in staff and "[admin]" in staff and "mai" in staff
    [ets] = [line for line in lines if "ets@esempio.it" in line]
    assert "[disattivato, da verificare]" in ets


def test_list_empty(cli, session):
    assert cli("list").output.strip() == "Nessun utente."


def test_deactivate(cli, session, client, login, user):
    assert login(user.email).status_code == 302
    result = cli("deactivate", "Mario.Rossi@esempio.it")
    assert result.exit_code == 0, result.output
    user = by_email(session, "mario.rossi@esempio.it")
    assert not user.active
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "deactivated")).one()
    assert (entry.from_state, entry.to_state) == ("active", "inactive")
    assert client.get("/profilo").status_code == 302  # the open session ends
    assert "disattivato" in login(user.email).get_data(as_text=True)


@pytest.mark.parametrize("email", ["nessuno@esempio.it"])
def test_deactivate_unknown(cli, session, email):
    result = cli("deactivate", email)
    assert result.exit_code == 1 and "Nessun utente" in result.output


def test_deactivate_twice(cli, session, user):
    cli("deactivate", user.email)
    result = cli("deactivate", user.email)
    assert result.exit_code == 1 and "già disattivato" in result.output
