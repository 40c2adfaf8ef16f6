"""Entries of the list of qualified entities: requested when an application to a list notice is
submitted; staff decisions with their reason, audited and e-mailed; bad input refused whole;
the daily expiry (a reminder once, then expiry with its e-mail) and the search that forgets an
expired entry; the contacts of an entry; the ETS's services and availability."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coprog.applications import services as applications
from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.core.time import rome_today
from coprog.mapping.services.contributions import resource_types_of
from coprog.notify.models import OutboxMessage
from coprog.qualified.models import EntryService, EntryState, IllegalTransition, QualifiedEntry
from coprog.qualified.services import entries
from coprog.qualified.services.entries import Decision, EntryError, Validity
from coprog.qualified.services.search import Filters, search

from ..factories import (
    make_application,
    make_authority,
    make_list_notice,
    make_notice,
    make_organisation,
    make_qualified_entry,
    make_user,
)


def _mails(session, template: str) -> list[OutboxMessage]:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                           .order_by(OutboxMessage.id)).all()


def _validity(days: int = 730, review: int | None = 365) -> Validity:
    today = rome_today()
    return Validity(today, today + timedelta(days=days), today + timedelta(days=review) if review else None)


@pytest.fixture
def requested(session):
    """An ETS applied to a list notice: its entry is requested."""
    owner = make_user(Role.ETS)
    notice = make_list_notice()
    organisation = make_organisation(owner, name="Cooperativa Elenco di Prova")
    application = make_application(notice, organisation, by=owner)
    applications.submit(application.id, notice.id, by=owner)
    entry = entries.entry_of(notice.procedure, organisation)
    return entry, owner, notice


def _service_data(entry, **overrides) -> dict:
    authority = entry.procedure.authority
    data = {"title": "Appartamento per la vita autonoma", "description": "Due posti in un appartamento condiviso",
            "axis_id": str(authority.axes[0].id), "resource_type_id": str(resource_types_of(authority)[0].id),
            "targets": ["adulti_csm"], "district_ids": [str(authority.districts[0].id)],
            "comune_id": str(authority.districts[0].comuni[0].id), "address": "Via di Prova 1",
            "capacity": "4", "available": "2", "step_free": True}
    data.update(overrides)
    return data


# Requested on submission --------------------------------------------------------------------------


def test_an_application_to_a_list_requests_an_entry(session, requested):
    entry, owner, notice = requested
    assert entry is not None and entry.state == EntryState.REQUESTED
    assert entry.application.notice_id == notice.id
    assert entry.contact_email == "ente@esempio.it"  # from the application, for the ETS to change
    rows = history(entry)
    assert [(r.action, r.to_state, r.actor_id) for r in rows] == [("request", "requested", owner.id)]


def test_an_application_to_a_co_programming_requests_nothing(session):
    owner = make_user(Role.ETS)
    notice = make_notice(published=True)
    application = make_application(notice, make_organisation(owner), by=owner)
    applications.submit(application.id, notice.id, by=owner)
    assert session.scalar(select(QualifiedEntry).where(QualifiedEntry.application_id == application.id)) is None


def test_a_refused_entity_applies_again(session, requested):
    entry, owner, notice = requested
    staff = make_user(Role.STAFF)
    entries.decide(entry, Decision.REFUSE, "Requisiti non dimostrati.", by=staff)
    again = make_application(notice, entry.organisation, by=owner)  # a new version of the application
    applications.submit(again.id, notice.id, by=owner)
    assert entry.state == EntryState.REQUESTED and entry.application_id == again.id


# Decisions ----------------------------------------------------------------------------------------


def test_qualify_audits_and_notifies(session, requested):
    entry, owner, notice = requested
    staff = make_user(Role.STAFF)
    validity = _validity()
    entries.decide(entry, Decision.QUALIFY, "Requisiti verificati.", by=staff, validity=validity)
    assert entry.state == EntryState.QUALIFIED
    assert (entry.valid_from, entry.valid_until, entry.review_on) == (validity.valid_from, validity.valid_until,
                                                                      validity.review_on)
    assert entry.decided_by_id == staff.id and entry.decision_reason == "Requisiti verificati."
    last = history(entry)[-1]
    assert (last.action, last.from_state, last.to_state, last.reason, last.actor_id) == (
        "qualifica", "requested", "qualified", "Requisiti verificati.", staff.id)
    mails = _mails(session, "qualified_decision")
    assert owner.email in {m.to_address for m in mails}
    body = mails[0].body_text
    assert "Qualificato" in body and "Requisiti verificati." in body
    assert validity.valid_until.strftime("%d/%m/%Y") in body
    assert f"/area-ets/elenco/{entry.id}" in body


@pytest.mark.parametrize("decision,to", [
    (Decision.SUSPEND, EntryState.SUSPENDED),
    (Decision.REMOVE, EntryState.REMOVED),
    (Decision.RENEW, EntryState.QUALIFIED),
])
def test_decisions_on_a_qualified_entry(session, decision, to):
    staff = make_user(Role.STAFF)
    entry = make_qualified_entry(make_list_notice(by=staff), by=staff)
    validity = _validity(days=1000) if decision.needs_validity else None
    entries.decide(entry, decision, f"Motivo: {decision.value}", by=staff, validity=validity)
    assert entry.state == to
    last = history(entry)[-1]
    assert (last.action, last.from_state, last.to_state) == (decision.value, "qualified", to.value)
    assert last.reason == f"Motivo: {decision.value}"
    assert any(f"Motivo: {decision.value}" in m.body_text for m in _mails(session, "qualified_decision"))


def test_a_suspended_entry_is_qualified_again_and_an_expired_one_renewed(session):
    staff = make_user(Role.STAFF)
    notice = make_list_notice(by=staff)
    suspended = make_qualified_entry(notice, by=staff, state="suspended")
    entries.decide(suspended, Decision.QUALIFY, "Sospensione revocata.", by=staff, validity=_validity())
    assert suspended.state == EntryState.QUALIFIED
    expired = make_qualified_entry(notice, by=staff, state="expired")
    entries.decide(expired, Decision.RENEW, "Rinnovo richiesto.", by=staff, validity=_validity())
    assert expired.state == EntryState.QUALIFIED and expired.reminded_at is None


def test_illegal_decisions_change_nothing(session, requested):
    entry, owner, notice = requested
    staff = make_user(Role.STAFF)
    with pytest.raises(IllegalTransition):
        entries.decide(entry, Decision.SUSPEND, "Non ancora qualificato.", by=staff)
    entries.decide(entry, Decision.REFUSE, "Requisiti mancanti.", by=staff)
    with pytest.raises(IllegalTransition):
        entries.decide(entry, Decision.QUALIFY, "Ripensamento.", by=staff, validity=_validity())
    assert entry.state == EntryState.REFUSED


@pytest.mark.parametrize("decision,reason,validity,field", [
    (Decision.QUALIFY, "   ", "ok", "reason"),
    (Decision.REFUSE, "", None, "reason"),
    (Decision.QUALIFY, "x" * 2001, "ok", "reason"),
    (Decision.QUALIFY, "Verificato.", None, "valid_until"),
    (Decision.QUALIFY, "Verificato.", "backwards", "valid_until"),
    (Decision.QUALIFY, "Verificato.", "review-outside", "review_on"),
])
def test_bad_decisions_are_refused_whole(session, requested, decision, reason, validity, field):
    entry, owner, notice = requested
    today = rome_today()
    validity = {
        "ok": _validity(),
        "backwards": Validity(today, today - timedelta(days=1), None),
        "review-outside": Validity(today, today + timedelta(days=30), today + timedelta(days=60)),
        None: None,
    }[validity]
    before = len(history(entry))
    with pytest.raises(EntryError) as refused:
        entries.decide(entry, decision, reason, by=make_user(Role.STAFF), validity=validity)
    assert field in refused.value.problems
    assert entry.state == EntryState.REQUESTED and entry.valid_until is None
    assert len(history(entry)) == before and not _mails(session, "qualified_decision")


# Expiry -------------------------------------------------------------------------------------------


def test_expiry_reminds_once_then_expires_and_the_search_forgets(session):
    staff = make_user(Role.STAFF)
    notice = make_list_notice(by=staff)
    owner = make_user(Role.ETS)
    entry = make_qualified_entry(notice, by=staff, organisation=make_organisation(owner), valid_days=10)
    far = make_qualified_entry(notice, by=staff, valid_days=400)
    today = rome_today()

    def found() -> set[int]:
        return {hit.service.entry_id for hit in search(Filters(), today=today).hits}

    assert {entry.id, far.id} <= found()
    assert entries.run_expiry(today) == (1, 0)
    reminders = _mails(session, "qualified_reminder")
    assert owner.email in {m.to_address for m in reminders}
    assert "10 giorni" in reminders[0].body_text and entry.valid_until.strftime("%d/%m/%Y") in reminders[0].body_text
    assert entries.run_expiry(today) == (0, 0)  # once per validity
    assert len(_mails(session, "qualified_reminder")) == len(reminders)

    later = entry.valid_until + timedelta(days=1)
    assert entries.run_expiry(later) == (0, 1)
    assert entry.state == EntryState.EXPIRED and far.state == EntryState.QUALIFIED
    last = history(entry)[-1]
    assert (last.action, last.from_state, last.to_state, last.actor_id) == ("expire", "qualified", "expired", None)
    told = [m for m in _mails(session, "qualified_decision") if m.to_address == owner.email]
    assert told and "scaduta" in told[-1].body_text
    today = later
    assert entry.id not in found() and far.id in found()

    entries.decide(entry, Decision.RENEW, "Rinnovata.", by=staff,
                   validity=Validity(later, later + timedelta(days=365), None))
    assert entry.id in found()


def test_expiry_command_prints_the_counts(app, session):
    staff = make_user(Role.STAFF)
    make_qualified_entry(make_list_notice(by=staff), by=staff, valid_days=5)
    result = app.test_cli_runner().invoke(args=["elenco", "scadenze", "--oggi", rome_today().isoformat()])
    assert result.exit_code == 0, result.output
    assert "promemoria inviati: 1" in result.output and "iscrizioni scadute: 0" in result.output


# Services and contacts ----------------------------------------------------------------------------


def test_a_service_is_saved_and_its_availability_dated(session, requested):
    entry, owner, notice = requested
    service = entries.save_service(entry, _service_data(entry), by=owner)
    assert (service.capacity, service.available, service.for_adults, service.step_free) == (4, 2, True, True)
    assert service.availability_updated_at is not None
    entries.update_availability(service, "0", by=owner)
    assert service.available == 0
    assert [r.action for r in history(service)] == ["save", "availability"]


@pytest.mark.parametrize("overrides,field", [
    ({"capacity": "-1"}, "capacity"),
    ({"capacity": "tanti"}, "capacity"),
    ({"available": "5"}, "available"),
    ({"targets": []}, "targets"),
    ({"title": ""}, "title"),
    ({"axis_id": ""}, "axis_id"),
    ({"district_ids": [], "comune_id": ""}, "district_ids"),
])
def test_bad_services_are_refused_whole(session, requested, overrides, field):
    entry, owner, notice = requested
    with pytest.raises(EntryError) as refused:
        entries.save_service(entry, _service_data(entry, **overrides), by=owner)
    assert field in refused.value.problems
    assert session.scalars(select(EntryService).where(EntryService.entry_id == entry.id)).all() == []


def test_a_comune_of_another_authority_is_refused(session, requested):
    entry, owner, notice = requested
    elsewhere = make_authority("altrove").districts[0].comuni[0]
    with pytest.raises(EntryError) as refused:
        entries.save_service(entry, _service_data(entry, comune_id=str(elsewhere.id)), by=owner)
    assert "comune_id" in refused.value.problems
    with pytest.raises(EntryError) as refused:
        entries.save_service(entry, _service_data(entry, district_ids=[], comune_id="",
                                                  comune_ids=[str(elsewhere.id)]), by=owner)
    assert "district_ids" in refused.value.problems  # a comune outside the territory covers nothing


@pytest.mark.parametrize("value", ["-1", "abc", "", "9"])
def test_bad_availability_is_refused(session, value):
    staff = make_user(Role.STAFF)
    entry = make_qualified_entry(make_list_notice(by=staff), by=staff)
    service = entry.services[0]
    before = service.availability_updated_at
    with pytest.raises(EntryError) as refused:
        entries.update_availability(service, value, by=staff)
    assert "available" in refused.value.problems
    assert (service.available, service.availability_updated_at) == (2, before)


def test_contacts_are_checked(session, requested):
    entry, owner, notice = requested
    with pytest.raises(EntryError) as refused:
        entries.save_contacts(entry, {"contact_desk": "Sportello", "contact_email": "non-valida",
                                      "contact_phone": "abc"}, by=owner)
    assert set(refused.value.problems) == {"contact_email", "contact_phone"}
    with pytest.raises(EntryError) as refused:
        entries.save_contacts(entry, {"contact_desk": "Sportello"}, by=owner)
    assert "contact_email" in refused.value.problems
    assert entry.contact_email == "ente@esempio.it"
    entries.save_contacts(entry, {"contact_desk": "Sportello inserimenti", "contact_email": "sportello@esempio.it",
                                  "contact_phone": "051 000 0000"}, by=owner)
    assert (entry.contact_desk, entry.contact_phone) == ("Sportello inserimenti", "051 000 0000")
    assert history(entry)[-1].action == "contacts"


def test_a_refused_entry_keeps_its_services_as_they_are(session, requested):
    entry, owner, notice = requested
    service = entries.save_service(entry, _service_data(entry), by=owner)
    entries.decide(entry, Decision.REFUSE, "Requisiti mancanti.", by=make_user(Role.STAFF))
    with pytest.raises(EntryError) as refused:
        entries.update_availability(service, "1", by=owner)
    assert "entry" in refused.value.problems
    with pytest.raises(EntryError):
        entries.save_contacts(entry, {"contact_email": "altro@esempio.it"}, by=owner)


def test_default_dates_are_today_plus_years():
    from coprog.qualified.staff_views import _years_later

    assert _years_later(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert _years_later(date(2025, 3, 1), 2) == date(2027, 3, 1)
