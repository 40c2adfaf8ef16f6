"""Contributions in Chromium, on the demo data: the first half of issue 5's acceptance.

The demo ETS user (delegate of "ODV Amici del Quartiere (demo)", admitted) adds a contribution
with an address in Casalecchio di Reno (district Reno, Lavino e Samoggia): first with every bad
input of the issue (an unknown comune for the district, a point outside the territory, a
negative capacity, a period that ends before it starts, a collaboration with itself) and a
text that is markup, refused all at once beside the fields with nothing lost; then correct.
The RUP finds it in the moderation queue and approves it; the contributor sees it published,
its text shown as text. The facilitator turns a direction of a verbale into contributions.
Without JavaScript the comune of another district is refused by the server. Every page is
checked with axe-core in Italian and in English, and photographed (make screenshots).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from .a11y import check_a11y
from .test_tables_minutes import (
    DEMO_PASSWORD,
    FACILITATOR,
    RUP,
    SLUG,
    checked,
    shot,
    signed_in,
    tick,
)

pytestmark = pytest.mark.browser

ETS = "ets@demo.coprog.it"
ORGANISATION = "ODV Amici del Quartiere (demo)"
XSS = "<img src=x onerror=alert(1)> ${alert(2)} javascript:alert(3)"
DESCRIPTION = "Una sala al piano terra per laboratori di gruppo, il martedì pomeriggio. " + XSS


@pytest.fixture(scope="module")
def demo(live_database_url, live_url):
    """What the test needs to know of the live demo data (read only): the procedure, and a
    direction of a published verbale, with actors, not turned into contributions yet."""
    engine = create_engine(live_database_url)
    with engine.connect() as connection:
        procedure = connection.execute(text("SELECT id FROM procedures WHERE slug = :s"), {"s": SLUG}).scalar_one()
        direction = connection.execute(text(
            "SELECT d.id, m.session_id FROM table_minutes_directions d"
            " JOIN table_minutes m ON m.id = d.minutes_id"
            " WHERE m.state = 'published'"
            " AND EXISTS (SELECT 1 FROM direction_actors a WHERE a.direction_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM contributions c WHERE c.direction_id = d.id)"
            " ORDER BY m.session_id DESC, d.position LIMIT 1"
        )).one()
    engine.dispose()
    return {"procedure": procedure, "direction": direction[0], "session": direction[1]}


@pytest.fixture
def no_dialogs():
    """A dialog (alert, confirm) on these pages means text ran as script: the test fails."""
    opened: list[str] = []

    def watch(page):
        page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))

    yield watch
    assert not opened, f"dialogs opened: {opened}"


def field(page, name: str):
    return page.locator(f"#{name}")


def error_of(page, name: str) -> str:
    return page.locator(f"#{name}-error").inner_text()


def choose_district(page, name: str) -> None:
    """htmx replaces the comune select with the comuni of the district."""
    with page.expect_response(lambda r: "district_id=" in r.url and r.request.method == "GET"):
        page.select_option("#district_id", label=name)
    page.wait_for_function("() => document.querySelectorAll('#comune_id optgroup').length === 0")


def open_advanced(page) -> None:
    details = page.locator("details.coprog-contribution-advanced")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def test_ets_contributes_rup_approves_contributor_sees_it_published(browser, live_url, page_log, demo, no_dialogs):
    page_log.allow_error("422")  # the bad input refused on purpose

    # The ETS: its page, then the form ----------------------------------------------------------------
    context, page = signed_in(browser, live_url, page_log, ETS)
    no_dialogs(page)
    page.goto("/contributi")
    assert page.locator("h1").inner_text().strip() == "I miei contributi"
    assert ORGANISATION in page.locator("main").inner_text()
    checked(page, "contributions-mine")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Nuovo contributo")).first.click()
    assert page.url.endswith(f"/contributi/{SLUG}/nuovo")
    checked(page, "contribution-new")

    # every bad input at once, and markup in the texts
    page.select_option("#actor", label=ORGANISATION)
    tick(page, field(page, "collaborators").get_by_label(ORGANISATION))  # with itself
    page.select_option("#axis_id", label="Abitare")
    page.select_option("#resource_type_id", label="Spazi")
    field(page, "description").fill(DESCRIPTION)
    page.locator("label[for='offer_mode-2']").click()  # Messa a disposizione
    choose_district(page, "Reno, Lavino e Samoggia")
    options = page.locator("#comune_id option").all_inner_texts()
    assert "Casalecchio di Reno" in options and "Bologna" not in options and "Vergato" not in options
    page.select_option("#comune_id", label="Casalecchio di Reno")
    field(page, "address").fill("Via Marconi 10 <b>retro</b>")
    field(page, "capacity").fill("-5")
    field(page, "capacity_note").fill("persone")
    field(page, "available_from").fill("2026-03-01")
    field(page, "available_until").fill("2026-02-01")
    open_advanced(page)
    field(page, "longitude").fill("12,4964")  # Rome: outside the territory
    field(page, "latitude").fill("41,9028")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Invia il contributo").click()
    assert navigation.value.status == 422
    assert "collaborare con sé stesso" in error_of(page, "collaborators")
    assert "fuori dal territorio" in error_of(page, "longitude")
    assert "non può essere negativa" in error_of(page, "capacity")
    assert "non può finire prima di iniziare" in error_of(page, "available_until")
    assert page.locator("#form-errors").is_visible()
    assert field(page, "description").input_value() == DESCRIPTION  # nothing lost, as typed
    assert field(page, "address").input_value() == "Via Marconi 10 <b>retro</b>"
    assert field(page, "capacity").input_value() == "-5" and field(page, "longitude").input_value() == "12,4964"
    assert page.locator("#comune_id").evaluate("s => s.options[s.selectedIndex].text") == "Casalecchio di Reno"
    check_a11y(page)
    shot(page, "contribution-new-refused")

    # corrected: sent
    tick_off = field(page, "collaborators").get_by_label(ORGANISATION)
    page.locator(f"label[for='{tick_off.get_attribute('id')}']").click()
    assert not tick_off.is_checked()
    field(page, "capacity").fill("8")
    field(page, "available_until").fill("2026-12-31")
    open_advanced(page)
    field(page, "longitude").fill("")
    field(page, "latitude").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Invia il contributo").click()
    assert re.search(r"/contributi/\d+$", page.url), page.url
    contribution_id = int(page.url.rsplit("/", 1)[1])
    assert "Contributo inviato" in page.locator(".coprog-messages").inner_text()
    assert "In attesa di moderazione" in page.locator("main").inner_text()
    checked(page, "contribution-submitted")

    # The RUP: the queue, the contribution, approve -----------------------------------------------
    staff_context, staff = signed_in(browser, live_url, page_log, RUP)
    no_dialogs(staff)
    staff.goto(f"/gestione/procedimenti/{demo['procedure']}/contributi")
    tabs = staff.locator(".coprog-manage-tabs")
    assert tabs.evaluate("e => e.scrollWidth <= e.clientWidth"), "the notice's tabs do not fit on one line"
    assert staff.locator(".coprog-manage-tabs .nav-link.active").inner_text().strip() == "Contributi"
    checked(staff, "contributions-queue")
    with staff.expect_response(lambda r: "stato=submitted" in r.url):
        staff.select_option("#filter-stato", value="submitted")
    with staff.expect_response(lambda r: "distretto=" in r.url):
        staff.select_option("#filter-distretto", label="Reno, Lavino e Samoggia")
    row = staff.locator("#contributions-list tr", has_text=str(contribution_id)).filter(has_text=ORGANISATION)
    if row.count():
        with staff.expect_navigation():
            row.first.get_by_role("link").click()
    else:  # on a later page of the list: open it directly
        staff.goto(f"/gestione/contributi/{contribution_id}")
    assert staff.url.endswith(f"/gestione/contributi/{contribution_id}")
    body = staff.locator("main").inner_text()
    assert XSS in body and "Casalecchio di Reno" in body and "Reno, Lavino e Samoggia" in body
    checked(staff, "contribution-review")
    staff.locator("label", has_text="Approva e pubblica").click()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Registra la decisione").click()
    assert "Decisione registrata" in staff.locator(".coprog-messages").inner_text()
    assert "Pubblicato" in staff.locator("main").inner_text()
    assert staff.get_by_role("button", name="Ritira dalla pubblicazione").is_visible()
    checked(staff, "contribution-review-approved")
    staff_context.close()

    # The contributor sees it published, read-only, its text as text -----------------------------
    page.goto(f"/contributi/{contribution_id}")
    main = page.locator("main").inner_text()
    assert "Pubblicato" in main and XSS in main and "Via Marconi 10 <b>retro</b>" in main
    assert page.locator(f"form[action$='/contributi/{contribution_id}']").count() == 0
    assert page.locator("main img").count() == 0
    checked(page, "contribution-published")
    page.goto("/contributi")
    row = page.locator("tr", has_text=f"Contributo n. {contribution_id}")
    assert "Pubblicato" in row.inner_text()
    context.close()


def test_facilitator_turns_a_direction_into_contributions(browser, live_url, page_log, demo, no_dialogs):
    context, page = signed_in(browser, live_url, page_log, FACILITATOR, {"width": 820, "height": 1180})
    no_dialogs(page)
    page.goto(f"/tavoli/incontri/{demo['session']}/verbale")
    url = f"/tavoli/incontri/{demo['session']}/verbale/direzioni/{demo['direction']}/contributi"
    with page.expect_navigation():
        page.locator(f"a[href='{url}']").click()
    assert page.locator("h1").inner_text().strip() == "Contributi dalla direzione"
    what = page.locator(".coprog-contribution-details dd").nth(1).inner_text().strip()
    assert field(page, "description").input_value() == what  # nothing retyped
    assert page.locator("#axis_id").evaluate("s => s.value") != ""
    assert page.locator("#district_id").evaluate("s => s.value") != ""
    assert page.locator("input[name=offer_mode]:checked").count() == 1  # suggested, to confirm
    ticked = page.locator("#actors input:checked").count()
    assert ticked >= 1
    checked(page, "contribution-from-direction")
    page.select_option("#resource_type_id", index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="Crea i contributi").click()
    assert "Contributi creati dal tavolo" in page.locator(".coprog-messages").inner_text()
    assert re.search(r"già diventata \d+ contribut", page.locator("main").inner_text(), re.I)
    checked(page, "contribution-from-direction-made")
    assert page.locator("#actors input:checked").count() == 0  # those done are not ticked again
    page.goto(f"/tavoli/incontri/{demo['session']}/verbale")
    link = page.locator(f"a[href='{url}']")
    assert link.inner_text().startswith("Già in")
    link.scroll_into_view_if_needed()
    shot(page, "contribution-verbale-link")
    context.close()


def test_without_javascript_the_server_checks_the_comune(browser, live_url, page_log):
    page_log.allow_error("422")
    from .helpers import login

    context = browser.new_context(base_url=live_url, locale="it-IT", java_script_enabled=False)
    page = context.new_page()
    page_log.attach(page)
    login(page, ETS, DEMO_PASSWORD)
    page.goto(f"/contributi/{SLUG}/nuovo")
    assert page.locator("#comune_id optgroup").count() == 6  # every comune, by district
    page.select_option("#axis_id", label="Socialità")
    page.select_option("#resource_type_id", label="Volontariato")
    field(page, "description").fill("Volontari per accompagnare alle attività sportive")
    page.locator("label[for='offer_mode-1']").click()  # Sostegno
    page.select_option("#district_id", label="Reno, Lavino e Samoggia")
    page.select_option("#comune_id", label="Bologna")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Invia il contributo").click()
    assert navigation.value.status == 422
    assert "non è nel distretto scelto" in error_of(page, "comune_id")
    assert field(page, "description").input_value() == "Volontari per accompagnare alle attività sportive"
    shot(page, "contribution-new-nojs-refused")
    context.close()
