"""`coprog demo`: the Bologna 2025 procedure with the real dates of seed 002, idempotent."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coprog.auth.models import User
from coprog.core.time import to_rome
from coprog.notices.models import NoticeState, Procedure


@pytest.fixture
def demo_app(app):
    app.config["COPROG_DEMO"] = True
    yield app
    app.config["COPROG_DEMO"] = False


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["demo", *args])


def test_demo_is_refused_outside_demo_mode(app, session):
    result = _run(app)
    assert result.exit_code != 0 and "COPROG_DEMO" in result.output
    assert session.scalar(select(func.count(User.id))) == 0


def test_demo_loads_the_bologna_procedure_once(demo_app, session):
    first = _run(demo_app)
    assert first.exit_code == 0, first.output
    second = _run(demo_app)
    assert "0 creati" in second.output
    procedure = session.scalar(select(Procedure).where(Procedure.slug == "bds-bologna-2025"))
    notice = procedure.notice
    assert notice.state == NoticeState.CLOSED
    assert to_rome(notice.deadline_at).replace(tzinfo=None) == datetime(2025, 9, 29, 12, 0)
    days = {m.title.split(" – ")[-1]: to_rome(m.starts_at).date() for m in notice.milestones}
    assert days["Formazione e lavoro"] == date(2025, 10, 29)
    assert days["Abitare"] == date(2025, 11, 12)
    assert days["Socialità"] == date(2025, 11, 25)
    dates = {to_rome(m.starts_at).date() for m in notice.milestones}
    assert {date(2025, 8, 28), date(2025, 9, 12), date(2025, 10, 10), date(2025, 11, 19), date(2025, 12, 15)} <= dates
    assert [a.file.data[:5] for a in notice.attachments] == [b"%PDF-"] * 3
    assert len({a.file.sha256 for a in notice.attachments}) == 3
    assert session.scalar(select(func.count(User.id)).where(User.is_demo.is_(True))) == 6


def test_accounts_are_listed(demo_app, session):
    result = _run(demo_app, "accounts")
    assert "rup@demo.coprog.it" in result.output and "coprog-demo-2025" in result.output


def test_demo_has_the_subprocedure_of_19_november(demo_app, session):
    from coprog.subprocedures.models import (
        BodyKind,
        InvitationState,
        SubProcedure,
        SubProcedureState,
    )

    assert _run(demo_app).exit_code == 0
    assert _run(demo_app).exit_code == 0  # idempotent: still one sub-procedure
    subs = session.scalars(select(SubProcedure).join(Procedure).where(Procedure.slug == "bds-bologna-2025")).all()
    assert len(subs) == 1
    sub = subs[0]
    assert sub.title == "Sub-procedimento per il coinvolgimento di soggetti diversi dagli ETS"
    assert sub.state == SubProcedureState.OPEN and to_rome(sub.opened_at).date() == date(2025, 11, 19)
    assert {i.body_kind for i in sub.invitations} == set(BodyKind)
    states = {i.state for i in sub.invitations}
    assert {InvitationState.ACCEPTED, InvitationState.DECLINED, InvitationState.SENT, InvitationState.EXPIRED} <= states
    assert all(i.email.endswith("@demo.coprog.it") for i in sub.invitations)
    accepted = next(i for i in sub.invitations if i.state == InvitationState.ACCEPTED)
    assert accepted.user.email == "invitato@demo.coprog.it" and accepted.contacts
    assert all(to_rome(i.sent_at).date() == date(2025, 11, 19) for i in sub.invitations if i.times_sent == 1)
