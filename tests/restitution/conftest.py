"""Fixtures shared by the public restitution's tests (the restitution page, the open data and
their catalogue): a published notice and the staff member who runs it."""

from __future__ import annotations

import pytest

from coprog.core.roles import Role

from ..factories import make_notice, make_user


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(published=True, by=staff)
