"""The last place, asked for by two ETS at the same moment: one gets it, the other the waitlist.

Two real requests, in two threads, each with its own client (cookies), app context, database
session and connection, on a database file of their own (SQLite by default, PostgreSQL when
COPROG_TEST_DATABASE_URL is set), not the rolled-back connection of the other tests. To make
the race certain rather than lucky, the count of places taken is slowed down (0.4 s between
reading it and writing the registration): without the lock both requests would read "one
place left" and both be confirmed (or, on SQLite, the second would fail to upgrade its read
snapshot to a write). With the lock (BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE of the
session on PostgreSQL) the second request waits for the first to commit, then reads the
capacity reached and goes to the waitlist.
"""

from __future__ import annotations

import threading
import time
from html import unescape

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from coprog import create_app
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.tables.models import Registration, RegistrationState
from coprog.tables.services import registrations

from ..conftest import csrf_token_from
from ..dbutil import fresh_database
from ..factories import make_admitted, make_notice, make_table_session, make_user

pytestmark = pytest.mark.concurrency

PASSWORD = "Password-di-prova-2025"
DELAY = 0.4


@pytest.fixture
def own_app(tmp_path):
    url = fresh_database("registrations-race", tmp_path)
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "race-secret", "SESSION_COOKIE_SECURE": False, "SERVER_NAME": "coprog.test",
        "COPROG_BASE_URL": "http://coprog.test", "COPROG_PAGE_CACHE": False,
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _prepare(app) -> tuple[int, list[tuple[str, str]], int]:
    """A session of capacity 2 with one place taken, and two admitted ETS with a user each."""
    with app.test_request_context():
        staff = make_user(Role.STAFF)
        notice = make_notice(by=staff, published=True)
        table = make_table_session(notice, by=staff, capacity=2)
        registrations.register(table, table.groups[0], _category(table, "ausl"), full_name="Già Iscritta",
                               email="gia@esempio.it", by=staff)
        parties = []
        for n in range(2):
            user = make_user(Role.ETS, password=PASSWORD, email=f"ets{n}@gara.esempio.it")
            application = make_admitted(notice, user, name=f"Associazione in gara {n}")
            parties.append((user.email, f"app:{application.id}"))
        db.session.commit()
        return table.id, parties, table.groups[0].id


def _category(table, code):
    from coprog.tables.services.planning import category_by_code

    return category_by_code(table.procedure, code)


def _sign_in(client, email: str) -> None:
    page = client.get("/accedi").get_data(as_text=True)
    response = client.post("/accedi", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302


def test_two_requests_for_the_last_place(own_app, monkeypatch):
    session_id, parties, group_id = _prepare(own_app)
    url = f"/tavoli/iscrizioni/incontri/{session_id}"
    clients = []
    for email, party in parties:
        client = own_app.test_client()
        _sign_in(client, email)
        form = {"csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)), "full_name": f"Persona {party}",
                "email": "", "affiliation": "", "group_id": str(group_id), "category": "ets", "party": party}
        clients.append((client, form))

    counted = registrations.confirmed_count

    def slow_count(session_id):
        taken = counted(session_id)
        time.sleep(DELAY)  # the window in which, without the lock, the other request would count too
        return taken

    monkeypatch.setattr(registrations, "confirmed_count", slow_count)
    start = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def fire(index, client, form):
        start.wait()
        began = time.monotonic()
        response = client.post(url, data=form)
        results[index] = (response.status_code, began, time.monotonic())

    threads = [threading.Thread(target=fire, args=(i, c, f)) for i, (c, f) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r[0] for r in results] == [302, 302], results  # both answered, neither failed
    assert max(r[1] for r in results) < min(r[2] for r in results), "the two requests did not overlap"
    said = sorted(unescape(c.get(url).get_data(as_text=True)) for c, _form in clients)
    assert sum("confermata." in page for page in said) == 1
    assert sum("Incontro al completo" in page and "posizione 1." in page for page in said) == 1
    with own_app.app_context():
        rows = db.session.scalars(
            select(Registration).where(Registration.session_id == session_id).order_by(Registration.id)).all()
        states = sorted(r.state for r in rows if r.full_name.startswith("Persona"))
        assert states == [RegistrationState.CONFIRMED, RegistrationState.WAITLISTED]
        confirmed = [r for r in rows if r.state == RegistrationState.CONFIRMED]
        assert len(confirmed) == 2  # the capacity, never more
