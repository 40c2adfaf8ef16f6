"""Planning the tables in Chromium, signed in as the demo RUP: the overview of the demo procedure
(15 sessions of seed 002), a new table group and a new session (a bad end time first: the
message beside the field, nothing lost; then corrected), the confirmation before deleting, the
calendar e-mail (confirmation with the number of recipients, then the outbox). Then the public
calendar as an anonymous visitor, from the notice's page, and its iCal export. axe-core runs on
every page in Italian and in English; screenshots (make screenshots) go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import create_engine, text

from coprog.core.time import rome_today

from . import test_notices_staff as notices_staff
from .a11y import check_a11y
from .helpers import choose_axis, screenshot
from .test_notices_staff import field, flash, submit

# The RUP's signed-in page and its console log, shared with the notice tests
staff_state, staff_log, staff = notices_staff.staff_state, notices_staff.staff_log, notices_staff.staff

pytestmark = pytest.mark.browser

SLUG = "bds-bologna-2025"
OVERVIEW = "/gestione/procedimenti/1/tavoli"  # the demo procedure is the first one


# Helpers -------------------------------------------------------------------------------------------


def look(page, name: str) -> None:
    """axe-core clean, and a full-page screenshot to look at."""
    check_a11y(page)
    screenshot(page, f"tables-planning-{name}")


def look_in_english(page, name: str) -> None:
    """The same page in English (the header's language link), checked; then back to Italian."""
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation() as navigation:
        page.locator("header").get_by_role("link", name="English").click()
    assert navigation.value.status == 200, f"{path} in English answers {navigation.value.status}"
    assert page.locator("html").get_attribute("lang") == "en"
    look(page, f"{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"


def tick(page, label: str, scope=None) -> None:
    """Tick a checkbox by clicking its label (Bootstrap Italia draws the box on the label)."""
    box = (scope or page).get_by_label(label, exact=True)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked(), label


def session_rows(page):
    return page.locator("#incontri tbody tr")


@pytest.fixture(scope="module")
def database(live_database_url):
    engine = create_engine(live_database_url)
    yield engine
    engine.dispose()


def sessions_planned(database) -> int:
    """The demo procedure's sessions now: other browser tests of this worker may have added
    some before (work stealing decides the order), so counts are read, not assumed."""
    with database.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM table_sessions WHERE procedure_id = 1")).scalar_one()


def joint_sessions(database) -> int:
    """Sessions of the demo procedure with more than one table group (Socialità's two, and any a
    test of this worker added)."""
    query = text("SELECT count(*) FROM (SELECT s.id FROM table_sessions s JOIN table_session_table_groups g "
                 "ON g.table_session_id = s.id WHERE s.procedure_id = 1 GROUP BY s.id HAVING count(*) > 1) AS joint")
    with database.connect() as connection:
        return connection.execute(query).scalar_one()


def calendar_emails(database) -> list[tuple[int, str, str]]:
    query = text("SELECT id, to_address, body_text FROM outbox_messages WHERE template = 'table_calendar' ORDER BY id")
    with database.connect() as connection:
        return list(connection.execute(query))


# Staff ---------------------------------------------------------------------------------------------


def test_overview_of_the_demo_procedure(staff, database):
    staff.goto("/gestione/avvisi/1")
    with staff.expect_navigation():
        staff.get_by_role("navigation", name="Sezioni dell'avviso").get_by_role("link", name="Tavoli", exact=True).click()
    assert urlsplit(staff.url).path == OVERVIEW
    tab = staff.get_by_role("navigation", name="Sezioni dell'avviso").get_by_role("link", name="Tavoli", exact=True)
    assert tab.get_attribute("aria-current") == "page"
    tabs = staff.locator(".coprog-manage-tabs .nav-item")
    tops = {round(tabs.nth(i).bounding_box()["y"]) for i in range(tabs.count())}
    assert len(tops) == 1, "the notice's tabs wrap on two lines at 1280 px"
    assert session_rows(staff).count() == sessions_planned(database)
    assert staff.locator("#incontri .coprog-merged").count() == joint_sessions(database)  # the demo's: 2
    assert "Marco Modello" in session_rows(staff).first.inner_text()
    assert staff.locator("#tavoli .coprog-plan-axis").count() == 3
    assert staff.locator("#categorie").get_by_label(re.compile("Privato sociale – ETS")).count() == 1
    look(staff, "overview")
    look_in_english(staff, "overview")


def test_create_a_group_and_a_session_with_a_bad_end_time_first(staff, staff_log, database):
    staff_log.allow_error("422")  # the refused form, on purpose
    before = sessions_planned(database)
    suffix = uuid.uuid4().hex[:6]
    group_name = f"Tavolo di prova {suffix}"
    day = rome_today() + timedelta(days=40)

    # A new group of the Socialità axis ------------------------------------------------------------
    staff.goto(OVERVIEW)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Nuovo tavolo", exact=True).click()
    look(staff, "group-new")
    look_in_english(staff, "group-new")
    field(staff, "Nome del tavolo").fill(group_name)
    field(staff, "Asse").select_option(label="Socialità")
    tick(staff, "Pianura Est", staff.get_by_role("group", name="Distretti"))
    tick(staff, "Pianura Ovest", staff.get_by_role("group", name="Distretti"))
    submit(staff, "Salva il tavolo")
    assert urlsplit(staff.url).path == OVERVIEW
    assert f"Tavolo «{group_name}» salvato." in flash(staff)
    socialita = staff.locator("#tavoli .coprog-plan-axis", has_text="Socialità")
    assert group_name in socialita.inner_text() and "Pianura Est, Pianura Ovest" in socialita.inner_text()
    with staff.expect_navigation():
        socialita.get_by_role("link", name=f"Modifica – Socialità, {group_name}").click()
    assert field(staff, "Nome del tavolo").input_value() == group_name
    assert staff.get_by_role("group", name="Distretti").get_by_label("Pianura Est", exact=True).is_checked()
    look(staff, "group-edit")
    look_in_english(staff, "group-edit")
    staff.goto(OVERVIEW)

    # A session: the axis narrows the groups (htmx); a bad end time first ------------------------
    with staff.expect_navigation():
        staff.get_by_role("link", name="Nuovo incontro").click()
    look(staff, "session-new")
    look_in_english(staff, "session-new")
    assert staff.get_by_text("Tavoli dell'asse Formazione/Lavoro").is_visible()
    choose_axis(staff, "Socialità")
    groups = staff.locator("#session-groups")
    groups.get_by_text("Tavoli dell'asse Socialità").wait_for()
    assert "Formazione/Lavoro" not in groups.inner_text()
    check_a11y(staff)
    tick(staff, f"{group_name} (Pianura Est, Pianura Ovest)", groups)
    field(staff, "Giorno").fill(day.isoformat())
    field(staff, "Ora di inizio").fill("15:00")
    field(staff, "Ora di fine").fill("14:00")
    field(staff, "Luogo").fill("Sala civica di prova, Budrio")
    field(staff, "Collegamento online").fill("https://videoconferenza.example.org/tavolo")
    field(staff, "Capienza (persone)").fill("30")
    tick(staff, "Marco Modello (facilitatore, demo)")
    field(staff, "Titolo (facoltativo)").fill(f"Incontro di prova {suffix}")
    submit(staff, "Salva l'incontro")
    assert staff.locator("#form-errors").is_visible()
    assert "L'incontro deve finire dopo l'inizio." in staff.locator("#end_time-error").inner_text()
    assert staff.locator("#end_time").get_attribute("aria-invalid") == "true"
    # nothing lost
    assert field(staff, "Luogo").input_value() == "Sala civica di prova, Budrio"
    assert field(staff, "Ora di inizio").input_value() == "15:00"
    assert field(staff, "Capienza (persone)").input_value() == "30"
    assert staff.locator("#session-groups").get_by_label(f"{group_name} (Pianura Est, Pianura Ovest)").is_checked()
    assert staff.get_by_label("Marco Modello (facilitatore, demo)").is_checked()
    look(staff, "session-bad-end-time")

    field(staff, "Ora di fine").fill("18:00")
    submit(staff, "Salva l'incontro")
    assert urlsplit(staff.url).path == OVERVIEW
    assert "salvato" in flash(staff)
    assert session_rows(staff).count() == before + 1 == sessions_planned(database)
    row = session_rows(staff).filter(has_text=f"Incontro di prova {suffix}")
    assert "15:00–18:00" in row.inner_text() and "Pomeriggio" in row.inner_text()
    assert "Da comunicare" in row.inner_text() and "0 su 30" in row.inner_text()  # a new session
    look(staff, "overview-with-new-session")

    # Edit it, then delete it (it has nobody yet) after the confirmation ---------------------------
    with staff.expect_navigation():
        row.get_by_role("link", name=re.compile("^Modifica")).click()
    assert field(staff, "Ora di fine").input_value() == "18:00"
    look(staff, "session-edit")
    look_in_english(staff, "session-edit")
    staff.goto(OVERVIEW)
    row = session_rows(staff).filter(has_text=f"Incontro di prova {suffix}")
    with staff.expect_navigation():
        row.get_by_role("link", name=re.compile("^Elimina")).click()
    assert "Vuoi davvero eliminare l'incontro?" in staff.locator("main").inner_text()
    look(staff, "session-delete-confirm")
    look_in_english(staff, "session-delete-confirm")
    submit(staff, "Sì, elimina")
    assert "Incontro eliminato." in flash(staff)
    assert session_rows(staff).count() == before == sessions_planned(database)

    # and the group, now in no session
    socialita = staff.locator("#tavoli .coprog-plan-axis", has_text="Socialità")
    with staff.expect_navigation():
        socialita.get_by_role("link", name=f"Elimina – Socialità, {group_name}").click()
    assert "Vuoi davvero eliminare il tavolo?" in staff.locator("main").inner_text()
    look(staff, "group-delete-confirm")
    look_in_english(staff, "group-delete-confirm")
    submit(staff, "Sì, elimina")
    assert f"Tavolo «{group_name}» eliminato." in flash(staff)
    assert group_name not in staff.locator("#tavoli").inner_text()


def test_a_session_with_people_cannot_be_deleted(staff):
    staff.goto(OVERVIEW)
    with staff.expect_navigation():
        session_rows(staff).first.get_by_role("link", name=re.compile("^Elimina")).click()
    assert "già degli iscritti: non si può eliminare" in staff.locator(".alert-danger").inner_text()
    assert staff.get_by_role("button", name="Sì, elimina").count() == 0
    look(staff, "session-delete-refused")


def test_communicate_the_calendar(staff, database):
    before = calendar_emails(database)
    staff.goto(OVERVIEW)
    # seed 002: the demo told the admitted the dates on 10 October 2025
    assert "Ultimo invio il 10 ottobre 2025" in staff.locator("#comunicazione").inner_text()
    with staff.expect_navigation():
        staff.locator(".coprog-plan-actions").get_by_role("link", name="Comunica il calendario").click()
    lead = staff.locator("main .lead").inner_text()
    count = int(re.search(r"Destinatari: (\d+) indirizzi", lead).group(1))
    assert count >= 14  # demo: 6 admitted ETS (2 addresses each), 1 accepted invitation (2 addresses)
    assert f"Incontri nel calendario: {sessions_planned(database)}." in lead
    look(staff, "communicate-confirm")
    look_in_english(staff, "communicate-confirm")
    assert calendar_emails(database) == before  # asking sends nothing
    submit(staff, f"Invia a {count} destinatari")
    assert f"Calendario inviato: {count} e-mail in partenza." in flash(staff)
    queued = calendar_emails(database)[len(before):]
    addresses = [address for _, address, _ in queued]
    assert len(addresses) == count == len(set(addresses))
    assert "referente.amici-quartiere@demo.coprog.it" in addresses and "segreteria.fondazione@demo.coprog.it" in addresses
    assert not any("fiaccola-spenta" in a for a in addresses)  # excluded
    assert f"/avvisi/{SLUG}/tavoli" in queued[0][2] and "Incontro congiunto dei tavoli" in queued[0][2]
    assert "Ultimo invio il" in staff.locator("#comunicazione").inner_text()
    assert "Da comunicare" not in staff.locator("#incontri").inner_text()
    look(staff, "overview-after-communication")

    # again: allowed, and the page says when it was last sent
    with staff.expect_navigation():
        staff.locator("#comunicazione").get_by_role("link", name="Comunica il calendario").click()
    assert "già stato comunicato il" in staff.locator("main .alert-info").inner_text()
    look(staff, "communicate-again")


# Public ---------------------------------------------------------------------------------------------


def test_public_calendar(page, database):
    page.goto(f"/avvisi/{SLUG}")
    link = page.get_by_role("link", name="Calendario dei tavoli di co-programmazione")
    with page.expect_navigation():
        link.click()
    assert urlsplit(page.url).path == f"/avvisi/{SLUG}/tavoli"
    assert page.locator("h1").inner_text().strip() == "Calendario dei tavoli di co-programmazione"
    rows = page.locator(".coprog-calendar-session")
    planned = sessions_planned(database)
    assert rows.count() == planned
    assert [page.locator(".coprog-calendar-axis h2").nth(i).inner_text() for i in range(3)] == [
        "Asse Formazione/Lavoro", "Asse Abitare", "Asse Socialità"]
    socialita = page.locator(".coprog-calendar-axis", has_text="Asse Socialità")
    assert "martedì 25 novembre 2025" in socialita.inner_text()
    merged = socialita.locator(".coprog-calendar-session", has_text="Incontro congiunto")
    assert merged.count() == 2
    assert "Bologna Ovest" in merged.nth(0).inner_text() and "Bologna Est" in merged.nth(0).inner_text()
    plenary = merged.nth(1).inner_text()
    assert all(name in plenary for name in ("Pianura Est", "Pianura Ovest", "Savena Idice"))
    assert "14:30–17:30" in plenary and "Pomeriggio" in plenary
    look(page, "public-calendar")
    look_in_english(page, "public-calendar")

    ics = page.request.get(f"/avvisi/{SLUG}/tavoli.ics")
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.body()).walk("VEVENT")
    assert len(events) == planned and len({str(e["UID"]) for e in events}) == planned
    assert any(str(e["SUMMARY"]) == "Tavolo Socialità – Bologna Ovest + Bologna Est" for e in events)


def test_public_calendar_on_a_phone(browser, live_url, database):
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"/avvisi/{SLUG}/tavoli")
        assert page.locator(".coprog-calendar-session").count() == sessions_planned(database)
        look(page, "public-calendar-phone")
    finally:
        context.close()
