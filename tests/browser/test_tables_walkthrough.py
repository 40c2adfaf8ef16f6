"""Issue 4's acceptance, end to end on a phone: the facilitator's day at a table.

The demo RUP plans a session of the demo procedure with the demo facilitator and registers
eleven people through the staff pages; the session then moves to an hour ago (the RUP corrects
its time: registrations close at the start, the minutes are approved after it). On a phone
(390x844) the facilitator signs in, opens the door from the home page, checks in ten people (the
first found by typing), undoes one, adds a walk-in, writes Part 1 and Part 2 of the verbale and
approves it; the RUP publishes it; an anonymous visitor on a phone reads the public verbale:
counts by category, no name of any person. axe-core runs on every page of the flow, in Italian
and in English.

The file's name puts it after the other tables' browser tests, which count the demo sessions of
the shared live database.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from coprog.core.time import ROME, utcnow

from . import test_notices_staff as notices_staff
from .a11y import check_a11y
from .helpers import choose_axis, login, screenshot
from .test_notices_staff import DEMO_PASSWORD, field, flash, submit
from .test_tables_minutes import add_finding, tick

staff_state, staff_log, staff = notices_staff.staff_state, notices_staff.staff_log, notices_staff.staff

pytestmark = pytest.mark.browser

FACILITATOR = "facilitatore@demo.coprog.it"
FACILITATOR_NAME = "Marco Modello"
SLUG = "bds-bologna-2025"
OVERVIEW = "/gestione/procedimenti/1/tavoli"
PHONE = {"width": 390, "height": 844}
CATEGORIES = ("AUSL", "Servizi sociali – Comuni/Unioni", "Privato sociale – ETS")


def checked(page, name: str) -> None:
    """axe-core clean in Italian, then in English (the header's language link), and back."""
    check_a11y(page)
    screenshot(page, f"walkthrough-{name}")
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    check_a11y(page)
    screenshot(page, f"walkthrough-{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"


def tick_label(page, group: str, label: str) -> None:
    box = page.get_by_role("group", name=group).get_by_label(re.compile(rf"^{re.escape(label)}"))
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked(), label


def session_times(now: datetime) -> tuple[str, str, str]:
    """Day, start and end (Rome) of a session that started up to an hour ago, within the day."""
    start = max(now.replace(hour=0, minute=0, second=0, microsecond=0), now - timedelta(hours=1))
    end = min(start + timedelta(hours=3), now.replace(hour=23, minute=59))
    return start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}"


def plan_and_register(staff, title: str, people: list[str]) -> int:
    """The RUP plans tomorrow's session, registers the people, then moves it to an hour ago."""
    staff.goto(OVERVIEW)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Nuovo incontro").click()
    # htmx replaces the groups with the chosen axis's only: tick after the swap, not before
    choose_axis(staff, "Abitare")
    tick_label(staff, "Tavoli dell'asse Abitare", "Pianura Ovest")
    tomorrow = (utcnow().astimezone(ROME) + timedelta(days=1)).date()
    field(staff, "Giorno").fill(tomorrow.isoformat())
    field(staff, "Ora di inizio").fill("17:00")
    field(staff, "Ora di fine").fill("19:00")
    field(staff, "Luogo").fill("Casa della Comunità, San Giovanni in Persiceto (prova)")
    field(staff, "Titolo (facoltativo)").fill(title)
    tick_label(staff, "Facilitatori", FACILITATOR_NAME)
    submit(staff, "Salva l'incontro")
    row = staff.locator("#incontri tbody tr", has_text=title)
    with staff.expect_navigation():
        row.get_by_role("link", name=re.compile("^Iscrizioni")).click()
    session_id = int(re.search(r"/incontri/(\d+)/iscrizioni", staff.url)[1])
    for n, name in enumerate(people):
        field(staff, "Nome e cognome").fill(name)
        field(staff, "E-mail").fill(f"persona.{n}.{title[-6:]}@demo.coprog.it")
        field(staff, "Ente o servizio di appartenenza").fill("Ente di prova")
        staff.locator("#category").select_option(label=CATEGORIES[n % 3])
        submit(staff, "Aggiungi")
        assert name in staff.locator("#registrations-list").inner_text(), flash(staff)
    staff.goto(f"/gestione/tavoli/incontri/{session_id}/modifica")
    day, start, end = session_times(utcnow().astimezone(ROME))
    field(staff, "Giorno").fill(day)
    field(staff, "Ora di inizio").fill(start)
    field(staff, "Ora di fine").fill(end)
    submit(staff, "Salva l'incontro")
    assert "/modifica" not in staff.url, staff.locator("main").inner_text()[:500]
    return session_id


def test_a_facilitator_runs_the_door_and_the_minutes_on_a_phone(staff, browser, live_url, page_log):
    suffix = uuid.uuid4().hex[:6]
    title = f"Tavolo di verifica {suffix}"
    people = [f"{first} Verifica{suffix}" for first in (
        "Ada", "Bruno", "Carla", "Dario", "Elsa", "Fabio", "Gemma", "Ivo", "Lina", "Mauro", "Nora")]
    session_id = plan_and_register(staff, title, people)

    # The facilitator signs in on a phone and finds the door on the home page ---------------------
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport=PHONE, has_touch=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    page_log.attach(phone)
    login(phone, FACILITATOR, DEMO_PASSWORD)
    phone.goto("/tavoli/facilitatore")
    checked(phone, "home")
    with phone.expect_navigation():
        phone.get_by_role("link", name=re.compile(rf"^Ingresso dell'incontro .*{re.escape(title)}")).click()
    assert urlsplit(phone.url).path == f"/tavoli/incontri/{session_id}/ingresso"
    expect(phone.locator("#door-counter")).to_contain_text("0")
    checked(phone, "door")

    # ten check-ins: the first found by typing part of the name, the others from the list -------
    phone.get_by_label("Cerca per nome o ente").press_sequentially("ada verif", delay=40)
    expect(phone.locator("#door-list").get_by_role("button", name=re.compile("^Segna presente"))).to_have_count(1)
    for name in people[:10]:
        if name != people[0]:
            phone.get_by_label("Cerca per nome o ente").fill(name)
        button = phone.get_by_role("button", name=f"Segna presente {name}")
        button.click()
        expect(phone.get_by_role("button", name=f"Annulla la presenza di {name}")).to_be_visible()
    expect(phone.locator("#door-counter")).to_contain_text("10")
    # undo one: Dario did not stay
    phone.get_by_label("Cerca per nome o ente").fill(people[3])
    phone.get_by_role("button", name=f"Annulla la presenza di {people[3]}").click()
    expect(phone.get_by_role("button", name=f"Segna presente {people[3]}")).to_be_visible()
    expect(phone.locator("#door-counter")).to_contain_text("9")
    # a walk-in: someone who did not register
    walk_in = phone.locator("#walk-in-form")
    walk_in.get_by_label("Nome e cognome").fill(f"Ospite Imprevisto {suffix}")
    walk_in.get_by_label("Ente, Comune o servizio").fill("Comune di Crevalcore – Servizi sociali")
    walk_in.get_by_label("Categoria").select_option(label="Servizi sociali – Comuni/Unioni")
    walk_in.get_by_role("button", name="Aggiungi e segna presente").click()
    expect(phone.locator("#door-counter")).to_contain_text("10")
    checked(phone, "door-after")

    # the verbale: Part 1 and Part 2, then approval -----------------------------------------------
    phone.goto(f"/tavoli/incontri/{session_id}/verbale")
    attendance = phone.locator(".coprog-minutes-attendance").inner_text()
    assert re.search(r"Totale\D*10", attendance, re.S), attendance
    add_finding(phone, "bisogno", "Nuovo bisogno", "Un alloggio di transizione vicino alla stazione")
    add_finding(phone, "criticita", "Nuova criticità", "Attese lunghe per le graduatorie ERP")
    add_finding(phone, "aspirazione", "Nuova aspirazione", "Coabitazioni tra giovani adulti e anziani soli")
    new = phone.locator(".coprog-direction-new")
    tick(phone, new.get_by_label("Cooperativa Sociale Lavoro Dimostrativo (demo)"))
    new.get_by_label("Altri soggetti da nominare, uno per riga").fill("Comune di Sant'Agata Bolognese")
    new.get_by_label(re.compile("^Cosa può essere messo in campo")).fill("Due appartamenti per l'abitare accompagnato")
    new.get_by_label("Come collaborare").fill("Un tavolo mensile tra cooperativa, Comune e CSM")
    with phone.expect_response(re.compile(r"/verbale/parte-2$")):
        new.get_by_role("button", name="Aggiungi la direzione").click()
    phone.locator("#direzioni article").filter(has_text="Due appartamenti").wait_for()
    checked(phone, "minutes-written")
    phone.get_by_text("Approva il verbale", exact=True).click()
    tick(phone, phone.get_by_label(re.compile("^Confermo che il verbale è completo")))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Approva", exact=True).click()
    assert "Verbale approvato." in phone.locator(".coprog-messages").inner_text()
    checked(phone, "minutes-approved")
    context.close()

    # the RUP publishes ------------------------------------------------------------------------------
    staff.goto(f"/tavoli/incontri/{session_id}/verbale")
    staff.get_by_text("Pubblica il verbale", exact=True).click()
    tick(staff, staff.get_by_label(re.compile("^Confermo la pubblicazione")))
    with staff.expect_navigation():
        staff.get_by_role("button", name="Pubblica", exact=True).click()
    assert "Verbale pubblicato." in staff.locator(".coprog-messages").inner_text()

    # anyone, on a phone: counts by category and no names --------------------------------------------
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport=PHONE)
    public = context.new_page()
    page_log.attach(public)
    public.goto(f"/avvisi/{SLUG}/tavoli")
    with public.expect_navigation():
        public.locator("li, tr", has_text=title).get_by_role("link", name=re.compile("[Vv]erbale")).first.click()
    assert urlsplit(public.url).path == f"/avvisi/{SLUG}/tavoli/{session_id}/verbale"
    body = public.locator("main").inner_text()
    # 10 present: 3 AUSL, 3 + the walk-in for the social services, 3 ETS (Dario, an ETS, left)
    assert re.search(r"AUSL\D*3\b", body) and re.search(r"Servizi sociali – Comuni/Unioni\D*4\b", body), body
    assert re.search(r"Privato sociale – ETS\D*3\b", body) and re.search(r"Totale\D*10\b", body), body
    for expected in ("Due appartamenti per l'abitare accompagnato", "Cooperativa Sociale Lavoro Dimostrativo (demo)"):
        assert expected in body, expected
    for name in (*people, f"Ospite Imprevisto {suffix}", FACILITATOR_NAME, "Anna Esempio"):
        assert name not in body, name
    checked(public, "public-minutes")
    context.close()
