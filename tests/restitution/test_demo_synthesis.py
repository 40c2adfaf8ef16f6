"""`coprog demo` publishes the restitution of seed 002: its items, each traced to sessions and
contributions of its own axis; a second run adds nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from coprog.notices.models import Procedure
from coprog.restitution.models import ItemKind, SynthesisState
from coprog.restitution.services import synthesis as service


# The demo is loaded once per worker by the `demo_app` fixture (tests/conftest.py); the tests
# read it through a session on that database, rolled back at the end.
@pytest.fixture
def session(demo_session):
    return demo_session


def test_the_demo_publishes_the_seed_002_synthesis_with_its_sources(demo_app, session):
    runner = demo_app.test_cli_runner()
    procedure = session.scalar(select(Procedure).where(Procedure.slug == "bds-bologna-2025"))
    synthesis = service.published_synthesis(procedure)
    assert synthesis is not None and synthesis.state == SynthesisState.PUBLISHED
    assert synthesis.published_at.date().isoformat() == "2025-12-15"
    counts = Counter((item.kind, item.axis.code if item.axis else None) for item in synthesis.items)
    assert counts == {
        (ItemKind.ACTORS, "lavoro"): 4, (ItemKind.DIRECTION, "lavoro"): 6, (ItemKind.INTERVENTION, "lavoro"): 5,
        (ItemKind.ACTORS, "socialita"): 4, (ItemKind.DIRECTION, "socialita"): 6,
        (ItemKind.INTERVENTION, "socialita"): 5, (ItemKind.DIRECTION, "abitare"): 7,
        (ItemKind.CROSS_CUTTING, None): 9, (ItemKind.PERSPECTIVE, None): 2,
    }
    for item in synthesis.items:
        if item.kind == ItemKind.PERSPECTIVE:
            continue
        found = service.provenance(item)
        assert found.tables >= 1 and found.contributions >= 1, item.title
        if item.axis is not None:
            assert {s.session.axis_id for s in item.sources if s.session} == {item.axis_id}, item.title
            assert {s.contribution.axis_id for s in item.sources if s.contribution} == {item.axis_id}, item.title
    total = len(synthesis.items)
    assert runner.invoke(args=["demo"]).exit_code == 0
    session.expire_all()
    assert len(service.published_synthesis(procedure).items) == total
