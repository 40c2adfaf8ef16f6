"""The accounts each worker keeps for a second (core/recent.py): a signed-in page asked for again
needs no database, and no change to an account is missed for longer than that second."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from coprog.auth.models import User
from coprog.auth.passwords import hasher
from coprog.core.roles import Role

from ..dbutil import statements_run
from .helpers import NEW_PASSWORD


@pytest.fixture
def statements(app):
    with statements_run(app, copies=True) as seen:
        yield seen


def by_another_worker(session, user: User, **values) -> None:
    """A change this process's ORM does not see, as one committed by another worker."""
    session.execute(update(User).where(User.id == user.id).values(**values))
    session.commit()


def test_a_page_asked_again_reads_no_account(client, login_as, recent_clock, statements):
    login_as(Role.CASE_MANAGER)
    assert client.get("/profilo").status_code == 200
    statements.clear()
    assert client.get("/profilo").status_code == 200
    assert not [sql for sql in statements if "FROM users" in sql]
    recent_clock.pass_recheck()
    assert client.get("/profilo").status_code == 200
    assert [sql for sql in statements if "FROM users" in sql]  # a second later: read again


def test_a_change_made_here_is_seen_at_once(client, session, login_as, recent_clock):
    user = login_as(Role.ETS)
    assert client.get("/profilo").status_code == 200
    user.role = Role.CASE_MANAGER
    session.commit()
    assert "Case manager" in client.get("/profilo").get_data(as_text=True)
    user.active = False
    session.commit()
    assert client.get("/profilo").status_code == 302


def test_another_workers_change_is_seen_within_a_second(client, session, login_as, recent_clock):
    user = login_as(Role.ETS)
    assert client.get("/profilo").status_code == 200
    by_another_worker(session, user, active=False)
    assert client.get("/profilo").status_code == 200  # this worker's copy, less than a second old
    recent_clock.pass_recheck()
    assert client.get("/profilo").status_code == 302


def test_a_session_newer_than_the_copy_is_checked_in_the_database(app, client, session, login_as, recent_clock):
    """A password changed in another worker: its new session does not match this worker's copy,
    and is not refused on the copy's word; the old session ends once the copy is a second old."""
    user = login_as(Role.ETS)
    assert client.get("/profilo").status_code == 200
    by_another_worker(session, user, password_hash=hasher().hash(NEW_PASSWORD))
    session.refresh(user)
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess.permanent = True  # session protection: another browser, as after a login there
    assert other.get("/profilo").status_code == 200
    recent_clock.pass_recheck()
    assert client.get("/profilo").status_code == 302
