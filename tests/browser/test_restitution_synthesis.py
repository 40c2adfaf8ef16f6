"""The synthesis editor in Chromium, as the RUP, on the demo procedure (published by the demo).

From the notice's management tabs to the synthesis; reopen it; an item with an empty title is
refused beside the field with the description kept; then added; on its page the source search
(htmx) finds sessions and contributions and links one of each; the counts follow; approve,
then publish, which needs its confirmation. axe-core clean on each page, it and en; screenshots
(make screenshots) in test-artifacts/screenshots/synthesis-*.png.
"""

from __future__ import annotations

import re

import pytest

from .a11y import check_a11y
from .test_tables_minutes import RUP, checked, shot, signed_in, tick

pytestmark = pytest.mark.browser

TITLE = "Trasporti tra i comuni per raggiungere attività e lavoro"


def test_rup_composes_links_sources_and_publishes(browser, live_url, page_log):
    page_log.allow_error("422")  # the empty title, refused on purpose
    context, page = signed_in(browser, live_url, page_log, RUP)
    page.goto("/gestione/avvisi/1")
    with page.expect_navigation():
        page.locator(".coprog-manage-tabs").get_by_role("link", name="Sintesi").click()
    assert page.locator(".coprog-manage-tabs .nav-link.active").inner_text().strip() == "Sintesi"
    assert page.locator(".coprog-manage-tabs").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert "Pubblicata" in page.locator("#stato").inner_text()
    assert page.locator("#sezione-cross_cutting li").count() == 9  # seed 002's nine directions
    checked(page, "synthesis-published")
    with page.expect_navigation():
        page.get_by_role("button", name="Ritira e riapri per correggerla").click()
    assert "Sintesi riaperta" in page.locator(".coprog-messages").inner_text()

    # an empty title: refused beside the field, the description kept
    section = page.locator("#sezione-cross_cutting")
    section.locator("summary").click()
    section.get_by_label("Descrizione (facoltativa)").fill("Navette serali e festive <b>tra i comuni</b>")
    with page.expect_navigation() as answer:
        section.get_by_role("button", name="Aggiungi").click()
    assert answer.value.status == 422
    section = page.locator("#sezione-cross_cutting")
    assert "Campo obbligatorio." in section.locator(".invalid-feedback, .form-feedback, [id$=-error]").first.inner_text()
    assert section.get_by_label("Descrizione (facoltativa)").input_value() == "Navette serali e festive <b>tra i comuni</b>"
    check_a11y(page)  # the answer to a POST: no language switch here
    shot(page, "synthesis-refused")
    page.locator("#sezione-cross_cutting").get_by_label(re.compile("^Titolo della voce")).fill(TITLE)
    with page.expect_navigation():
        page.locator("#sezione-cross_cutting").get_by_role("button", name="Aggiungi").click()
    assert "Voce aggiunta." in page.locator(".coprog-messages").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()

    # the item's page: search and link a session and a contribution
    assert page.locator("h1").inner_text() == TITLE
    assert "Emersa da 0 incontri e 0 contributi." in page.locator("main").inner_text()
    results = page.locator("#candidati")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Parole nel verbale o nel contributo").fill("comuni")
    assert re.match(r"\d+ risultat", results.locator("[role=status]").inner_text())
    checked(page, "synthesis-item")
    with page.expect_navigation():
        results.get_by_role("button", name=re.compile("^Collega")).first.click()
    assert "Fonte collegata." in page.locator(".coprog-messages").inner_text()
    with page.expect_response(lambda r: "tipo=contributi" in r.url):
        page.locator("label[for=tipo-contributi]").click()
    with page.expect_navigation():
        page.locator("#candidati").get_by_role("button", name=re.compile("^Collega")).first.click()
    assert "Emersa da 1 incontro e 1 contributo." in page.locator("main").inner_text()
    assert page.locator("#fonti li").count() >= 2
    shot(page, "synthesis-item-linked")

    # approve, then publish with its confirmation
    with page.expect_navigation():
        page.get_by_role("link", name="Sintesi").last.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Approva la sintesi").click()
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Pubblica la sintesi").click()
    assert answer.value.status == 422 and "Conferma la pubblicazione." in page.locator("#stato").inner_text()
    tick(page, page.get_by_label(re.compile("^Confermo la pubblicazione")))
    with page.expect_navigation():
        page.get_by_role("button", name="Pubblica la sintesi").click()
    assert "Sintesi pubblicata." in page.locator(".coprog-messages").inner_text()
    assert "1 incontro, 1 contributo" in page.locator("#sezione-cross_cutting").inner_text()
    context.close()
