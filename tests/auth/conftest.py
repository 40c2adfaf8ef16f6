"""Fixtures for the auth tests: post a form with its CSRF token, sign in, a ready user."""

from __future__ import annotations

import pytest

from coprog.core.roles import Role
from tests.conftest import PASSWORD, csrf_token_from
from tests.factories import make_user


@pytest.fixture
def submit(client):
    """GET the page, then POST `data` with the page's CSRF token."""

    def post(url: str, data: dict, *, page: str | None = None, **kwargs):
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={**data, "csrf_token": csrf_token_from(html)}, **kwargs)

    return post


@pytest.fixture
def login(submit):
    def attempt(email: str, password: str = PASSWORD, **kwargs):
        return submit("/accedi", {"email": email, "password": password}, **kwargs)

    return attempt


@pytest.fixture
def user(session):
    """A verified ETS user with the test password, committed."""
    made = make_user(
        Role.ETS, password=PASSWORD, email="mario.rossi@esempio.it", full_name="Mario Rossi"
    )
    session.commit()
    return made
