"""The facilitator at the door, in Chromium on a phone (390×844).

The demo facilitator signs in through the real form, opens their sessions and the door of the
merged Socialità session (Bologna Est + Ovest) of the demo: undoes a check-in and checks the
person in again, searches as they type (the list changes, the page does not), adds a walk-in
(after a refused empty form, and after being offered the registered person with the same
name), and undoes the walk-in's check-in so that the demo figures end as they began.
axe-core finds nothing on either page, in Italian and in English, in each state shown.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from .a11y import check_a11y
from .conftest import PageLog
from .helpers import login, screenshot

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "coprog-demo-2025"
FACILITATOR = "facilitatore@demo.coprog.it"
PHONE = {"width": 390, "height": 844}
# The demo session whose verbale is still a draft, so its attendance is open: the afternoon
# plenary of Socialità (seed 002: Savena Idice, Pianura Est and Ovest, 25 + 21 + 22 registered).
OPEN_SESSION = re.compile(r"^Ingresso dell'incontro Plenaria del pomeriggio")
OPEN_SESSION_REGISTERED = 68
# One whose verbale is approved: attendance is closed.
CLOSED_SESSION = re.compile(r"^Ingresso dell'incontro Bologna Est e Ovest \(aggregati\)")


@pytest.fixture(scope="module")
def facilitator_state(browser, live_url):
    """Sign in once through the real form; each test's context reuses the session cookie."""
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport=PHONE)
    page = context.new_page()
    login(page, FACILITATOR, DEMO_PASSWORD)
    assert "Marco Modello" in page.locator("header").inner_text()
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def phone_log():
    return PageLog()


@pytest.fixture
def phone(browser, live_url, facilitator_state, phone_log):
    """A phone-sized page signed in as the demo facilitator, with the checks of the `page`
    fixture: nothing asked of another host, no console error."""
    context = browser.new_context(
        base_url=live_url, locale="it-IT", viewport=PHONE, is_mobile=True, has_touch=True,
        storage_state=facilitator_state,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    phone_log.attach(page)
    yield page
    context.close()
    assert not phone_log.foreign_requests(live_url), phone_log.foreign_requests(live_url)
    assert not phone_log.unexpected_errors(), phone_log.unexpected_errors()


def look(page, name: str) -> None:
    """axe-core clean, and a full-page screenshot to look at."""
    check_a11y(page)
    screenshot(page, name)


def look_in_english(page, name: str) -> None:
    """The same page through the header's language switch, checked; then back to Italian."""
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation() as navigation:
        page.locator("header").get_by_role("link", name="English").click()
    assert navigation.value.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    assert urlsplit(page.url).path == here.path
    look(page, f"{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"


def open_door(page, session=OPEN_SESSION) -> str:
    page.goto("/tavoli/facilitatore")
    with page.expect_navigation():
        page.get_by_role("link", name=session).click()
    assert re.search(r"/tavoli/incontri/\d+/ingresso$", page.url), page.url
    if session is OPEN_SESSION:
        assert not page.locator("#door-problem").count(), "the demo plenary's attendance is closed"
    return page.url


def counter(page) -> tuple[int, int]:
    present, registered = re.search(r"Presenti (\d+) su (\d+) iscritti", page.locator("#door-counter").inner_text()).groups()
    return int(present), int(registered)


def row_of(page, name: str):
    return page.locator("#door-list li.door-person").filter(has=page.locator(".door-person-name", has_text=name))


# The facilitator's home and the door page ---------------------------------------------------------


def test_home_lists_the_sessions_with_their_doors(phone):
    phone.goto("/tavoli/facilitatore")
    assert phone.locator("h1").inner_text() == "I miei tavoli"
    main = phone.locator("main")
    expect(main.get_by_role("heading", name="Incontri passati")).to_be_visible()
    assert "Nessun incontro oggi." in main.inner_text()  # the demo sessions are all of 2025
    assert main.get_by_role("link", name=re.compile("^Ingresso dell'incontro ")).count() == 15
    merged = main.locator("li.door-session").filter(has_text="Bologna Est e Ovest (aggregati)")
    assert "Presenti 50 su 63 iscritti" in merged.inner_text()  # seed 002: 36 + 27 registered, 50 came
    look(phone, "door-home")
    look_in_english(phone, "door-home")


def test_door_page_on_a_phone(phone):
    open_door(phone)
    assert counter(phone)[1] == OPEN_SESSION_REGISTERED
    assert phone.get_by_label("Cerca per nome o ente").is_visible()
    assert phone.locator("#door-list li.door-person").count() == 50  # the first 50, then a hint
    assert "Ci sono altre persone" in phone.locator("#door-list").inner_text()
    # big touch targets, and nothing wider than the phone
    box = phone.locator("#door-list button.door-btn").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    look(phone, "door")
    look_in_english(phone, "door")


def test_door_of_a_session_with_approved_minutes_says_so(phone):
    open_door(phone, CLOSED_SESSION)
    assert "Il verbale è approvato" in phone.locator("#door-problem").inner_text()
    assert not phone.locator("#door-list button").count() and not phone.locator("#walk-in-form").count()
    assert counter(phone) == (50, 63)  # seed 002: 36 + 27 registered, 50 came
    look(phone, "door-closed")


# At the door -------------------------------------------------------------------------------------


def test_undo_check_in_again_and_search_as_you_type(phone):
    door_url = open_door(phone)
    before = counter(phone)
    row = phone.locator("#door-list li.door-person.is-present").first
    name = row.locator(".door-person-name").inner_text()
    row_id = row.get_attribute("id")

    row.get_by_role("button", name=f"Annulla la presenza di {name}").click()
    row = phone.locator(f"#{row_id}")
    expect(row.get_by_role("button", name=f"Segna presente {name}")).to_be_visible()
    expect(phone.locator("#door-announce")).to_have_text(f"Presenza di {name} annullata.")
    assert counter(phone) == (before[0] - 1, before[1])
    assert phone.evaluate("document.activeElement.id") == f"{row_id}-action"  # the focus stays on the row
    look(phone, "door-undone")

    phone.keyboard.press("Enter")  # the keyboard: the focused button, now "Segna presente"
    expect(row.locator(".door-present")).to_have_text(re.compile(r"Presente alle \d\d:\d\d"))
    expect(phone.locator("#door-announce")).to_contain_text(f"{name}: presente alle")
    assert counter(phone) == before

    # search as you type: the list changes, the page stays
    surname = name.split()[-1]
    phone.get_by_label("Cerca per nome o ente").press_sequentially(surname[:5].lower(), delay=60)
    expect(phone.locator("#door-results")).to_contain_text("trovat")
    phone.wait_for_function(  # the filtered list has replaced the whole one (slow machines)
        "(part) => [...document.querySelectorAll('#door-list .door-person-name')]"
        ".every((e) => e.textContent.toLowerCase().includes(part))", arg=surname[:5].lower())
    shown = phone.locator("#door-list .door-person-name").all_inner_texts()
    assert name in shown and all(surname[:5].lower() in s.lower() for s in shown), shown
    assert phone.url == door_url
    expect(phone.locator("#door-search-status")).to_contain_text("trovat")  # read out, not shown
    look(phone, "door-search")


def test_walk_in(phone, phone_log):
    phone_log.allow_error("422")  # the empty form, refused on purpose
    door_url = open_door(phone)
    before = counter(phone)
    walk_in = phone.locator("#walk-in")

    # an empty form: refused beside the fields, nothing saved
    with phone.expect_navigation():
        walk_in.get_by_role("button", name="Aggiungi e segna presente").click()
    assert phone.evaluate("document.activeElement.id") == "form-errors"
    assert "Campo obbligatorio." in phone.locator("#full_name-error").inner_text()
    assert "Scegli il tavolo" in phone.locator("#group_id-error").inner_text()
    assert counter(phone) == before
    look(phone, "door-walk-in-errors")

    # the name of someone registered: offered to mark them instead
    registered = phone.locator("#door-list .door-person-name").first.inner_text()
    phone.get_by_label("Nome e cognome").fill(registered.upper())
    phone.get_by_label("Tavolo (distretto)").select_option(label="Savena Idice")
    phone.get_by_label("Categoria").select_option(label="Privato sociale – ETS")
    with phone.expect_navigation():
        walk_in.get_by_role("button", name="Aggiungi e segna presente").click()
    matches = phone.locator("#walk-in-matches")
    expect(matches).to_be_focused()
    assert registered in matches.inner_text() and counter(phone) == before
    look(phone, "door-walk-in-matches")

    # a new person: added and present in one step
    guest = f"Ospite Prova {uuid.uuid4().hex[:6]}"
    phone.get_by_label("Nome e cognome").fill(guest)
    phone.get_by_label("Ente, Comune o servizio").fill("Associazione di passaggio (prova)")
    with phone.expect_navigation():
        walk_in.get_by_role("button", name="Aggiungi comunque come persona non iscritta").click()
    assert urlsplit(phone.url).path == urlsplit(door_url).path
    assert re.search(rf"{guest}: presente alle \d\d:\d\d, senza iscrizione\.", phone.locator(".coprog-messages").inner_text())
    row = row_of(phone, guest)
    assert "senza iscrizione" in row.inner_text() and "Presente alle" in row.inner_text()
    assert counter(phone) == (before[0] + 1, before[1])  # present, not registered
    assert "(di cui 1 senza iscrizione)" in phone.locator("#door-counter").inner_text()
    look(phone, "door-walk-in-added")

    # leave the demo figures as they were: the walk-in is no longer present
    row.get_by_role("button", name=f"Annulla la presenza di {guest}").click()
    expect(row.get_by_role("button", name=f"Segna presente {guest}")).to_be_visible()
    assert counter(phone) == before


def test_without_javascript(browser, live_url, facilitator_state):
    """Plain forms: the search is a GET, a tap a POST answered by a redirect back to the door
    with the search kept and the message on top."""
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport=PHONE, java_script_enabled=False,
                                  storage_state=facilitator_state)
    log = PageLog()
    try:
        page = context.new_page()
        log.attach(page)
        door_url = open_door(page)
        name = page.locator("#door-list li.door-person.is-present .door-person-name").first.inner_text()
        page.get_by_label("Cerca per nome o ente").fill(name)
        with page.expect_navigation():
            page.get_by_role("button", name="Cerca", exact=True).click()
        assert urlsplit(page.url).query == "q=" + quote(name).replace("%20", "+")
        with page.expect_navigation():
            row_of(page, name).get_by_role("button", name=f"Annulla la presenza di {name}").click()
        assert page.url.startswith(door_url + "?q=") and page.url.endswith("#" + row_of(page, name).get_attribute("id"))
        assert f"Presenza di {name} annullata." in page.locator(".coprog-messages").inner_text()
        assert page.get_by_label("Cerca per nome o ente").input_value() == name  # the search kept
        with page.expect_navigation():
            row_of(page, name).get_by_role("button", name=f"Segna presente {name}").click()
        assert f"{name}: presente alle" in page.locator(".coprog-messages").inner_text()
        screenshot(page, "door-no-js")  # axe-core needs JavaScript
    finally:
        context.close()
    assert not log.foreign_requests(live_url) and not log.unexpected_errors(), log.unexpected_errors()
