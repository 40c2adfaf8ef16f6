"""Shared fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

import contextvars
import os
import re
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from coprog import create_app
from coprog.core import cache, lru, recent
from coprog.core.roles import Role
from coprog.extensions import db

from .dbutil import fresh_database
from .factories import make_user

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "Password-di-prova-2025"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return fresh_database("unit", tmp_path_factory.mktemp("db"))


def _test_app(database_url: str, instance) -> Flask:
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "SERVER_NAME": "coprog.test",
            "COPROG_PASSWORD_HASHING": "test",  # argon2's cheapest parameters: fast sign-ins
            "COPROG_BASE_URL": "http://coprog.test",
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    return _test_app(database_url, tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    """A second app on its own database, with `coprog demo` (and the network) loaded once per
    worker: the tests that read the demo share it instead of loading it again (~8 s each).
    Demo mode stays on, so a test may run `coprog demo` again (it must add nothing)."""
    application = _test_app(fresh_database("demo", tmp_path_factory.mktemp("demo-db")),
                            tmp_path_factory.mktemp("demo-instance"))
    application.config["COPROG_DEMO"] = True
    runner = application.test_cli_runner()
    with application.app_context():
        for command in (["demo"], ["network", "rebuild"]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
            application.config.setdefault("TEST_DEMO_OUTPUT", result.output)  # what the first run said
    return application


@contextmanager
def rolled_back(app: Flask):
    """A database session inside a transaction that is rolled back at the end.

    Commits made by the code under test become savepoints on the same connection.
    """
    cache.reset()
    recent.forget()  # a rolled-back row's id may be given again to another
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        original = db.session
        db.session = scoped_session(factory, scopefunc=original.registry.scopefunc)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def session(app):
    """Each test runs inside a transaction that is rolled back at the end."""
    with rolled_back(app) as database_session:
        yield database_session


@pytest.fixture
def demo_session(demo_app):
    """The loaded demo, in a transaction rolled back at the end: what a test changes is undone."""
    with rolled_back(demo_app) as database_session:
        yield database_session


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, `g` and
    database session (on the test's connection), not the ones the test itself holds."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app, demo_session):
    return demo_app.test_client()


@pytest.fixture
def recent_clock(monkeypatch):
    """The clock of each worker's one-second copies of accounts and keys (core/recent), moved
    by hand: `recent_clock.pass_recheck()` makes every copy too old."""

    class Clock:
        now = 1000.0

        def pass_recheck(self) -> None:
            self.now += recent.RECHECK_SECONDS + 0.1

    clock = Clock()
    monkeypatch.setattr(lru, "clock", lambda: clock.now)
    return clock


@pytest.fixture
def app_ctx(app, session):
    with app.test_request_context():
        yield


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture
def login_as(client, session):
    """Sign in a new user of the given role through the real login form; returns the user."""

    def sign_in(role: Role | str | None, *, admin: bool = False, **fields):
        if role is None:
            page = client.get("/esci")  # signed in: a confirmation form; sign out through it
            if page.status_code == 200:
                client.post("/esci", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
            return None
        user = make_user(Role(role), admin=admin, password=PASSWORD, **fields)
        session.commit()
        page = client.get("/accedi")
        response = client.post(
            "/accedi",
            data={
                "email": user.email,
                "password": PASSWORD,
                "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return user

    return sign_in


def pytest_collection_modifyitems(config, items):
    """The browser tests first. pytest-xdist hands whole files to the two workers in this order,
    so the long browser files start early and the many short files even out the end: the
    longest-first rule, which keeps both cores busy until the last minute."""
    items.sort(key=lambda item: "/tests/browser/" not in str(item.path).replace("\\", "/"))
