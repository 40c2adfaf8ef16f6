"""The demo's contributions to the resource mapping of bds-bologna-2025: every district and axis
covered by published resources in real comuni, every kind of actor, collaborations, table and
online sources, every state, dated between the first table and the restitution; loaded once."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coprog.actors.models import ActorKind
from coprog.auth.models import User
from coprog.core.models import AuditEntry
from coprog.core.time import to_rome
from coprog.mapping.models import Contribution, ContributionSource, ContributionState, Placement
from coprog.notices.models import Procedure
from coprog.notify.models import OutboxMessage
from coprog.territory.geo import comune_point

FIRST_TABLE = datetime(2025, 10, 29)
RESTITUTION = datetime(2025, 12, 15)


# The demo is loaded once per worker by the `demo_app` fixture (tests/conftest.py); the tests
# read it through a session on that database, rolled back at the end.
@pytest.fixture
def session(demo_session):
    return demo_session


def _run(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def _contributions(session) -> list[Contribution]:
    query = (
        select(Contribution).join(Procedure).where(Procedure.slug == "bds-bologna-2025")
        .options(selectinload(Contribution.actor), selectinload(Contribution.collaborators))
        .order_by(Contribution.id)
    )
    return list(session.scalars(query))


def _rome(value) -> datetime:
    return to_rome(value).replace(tzinfo=None)


def test_demo_contributions_cover_every_district_and_axis(session):
    contributions = _contributions(session)
    procedure = contributions[0].procedure
    authority = procedure.authority
    published = [c for c in contributions if c.state == ContributionState.APPROVED]
    # every district × axis has at least one published resource
    cells = {(c.district_id, c.axis_id) for c in published}
    assert cells == {(d.id, a.id) for d in authority.districts for a in procedure.notice.axes}
    # in a real comune of its district, drawn at that comune's committed point
    for c in contributions:
        assert c.comune is not None and c.comune.district_id == c.district_id
        assert c.placement == Placement.COMUNE
        assert (c.longitude, c.latitude) == comune_point(authority.slug, c.comune.istat_code)
    # every kind of actor; fictional organisations; the accepted invitee; co-opted subjects
    kinds = {c.actor.kind for c in contributions}
    assert kinds == set(ActorKind)
    assert all(c.actor.name.endswith("(demo)") for c in contributions
               if c.actor.kind in (ActorKind.ETS, ActorKind.CO_OPTED))
    assert any(c.actor.invitation is not None and c.actor.invitation.user.email == "invitato@demo.coprog.it"
               for c in published)
    assert len({c.actor_id for c in published}) >= 15
    # collaborations, never with oneself
    with_others = [c for c in published if c.collaborators]
    assert len(with_others) >= 20
    assert all(c.actor_id not in {a.id for a in c.collaborators} for c in contributions)
    # from the tables (a Part 2 direction of that session's published verbale) and online
    from_tables = [c for c in contributions if c.source == ContributionSource.TABLE]
    assert 10 <= len(from_tables) < len(contributions) / 2
    for c in from_tables:
        assert c.direction is not None and c.session is not None
        assert c.direction.minutes.session_id == c.session_id and c.direction.minutes.is_published
        assert c.session.axis_id == c.axis_id and c.session.is_facilitated_by(c.created_by)
        assert _rome(c.created_at).date() > _rome(c.session.starts_at).date()
    assert all(c.direction_id is None and c.session_id is None for c in contributions
               if c.source == ContributionSource.ONLINE)
    # every state: most published, a few waiting, one rejected with its reason
    states = {state: [c for c in contributions if c.state == state] for state in ContributionState}
    assert len(states[ContributionState.SUBMITTED]) >= 3 and len(states[ContributionState.REJECTED]) == 1
    assert states[ContributionState.REJECTED][0].decision_reason
    assert all(c.decided_at is None for c in states[ContributionState.SUBMITTED])
    # realistic figures: types, ways, capacities with their units, periods
    assert len({c.resource_type.code for c in contributions}) == 9
    assert len({c.offer_mode for c in contributions}) == 5
    assert all(c.capacity_note for c in contributions if c.capacity is not None)
    assert all(c.available_until >= c.available_from for c in contributions
               if c.available_from and c.available_until)
    # dated between the first table and the restitution, decisions after submissions
    for c in contributions:
        assert FIRST_TABLE < _rome(c.created_at) < RESTITUTION
        if c.decided_at is not None:
            assert _rome(c.created_at) < _rome(c.decided_at) < RESTITUTION
    # the audit rows tell the same story, at the same dates
    for c in contributions:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "Contribution", AuditEntry.object_id == c.id).order_by(AuditEntry.id)).all()
        assert entries[0].action == "submitted" and entries[0].at == c.created_at
        if c.decided_at is not None:
            assert entries[-1].to_state == c.state.value and entries[-1].at == c.decided_at
    # the senders: the ETS's legal representatives, the invited body, the facilitator, staff
    senders = {c.created_by.email for c in contributions}
    assert "facilitatore@demo.coprog.it" in senders and "invitato@demo.coprog.it" in senders
    assert any(e.startswith("rappresentante.") for e in senders)
    # no e-mail waits for the fictional addresses
    assert not session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address.like("%demo.coprog.it")))


def test_demo_contributions_are_loaded_once(demo_app, session):
    counts = lambda: (  # noqa: E731
        session.scalar(select(func.count(Contribution.id))),
        session.scalar(select(func.count(AuditEntry.id))),
        session.scalar(select(func.count(User.id))),
    )
    before = counts()
    second = _run(demo_app)
    assert "0 creati" in second.output
    assert counts() == before
    assert [c.description for c in _contributions(session)]  # the same ones, once
    assert len({c.description for c in _contributions(session)}) == len(_contributions(session))
