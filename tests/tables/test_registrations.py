"""Registrations (iscrizioni): capacity and waitlist, cancellation and promotion, the same person
twice, the start of the session, the reminder, bad input on every form, and who sees what."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from coprog.applications.models import ApplicationState, CoOptedKind, CoOptedSubject
from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.core.time import naive_utc, rome_datetime, rome_today, utcnow
from coprog.notify.models import OutboxMessage
from coprog.subprocedures import services as subprocedures
from coprog.tables.models import Attendance, Registration, RegistrationState
from coprog.tables.services.planning import category_by_code
from coprog.tables.services.registrations import (
    RegistrationError,
    cancel,
    register,
    send_reminders,
    waitlist_positions,
)

from ..conftest import csrf_token_from
from ..dbutil import statements_run
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
MINE = "/tavoli/iscrizioni"


# Fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(by=staff, published=True)


@pytest.fixture
def ets(session, notice, login_as):
    """A signed-in ETS user whose organisation is admitted to the notice; returns the application."""
    user = login_as(Role.ETS)
    application = make_admitted(notice, user, name="Associazione Alfa")
    session.commit()
    return application


def table_session(notice, staff, **fields):
    return make_table_session(notice, by=staff, **fields)


def form_url(table):
    return f"{MINE}/incontri/{table.id}"


def token(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def post_register(client, table, application, **fields):
    data = {"csrf_token": token(client, form_url(table)), "full_name": "Maria Rossi", "email": "",
            "affiliation": application.organisation.name,
            "group_id": str(table.groups[0].id), "category": "ets", "party": f"app:{application.id}"}
    data.update(fields)
    return client.post(form_url(table), data=data)


def counts(session):
    return (session.scalar(select(func.count(Registration.id))), session.scalar(select(func.count(OutboxMessage.id))))


def registrations(session, table):
    query = select(Registration).where(Registration.session_id == table.id).order_by(Registration.id)
    return list(session.scalars(query))


def error_beside(html: str, field: str) -> str:
    start = html.index(f'id="{field}-error"')
    return html[start:html.index("</div>", start)]


def flashed(client) -> str:
    return client.get(MINE).get_data(as_text=True)


# Capacity, waitlist, cancellation ----------------------------------------------------------------


def test_capacity_reached_goes_to_the_waitlist_and_says_so(client, session, notice, staff, ets):
    table = table_session(notice, staff, capacity=1)
    session.commit()
    first = post_register(client, table, ets, full_name="Anna Prima", email="anna@esempio.it")
    assert first.status_code == 302 and first.headers["Location"].endswith(form_url(table))
    page = client.get(form_url(table)).get_data(as_text=True)
    assert "Iscrizione di Anna Prima confermata." in page
    second = post_register(client, table, ets, full_name="Bruno Secondo", email="bruno@esempio.it")
    assert second.status_code == 302
    page = client.get(form_url(table)).get_data(as_text=True)
    assert "Incontro al completo: Bruno Secondo è in lista d'attesa, posizione 1." in unescape(page)
    assert "In lista d'attesa, posizione 1" in unescape(page)  # in the list, beside the person
    assert "Al completo: lista d'attesa" in unescape(page)  # in the sessions table
    states = [(r.full_name, r.state) for r in registrations(session, table)]
    assert states == [("Anna Prima", RegistrationState.CONFIRMED), ("Bruno Secondo", RegistrationState.WAITLISTED)]
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "table_registration")).all()
    assert {m.to_address for m in mails} == {"anna@esempio.it", "bruno@esempio.it"}
    assert "lista d'attesa" in next(m for m in mails if m.to_address == "bruno@esempio.it").body_text


def test_cancellation_promotes_the_first_waitlisted_and_emails_them(client, session, notice, staff, ets):
    table = table_session(notice, staff, capacity=1)
    held = make_registration(table, category="ets", organisation_id=ets.organisation_id, full_name="Carla Posto")
    first = make_registration(table, email="primo@esempio.it", full_name="Primo Attesa")
    second = make_registration(table, email="secondo@esempio.it", full_name="Seconda Attesa")
    session.commit()
    assert (first.state, second.state) == (RegistrationState.WAITLISTED, RegistrationState.WAITLISTED)
    url = f"{MINE}/{held.id}/annulla"
    confirm = client.get(url).get_data(as_text=True)
    assert "Sì, annulla l'iscrizione" in unescape(confirm) and "Carla Posto" in unescape(confirm)
    response = client.post(url, data={"csrf_token": csrf_token_from(confirm)})
    assert response.status_code == 302 and response.headers["Location"].endswith(MINE)
    page = flashed(client)
    assert "Iscrizione di Carla Posto annullata. Il posto passa alla prima persona in lista d'attesa." in unescape(page)
    assert "Primo Attesa" not in page  # a registrant does not learn who, of another party, moved up
    for r in (held, first, second):
        session.refresh(r)
    assert held.state == RegistrationState.CANCELLED and held.person_key is None
    assert first.state == RegistrationState.CONFIRMED and first.promoted_at is not None
    assert second.state == RegistrationState.WAITLISTED
    assert waitlist_positions([table.id]) == {second.id: 1}
    promoted = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "table_promoted")).all()
    assert [m.to_address for m in promoted] == ["primo@esempio.it"]
    assert "si è liberato un posto" in promoted[0].body_text and "Sala di prova" in promoted[0].body_text
    assert [e.action for e in history(held)][-1] == "cancelled"
    assert [e.action for e in history(first)][-1] == "promoted"


def test_cancelling_a_waitlisted_registration_promotes_nobody(session, notice, staff):
    table = table_session(notice, staff, capacity=1)
    make_registration(table)
    waiting = make_registration(table)
    last = make_registration(table)
    assert cancel(waiting, by=staff) is None
    assert last.state == RegistrationState.WAITLISTED
    assert waitlist_positions([table.id]) == {last.id: 1}


def test_the_same_person_twice_is_refused(client, session, notice, staff, ets):
    table = table_session(notice, staff)
    session.commit()
    assert post_register(client, table, ets, full_name="Mario Bianchi", email="mario@esempio.it").status_code == 302
    before = counts(session)
    again = post_register(client, table, ets, full_name="M. Bianchi", email="  MARIO@Esempio.it ")
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert "Questa persona è già iscritta a questo incontro." in error_beside(html, "email")
    assert 'value="M. Bianchi"' in html  # the input is kept

    assert post_register(client, table, ets, full_name="José Núñez").status_code == 302
    same_name = post_register(client, table, ets, full_name="  jose   NUNEZ ")
    assert same_name.status_code == 422
    assert "Questa persona è già iscritta a questo incontro." in error_beside(same_name.get_data(as_text=True), "full_name")
    # a name registered with an e-mail: the same name without one is the same person
    same_as_mario = post_register(client, table, ets, full_name="mario bianchi")
    assert same_as_mario.status_code == 422
    assert "Una persona con questo nome è già iscritta" in error_beside(same_as_mario.get_data(as_text=True), "full_name")
    assert counts(session) == (before[0] + 1, before[1])  # only José was added


def test_a_cancelled_person_may_register_again(session, notice, staff):
    table = table_session(notice, staff)
    registration = make_registration(table, email="torna@esempio.it")
    cancel(registration, by=staff)
    again = make_registration(table, email="torna@esempio.it")
    assert again.state == RegistrationState.CONFIRMED


def test_registering_after_the_start_is_refused(client, session, notice, staff, ets):
    table = table_session(notice, staff, starts_in_hours=-1)
    session.commit()
    page = client.get(form_url(table)).get_data(as_text=True)
    assert "L'incontro è già iniziato: le iscrizioni sono chiuse." in unescape(page)
    assert 'name="full_name"' not in page
    before = counts(session)
    response = post_register(client, table, ets, full_name="In Ritardo")
    assert response.status_code == 422
    assert "L'incontro è già iniziato: le iscrizioni sono chiuse." in unescape(response.get_data(as_text=True))
    assert counts(session) == before


def test_cancelling_after_the_start_is_refused(client, session, notice, staff, ets):
    table = table_session(notice, staff)
    registration = make_registration(table, category="ets", organisation_id=ets.organisation_id)
    table.starts_at = naive_utc(utcnow() - timedelta(minutes=5))
    session.commit()
    url = f"{MINE}/{registration.id}/annulla"
    confirm = client.get(url).get_data(as_text=True)
    assert "non si può più annullare" in confirm and "Sì, annulla" not in confirm
    response = client.post(url, data={"csrf_token": csrf_token_from(confirm)})
    assert response.status_code == 422
    assert "L'incontro è già iniziato: l'iscrizione non si può più annullare." in unescape(response.get_data(as_text=True))
    session.refresh(registration)
    assert registration.state == RegistrationState.CONFIRMED


def test_cancelling_an_attended_registration_is_refused(client, session, notice, staff, ets):
    table = table_session(notice, staff)
    registration = make_registration(table, category="ets", organisation_id=ets.organisation_id)
    session.add(Attendance(registration_id=registration.id, session_id=table.id))
    session.commit()
    url = f"{MINE}/{registration.id}/annulla"
    response = client.post(url, data={"csrf_token": token(client, url)})
    assert response.status_code == 422
    assert "risulta presente all'incontro" in unescape(response.get_data(as_text=True))
    session.refresh(registration)
    assert registration.state == RegistrationState.CONFIRMED
    with pytest.raises(RegistrationError):
        cancel(registration, by=staff)


# Reminders ---------------------------------------------------------------------------------------


def _starting(notice, staff, day, hour=9, **fields):
    """A session moved to `day` (Rome) after its registrations were made."""
    table = table_session(notice, staff, **fields)
    return table, lambda: setattr(table, "starts_at", naive_utc(rome_datetime(day, time(hour, 30))))


def test_reminders_go_once_and_only_for_tomorrow(app, session, notice, staff):
    today = rome_today()
    tomorrow_morning, move_1 = _starting(notice, staff, today + timedelta(days=1), 9, capacity=2)
    tomorrow_night, move_2 = _starting(notice, staff, today + timedelta(days=1), 23)
    later, move_3 = _starting(notice, staff, today + timedelta(days=2), 9)
    reminded = [make_registration(tomorrow_morning, email="uno@esempio.it"),
                make_registration(tomorrow_night, email="due@esempio.it")]
    make_registration(tomorrow_morning, email=None, full_name="Senza Email")  # nobody to write to
    make_registration(tomorrow_morning, email="attesa@esempio.it")  # waitlisted: no place to remind of
    cancel(make_registration(tomorrow_night, email="annullata@esempio.it"), by=staff)
    make_registration(later, email="dopodomani@esempio.it")
    for move in (move_1, move_2, move_3):
        move()
    session.commit()

    result = app.test_cli_runner().invoke(args=["tables", "remind"])
    assert result.exit_code == 0, result.output
    assert "2 promemoria accodati" in result.output
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "table_reminder")).all()
    assert sorted(m.to_address for m in mails) == ["due@esempio.it", "uno@esempio.it"]
    assert all("domani" in m.body_text and "Promemoria" in m.subject for m in mails)
    for registration in reminded:
        session.refresh(registration)
        assert registration.reminder_sent_at is not None
    # each at most once: a second run (the same day, or the timer running twice) sends nothing
    assert send_reminders() == 0
    assert app.test_cli_runner().invoke(args=["tables", "remind"]).output.strip() == "0 promemoria accodati"
    assert session.scalar(select(func.count()).where(OutboxMessage.template == "table_reminder")) == 2
    # the day after, the other session's people are reminded
    day_after = rome_datetime(today + timedelta(days=1), time(12))
    assert send_reminders(now=day_after) == 1


# Bad input on every form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": "   "}, "full_name", "Campo obbligatorio."),
        ({"email": "non-una-email"}, "email", "Indirizzo e-mail non valido."),
        ({"full_name": "x" * 201}, "full_name", "Massimo 200 caratteri."),
        ({"affiliation": "y" * 301}, "affiliation", "Massimo 300 caratteri."),
        ({"category": "ausl"}, "category", "Categoria non consentita"),
        ({"category": "cooptato"}, "category", "Categoria non consentita"),  # no co-opted subject named
        ({"category": ""}, "category", "Campo obbligatorio."),
        ({"party": "app:999999"}, "party", "Scegliere l'ente"),
    ],
)
def test_registrant_form_bad_input(client, session, notice, staff, ets, fields, field, message):
    table = table_session(notice, staff)
    session.commit()
    before = counts(session)
    data = {"full_name": SCRIPT, "affiliation": f"Sede {SCRIPT}", **fields}
    response = post_register(client, table, ets, **data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in unescape(error_beside(html, field))
    assert "Il modulo contiene errori" in html
    assert SCRIPT not in html
    if "full_name" not in fields:
        assert f'value="{ESCAPED}"' in html  # the other input kept, as text
    assert counts(session) == before


def test_a_group_of_another_session_is_refused(client, session, notice, staff, ets):
    table = table_session(notice, staff)
    other = table_session(notice, staff)
    session.commit()
    before = counts(session)
    response = post_register(client, table, ets, group_id=str(other.groups[0].id), full_name="Gianni Verdi")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Scegliere uno dei tavoli di questo incontro." in error_beside(html, "group_id")
    assert 'value="Gianni Verdi"' in html
    assert counts(session) == before
    with pytest.raises(RegistrationError, match="non partecipa a questo incontro"):
        make_registration(table, group=other.groups[0])


def test_a_merged_session_asks_for_the_group(client, session, notice, staff, ets):
    table = table_session(notice, staff, groups=2)
    session.commit()
    page = client.get(form_url(table)).get_data(as_text=True)
    assert 'id="group_id" name="group_id"' in page and table.groups[1].name in page
    response = post_register(client, table, ets, group_id=str(table.groups[1].id), full_name="Lia Due")
    assert response.status_code == 302
    assert registrations(session, table)[0].group_id == table.groups[1].id


def test_a_single_group_session_names_its_group(client, session, notice, staff, ets):
    table = table_session(notice, staff)
    session.commit()
    page = client.get(form_url(table)).get_data(as_text=True)
    # shown as text, not asked (the page lists the session's groups elsewhere too)
    assert f'<span class="fw-semibold">Tavolo (distretto)</span>: {table.groups[0].name}</p>' in page


def test_script_in_name_and_affiliation_is_shown_as_text(client, session, notice, staff, ets):
    table = table_session(notice, staff)
    session.commit()
    response = post_register(client, table, ets, full_name=f"Nome {SCRIPT}", affiliation=f"Ente {SCRIPT}")
    assert response.status_code == 302
    page = client.get(form_url(table)).get_data(as_text=True)
    assert SCRIPT not in page and f"Nome {ESCAPED}" in page and f"Ente {ESCAPED}" in page


def test_co_opted_subjects_are_offered_and_checked(client, session, notice, staff, ets):
    session.add(CoOptedSubject(application_id=ets.id, kind=CoOptedKind.COMPANY, name="Impresa Verde S.r.l.",
                               role="Tirocini."))
    table = table_session(notice, staff)
    session.commit()
    page = client.get(form_url(table)).get_data(as_text=True)
    assert 'value="cooptato"' in page and '<option value="Impresa Verde S.r.l.">' in page
    assert 'value="Associazione Alfa"' in page  # the affiliation prefilled with the party's name
    refused = post_register(client, table, ets, category="cooptato", affiliation="Un altro soggetto")
    assert refused.status_code == 422
    assert "uno dei soggetti cooptati nella domanda: Impresa Verde S.r.l." in error_beside(
        refused.get_data(as_text=True), "affiliation")
    accepted = post_register(client, table, ets, category="cooptato", affiliation="impresa verde s.r.l.")
    assert accepted.status_code == 302
    registration = registrations(session, table)[0]
    assert registration.category.code == "cooptato" and registration.affiliation == "Impresa Verde S.r.l."
    assert registration.organisation_id == ets.organisation_id and registration.registered_by_id is not None


# Permissions -------------------------------------------------------------------------------------


def test_an_ets_not_admitted_sees_why_and_gets_403(client, session, notice, staff, login_as):
    user = login_as(Role.ETS)
    organisation = make_organisation(user, name="Associazione in Attesa")
    application = make_application(notice, organisation, by=user)
    application.state = ApplicationState.SUBMITTED
    table = table_session(notice, staff)
    session.commit()
    page = client.get(MINE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Non puoi ancora iscrivere persone ai tavoli" in html and "Presentata" in html
    assert "quando il responsabile del procedimento avrà ammesso la domanda" in html
    assert client.get(form_url(table)).status_code == 403
    before = counts(session)
    response = client.post(form_url(table), data={"csrf_token": csrf_token_from(html), "full_name": "X",
                                                  "group_id": str(table.groups[0].id), "category": "ets"})
    assert response.status_code == 403 and counts(session) == before


def test_an_ets_without_organisation_is_told_to_register_one(client, session, login_as):
    login_as(Role.ETS)
    html = client.get(MINE).get_data(as_text=True)
    assert "Registra l'ente" in unescape(html)


def test_an_ets_never_sees_another_ets_registrations(client, session, notice, staff, ets):
    other = make_admitted(notice, name="Associazione Beta")
    table = table_session(notice, staff)
    theirs = make_registration(table, category="ets", organisation_id=other.organisation_id,
                               full_name="Persona Di Beta", by=other.organisation.members[0].user)
    mine = make_registration(table, category="ets", organisation_id=ets.organisation_id, full_name="Persona Di Alfa")
    session.commit()
    html = client.get(MINE).get_data(as_text=True)
    assert "Persona Di Alfa" in html and "Persona Di Beta" not in html
    url = f"{MINE}/{theirs.id}/annulla"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"csrf_token": csrf_token_from(html)}).status_code == 404
    assert client.get(f"{MINE}/999999/annulla").status_code == 404
    assert client.get(f"/gestione/tavoli/iscrizioni/{theirs.id}/annulla").status_code == 403
    assert client.get(f"{MINE}/{mine.id}/annulla").status_code == 200
    session.refresh(theirs)
    assert theirs.state == RegistrationState.CONFIRMED


def test_an_invited_body_registers_its_people_and_sees_only_its_own(client, session, notice, staff, login_as):
    user = login_as(Role.INVITED_BODY)
    sub = subprocedures.create_subprocedure(notice.procedure, {"title": "Sub", "purpose": "", "legal_basis": ""}, by=staff)
    sub.open(by=staff)
    invitation = subprocedures.invite_body(sub, {"body_kind": "fondazione", "body_name": "Fondazione Gamma",
                                                 "tax_code": None, "email": user.email}, by=staff)
    invitation.accept(user)
    other_body = subprocedures.invite_body(sub, {"body_kind": "impresa", "body_name": "Impresa Delta",
                                                 "tax_code": None, "email": "delta@esempio.it"}, by=staff)
    table = table_session(notice, staff)
    theirs = make_registration(table, category="invitato", invitation_id=other_body.id, full_name="Persona Di Delta")
    session.commit()
    page = client.get(form_url(table)).get_data(as_text=True)
    assert "Fondazione Gamma" in page and 'name="category" value="invitato"' in page
    refused = client.post(form_url(table), data={
        "csrf_token": csrf_token_from(page), "full_name": "Ugo Gamma", "group_id": str(table.groups[0].id),
        "category": "ets", "party": f"inv:{invitation.id}", "affiliation": "Fondazione Gamma"})
    assert refused.status_code == 422
    assert "Categoria non consentita" in error_beside(refused.get_data(as_text=True), "category")
    done = client.post(form_url(table), data={
        "csrf_token": csrf_token_from(page), "full_name": "Ugo Gamma", "group_id": str(table.groups[0].id),
        "category": "invitato", "party": f"inv:{invitation.id}", "affiliation": ""})
    assert done.status_code == 302
    registration = session.scalars(select(Registration).where(Registration.full_name == "Ugo Gamma")).one()
    assert registration.invitation_id == invitation.id and registration.affiliation == "Fondazione Gamma"
    html = client.get(MINE).get_data(as_text=True)
    assert "Ugo Gamma" in html and "Persona Di Delta" not in html
    assert client.get(f"{MINE}/{theirs.id}/annulla").status_code == 404


def test_who_reaches_which_page(client, session, notice, staff, login_as):
    table = table_session(notice, staff)
    registration = make_registration(table)
    session.commit()
    staff_page = f"/gestione/tavoli/incontri/{table.id}/iscrizioni"
    anonymous = client.get(MINE)
    assert anonymous.status_code == 302 and "/accedi" in anonymous.headers["Location"]
    assert client.get(staff_page).status_code == 302
    login_as(Role.ETS)
    for url in (staff_page, staff_page.replace("iscrizioni", "iscrizioni.csv"),
                f"/gestione/tavoli/iscrizioni/{registration.id}/annulla"):
        assert client.get(url).status_code == 403, url
    login_as(None)
    login_as(Role.STAFF)
    assert client.get(MINE).status_code == 403  # staff use their own page
    assert client.get(staff_page).status_code == 200
    login_as(None)
    login_as(Role.FACILITATOR)
    assert client.get(staff_page).status_code == 403
    assert client.get(MINE).status_code == 403
    assert client.get("/gestione/tavoli/incontri/999999/iscrizioni").status_code == 404


# Staff ---------------------------------------------------------------------------------------------


@pytest.fixture
def signed_staff(login_as):
    return login_as(Role.STAFF)


def staff_url(table):
    return f"/gestione/tavoli/incontri/{table.id}/iscrizioni"


def post_staff(client, table, **fields):
    data = {"csrf_token": token(client, staff_url(table)), "full_name": "Paola Servizi",
            "email": "paola@comune.esempio.it", "affiliation": "Comune Alfa – Servizio sociale",
            "group_id": str(table.groups[0].id), "category": "servizi_sociali"}
    data.update(fields)
    return client.post(staff_url(table), data=data)


def test_staff_add_anyone_with_any_category(client, session, notice, staff, signed_staff):
    table = table_session(notice, staff, capacity=1, groups=2)
    session.commit()
    response = post_staff(client, table)
    assert response.status_code == 302
    page = client.get(staff_url(table)).get_data(as_text=True)
    assert "Iscrizione di Paola Servizi confermata." in page and "Comune Alfa – Servizio sociale" in page
    response = post_staff(client, table, full_name="Luca Ausl", email="luca@ausl.esempio.it",
                          affiliation="AUSL – CSM", category="ausl", group_id=str(table.groups[1].id))
    assert response.status_code == 302
    page = client.get(staff_url(table)).get_data(as_text=True)
    assert "Incontro al completo: Luca Ausl è in lista d'attesa, posizione 1." in unescape(page)
    assert "posti occupati: 1 su 1" in page
    rows = [(r.category.code, r.group_id, r.state) for r in registrations(session, table)]
    assert rows == [("servizi_sociali", table.groups[0].id, RegistrationState.CONFIRMED),
                    ("ausl", table.groups[1].id, RegistrationState.WAITLISTED)]
    assert all(r.registered_by_id == signed_staff.id for r in registrations(session, table))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Campo obbligatorio."),
        ({"email": "@@"}, "email", "Indirizzo e-mail non valido."),
        ({"category": ""}, "category", "Campo obbligatorio."),
        ({"category": "inventata"}, "category", "Scegliere una delle categorie del procedimento."),
        ({"group_id": "999999"}, "group_id", "Scegliere uno dei tavoli di questo incontro."),
        ({"group_id": "abc"}, "group_id", "Scegliere uno dei tavoli di questo incontro."),
    ],
)
def test_staff_form_bad_input(client, session, notice, staff, signed_staff, fields, field, message):
    table = table_session(notice, staff, groups=2)
    session.commit()
    before = counts(session)
    response = post_staff(client, table, affiliation=SCRIPT, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in error_beside(html, field)
    assert SCRIPT not in html and f'value="{ESCAPED}"' in html
    assert counts(session) == before


def test_staff_list_filters_paginates_and_serves_the_fragment(client, session, notice, staff, signed_staff):
    table = table_session(notice, staff, capacity=55, groups=2)
    for n in range(60):
        make_registration(table, category="ausl" if n % 2 else "ets", group=table.groups[n % 2],
                          full_name=f"Persona {n:02d}")
    cancel(make_registration(table, full_name="Persona Annullata"), by=staff)
    session.commit()
    page = client.get(staff_url(table)).get_data(as_text=True)
    assert "60 iscrizioni con questi filtri" in page and "pagina 1 di 2" in page
    assert "posti occupati: 55 su 55" in page and "Persona Annullata" not in page
    waiting = client.get(staff_url(table) + "?stato=attesa").get_data(as_text=True)
    assert "5 iscrizioni con questi filtri" in unescape(waiting) and "In lista d'attesa, posizione 5" in unescape(waiting)
    cancelled = client.get(staff_url(table) + "?stato=annullate").get_data(as_text=True)
    assert "1 iscrizione con questi filtri" in cancelled and "Persona Annullata" in cancelled
    ausl_id = next(r.category_id for r in registrations(session, table) if r.category.code == "ausl")
    by_category = client.get(f"{staff_url(table)}?categoria={ausl_id}&tavolo={table.groups[1].id}")
    assert "30 iscrizioni con questi filtri" in by_category.get_data(as_text=True)
    second = client.get(staff_url(table) + "?pagina=2").get_data(as_text=True)
    assert "pagina 2 di 2" in second and second.count("<tr>") == 10 + 1
    fragment = client.get(staff_url(table) + "?stato=attesa", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="registrations-list">') and "<html" not in html


def test_staff_cancel_names_who_moved_up(client, session, notice, staff, signed_staff):
    table = table_session(notice, staff, capacity=1)
    held = make_registration(table, full_name="Posto Occupato")
    make_registration(table, full_name="Prima In Attesa", email="attesa@esempio.it")
    session.commit()
    url = f"/gestione/tavoli/iscrizioni/{held.id}/annulla"
    response = client.post(url, data={"csrf_token": token(client, url)})
    assert response.status_code == 302 and response.headers["Location"].endswith(staff_url(table))
    page = client.get(staff_url(table)).get_data(as_text=True)
    assert "Iscrizione di Posto Occupato annullata. Prima In Attesa passa dalla lista d'attesa agli iscritti." in unescape(page)


def test_staff_csv_is_spreadsheet_safe(client, session, notice, staff, signed_staff):
    table = table_session(notice, staff, capacity=1)
    make_registration(table, full_name="=HYPERLINK(\"http://x\")", affiliation="+39 Ente", email="a@esempio.it")
    make_registration(table, full_name="Seconda Persona", affiliation="@Ente")
    session.commit()
    response = client.get(staff_url(table).replace("iscrizioni", "iscrizioni.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    assert f"iscrizioni-incontro-{table.id}-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))
    assert rows[0][:3] == ["nome_cognome", "email", "ente_o_servizio"]
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[1][2] == "'+39 Ente"
    assert rows[2][2] == "'@Ente" and rows[2][5] == "In lista d'attesa" and rows[2][6] == "1"


# The use-case on its own -----------------------------------------------------------------------------


def test_walk_ins_do_not_take_places(session, notice, staff):
    table = table_session(notice, staff, capacity=1, starts_in_hours=-1)
    category = category_by_code(table.procedure, "ausl")
    register(table, table.groups[0], category, full_name="Arrivato Alla Porta", email=None, by=staff, walk_in=True)
    table.starts_at = naive_utc(utcnow() + timedelta(hours=1))
    registration = make_registration(table)
    assert registration.state == RegistrationState.CONFIRMED


# No N+1 ----------------------------------------------------------------------------------------------


def test_pages_query_count_does_not_grow_with_the_people(client, session, notice, staff, ets, login_as):
    tables = [table_session(notice, staff, capacity=5, groups=2), table_session(notice, staff)]

    def add(n):
        for table in tables:
            for _ in range(n):
                make_registration(table, category="ets", organisation_id=ets.organisation_id)
        session.commit()

    def queries(url):
        with statements_run() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add(2)
    few = queries(MINE), queries(form_url(tables[0]))
    add(8)
    assert (queries(MINE), queries(form_url(tables[0]))) == few
    login_as(None)
    login_as(Role.STAFF)
    few = queries(staff_url(tables[0]))
    add(10)
    assert queries(staff_url(tables[0])) == few
