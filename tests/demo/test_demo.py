"""`coprog demo`: the Bologna 2025 procedure with the real dates of seed 002, idempotent."""

from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coprog.applications.models import Application, ApplicationState, CoOptedKind, CoOptedSubject
from coprog.auth.models import User
from coprog.core.time import to_rome
from coprog.demo.applications import ENTITIES, RUNTS_LISTS
from coprog.demo.content import ACCOUNTS
from coprog.demo.qualified import CASE_MANAGERS, LIST_ENTITIES
from coprog.extensions import db
from coprog.notices.models import NoticeState, Procedure


# The demo is loaded once per worker by the `demo_app` fixture (tests/conftest.py); here every
# test reads it through a session on that database, rolled back at the end.
@pytest.fixture
def session(demo_session):
    return demo_session


@pytest.fixture
def client(demo_client):
    return demo_client


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["demo", *args])


def test_demo_is_refused_outside_demo_mode(app):
    with app.app_context():
        result = _run(app)
        assert result.exit_code != 0 and "COPROG_DEMO" in result.output
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_demo_loads_the_bologna_procedure_once(demo_app, session):
    second = _run(demo_app)  # the fixture ran it once
    assert second.exit_code == 0 and "0 creati" in second.output, second.output
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
    # the six accounts of content.ACCOUNTS, one legal representative per demo ETS (of the
    # co-programming and of the list of qualified entities), one case manager per CSM
    demo_users = 6 + len(ENTITIES) + len(LIST_ENTITIES) + len(CASE_MANAGERS)
    assert session.scalar(select(func.count(User.id)).where(User.is_demo.is_(True))) == demo_users
    assert {email for email, *_ in ACCOUNTS} <= set(session.scalars(select(User.email)))


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

    assert _run(demo_app).exit_code == 0  # a second run: still one sub-procedure
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


# The demo ETS, their RUNTS records and their applications ------------------------------------


def _demo_applications(session):
    query = select(Application).join(Application.notice).join(Procedure).where(Procedure.slug == "bds-bologna-2025")
    return session.scalars(query.order_by(Application.id)).all()


def test_demo_has_applications_in_every_state(session):
    from coprog.notify.models import OutboxMessage
    from coprog.organisations.models import Organisation
    from coprog.territory.models import Comune

    applications = _demo_applications(session)
    assert {a.state for a in applications} == set(ApplicationState)
    numbered = [a for a in applications if a.protocol_number is not None]
    assert sorted(a.protocol_number for a in numbered) == list(range(1, len(numbered) + 1))
    # numbers follow the time of submission, between 12 and 29 September 2025 (before 12:00)
    in_order = sorted(numbered, key=lambda a: a.protocol_number)
    assert [a.submitted_at for a in in_order] == sorted(a.submitted_at for a in in_order)
    assert datetime(2025, 9, 12) <= to_rome(in_order[0].submitted_at).replace(tzinfo=None)
    assert to_rome(in_order[-1].submitted_at).replace(tzinfo=None) < datetime(2025, 9, 29, 12, 0)
    assert all(a.eligibility and a.eligibility["verdict"] and a.content_sha256 for a in numbered)
    assert all(a.eligibility is None and a.protocol_number is None
               for a in applications if a.state == ApplicationState.DRAFT)
    # a second version superseded the first; decisions carry a reason
    superseded = next(a for a in applications if a.state == ApplicationState.SUPERSEDED)
    assert any(a.supersedes_id == superseded.id and a.version == 2 for a in applications)
    decided = [a for a in applications if a.state in (ApplicationState.ADMITTED, ApplicationState.EXCLUDED,
                                                       ApplicationState.INTEGRATION_REQUESTED)]
    assert decided and all(a.decision_reason and a.decided_at > a.submitted_at for a in decided)
    assert all(a.integration_due for a in applications if a.state == ApplicationState.INTEGRATION_REQUESTED)
    # co-opted subjects of several kinds
    kinds = set(session.scalars(select(CoOptedSubject.kind).where(CoOptedSubject.application_id.in_([a.id for a in applications]))))
    assert len(kinds) >= 4 and CoOptedKind.INFORMAL_GROUP in kinds
    # the organisations: every RUNTS section, seats in every district, fictional names
    codes = {e.code for e in ENTITIES}
    organisations = session.scalars(select(Organisation).where(Organisation.codice_fiscale.in_(codes))).all()
    assert len(organisations) == len(ENTITIES) and all("(demo)" in o.name for o in organisations)
    assert {o.runts_section for o in organisations} == set("abcdefg")
    districts = {session.scalar(select(Comune).where(Comune.name == o.seat_comune)).district.code for o in organisations}
    assert len(districts) == 6
    # one ETS user per organisation, demo and verified; the demo ETS account acts for an admitted one
    members = [m.user for o in organisations for m in o.members]
    assert all(u.is_demo and u.email_verified and u.email.endswith("@demo.coprog.it") for u in members)
    ets = session.scalar(select(User).where(User.email == "ets@demo.coprog.it"))
    own = [a for a in applications if a.organisation.has_member(ets)]
    assert any(a.state == ApplicationState.ADMITTED for a in own)
    # no e-mail waits for the fictional addresses
    assert not session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address.like("%demo.coprog.it")))


def test_demo_runts_fixture_gives_the_expected_verdicts(session):
    from coprog.registry.eligibility import Declared
    from coprog.registry.models import RuntsImport, RuntsStatus
    from coprog.registry.services import check_entity, find_entity

    imports = session.scalars(select(RuntsImport).order_by(RuntsImport.id)).all()
    assert [(i.file_name, i.snapshot_date) for i in imports] == [(p.name, d) for p, d in RUNTS_LISTS]
    assert all(i.rejected == 0 and i.columns["missing"] == [] for i in imports)  # the real layout, all columns
    assert (imports[1].inserted, imports[1].removed) == (1, 1)
    notice = session.scalar(select(Procedure).where(Procedure.slug == "bds-bologna-2025")).notice
    applications = {a.organisation.codice_fiscale: a for a in _demo_applications(session) if a.eligibility}
    verdicts = {}
    for entity in ENTITIES:
        stored = applications.get(entity.code)
        declared_earlier = entity.declared.get("earlier_registered_on")
        verdict = check_entity(entity.code, notice.deadline_at, Declared(earlier_registration=declared_earlier))
        verdicts[entity.key] = verdict.verdict
        if stored is not None:
            assert stored.eligibility["verdict"] == verdict.verdict, entity.key
    assert Counter(verdicts.values()) == {"eligible": 10, "not_eligible": 3, "manual_check": 1}
    assert verdicts["nuove-idee"] == "not_eligible"  # registered less than 6 months before
    assert verdicts["giovani-mani"] == "manual_check"  # impresa sociale, recent: Registro imprese
    assert verdicts["sentieri-condivisi"] == "eligible"  # migrated ODV: continuity
    assert find_entity("91990110370").status == RuntsStatus.REMOVED  # in June, not in September
    assert find_entity("91990120379") is None  # never listed
    flagged = [a for a in applications.values() if a.eligibility["flags"]]
    assert len(flagged) == 2  # a wrong repertorio, a wrong registration date


def test_demo_applications_are_loaded_once(demo_app, session):
    from coprog.registry.models import RuntsEntity, RuntsImport

    counts = lambda: (  # noqa: E731
        len(_demo_applications(session)),
        session.scalar(select(func.count(RuntsImport.id))),
        session.scalar(select(func.count(RuntsEntity.id))),
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(CoOptedSubject.id))),
    )
    before = counts()
    second = _run(demo_app)
    assert second.exit_code == 0 and "0 creati" in second.output, second.output
    assert counts() == before


def test_demo_publishes_the_admitted_list_of_10_october(session, client):
    notice = session.scalar(select(Procedure).where(Procedure.slug == "bds-bologna-2025")).notice
    assert to_rome(notice.admitted_published_at).date() == date(2025, 10, 10)
    rows = client.get("/dati/bds-bologna-2025/ammessi.csv").get_data(as_text=True).splitlines()
    assert rows[0].startswith("protocollo;codice_fiscale") and len(rows) == 1 + 6
