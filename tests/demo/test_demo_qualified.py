"""`coprog demo` publishes a list of qualified entities for AUSL Bologna: the co-programming's
admitted ETS and further fictional ones, valid today across axes, targets and districts, every
state of an entry, and one case manager per CSM; a second run adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from coprog.applications.admission import admitted
from coprog.auth.models import User
from coprog.core.roles import Role
from coprog.core.time import to_rome
from coprog.demo.qualified import CASE_MANAGERS, SLUG
from coprog.notices.models import NoticeState, Procedure, ProcedureKind
from coprog.notify.models import OutboxMessage
from coprog.qualified.models import EntryService, EntryState, QualifiedEntry, Target
from coprog.qualified.services.search import Filters, Origin, is_stale, search, valid_entries
from coprog.territory.geo import comune_point
from coprog.territory.models import Axis, Comune, ServiceCentre

TODAY = date(2026, 11, 30)


def _districts_of(service: EntryService) -> set[str]:
    covered = {d.code for d in service.districts} | {c.district.code for c in service.comuni}
    return covered | ({service.comune.district.code} if service.comune else set())


def test_the_demo_publishes_a_list_of_qualified_entities(demo_app, demo_session):
    """The demo as `demo_app` (tests/conftest.py) loaded it, once per worker."""
    session = demo_session
    runner = demo_app.test_cli_runner()

    procedure = session.scalar(select(Procedure).where(Procedure.slug == SLUG))
    notice = procedure.notice
    assert procedure.kind == ProcedureKind.QUALIFIED_LIST and notice.state == NoticeState.PUBLISHED
    assert to_rome(notice.deadline_at).date() == date(2028, 12, 31)
    assert "Art. 17, comma 3" in notice.legal_basis and "2023, n. 3" in notice.legal_basis
    assert notice.requirements and notice.how_to_apply and notice.milestones

    entries = session.scalars(select(QualifiedEntry).where(QualifiedEntry.procedure_id == procedure.id)).all()
    assert 20 <= len(entries) <= 25
    assert {EntryState.QUALIFIED, EntryState.REQUESTED, EntryState.SUSPENDED, EntryState.EXPIRED} <= {
        e.state for e in entries}
    suspended = next(e for e in entries if e.state == EntryState.SUSPENDED)
    assert suspended.decision_reason
    expired = next(e for e in entries if e.state == EntryState.EXPIRED)
    assert expired.valid_until == date(2026, 6, 30)
    assert all("(demo)" in e.organisation.name and e.contact_email.endswith("@demo.coprog.it") for e in entries)
    assert all(e.services for e in entries) and all(1 <= len(e.services) <= 4 for e in entries)

    # every ETS admitted to the co-programming is on the list
    co_programming = session.scalar(select(Procedure).where(Procedure.slug == "bds-bologna-2025")).notice
    assert {a.organisation_id for a in admitted(co_programming)} <= {e.organisation_id for e in entries}

    valid = session.scalars(select(QualifiedEntry).where(
        QualifiedEntry.procedure_id == procedure.id, valid_entries(TODAY))).all()
    assert len(valid) >= 20
    assert all(e.valid_from == date(2026, 1, 15) and e.valid_until == date(2028, 1, 14)
               and e.review_on == date(2027, 1, 15) and e.decision_reason for e in valid)
    services = [s for e in valid for s in e.services]
    assert {s.axis.code for s in services} == {"abitare", "lavoro", "socialita"}
    targets = Counter(t for s in services for t in s.targets)
    assert set(targets) == set(Target) and targets[Target.ADULTS] > targets[Target.MINORS]
    assert len(set().union(*(_districts_of(s) for s in services))) == 6
    assert all(s.search_text and s.latitude is not None for s in services)
    # places free now and none; availability fresh and stale; links to the mapped resources
    assert any(s.available == 0 for s in services) and any((s.available or 0) > 0 for s in services)
    stale = [s for s in services if is_stale(s)]
    assert 3 <= len(stale) < len(services) / 3
    linked = [s for s in services if s.contributions]
    assert linked and all(c.actor.organisation_id == s.entry.organisation_id and c.axis_id == s.axis_id
                          for s in linked for c in s.contributions)

    # a case manager near Bologna finds housing for adults with places free now
    bologna = session.scalar(select(Comune).where(Comune.name == "Bologna"))
    longitude, latitude = comune_point("ausl-bologna", bologna.istat_code)
    abitare = session.scalar(select(Axis).where(Axis.code == "abitare"))
    found = search(Filters(axis_id=abitare.id, target=Target.ADULTS, available_now=True,
                           origin=Origin("Bologna", longitude, latitude), radius_km=10), today=TODAY)
    assert found.total >= 2 and all(h.distance_km <= 10 and h.service.available > 0 for h in found.hits)

    # one case manager per CSM, with the demo password
    csm = session.scalars(select(ServiceCentre).where(ServiceCentre.kind == "csm")).all()
    managers = session.scalars(select(User).where(User.role == Role.CASE_MANAGER, User.is_demo.is_(True))).all()
    assert len(csm) == 11 and {code for code, _email, _name in CASE_MANAGERS} == {c.code for c in csm}
    emails = {m.email: m for m in managers}
    for centre in csm:
        email, name = next((e, n) for code, e, n in CASE_MANAGERS if code == centre.code)
        assert email in emails and emails[email].full_name == name, centre.name
        assert "(case manager CSM " in name and name.endswith(", demo)")
    navile = next(m for m in managers if m.email == "cm.navile@demo.coprog.it")
    assert navile.check_password("coprog-demo-2025") and navile.email_verified
    assert "casemanager@demo.coprog.it" in {m.email for m in managers}
    assert not session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address.like("%demo.coprog.it")))

    counts = lambda: (  # noqa: E731
        session.scalar(select(func.count(QualifiedEntry.id))), session.scalar(select(func.count(EntryService.id))),
        session.scalar(select(func.count(User.id))), session.scalar(select(func.count(Procedure.id))),
    )
    before = counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "0 creati" in second.output, second.output
    assert counts() == before


def test_the_case_managers_are_listed(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert all(email in result.output for _centre, email, _name in CASE_MANAGERS)
    assert "cm.navile@demo.coprog.it" in result.output
