"""Check-in at the door: the use-cases and the facilitator's pages.

A double tap or a resubmitted request counts once; undo; walk-ins are present but not
registered; waitlisted and cancelled people cannot be checked in; the search ignores accents,
escapes LIKE wildcards and costs the same number of queries whatever the number of people;
attendance closes with the approved minutes; bad walk-in input is refused beside the field;
only the session's facilitators (and staff) reach the door.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.tables.models import Attendance, Minutes, MinutesState, Registration, RegistrationState
from coprog.tables.services import planning
from coprog.tables.services.checkin import (
    CheckInError,
    admit_from_waitlist,
    check_in,
    door_counts,
    name_matches,
    search,
    undo_check_in,
)
from coprog.tables.services.figures import participation
from coprog.tables.services.registrations import cancel

from ..conftest import csrf_token_from
from ..dbutil import statements_run
from ..factories import make_notice, make_registration, make_table_session, make_user

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
HTMX = {"HX-Request": "true"}


# Fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def notice(session):
    return make_notice(published=True)


@pytest.fixture
def facilitator(login_as):
    """The signed-in user: a facilitator."""
    return login_as(Role.FACILITATOR)


def open_session(notice, facilitator, **fields):
    """A session starting in an hour (attendance open), facilitated by `facilitator`."""
    fields.setdefault("starts_in_hours", 1)
    return make_table_session(notice, facilitators=[facilitator], **fields)


@pytest.fixture
def table(session, notice, facilitator):
    """A session of the signed-in facilitator with two registered people, committed."""
    table = open_session(notice, facilitator)
    make_registration(table, full_name="Mario Rossi", affiliation="Cooperativa Esempio")
    make_registration(table, full_name="Nicolò Bianchi", category="servizi_sociali", affiliation="Comune Alfa")
    session.commit()
    return table


def door_url(table) -> str:
    return f"/tavoli/incontri/{table.id}/ingresso"


def action_url(table, registration, action: str) -> str:
    return f"{door_url(table)}/{registration.id}/{action}"


def token(client, url="/profilo") -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def person(table, name: str) -> Registration:
    return db.session.scalars(
        select(Registration).where(Registration.session_id == table.id, Registration.full_name == name)
    ).one()


def attendances(table) -> int:
    return db.session.scalar(select(func.count(Attendance.id)).where(Attendance.session_id == table.id))


def counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count(m.id))) for m in (Registration, Attendance, AuditEntry))


def walk_in_data(csrf, **overrides) -> dict:
    data = {"csrf_token": csrf, "full_name": "Giulia Nuova", "affiliation": "Associazione Nuova",
            "category_id": "", "confirm_new": ""}
    data.update(overrides)
    return data


def category_id(table, code: str = "ets") -> str:
    return str(planning.category_by_code(table.procedure, code).id)


# The use-cases ----------------------------------------------------------------------------------


def test_double_check_in_counts_once(session, table, facilitator):
    mario = person(table, "Mario Rossi")
    assert check_in(mario, by=facilitator) is True
    assert check_in(mario, by=facilitator) is False
    assert attendances(table) == 1
    assert mario.attendance.checked_in_by_id == facilitator.id
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == mario.id,
                                                             AuditEntry.object_type == "Registration")).all()
    assert actions.count("checked_in") == 1
    assert door_counts(table).present == 1 and door_counts(table).registered == 2


def test_undo_removes_the_check_in_once(session, table, facilitator):
    mario = person(table, "Mario Rossi")
    check_in(mario, by=facilitator)
    assert undo_check_in(mario, by=facilitator) is True
    assert undo_check_in(mario, by=facilitator) is False
    assert mario.attendance is None and attendances(table) == 0
    assert check_in(mario, by=facilitator) is True  # present again after an undo


def test_waitlisted_and_cancelled_people_cannot_be_checked_in(session, notice, facilitator):
    table = open_session(notice, facilitator, capacity=1)
    make_registration(table)
    waiting = make_registration(table, full_name="Persona in Attesa")
    gone = make_registration(table, full_name="Persona Annullata")
    cancel(gone, by=facilitator)
    assert (waiting.state, gone.state) == (RegistrationState.WAITLISTED, RegistrationState.CANCELLED)
    for registration in (waiting, gone):
        with pytest.raises(CheckInError, match="non ha un posto confermato"):
            check_in(registration, by=facilitator)
    assert attendances(table) == 0
    # the cancelled person is not at the door; the waitlisted one is (to be admitted)
    names = [r.full_name for r in search(table)]
    assert "Persona Annullata" not in names and "Persona in Attesa" in names


def test_a_waitlisted_person_is_admitted_at_the_door_outside_the_registered(session, notice, facilitator):
    table = open_session(notice, facilitator, capacity=1)
    make_registration(table)
    waiting = make_registration(table, full_name="Persona in Attesa")
    assert admit_from_waitlist(waiting, by=facilitator) is True
    assert admit_from_waitlist(waiting, by=facilitator) is False  # a repeat counts once
    assert waiting.state == RegistrationState.CONFIRMED and waiting.is_walk_in
    assert door_counts(table) == type(door_counts(table))(present=1, registered=1, walk_ins=1)


def test_search_ignores_case_and_accents(session, table):
    assert [r.full_name for r in search(table, "nicolo")] == ["Nicolò Bianchi"]
    assert [r.full_name for r in search(table, "NICOLÒ  bian")] == ["Nicolò Bianchi"]
    assert [r.full_name for r in search(table, "comune alfa")] == ["Nicolò Bianchi"]  # the affiliation too
    assert [r.full_name for r in search(table)] == ["Mario Rossi", "Nicolò Bianchi"]  # name order


def test_search_escapes_like_wildcards(session, notice, facilitator):
    table = open_session(notice, facilitator)
    make_registration(table, full_name="Anna Uno", affiliation="Ente_uno al 100%")
    make_registration(table, full_name="Bruno Due", affiliation="Enteuno")
    assert [r.full_name for r in search(table, "_")] == ["Anna Uno"]
    assert [r.full_name for r in search(table, "%")] == ["Anna Uno"]
    assert [r.full_name for r in search(table, "e_u")] == ["Anna Uno"]
    assert search(table, "\\") == []


def test_name_matches_are_whole_words(session, table):
    assert [r.full_name for r in name_matches(table, "rossi mario")] == ["Mario Rossi"]
    assert name_matches(table, "Mario Ross") == []  # "Ross" is not a word of "Mario Rossi"
    assert name_matches(table, "   ") == []


def test_search_query_count_is_constant(client, session, table, notice):
    url = door_url(table) + "?q="
    client.get(url, headers=HTMX)  # warm up: the first request loads what every request needs

    def queries() -> int:
        with statements_run() as statements:
            assert client.get(url, headers=HTMX).status_code == 200
        return len(statements)

    few = queries()
    for n in range(30):
        make_registration(table, full_name=f"Persona Numero {n}", category=("ausl", "ets")[n % 2])
    session.commit()
    assert queries() == few
    assert table.id  # reload the committed session first: the search alone is counted
    with statements_run() as statements:
        search(table, "persona")
    assert len(statements) == 1


# The door page ----------------------------------------------------------------------------------


def test_door_page_lists_the_people_with_the_counter(client, session, table):
    page = client.get(door_url(table))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    assert "Presenti 0 su 2 iscritti" in html
    assert "Mario Rossi" in html and "Cooperativa Esempio" in html and "Nicolò Bianchi" in html
    assert html.count(">Segna presente<") == 2
    assert 'hx-trigger="input changed delay:200ms, search"' in html
    assert 'id="door-announce" role="status"' in html


def test_search_fragment_for_htmx_and_the_whole_page_without(client, session, table):
    fragment = client.get(door_url(table) + "?q=nicolo", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="door-list"' in fragment
    assert "Nicolò Bianchi" in fragment and "Mario Rossi" not in fragment
    assert 'hx-swap-oob="innerHTML"' in fragment and "1 persona trovata" in fragment
    page = client.get(door_url(table) + "?q=nicolo").get_data(as_text=True)
    assert "<html" in page and 'value="nicolo"' in page and "Mario Rossi" not in page


def test_two_posts_count_once_and_answer_alike(client, session, table):
    mario = person(table, "Mario Rossi")
    csrf = token(client, door_url(table))
    first = client.post(action_url(table, mario, "presente"), data={"csrf_token": csrf, "q": "mario"})
    again = client.post(action_url(table, mario, "presente"), data={"csrf_token": csrf, "q": "mario"})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert first.headers["Location"].endswith(f"{door_url(table)}?q=mario#reg-{mario.id}")  # search kept
    assert attendances(table) == 1
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "era già presente" in page and "Presente alle" in page and "Presenti 1 su 2 iscritti" in page
    # htmx: the row comes back, with the counter and the announcement out of band
    for _ in range(2):
        row = client.post(action_url(table, mario, "presente"), data={"csrf_token": csrf}, headers=HTMX)
        html = row.get_data(as_text=True)
        assert row.status_code == 200 and "<html" not in html
        assert f'id="reg-{mario.id}"' in html and "Presente alle" in html and ">Annulla<" in html
        assert "Presenti 1 su 2 iscritti" in html and 'id="door-announce" hx-swap-oob="innerHTML"' in html
    assert attendances(table) == 1


def test_undo_by_post(client, session, table, facilitator):
    mario = person(table, "Mario Rossi")
    check_in(mario, by=facilitator)
    session.commit()
    csrf = token(client, door_url(table))
    row = client.post(action_url(table, mario, "annulla"), data={"csrf_token": csrf, "prefix": "match"},
                      headers=HTMX).get_data(as_text=True)
    assert attendances(table) == 0
    assert f'id="match-{mario.id}"' in row and ">Segna presente<" in row
    assert "Presenza di Mario Rossi annullata." in row and "Presenti 0 su 2 iscritti" in row
    plain = client.post(action_url(table, mario, "annulla"), data={"csrf_token": csrf})
    assert plain.status_code == 303
    assert "non risultava presente" in client.get(plain.headers["Location"]).get_data(as_text=True)


def test_a_waitlisted_person_is_refused_by_post_and_admitted_by_its_own_button(client, session, notice,
                                                                              facilitator):
    table = open_session(notice, facilitator, capacity=1)
    make_registration(table)
    waiting = make_registration(table, full_name="Persona in Attesa")
    session.commit()
    page = client.get(door_url(table)).get_data(as_text=True)
    assert "in lista d'attesa" in page and "Ammetti e segna presente" in page
    csrf = csrf_token_from(page)
    refused = client.post(action_url(table, waiting, "presente"), data={"csrf_token": csrf}, follow_redirects=True)
    assert "non ha un posto confermato" in refused.get_data(as_text=True)
    assert attendances(table) == 0
    client.post(action_url(table, waiting, "ammetti"), data={"csrf_token": csrf})
    assert attendances(table) == 1 and door_counts(table).registered == 1


def test_walk_in_is_present_and_not_registered(client, session, table):
    before = door_counts(table)
    csrf = token(client, door_url(table))
    response = client.post(door_url(table) + "/senza-iscrizione",
                           data=walk_in_data(csrf, category_id=category_id(table)))
    assert response.status_code == 303
    walk_in = person(table, "Giulia Nuova")
    assert walk_in.is_walk_in and walk_in.attendance is not None
    assert walk_in.affiliation == "Associazione Nuova" and walk_in.category.code == "ets"
    assert walk_in.group_id == table.groups[0].id
    after = door_counts(table)
    assert (after.present, after.registered, after.walk_ins) == (before.present + 1, before.registered, 1)
    figures = next(f for f in participation(table.procedure) if f.session.id == table.id)
    assert figures.registered() == 2 and figures.attended() == 1
    assert response.headers["Location"].endswith(f"?q=Giulia+Nuova#reg-{walk_in.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Giulia Nuova: presente alle" in page and ", senza iscrizione." in page and ">senza iscrizione<" in page


def test_someone_not_registered_goes_through_the_walk_in_flow(client, session, table, notice, facilitator):
    """Search finds nobody: the page offers the walk-in form with the name filled in; a name
    that matches a registered person is offered to be marked instead, nothing saved."""
    fragment = client.get(door_url(table) + "?q=Luca Nuovo", headers=HTMX).get_data(as_text=True)
    assert "Nessuna persona trovata" in fragment and "nome=Luca+Nuovo" in fragment
    page = client.get(door_url(table) + "?q=Luca+Nuovo&nome=Luca+Nuovo").get_data(as_text=True)
    assert re.search(r'id="full_name"[^>]*value="Luca Nuovo"', page)
    csrf = csrf_token_from(page)
    before = counts(session)
    offer = client.post(door_url(table) + "/senza-iscrizione",
                        data=walk_in_data(csrf, full_name="rossi MARIO", category_id=category_id(table)))
    html = offer.get_data(as_text=True)
    assert offer.status_code == 200 and counts(session) == before
    assert "Risulta già iscritta una persona con questo nome" in html
    mario = person(table, "Mario Rossi")
    assert f'id="match-{mario.id}"' in html and f"/{mario.id}/presente" in html
    assert 'id="confirm_new" name="confirm_new" type="hidden" value="1"' in html
    assert "Aggiungi comunque come persona non iscritta" in html
    # asked again: a new person, present and not registered
    added = client.post(door_url(table) + "/senza-iscrizione",
                        data=walk_in_data(csrf, full_name="rossi MARIO", confirm_new="1",
                                          category_id=category_id(table)))
    assert added.status_code == 303
    assert person(table, "rossi MARIO").is_walk_in and attendances(table) == 1


@pytest.mark.parametrize("case", ["no_name", "other_group", "unknown_category", "other_procedure_category",
                                  "script_name", "too_long"])
def test_walk_in_bad_input(client, session, notice, facilitator, case):
    table = open_session(notice, facilitator, groups=2)
    other = make_table_session(make_notice(published=True), starts_in_hours=1)
    session.commit()
    csrf = token(client, door_url(table))
    data = walk_in_data(csrf, affiliation=f"Ente {SCRIPT}", category_id=category_id(table),
                        group_id=str(table.groups[1].id))
    field, message = {
        "no_name": ("full_name", "Campo obbligatorio."),
        "other_group": ("group_id", "Scegli il tavolo dell'incontro"),
        "unknown_category": ("category_id", "Scegli una categoria dell'elenco."),
        "other_procedure_category": ("category_id", "Scegli una categoria dell'elenco."),
        "script_name": ("full_name", "Il nome non può contenere i caratteri &lt; e &gt;."),
        "too_long": ("full_name", "Massimo 200 caratteri."),
    }[case]
    data.update({
        "no_name": {"full_name": "  "},
        "other_group": {"group_id": str(other.groups[0].id)},
        "unknown_category": {"category_id": "999999"},
        "other_procedure_category": {"category_id": category_id(other)},
        "script_name": {"full_name": f"Giulia {SCRIPT}"},
        "too_long": {"full_name": "x" * 201},
    }[case])
    session.commit()
    before = counts(session)
    response = client.post(door_url(table) + "/senza-iscrizione", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    assert error and message in error.group(1), html[html.find("form-errors"):][:1500]
    assert 'id="form-errors"' in html
    assert counts(session) == before
    assert f'value="Ente {ESCAPED}"' in html and SCRIPT not in html  # kept, as text
    if case == "script_name":
        assert f'value="Giulia {ESCAPED}"' in html


def test_the_same_walk_in_twice_is_refused_beside_the_name(client, session, table):
    csrf = token(client, door_url(table))
    data = walk_in_data(csrf, full_name="Carla Ospite", category_id=category_id(table), confirm_new="1")
    assert client.post(door_url(table) + "/senza-iscrizione", data=data).status_code == 303
    before = counts(session)
    again = client.post(door_url(table) + "/senza-iscrizione", data=data)
    assert again.status_code == 422 and counts(session) == before
    assert "già iscritta a questo incontro" in re.search(r'id="full_name-error">(.*?)</div>',
                                                         again.get_data(as_text=True), re.S).group(1)


def test_affiliation_with_script_is_text_in_the_list(client, session, table):
    make_registration(table, full_name="Ospite Curioso", affiliation=SCRIPT)
    session.commit()
    html = client.get(door_url(table)).get_data(as_text=True)
    assert ESCAPED in html and SCRIPT not in html


# When attendance cannot be recorded --------------------------------------------------------------


def test_attendance_refused_after_the_minutes_are_approved(client, session, table, facilitator):
    mario, nicolo = person(table, "Mario Rossi"), person(table, "Nicolò Bianchi")
    check_in(nicolo, by=facilitator)
    table.minutes = Minutes(state=MinutesState.APPROVED)
    session.commit()
    with pytest.raises(CheckInError, match="verbale è approvato"):
        check_in(mario, by=facilitator)
    with pytest.raises(CheckInError, match="verbale è approvato"):
        undo_check_in(nicolo, by=facilitator)
    page = client.get(door_url(table)).get_data(as_text=True)
    assert "Il verbale è approvato" in page
    assert "Segna presente" not in page and ">Annulla<" not in page and 'id="walk-in-form"' not in page
    csrf = csrf_token_from(page)
    refused = client.post(action_url(table, mario, "presente"), data={"csrf_token": csrf}, follow_redirects=True)
    assert "Il verbale è approvato" in refused.get_data(as_text=True)
    row = client.post(action_url(table, nicolo, "annulla"), data={"csrf_token": csrf}, headers=HTMX)
    assert row.status_code == 200 and "Il verbale è approvato" in row.get_data(as_text=True)
    before = counts(session)
    walk_in = client.post(door_url(table) + "/senza-iscrizione",
                          data=walk_in_data(csrf, category_id=category_id(table)), follow_redirects=True)
    assert "Il verbale è approvato" in walk_in.get_data(as_text=True)
    assert counts(session) == before and attendances(table) == 1


def test_attendance_refused_before_the_day(client, session, notice, facilitator):
    table = open_session(notice, facilitator, starts_in_hours=48)
    make_registration(table, full_name="Mario Rossi")
    session.commit()
    page = unescape(client.get(door_url(table)).get_data(as_text=True))
    assert "Le presenze si registrano dal giorno dell'incontro." in page and "Segna presente" not in page
    with pytest.raises(CheckInError):
        check_in(person(table, "Mario Rossi"), by=facilitator)


# Who may use the door ---------------------------------------------------------------------------


def test_a_facilitator_of_another_session_gets_403_everywhere(client, session, notice, login_as):
    mine_owner = make_user(Role.FACILITATOR)
    table = open_session(notice, mine_owner)
    theirs = make_registration(table, full_name="Mario Rossi")
    me = login_as(Role.FACILITATOR)
    mine = open_session(notice, me)
    my_person = make_registration(mine, full_name="Persona Mia")
    session.commit()
    csrf = token(client)
    assert client.get(door_url(table)).status_code == 403
    assert client.get(door_url(table) + "?q=mario", headers=HTMX).status_code == 403
    for registration_id in (theirs.id, my_person.id, 999999):
        for action in ("presente", "annulla", "ammetti"):
            url = f"{door_url(table)}/{registration_id}/{action}"
            assert client.post(url, data={"csrf_token": csrf}).status_code == 403, url
            assert client.post(url, data={"csrf_token": csrf}, headers=HTMX).status_code == 403, url
    walk_in = client.post(door_url(table) + "/senza-iscrizione", data=walk_in_data(csrf, category_id="1"))
    assert walk_in.status_code == 403
    # on my own door, another session's registration is not found
    for action in ("presente", "annulla", "ammetti"):
        assert client.post(action_url(mine, theirs, action), data={"csrf_token": csrf}).status_code == 404
    assert client.get("/tavoli/incontri/999999/ingresso").status_code == 404
    assert attendances(table) == 0 and attendances(mine) == 0


@pytest.mark.parametrize("role", [None, Role.ETS, Role.CASE_MANAGER, Role.INVITED_BODY])
def test_others_cannot_reach_the_door(client, session, notice, login_as, role):
    table = open_session(notice, make_user(Role.FACILITATOR))
    registration = make_registration(table)
    session.commit()
    login_as(role)
    home, door = client.get("/tavoli/facilitatore"), client.get(door_url(table))
    post = client.post(action_url(table, registration, "presente"),
                       data={"csrf_token": token(client, "/accedi" if role is None else "/profilo")})
    if role is None:
        assert all(r.status_code == 302 and "/accedi" in r.headers["Location"] for r in (home, door, post))
    else:
        assert home.status_code == door.status_code == post.status_code == 403
    assert attendances(table) == 0


def test_staff_may_use_any_door(client, session, notice, login_as):
    table = open_session(notice, make_user(Role.FACILITATOR))
    registration = make_registration(table)
    session.commit()
    login_as(Role.STAFF)
    assert client.get(door_url(table)).status_code == 200
    client.post(action_url(table, registration, "presente"), data={"csrf_token": token(client, door_url(table))})
    assert attendances(table) == 1


# The facilitator's home -------------------------------------------------------------------------


def test_home_lists_today_then_upcoming_then_past(client, session, app, notice, facilitator):
    from datetime import datetime, time, timedelta

    from coprog.core.time import rome_to_utc, rome_today

    def at(days: int, hour: int):
        return rome_to_utc(datetime.combine(rome_today() + timedelta(days=days), time(hour, 0)))

    def made(days: int, hour: int, title: str):
        starts = at(days, hour)
        return make_table_session(notice, facilitators=[facilitator], starts_at=starts,
                                  ends_at=starts + timedelta(hours=1), title=title)

    made(-30, 9, "Incontro passato lontano")
    made(-1, 9, "Incontro di ieri")
    made(7, 9, "Incontro della settimana prossima")
    made(0, 12, "Incontro di oggi")
    made(1, 9, "Incontro di domani")
    make_table_session(notice, title="Incontro di un altro facilitatore")
    session.commit()
    html = client.get("/tavoli/facilitatore").get_data(as_text=True)
    order = ["Oggi", "Incontro di oggi", "Prossimi incontri", "Incontro di domani",
             "Incontro della settimana prossima", "Incontri passati", "Incontro di ieri", "Incontro passato lontano"]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Incontro di un altro facilitatore" not in html
    assert html.count('/ingresso"') == 5
    assert ("/verbale" in html) == ("tables.edit_minutes" in app.view_functions)


def test_home_of_staff_without_sessions_says_so(client, session, login_as):
    login_as(Role.STAFF)
    html = client.get("/tavoli/facilitatore").get_data(as_text=True)
    assert "Nessun incontro da facilitare" in html and "Non risulti facilitatore di alcun incontro" in html


def test_home_shows_the_counter(client, session, table, facilitator):
    check_in(person(table, "Mario Rossi"), by=facilitator)
    session.commit()
    html = client.get("/tavoli/facilitatore").get_data(as_text=True)
    assert "Presenti 1 su 2 iscritti" in html and f'href="{door_url(table)}"' in html


def test_home_says_when_attendance_is_closed(client, session, notice, facilitator):
    approved = open_session(notice, facilitator, title="Incontro con il verbale approvato")
    approved.minutes = Minutes(state=MinutesState.APPROVED)
    open_session(notice, facilitator, title="Incontro aperto")
    open_session(notice, facilitator, title="Incontro fra tre giorni", starts_in_hours=72)
    session.commit()
    html = unescape(client.get("/tavoli/facilitatore").get_data(as_text=True))
    cards = {title: html[html.index(title):][:1200] for title in
             ("Incontro con il verbale approvato", "Incontro aperto", "Incontro fra tre giorni")}
    assert "Il verbale è approvato" in cards["Incontro con il verbale approvato"]
    assert "Le presenze si registrano dal giorno dell'incontro." in cards["Incontro fra tre giorni"]
    assert "Il verbale" not in cards["Incontro aperto"].split("Ingresso")[0]
