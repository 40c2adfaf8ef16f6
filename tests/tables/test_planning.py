"""Planning of the tables: the use-cases (sessions and their rules, groups, categories, the
calendar e-mail and its recipients) and the pages (staff overview and forms with every bad
input, the public calendar and its iCal export), and who may reach them."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from coprog.applications.models import ApplicationState
from coprog.core.audit import history
from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.core.time import naive_utc, rome_to_utc, utcnow
from coprog.extensions import db
from coprog.notify.models import OutboxMessage
from coprog.subprocedures import services as subprocedures
from coprog.subprocedures.models import InvitationContact, InvitationState
from coprog.tables.models import (
    Minutes,
    MinutesState,
    Shift,
    TableCategory,
    TableGroup,
    TableSession,
)
from coprog.tables.services import planning
from coprog.tables.services.planning import PlanningError

from ..conftest import csrf_token_from
from ..dbutil import statements_of
from ..factories import (
    make_admitted,
    make_application,
    make_notice,
    make_organisation,
    make_registration,
    make_table_session,
    make_user,
)

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
DAY = date(2031, 1, 15)  # winter: Rome is UTC+1
SUMMER_DAY = date(2031, 6, 10)  # summer: UTC+2


# Fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(by=staff, published=True)


@pytest.fixture
def procedure(notice):
    return notice.procedure


@pytest.fixture
def axes(procedure):
    return procedure.authority.axes  # abitare, lavoro


@pytest.fixture
def districts(procedure):
    return procedure.authority.districts  # nord, sud


def make_group(procedure, axis, name, districts, by):
    return planning.save_group(procedure, None, {"axis_id": axis.id, "name": name,
                                                  "district_ids": [d.id for d in districts]}, by=by)


@pytest.fixture
def groups(procedure, axes, districts, staff):
    """Two groups on the first axis (nord, sud), one on the second."""
    return (make_group(procedure, axes[0], "Tavolo Nord", districts[:1], staff),
            make_group(procedure, axes[0], "Tavolo Sud", districts[1:], staff),
            make_group(procedure, axes[1], "Tavolo Lavoro Nord", districts[:1], staff))


def session_data(axis, groups, *, day=DAY, start=time(9, 30), end=time(12, 30), **overrides):
    data = {
        "axis_id": axis.id, "group_ids": [g.id for g in groups],
        "starts_at": rome_to_utc(datetime.combine(day, start)), "ends_at": rome_to_utc(datetime.combine(day, end)),
        "place": "Sala del Distretto", "online_url": "", "capacity": None, "facilitator_ids": [],
        "title": "", "notes": "",
    }
    data.update(overrides)
    return data


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def token(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


@pytest.fixture
def signed_staff(login_as):
    return login_as(Role.STAFF)


def form_fields(csrf: str, axis, groups, **overrides) -> dict:
    fields = {
        "csrf_token": csrf, "axis_id": str(axis.id), "group_ids": [str(g.id) for g in groups],
        "day": DAY.isoformat(), "start_time": "09:30", "end_time": "12:30", "shift": "",
        "place": "Sala riunioni, via Esempio 1", "online_url": "", "capacity": "40", "title": "Tavolo di prova",
        "notes": "",
    }
    fields.update(overrides)
    return fields


# Use-cases: sessions -------------------------------------------------------------------------------


def test_save_session_converts_rome_times_and_defaults_the_shift(session, procedure, axes, groups, staff):
    winter = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    summer = planning.save_session(procedure, None, session_data(axes[0], groups[1:2], day=SUMMER_DAY,
                                                                 start=time(14, 30), end=time(17, 30)), by=staff)
    evening = planning.save_session(procedure, None, session_data(axes[0], groups[:1], start=time(18, 30),
                                                                  end=time(20, 0)), by=staff)
    assert winter.starts_at == datetime(2031, 1, 15, 8, 30) and winter.ends_at == datetime(2031, 1, 15, 11, 30)
    assert summer.starts_at == datetime(2031, 6, 10, 12, 30)
    assert (winter.shift, summer.shift, evening.shift) == (Shift.MORNING, Shift.AFTERNOON, Shift.EVENING)
    assert [e.action for e in history(winter)] == ["created"]


def test_a_merged_session_gathers_groups_of_its_axis(session, procedure, axes, groups, staff):
    merged = planning.save_session(procedure, None, session_data(axes[0], groups[:2]), by=staff)
    assert merged.is_merged and [g.name for g in merged.groups] == ["Tavolo Nord", "Tavolo Sud"]


@pytest.mark.parametrize("overrides,field,message", [
    ({"end": time(9, 0)}, "ends_at", "L'incontro deve finire dopo l'inizio."),
    ({"end": time(9, 30)}, "ends_at", "L'incontro deve finire dopo l'inizio."),
    ({"groups": []}, "group_ids", "Scegliere almeno un tavolo"),
    ({"groups": "other axis"}, "group_ids", "stesso asse dell'incontro"),
    ({"place": "", "online_url": ""}, "place", "Indicare il luogo o il collegamento online."),
    ({"place": "", "online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"online_url": "ftp://esempio.it/sala"}, "online_url", "https://"),
    ({"online_url": "https://"}, "online_url", "https://"),
    ({"capacity": 0}, "capacity", "almeno una persona"),
    ({"capacity": -5}, "capacity", "almeno una persona"),
    ({"axis_id": 999999}, "axis_id", "Scegliere l'asse."),
])
def test_save_session_refuses_bad_data(session, procedure, axes, groups, staff, overrides, field, message):
    chosen = overrides.pop("groups", groups[:1])
    if chosen == "other axis":
        chosen = [groups[0], groups[2]]
    data = session_data(axes[0], chosen, end=overrides.pop("end", time(12, 30)), **overrides)
    before = count(session, TableSession)
    with pytest.raises(PlanningError) as refused:
        planning.save_session(procedure, None, data, by=staff)
    assert message in refused.value.problems[field]
    assert count(session, TableSession) == before


def test_every_problem_is_reported_at_once(session, procedure, axes, staff):
    data = session_data(axes[0], [], end=time(8, 0), place="", capacity=0)
    problems = planning.session_problems(procedure, None, data)
    assert set(problems) == {"group_ids", "ends_at", "place", "capacity"}


def test_groups_of_another_procedure_are_ignored(session, procedure, axes, staff):
    other = make_notice(by=staff, published=True).procedure
    foreign = make_group(other, other.authority.axes[0], "Altrui", other.authority.districts[:1], staff)
    with pytest.raises(PlanningError) as refused:
        planning.save_session(procedure, None, session_data(axes[0], [foreign]), by=staff)
    assert refused.value.field == "group_ids"


def test_changing_a_communicated_session_asks_to_communicate_it_again(session, procedure, axes, groups, staff):
    sent = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    planning.mark_calendar_sent([sent])
    planning.save_session(procedure, sent, session_data(axes[0], groups[:1], notes="Portare il badge."), by=staff)
    assert sent.calendar_sent_at is not None  # notes are not in the calendar
    planning.save_session(procedure, sent, session_data(axes[0], groups[:1], start=time(10, 0)), by=staff)
    assert sent.calendar_sent_at is None
    assert [e.action for e in history(sent)] == ["created", "changed", "changed"]


def test_a_session_with_people_keeps_its_axis_and_its_groups_with_people(session, procedure, axes, groups, staff):
    table = planning.save_session(procedure, None, session_data(axes[0], groups[:2]), by=staff)
    make_registration(table, group=groups[0], by=staff)
    problems = planning.session_problems(procedure, table, session_data(axes[0], groups[1:2]))
    assert "già degli iscritti" in problems["group_ids"]
    problems = planning.session_problems(procedure, table, session_data(axes[1], groups[2:]))
    assert "non si può cambiare l'asse" in problems["axis_id"]


def test_delete_session_refused_with_registrations_or_minutes(session, procedure, axes, groups, staff):
    busy = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    make_registration(busy, by=staff)
    with pytest.raises(PlanningError, match="già degli iscritti"):
        planning.delete_session(busy, by=staff)
    written = planning.save_session(procedure, None, session_data(axes[0], groups[1:2]), by=staff)
    session.add(Minutes(session_id=written.id))
    session.flush()
    session.refresh(written)
    with pytest.raises(PlanningError, match="verbale"):
        planning.delete_session(written, by=staff)
    empty = planning.save_session(procedure, None, session_data(axes[0], groups[1:2]), by=staff)
    empty_id = empty.id
    planning.delete_session(empty, by=staff)
    assert session.get(TableSession, empty_id) is None
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "TableSession",
                                                          AuditEntry.object_id == empty_id).order_by(AuditEntry.id.desc())) == "deleted"


def test_delete_group_refused_while_in_a_session(session, procedure, axes, groups, staff):
    planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    with pytest.raises(PlanningError, match="fa parte di uno o più incontri"):
        planning.delete_group(groups[0], by=staff)
    planning.delete_group(groups[1], by=staff)
    assert session.get(TableGroup, groups[1].id) is None


def test_calendar_by_axis_groups_sessions_by_axis_then_day(session, procedure, axes, groups, staff):
    late = planning.save_session(procedure, None, session_data(axes[0], groups[:1], day=DAY + timedelta(days=1)), by=staff)
    work = planning.save_session(procedure, None, session_data(axes[1], groups[2:]), by=staff)
    early = planning.save_session(procedure, None, session_data(axes[0], groups[1:2], start=time(14, 0),
                                                                end=time(16, 0)), by=staff)
    first = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    calendar = planning.calendar_by_axis(planning.sessions_of(procedure))
    assert [entry.axis.id for entry in calendar] == [axes[0].id, axes[1].id]
    assert [(d.day, [s.id for s in d.sessions]) for d in calendar[0].days] == [
        (DAY, [first.id, early.id]), (DAY + timedelta(days=1), [late.id])]
    assert calendar[1].days[0].sessions == [work]


# Use-cases: the calendar e-mail ----------------------------------------------------------------------


def _accepted_invitation(procedure, staff, email, contacts=()):
    sub = subprocedures.create_subprocedure(procedure, {"title": "Sub", "purpose": "F.", "legal_basis": "L. 241/1990"},
                                            by=staff)
    sub.open(by=staff)
    invitation = subprocedures.invite_body(sub, {"body_kind": "fondazione", "body_name": "Fondazione",
                                                 "tax_code": None, "email": email}, by=staff)
    invitation.state = InvitationState.ACCEPTED
    for position, address in enumerate(contacts):
        invitation.contacts.append(InvitationContact(position=position, full_name="Referente", email=address))
    db.session.flush()
    return invitation


@pytest.fixture
def audience(session, notice, procedure, staff):
    """Two admitted ETS (one sharing its table contact with an invited body's contact), one
    excluded and one submitted application, an accepted and a declined invitation, and an
    admitted ETS of another procedure: only the first ones are told."""
    first = make_admitted(notice)
    first.email, first.table_contact_email = "Segreteria@Ente-Uno.it", "tavoli@ente-uno.it"
    second = make_admitted(notice)
    second.email, second.table_contact_email = "info@ente-due.it", "condiviso@esempio.it"
    for state in ("excluded", "submitted"):
        owner = make_user(Role.ETS)
        other = make_application(notice, make_organisation(owner), by=owner)
        other.email, other.table_contact_email = f"{state}@esclusi.it", f"ref-{state}@esclusi.it"
        other.state = ApplicationState(state)
    _accepted_invitation(procedure, staff, "fondazione@esempio.it", contacts=("CONDIVISO@esempio.it", "persona@fondazione.it"))
    declined = _accepted_invitation(procedure, staff, "rifiuto@esempio.it", contacts=("ref@rifiuto.it",))
    declined.state = InvitationState.DECLINED
    elsewhere = make_admitted(make_notice(by=staff, published=True))
    elsewhere.email, elsewhere.table_contact_email = "altro@procedura.it", "ref@procedura.it"
    session.flush()
    return ["segreteria@ente-uno.it", "tavoli@ente-uno.it", "info@ente-due.it", "condiviso@esempio.it",
            "fondazione@esempio.it", "persona@fondazione.it"]


def test_calendar_recipients_are_the_admitted_and_the_accepted_once_each(session, procedure, audience):
    assert planning.calendar_recipients(procedure) == audience


def test_communicate_calendar_queues_one_email_per_recipient(session, notice, procedure, axes, groups, audience, staff):
    merged = planning.save_session(procedure, None, session_data(axes[0], groups[:2], online_url="https://meet.esempio.it/t1"),
                                   by=staff)
    work = planning.save_session(procedure, None, session_data(axes[1], groups[2:], day=SUMMER_DAY, start=time(14, 30),
                                                               end=time(17, 30)), by=staff)
    before = session.scalar(select(func.max(OutboxMessage.id))) or 0
    now = utcnow()
    assert planning.communicate_calendar(procedure, by=staff, now=now) == len(audience)
    messages = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)))
    assert sorted(m.to_address for m in messages) == sorted(audience)
    assert {m.template for m in messages} == {"table_calendar"}
    body = messages[0].body_text
    assert f"http://coprog.test/avvisi/{procedure.slug}/tavoli" in body
    assert f"http://coprog.test/avvisi/{procedure.slug}/tavoli.ics" in body
    assert "Incontro congiunto dei tavoli: Tavolo Nord, Tavolo Sud" in body
    assert "9:30–12:30 (mattina)" in body and "14:30–17:30 (pomeriggio)" in body
    assert "https://meet.esempio.it/t1" in body and "Sala del Distretto" in body
    assert "aggiornato" not in messages[0].subject
    assert merged.calendar_sent_at == work.calendar_sent_at == naive_utc(now)
    sent = [e for e in history(notice) if e.action == planning.CALENDAR_SENT]
    assert len(sent) == 1 and sent[0].details == {"recipients": len(audience), "sessions": 2}
    assert sent[0].actor_id == staff.id

    # again, after a change: allowed, and said to be an update
    planning.communicate_calendar(procedure, by=staff)
    latest = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "aggiornato" in latest.subject and "aggiornato" in latest.body_text
    assert len([e for e in history(notice) if e.action == planning.CALENDAR_SENT]) == 2


def test_communicate_calendar_refusals(session, staff, axes):
    draft = make_notice(by=staff)
    with pytest.raises(PlanningError, match="pubblicazione dell'avviso"):
        planning.communicate_calendar(draft.procedure, by=staff)
    public = make_notice(by=staff, published=True)
    with pytest.raises(PlanningError, match="Non ci sono incontri"):
        planning.communicate_calendar(public.procedure, by=staff)
    make_table_session(public, by=staff)
    before = count(session, OutboxMessage)
    with pytest.raises(PlanningError, match="Nessun destinatario"):
        planning.communicate_calendar(public.procedure, by=staff)
    assert count(session, OutboxMessage) == before


# Pages: who may reach them ---------------------------------------------------------------------------


def _staff_urls(procedure, table, group, category):
    return [
        ("GET", f"/gestione/procedimenti/{procedure.id}/tavoli"),
        ("POST", f"/gestione/procedimenti/{procedure.id}/tavoli/categorie"),
        ("POST", f"/gestione/tavoli/categorie/{category.id}"),
        ("GET", f"/gestione/procedimenti/{procedure.id}/tavoli/gruppi/nuovo"),
        ("POST", f"/gestione/procedimenti/{procedure.id}/tavoli/gruppi/nuovo"),
        ("GET", f"/gestione/tavoli/gruppi/{group.id}/modifica"),
        ("GET", f"/gestione/tavoli/gruppi/{group.id}/elimina"),
        ("POST", f"/gestione/tavoli/gruppi/{group.id}/elimina"),
        ("GET", f"/gestione/procedimenti/{procedure.id}/tavoli/incontri/nuovo"),
        ("POST", f"/gestione/procedimenti/{procedure.id}/tavoli/incontri/nuovo"),
        ("GET", f"/gestione/tavoli/incontri/{table.id}/modifica"),
        ("GET", f"/gestione/tavoli/incontri/{table.id}/elimina"),
        ("POST", f"/gestione/tavoli/incontri/{table.id}/elimina"),
        ("GET", f"/gestione/procedimenti/{procedure.id}/tavoli/comunica"),
        ("POST", f"/gestione/procedimenti/{procedure.id}/tavoli/comunica"),
    ]


@pytest.mark.parametrize("role", [None, Role.ETS, Role.FACILITATOR, Role.CASE_MANAGER, Role.INVITED_BODY])
def test_only_staff_plan(client, session, login_as, procedure, axes, groups, staff, role):
    table = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    category = planning.categories_of(procedure)[0]
    session.commit()
    if role is not None:
        login_as(role)
    csrf = token(client, "/accedi" if role is None else "/profilo")
    before = (count(session, TableSession), count(session, TableGroup), count(session, OutboxMessage))
    for method, url in _staff_urls(procedure, table, groups[1], category) + [("GET", "/gestione/procedimenti/999999/tavoli")]:
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf})
        if role is None:
            assert response.status_code == 302 and "/accedi" in response.headers["Location"], (method, url)
        else:
            assert response.status_code == 403, (method, url, response.status_code)
    assert (count(session, TableSession), count(session, TableGroup), count(session, OutboxMessage)) == before


# Pages: the overview --------------------------------------------------------------------------------


def test_overview_empty_states(client, session, procedure, signed_staff):
    page = client.get(f"/gestione/procedimenti/{procedure.id}/tavoli")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nessun incontro in calendario." in html
    assert html.count("Nessun tavolo per questo asse.") == 2
    assert "Privato sociale – ETS" in html  # the default categories, created on first view
    assert "non è ancora stato comunicato" in html
    assert count(session, TableCategory) == 5  # committed


def test_overview_lists_sessions_groups_and_counts(client, session, procedure, axes, groups, staff, signed_staff):
    facilitator = make_user(Role.FACILITATOR, full_name="Facilitatrice Prova")
    merged = planning.save_session(procedure, None, session_data(axes[0], groups[:2], capacity=2, title=SCRIPT,
                                                                 facilitator_ids=[facilitator.id]), by=staff)
    for _ in range(3):
        make_registration(merged, by=staff)
    session.commit()
    html = client.get(f"/gestione/procedimenti/{procedure.id}/tavoli").get_data(as_text=True)
    assert "Incontro congiunto" in html and "Tavolo Nord" in html and "Tavolo Sud" in html
    assert "2 su 2" in html and "1 in lista d'attesa" in html
    assert "Facilitatrice Prova" in html
    assert f"/gestione/tavoli/incontri/{merged.id}/iscrizioni" in html
    assert f"/gestione/tavoli/incontri/{merged.id}/modifica" in html
    assert "9:30–12:30" in html and "Mattina" in html
    assert ESCAPED in html and SCRIPT not in html
    assert "Da comunicare" in html


def test_notice_tabs_link_to_the_tables(client, session, notice, procedure, signed_staff):
    html = client.get(f"/gestione/avvisi/{notice.id}").get_data(as_text=True)
    assert f'href="/gestione/procedimenti/{procedure.id}/tavoli"' in html and ">Tavoli<" in html


# Pages: sessions ---------------------------------------------------------------------------------


def test_create_a_session_through_the_form(client, session, procedure, axes, groups, signed_staff):
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/incontri/nuovo"
    response = client.post(url, data=form_fields(token(client, url), axes[0], groups[:2]))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(f"/gestione/procedimenti/{procedure.id}/tavoli#incontri")
    created = session.scalars(select(TableSession).where(TableSession.procedure_id == procedure.id)).one()
    assert created.starts_at == datetime(2031, 1, 15, 8, 30) and created.shift == Shift.MORNING
    assert created.capacity == 40 and [g.id for g in created.groups] == [groups[0].id, groups[1].id]
    assert history(created)[0].actor_id == signed_staff.id


@pytest.mark.parametrize("overrides,field,message", [
    ({"end_time": "09:00"}, "end_time", "L'incontro deve finire dopo l'inizio."),
    ({"group_ids": []}, "group_ids", "Scegliere almeno un tavolo"),
    ({"group_ids": "other axis"}, "group_ids", "stesso asse dell'incontro"),
    ({"place": "", "online_url": ""}, "place", "Indicare il luogo o il collegamento online."),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"capacity": "0"}, "capacity", "almeno una persona"),
    ({"capacity": "-3"}, "capacity", "almeno una persona"),
    ({"capacity": "tanti"}, "capacity", "numero intero"),
    ({"capacity": "2.5"}, "capacity", "numero intero"),
    ({"day": ""}, "day", "Indica il giorno."),
    ({"start_time": "25:99"}, "start_time", "Indica l'ora di inizio, per esempio 9:30."),
    ({"day": "31/02/2031"}, "day", "Indica il giorno, per esempio"),
    ({"axis_id": ""}, "axis_id", "Scegli l'asse."),
    ({"axis_id": "abc"}, "axis_id", "Scegli l'asse."),
    ({"shift": "notte"}, "shift", "Scegli il turno."),
    ({"title": "x" * 201}, "title", "Massimo 200 caratteri."),
])
def test_session_form_bad_input(client, session, procedure, axes, groups, signed_staff, overrides, field, message):
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/incontri/nuovo"
    if overrides.get("group_ids") == "other axis":
        overrides["group_ids"] = [str(groups[0].id), str(groups[2].id)]
    overrides.setdefault("notes", SCRIPT)
    before = count(session, TableSession), count(session, AuditEntry)
    response = client.post(url, data=form_fields(token(client, url), axes[0], groups[:1], **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<div class="invalid-feedback d-block" id="{field}-error">(.*?)</div>', html, re.S)
    assert error and message in unescape(error.group(1)), html[html.find('id="form-errors"'):][:1500]
    assert 'id="form-errors"' in html
    assert (count(session, TableSession), count(session, AuditEntry)) == before
    if field != "place":
        assert 'value="Sala riunioni, via Esempio 1"' in html  # the other input is kept
    assert ESCAPED in html and SCRIPT not in html


def test_session_form_shows_every_problem_at_once(client, session, procedure, axes, groups, signed_staff):
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/incontri/nuovo"
    response = client.post(url, data=form_fields(token(client, url), axes[0], [], end_time="08:00", place="",
                                                 capacity="zero"))
    html = response.get_data(as_text=True)
    for field in ("group_ids", "end_time", "place", "capacity"):
        assert f'id="{field}-error"' in html, field


def test_edit_a_session(client, session, procedure, axes, groups, staff, signed_staff):
    table = planning.save_session(procedure, None, session_data(axes[0], groups[:1], capacity=30), by=staff)
    session.commit()
    url = f"/gestione/tavoli/incontri/{table.id}/modifica"
    page = client.get(url).get_data(as_text=True)
    assert 'value="09:30"' in page and 'value="12:30"' in page and 'value="30"' in page
    assert 'value="2031-01-15"' in page and 'value="Sala del Distretto"' in page
    aside = page.index('class="mt-2 coprog-other-axes"')  # the other axis's groups, set aside
    assert page.index("Tavolo Nord") < aside < page.index("Tavolo Lavoro Nord")
    response = client.post(url, data=form_fields(csrf_token_from(page), axes[0], groups[:2], start_time="14:30",
                                                 end_time="17:30", shift="giornata", capacity=""))
    assert response.status_code == 302
    session.refresh(table)
    assert table.starts_at == datetime(2031, 1, 15, 13, 30) and table.shift == Shift.FULL_DAY
    assert table.capacity is None and table.is_merged
    assert [e.action for e in history(table)] == ["created", "changed"]


def test_groups_of_the_chosen_axis_come_back_as_a_fragment(client, session, procedure, axes, groups, signed_staff):
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/incontri/nuovo"
    full = client.get(url).get_data(as_text=True)
    assert "<html" in full and all(g.name in full for g in groups)
    assert 'hx-get="' + url + '"' in full
    fragment = client.get(f"{url}?axis_id={axes[1].id}&group_ids={groups[2].id}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert "Tavolo Lavoro Nord" in html and "Tavolo Sud" not in html
    assert re.search(rf'value="{groups[2].id}"\s+checked', html)


def test_delete_a_session_asks_first_and_refuses_when_people_registered(client, session, procedure, axes, groups,
                                                                        staff, signed_staff):
    empty = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    busy = planning.save_session(procedure, None, session_data(axes[0], groups[1:2]), by=staff)
    make_registration(busy, by=staff)
    session.commit()
    empty_id = empty.id
    url = f"/gestione/tavoli/incontri/{empty_id}/elimina"
    page = client.get(url).get_data(as_text=True)
    assert "Vuoi davvero eliminare l'incontro?" in unescape(page)
    assert "Sì, elimina" in page
    assert session.get(TableSession, empty.id) is not None  # asking deletes nothing
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(TableSession, empty_id) is None

    url = f"/gestione/tavoli/incontri/{busy.id}/elimina"
    page = unescape(client.get(url).get_data(as_text=True))
    assert "L'incontro ha già degli iscritti: non si può eliminare." in page and "Sì, elimina" not in page
    response = client.post(url, data={"csrf_token": token(client, f"/gestione/procedimenti/{procedure.id}/tavoli")})
    assert response.status_code == 409 and "già degli iscritti" in response.get_data(as_text=True)
    assert session.get(TableSession, busy.id) is not None


# Pages: groups and categories --------------------------------------------------------------------------


def test_create_edit_and_delete_a_group(client, session, procedure, axes, districts, signed_staff):
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/gruppi/nuovo"
    assert f'<option selected value="{axes[1].id}">' in client.get(f"{url}?axis_id={axes[1].id}").get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token(client, url), "name": "Nord e Sud", "axis_id": str(axes[0].id),
                                      "district_ids": [str(d.id) for d in districts]})
    assert response.status_code == 302
    group = session.scalars(select(TableGroup).where(TableGroup.procedure_id == procedure.id)).one()
    assert [d.id for d in group.districts] == [d.id for d in districts]
    edit = f"/gestione/tavoli/gruppi/{group.id}/modifica"
    response = client.post(edit, data={"csrf_token": token(client, edit), "name": "Solo Nord", "axis_id": str(axes[0].id),
                                       "district_ids": [str(districts[0].id)]})
    assert response.status_code == 302
    session.refresh(group)
    assert group.name == "Solo Nord" and len(group.districts) == 1
    group_id, delete = group.id, f"/gestione/tavoli/gruppi/{group.id}/elimina"
    assert client.post(delete, data={"csrf_token": token(client, delete)}).status_code == 302
    session.expire_all()
    assert session.get(TableGroup, group_id) is None
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "TableGroup",
                                                              AuditEntry.object_id == group_id).order_by(AuditEntry.id))
    assert list(actions) == ["created", "changed", "deleted"]


@pytest.mark.parametrize("overrides,field,message", [
    ({"name": ""}, "name", "Campo obbligatorio."),
    ({"district_ids": []}, "district_ids", "Indicare almeno un distretto"),
    ({"axis_id": ""}, "axis_id", "Scegli l'asse."),
    ({"name": "Tavolo Nord"}, "name", "Esiste già un tavolo con questo nome"),
])
def test_group_form_bad_input(client, session, procedure, axes, districts, groups, signed_staff, overrides, field, message):
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/gruppi/nuovo"
    data = {"csrf_token": token(client, url), "name": "Nuovo tavolo", "axis_id": str(axes[0].id),
            "district_ids": [str(districts[0].id)]}
    data.update(overrides)
    before = count(session, TableGroup)
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    assert error and message in unescape(error.group(1))
    assert count(session, TableGroup) == before


def test_categories_are_renamed_and_added(client, session, procedure, signed_staff):
    overview = f"/gestione/procedimenti/{procedure.id}/tavoli"
    page = client.get(overview).get_data(as_text=True)
    ausl = planning.category_by_code(procedure, "ausl")
    csrf = csrf_token_from(page)
    response = client.post(f"/gestione/tavoli/categorie/{ausl.id}", data={f"cat{ausl.id}-csrf_token": csrf,
                                                                          f"cat{ausl.id}-label": "AUSL di Bologna"})
    assert response.status_code == 302
    session.refresh(ausl)
    assert ausl.label == "AUSL di Bologna"
    response = client.post(f"/gestione/procedimenti/{procedure.id}/tavoli/categorie",
                           data={"new-csrf_token": csrf, "new-label": "Familiari"})
    assert response.status_code == 302
    assert "Familiari" in [c.label for c in planning.categories_of(procedure)]

    before = count(session, TableCategory)
    for data, message in ((({"new-label": ""}), "Campo obbligatorio."),
                          ({"new-label": "familiari"}, "Esiste già una categoria con questo nome.")):
        response = client.post(f"/gestione/procedimenti/{procedure.id}/tavoli/categorie", data={"new-csrf_token": csrf, **data})
        assert response.status_code == 422
        assert message in re.search(r'id="new-label-error">(.*?)</div>', response.get_data(as_text=True), re.S).group(1)
    response = client.post(f"/gestione/tavoli/categorie/{ausl.id}", data={f"cat{ausl.id}-csrf_token": csrf,
                                                                          f"cat{ausl.id}-label": SCRIPT})
    assert response.status_code == 302  # a name is text: kept as typed, shown escaped
    html = client.get(overview).get_data(as_text=True)
    assert ESCAPED in html and SCRIPT not in html
    assert count(session, TableCategory) == before


# Pages: communicating the calendar ------------------------------------------------------------------------


def test_communicate_the_calendar_confirm_then_send(client, session, notice, procedure, axes, groups, audience, staff,
                                                   signed_staff):
    planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    session.commit()
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/comunica"
    before = count(session, OutboxMessage)
    page = client.get(url).get_data(as_text=True)
    assert count(session, OutboxMessage) == before  # asking sends nothing
    assert f"Destinatari: {len(audience)} indirizzi." in page and "Invia a 6 destinatari" in page
    assert "persona@fondazione.it" in page and "esclusi.it" not in page
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert count(session, OutboxMessage) == before + len(audience)
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Calendario inviato: {len(audience)} e-mail in partenza." in follow
    assert "Ultimo invio il" in follow
    again = client.get(url).get_data(as_text=True)
    assert "già stato comunicato il" in again and "Puoi inviarlo di nuovo" in again


def test_communicate_refused_without_recipients(client, session, procedure, axes, groups, staff, signed_staff):
    planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    session.commit()
    url = f"/gestione/procedimenti/{procedure.id}/tavoli/comunica"
    page = client.get(url).get_data(as_text=True)
    assert "Nessun destinatario" in page and "Invia a" not in page
    before = count(session, OutboxMessage)
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 409 and count(session, OutboxMessage) == before


# Public: the calendar and the iCal export -----------------------------------------------------------------


def test_public_calendar(client, session, notice, procedure, axes, groups, staff):
    merged = planning.save_session(procedure, None, session_data(axes[0], groups[:2], title=SCRIPT), by=staff)
    online = planning.save_session(procedure, None, session_data(axes[1], groups[2:], place="",
                                                                 online_url="https://meet.esempio.it/x"), by=staff)
    session.add(Minutes(session_id=online.id, state=MinutesState.PUBLISHED))
    session.add(Minutes(session_id=merged.id, state=MinutesState.APPROVED))
    session.commit()
    response = client.get(f"/avvisi/{procedure.slug}/tavoli")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Calendario dei tavoli di co-programmazione" in html
    assert "Incontro congiunto" in html and "Tavolo Nord" in html and "Tavolo Sud" in html
    assert "mercoledì 15 gennaio 2031" in html and "9:30–12:30" in html
    assert 'href="https://meet.esempio.it/x"' in html
    assert f"/avvisi/{procedure.slug}/tavoli/{online.id}/verbale" in html  # published
    assert f"/avvisi/{procedure.slug}/tavoli/{merged.id}/verbale" not in html  # approved only
    assert f"/avvisi/{procedure.slug}/tavoli.ics" in html
    assert ESCAPED in html and SCRIPT not in html
    assert "Cache-Control" in response.headers  # served through the public page cache


def test_public_calendar_empty_state_and_notice_link(client, session, notice, procedure, axes, groups, staff):
    html = client.get(f"/avvisi/{procedure.slug}/tavoli").get_data(as_text=True)
    assert "Le date dei tavoli non sono ancora state fissate." in html
    assert f"/avvisi/{procedure.slug}/tavoli\"" not in client.get(f"/avvisi/{procedure.slug}").get_data(as_text=True)
    planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    session.commit()
    assert f'href="/avvisi/{procedure.slug}/tavoli"' in client.get(f"/avvisi/{procedure.slug}").get_data(as_text=True)


def test_draft_calendars_are_not_public(client, session, login_as, staff):
    draft = make_notice(by=staff)
    make_table_session(draft, by=staff)
    session.commit()
    for url in (f"/avvisi/{draft.procedure.slug}/tavoli", f"/avvisi/{draft.procedure.slug}/tavoli.ics"):
        response = client.get(url)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"]
    login_as(Role.ETS)
    for url in (f"/avvisi/{draft.procedure.slug}/tavoli", f"/avvisi/{draft.procedure.slug}/tavoli.ics"):
        assert client.get(url).status_code == 403
    assert client.get("/avvisi/non-esiste/tavoli").status_code == 404


def test_ical_export_has_one_event_per_session(client, session, procedure, axes, groups, staff):
    merged = planning.save_session(procedure, None, session_data(axes[0], groups[:2]), by=staff)
    online = planning.save_session(procedure, None, session_data(axes[1], groups[2:], day=SUMMER_DAY, place="",
                                                                 online_url="https://meet.esempio.it/y"), by=staff)
    session.commit()
    response = client.get(f"/avvisi/{procedure.slug}/tavoli.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {f"table-session-{merged.id}@coprog.test", f"table-session-{online.id}@coprog.test"}
    first, second = by_uid[f"table-session-{merged.id}@coprog.test"], by_uid[f"table-session-{online.id}@coprog.test"]
    assert first.decoded("DTSTART") == datetime(2031, 1, 15, 8, 30, tzinfo=first.decoded("DTSTART").tzinfo)
    assert first.decoded("DTSTART").utcoffset() == timedelta(0)
    assert second.decoded("DTEND").replace(tzinfo=None) == datetime(2031, 6, 10, 10, 30)
    assert str(first["SUMMARY"]) == f"Tavolo {axes[0].name} – Tavolo Nord + Tavolo Sud"
    assert str(first["LOCATION"]) == "Sala del Distretto"
    assert str(second["LOCATION"]) == "https://meet.esempio.it/y"
    assert str(first["URL"]) == f"http://coprog.test/avvisi/{procedure.slug}/tavoli"


def test_notice_ical_still_works_after_the_refactoring(client, session, notice):
    response = client.get(f"/avvisi/{notice.procedure.slug}/calendario.ics")
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    assert response.mimetype == "text/calendar" and len(events) >= 1
    assert str(events[-1]["UID"]) == f"notice-{notice.id}-deadline@coprog.test"


# Speed: the pages do not grow in queries with the sessions -------------------------------------------


def test_overview_and_calendar_use_a_fixed_number_of_queries(client, session, app, procedure, axes, groups, staff,
                                                            signed_staff):
    app.config["COPROG_PAGE_CACHE"] = False
    try:
        planning.save_session(procedure, None, session_data(axes[0], groups[:2]), by=staff)
        session.commit()
        urls = (f"/gestione/procedimenti/{procedure.id}/tavoli", f"/avvisi/{procedure.slug}/tavoli",
                f"/avvisi/{procedure.slug}/tavoli.ics")
        client.get(urls[0])  # the default categories, created on first view
        few = [statements_of(client, url) for url in urls]
        for day in range(1, 6):
            facilitator = make_user(Role.FACILITATOR)
            table = planning.save_session(procedure, None, session_data(axes[day % 2], [groups[2] if day % 2 else groups[0]],
                                                                        day=DAY + timedelta(days=day),
                                                                        facilitator_ids=[facilitator.id]), by=staff)
            make_registration(table, by=staff)
        session.commit()
        assert [statements_of(client, url) for url in urls] == few
    finally:
        app.config["COPROG_PAGE_CACHE"] = True


# More refusals -------------------------------------------------------------------------------------------


def test_delete_group_page_refuses_a_group_in_a_session(client, session, procedure, axes, groups, staff, signed_staff):
    planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    session.commit()
    url = f"/gestione/tavoli/gruppi/{groups[0].id}/elimina"
    page = client.get(url).get_data(as_text=True)
    assert "fa parte di uno o più incontri" in page and "Sì, elimina" not in page
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(TableGroup, groups[0].id) is not None


def test_a_post_without_a_valid_token_changes_nothing(client, session, notice, procedure, axes, groups, audience, staff,
                                                     signed_staff):
    table = planning.save_session(procedure, None, session_data(axes[0], groups[:1]), by=staff)
    session.commit()
    before = count(session, OutboxMessage)
    for url in (f"/gestione/procedimenti/{procedure.id}/tavoli/comunica", f"/gestione/tavoli/incontri/{table.id}/elimina"):
        assert client.post(url, data={"csrf_token": "scaduto"}).status_code == 400
    session.expire_all()
    assert session.get(TableSession, table.id) is not None and count(session, OutboxMessage) == before
