"""Fixtures of the sub-procedure tests: an open sub-procedure and invitations with their links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coprog.core.roles import Role
from coprog.notify.models import OutboxMessage
from coprog.subprocedures import services

from ..factories import make_notice, make_user

LINK = re.compile(r"https?://[^\s/]+(/invito/[A-Za-z0-9_-]+)")


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(by=staff, published=True)


def make_subprocedure(notice, staff, *, opened=True):
    sub = services.create_subprocedure(
        notice.procedure,
        {"title": "Sub-procedimento di prova", "purpose": "Coinvolgere soggetti diversi dagli ETS.",
         "legal_basis": "L. 241/1990"},
        by=staff,
    )
    if opened:
        sub.open(by=staff)
    return sub


@pytest.fixture
def sub(session, notice, staff):
    return make_subprocedure(notice, staff)


def invitation_data(**overrides) -> dict:
    data = {"body_kind": "fondazione", "body_name": "Fondazione Esempio", "tax_code": None,
            "email": "fondazione@esempio.it"}
    data.update(overrides)
    return data


def last_link(session, to: str) -> str:
    """The path of the invitation link in the last e-mail queued for `to`."""
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no e-mail for {to}"
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


@pytest.fixture
def invite(session, sub, staff):
    """Invite a body (committed); returns (invitation, link path)."""

    def make(**overrides):
        invitation = services.invite_body(sub, invitation_data(**overrides), by=staff)
        session.commit()
        return invitation, last_link(session, invitation.email)

    return make
