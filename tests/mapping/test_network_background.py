"""The background rebuild, for real: its own app on its own database file (the usual fixtures
roll one shared connection back, which a second thread cannot share), real commits through
the real views, and a worker thread that must bring the snapshot up to date by itself."""

from __future__ import annotations

import time

import pytest
from flask_migrate import upgrade

from coprog import create_app
from coprog.core import cache
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.mapping.contribution_forms import APPROVE
from coprog.mapping.models import NetworkSnapshot
from coprog.mapping.services import network

from ..conftest import PASSWORD, IsolatedClient, csrf_token_from
from ..dbutil import fresh_database
from ..factories import make_contribution, make_notice, make_user


@pytest.fixture
def live_app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": fresh_database("network_background", tmp_path),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SESSION_COOKIE_SECURE": False,
        "SERVER_NAME": "coprog.test",
        "COPROG_BASE_URL": "http://coprog.test",
        "COPROG_NETWORK_BACKGROUND": True,
        "COPROG_NETWORK_DEBOUNCE": 0.2,
    })
    with app.app_context():
        upgrade()
    cache.reset()
    yield app
    worker = app.extensions.get("coprog_network_worker")
    if worker is not None:
        worker.wait_idle(30)
    with app.app_context():
        db.engine.dispose()
    cache.reset()


def snapshot_state(app, procedure_id: int) -> tuple[bool, set[str]]:
    with app.app_context():
        snapshot = db.session.query(NetworkSnapshot).filter_by(procedure_id=procedure_id).one()
        nodes = {n["id"] for n in (snapshot.graph or {}).get("nodes", [])}
        return snapshot.stale, nodes


def is_built(state: tuple[bool, set[str]]) -> bool:
    stale, nodes = state
    return not stale and bool(nodes)


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def sign_in(client, email: str) -> None:
    page = client.get("/accedi")
    response = client.post("/accedi", data={"email": email, "password": PASSWORD,
                                            "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 302


def test_an_approval_committed_by_a_view_is_rebuilt_in_the_background(live_app):
    with live_app.app_context():
        staff = make_user(Role.STAFF, password=PASSWORD)
        notice = make_notice(published=True, by=staff)
        first = make_contribution(notice, by=staff)
        pending = make_contribution(notice, by=staff, approved=False, description="Da approvare")
        db.session.commit()
        procedure_id, slug, email, pending_id = notice.procedure.id, notice.procedure.slug, staff.email, pending.id
        first_node = f"r{first.id}"
        network.rebuild(procedure_id)  # the timer's job, done once: the network exists
    stale, nodes = snapshot_state(live_app, procedure_id)
    assert not stale and first_node in nodes and f"r{pending_id}" not in nodes

    live_app.test_client_class = IsolatedClient
    client = live_app.test_client()
    sign_in(client, email)
    form = client.get(f"/gestione/contributi/{pending_id}")
    response = client.post(f"/gestione/contributi/{pending_id}", data={
        "decision": APPROVE, "reason": "", "csrf_token": csrf_token_from(form.get_data(as_text=True)),
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    # nobody runs the command: the worker started by the commit rebuilds it
    def rebuilt_with_it() -> bool:
        stale, nodes = snapshot_state(live_app, procedure_id)
        return not stale and f"r{pending_id}" in nodes

    assert wait_for(rebuilt_with_it)
    html = client.get(f"/avvisi/{slug}/rete").get_data(as_text=True)
    assert "Da approvare" in html and "in aggiornamento" not in html


def test_the_staff_button_hands_the_rebuild_to_the_worker(live_app):
    with live_app.app_context():
        staff = make_user(Role.STAFF, password=PASSWORD)
        notice = make_notice(published=True, by=staff)
        make_contribution(notice, by=staff)
        db.session.commit()
        procedure_id, slug, email = notice.procedure.id, notice.procedure.slug, staff.email
    assert snapshot_state(live_app, procedure_id) == (True, set())  # never built

    live_app.test_client_class = IsolatedClient
    client = live_app.test_client()
    sign_in(client, email)
    page = client.get(f"/avvisi/{slug}/rete").get_data(as_text=True)
    assert "non è ancora stata calcolata" in page  # served at once, never waiting
    response = client.post(f"/gestione/procedimenti/{procedure_id}/rete/ricalcola",
                           data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)
    assert "Ricalcolo avviato" in response.get_data(as_text=True)
    assert wait_for(lambda: is_built(snapshot_state(live_app, procedure_id)))


def test_changes_close_together_are_built_once(live_app, monkeypatch):
    builds = []
    original = network.rebuild

    def counting(procedure_id, **kwargs):
        seconds = original(procedure_id, **kwargs)
        if seconds is not None:
            builds.append(procedure_id)
        return seconds

    monkeypatch.setattr(network, "rebuild", counting)
    with live_app.app_context():
        staff = make_user(Role.STAFF)
        notice = make_notice(published=True, by=staff)
        make_contribution(notice, by=staff)
        db.session.commit()
        procedure_id = notice.procedure.id
    with live_app.test_request_context():
        for _ in range(5):
            network.schedule([procedure_id])
    worker = live_app.extensions["coprog_network_worker"]
    assert worker.wait_idle(30)
    assert builds == [procedure_id]
