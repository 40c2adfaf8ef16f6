"""Registrations to the tables in Chromium.

The demo sessions are all in 2025 (past), so the demo RUP first plans a future joint session of
two tables (Bologna Est + Ovest, Formazione/Lavoro) with one place, through the planning pages.
Then the demo ETS user (delegate of an admitted ODV) opens /tavoli/iscrizioni, registers a
person (an empty name first: the message beside the field, nothing lost) who gets the place, and
a second one who goes to the waitlist (position 1); cancels the first after the confirmation
page and sees the second move up; the e-mail to the second is in the live outbox. The RUP sees
the session's registrations, filters the cancelled ones (htmx), and the CSV. axe-core runs on
every page in Italian and in English; screenshots (make screenshots) go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from coprog.core.time import rome_today

from . import test_notices_staff as notices_staff
from .a11y import check_a11y
from .helpers import choose_axis, login, screenshot
from .test_auth import Outbox
from .test_notices_staff import DEMO_PASSWORD, ETS, field, flash, submit

# The RUP's signed-in page and its console log, shared with the notice tests
staff_state, staff_log, staff = notices_staff.staff_state, notices_staff.staff_log, notices_staff.staff

pytestmark = pytest.mark.browser

OVERVIEW = "/gestione/procedimenti/1/tavoli"  # the demo procedure is the first one
MINE = "/tavoli/iscrizioni"


def look(page, name: str) -> None:
    """axe-core clean, and a full-page screenshot to look at."""
    check_a11y(page)
    screenshot(page, f"tables-registrations-{name}")


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


def tick_group(page, name: str) -> None:
    """Tick a table group of the Formazione/Lavoro axis by its label (the box is drawn on it)."""
    box = page.get_by_role("group", name="Tavoli dell'asse Formazione/Lavoro").get_by_label(
        re.compile(rf"^{re.escape(name)}(\s*\(.*\))?$"))
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked(), name


@pytest.fixture(scope="module")
def outbox(live_database_url):
    reader = Outbox(live_database_url)
    yield reader
    reader.engine.dispose()


def plan_session(staff, title: str) -> str:
    """The RUP plans a future joint session with one place; returns its staff registrations URL."""
    staff.goto(OVERVIEW)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Nuovo incontro").click()
    choose_axis(staff, "Formazione/Lavoro")
    tick_group(staff, "Bologna Ovest")
    tick_group(staff, "Bologna Est")
    field(staff, "Giorno").fill((rome_today() + timedelta(days=30)).isoformat())
    field(staff, "Ora di inizio").fill("09:30")
    field(staff, "Ora di fine").fill("12:30")
    field(staff, "Luogo").fill("Sala riunioni di prova, Bologna")
    field(staff, "Capienza (persone)").fill("1")
    field(staff, "Titolo (facoltativo)").fill(title)
    submit(staff, "Salva l'incontro")
    assert urlsplit(staff.url).path == OVERVIEW, staff.url
    row = staff.locator("#incontri tbody tr", has_text=title)
    with staff.expect_navigation():
        row.get_by_role("link", name=re.compile("^Iscrizioni")).click()
    assert re.search(r"/gestione/tavoli/incontri/\d+/iscrizioni$", staff.url), staff.url
    return urlsplit(staff.url).path


def test_an_ets_registers_two_people_for_one_place_and_the_waitlist_moves_up(staff, page, page_log, outbox):
    page_log.allow_error("422")  # the empty name, refused on purpose
    suffix = uuid.uuid4().hex[:6]
    title = f"Incontro per le iscrizioni {suffix}"
    first, second = f"Giulia Prima {suffix}", f"Marco Secondo {suffix}"
    second_email = f"marco.{suffix}@demo.coprog.it"

    # The RUP plans the session and sees its empty list -------------------------------------------
    staff_url = plan_session(staff, title)
    assert staff.locator("h1").inner_text().strip() == "Iscrizioni all'incontro"
    assert "posti occupati: 0 su 1" in staff.locator("main").inner_text()
    assert "0 iscrizioni con questi filtri" in staff.locator("#registrations-list").inner_text()
    look(staff, "staff-empty")
    look_in_english(staff, "staff-empty")

    # The ETS user sees the session among those to come ------------------------------------------
    page.set_default_timeout(10_000)
    login(page, ETS, DEMO_PASSWORD)
    page.goto(MINE)
    assert page.locator("h1").inner_text().strip() == "Iscrizioni ai tavoli"
    assert "ODV Amici del Quartiere (demo)" in page.locator("main").inner_text()
    row = page.locator("table.registrations-sessions tbody tr", has_text=title)
    assert "1 posto libero" in row.inner_text() and "Bologna Ovest + Bologna Est" in row.inner_text()
    look(page, "mine")
    look_in_english(page, "mine")

    # The form of that session: an empty name first ------------------------------------------------
    row = page.locator("table.registrations-sessions tbody tr", has_text=title)
    with page.expect_navigation():
        row.get_by_role("link", name=re.compile("^Iscrivi una persona")).click()
    assert field(page, "Ente o servizio di appartenenza").input_value() == "ODV Amici del Quartiere (demo)"
    assert page.get_by_role("radio", name="Soggetto cooptato").count() == 1  # the ODV named co-opted subjects
    look(page, "form")
    look_in_english(page, "form")
    field(page, "E-mail").fill(f"giulia.{suffix}@demo.coprog.it")
    field(page, "Tavolo (distretto)").select_option(label="Bologna Ovest")
    submit(page, "Iscrivi")
    assert page.locator("#form-errors").is_visible()
    assert "Campo obbligatorio." in page.locator("#full_name-error").inner_text()
    assert field(page, "E-mail").input_value() == f"giulia.{suffix}@demo.coprog.it"  # kept
    look(page, "form-errors")

    # First person: the place; second: the waitlist --------------------------------------------------
    field(page, "Nome e cognome").fill(first)
    submit(page, "Iscrivi")
    assert f"Iscrizione di {first} confermata." in flash(page)
    field(page, "Nome e cognome").fill(second)
    field(page, "E-mail").fill(second_email)
    field(page, "Tavolo (distretto)").select_option(label="Bologna Est")
    submit(page, "Iscrivi")
    assert f"Incontro al completo: {second} è in lista d'attesa, posizione 1." in flash(page)
    mine = page.locator("table.registrations-mine")
    assert "Posto confermato" in mine.locator("tr", has_text=first).inner_text()
    assert "In lista d'attesa, posizione 1" in mine.locator("tr", has_text=second).inner_text()
    look(page, "after-two")

    # Cancel the first, after the confirmation page ----------------------------------------------------
    with page.expect_navigation():
        mine.locator("tr", has_text=first).get_by_role("link", name=re.compile("^Annulla")).click()
    assert page.locator("h1").inner_text().strip() == "Annulla l'iscrizione"
    assert first in page.locator("main dl").inner_text()
    look(page, "cancel-confirm")
    look_in_english(page, "cancel-confirm")
    submit(page, "Sì, annulla l'iscrizione")
    assert urlsplit(page.url).path == MINE
    assert f"Iscrizione di {first} annullata. Il posto passa alla prima persona in lista d'attesa." in flash(page)
    mine = page.locator("table.registrations-mine")
    assert "Posto confermato" in mine.locator("tr", has_text=second).inner_text()
    assert "Iscrizione annullata" in mine.locator("tr", has_text=first).inner_text()
    look(page, "after-cancel")
    page.set_viewport_size({"width": 390, "height": 844})  # a delegate on a phone
    look(page, "after-cancel-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    promoted = outbox.messages(second_email, "table_promoted")
    assert len(promoted) == 1 and "si è liberato un posto" in promoted[0]

    # The RUP sees it all, filters the cancelled ones (htmx) ------------------------------------------
    staff.goto(staff_url)
    listing = staff.locator("#registrations-list")
    assert "Posto confermato" in listing.locator("tr", has_text=second).inner_text()
    assert first not in listing.inner_text()
    with staff.expect_response(lambda r: "stato=annullate" in r.url):
        staff.get_by_label("Stato").select_option(label="Annullate")
    staff.locator("#registrations-list", has_text=first).wait_for()
    assert "1 iscrizione con questi filtri" in staff.locator("#registrations-list").inner_text()
    assert "stato=annullate" in staff.url  # the address follows the filter
    look(staff, "staff-cancelled-filter")
    staff.goto(staff_url)
    look(staff, "staff-list")
    look_in_english(staff, "staff-list")
    with staff.expect_navigation():
        staff.locator("#registrations-list tr", has_text=second).get_by_role("link", name=re.compile("^Annulla")).click()
    assert second in staff.locator("main dl").inner_text()
    look(staff, "staff-cancel-confirm")
    look_in_english(staff, "staff-cancel-confirm")
    with staff.expect_navigation():
        staff.get_by_role("link", name="No, torna alle iscrizioni").click()
    assert urlsplit(staff.url).path == staff_url
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Scarica l'elenco completo (CSV)").click()
    content = Path(download.value.path()).read_text()
    assert content.startswith("nome_cognome;email;") and first in content and second in content


def test_an_ets_cannot_reach_the_staff_page(page, page_log):
    page_log.allow_error("403")
    login(page, ETS, DEMO_PASSWORD)
    response = page.goto("/gestione/tavoli/incontri/1/iscrizioni")
    assert response.status == 403


def test_an_excluded_ets_is_told_why_and_cannot_register(page, page_log):
    page_log.allow_error("403")
    login(page, "rappresentante.nuove-idee@demo.coprog.it", DEMO_PASSWORD)
    page.goto(MINE)
    callout = page.locator("main .callout").text_content()
    assert "Non puoi ancora iscrivere persone ai tavoli" in callout and "Esclusa" in callout
    assert page.locator("table.registrations-sessions").count() == 0
    look(page, "not-admitted")
    look_in_english(page, "not-admitted")
    assert page.goto(f"{MINE}/incontri/1").status == 403


def test_an_invited_body_registers_for_its_body(page):
    login(page, "invitato@demo.coprog.it", DEMO_PASSWORD)
    page.goto(MINE)
    assert "Fondazione Esempio per la Comunità" in page.locator("main").inner_text()
    look(page, "invited-body")
    links = page.get_by_role("link", name=re.compile("^Iscrivi una persona"))
    if links.count():  # the session planned by the first test, when run in the same session
        with page.expect_navigation():
            links.first.click()
        assert "Soggetto invitato" in page.locator("#iscrivi").inner_text()
        assert page.get_by_role("radio").count() == 0  # one category only: shown as text
        look(page, "invited-body-form")
        look_in_english(page, "invited-body-form")
