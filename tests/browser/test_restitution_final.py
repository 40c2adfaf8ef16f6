"""The final document and the transparency register in Chromium, on the demo procedure (whose
final document the demo publishes).

The RUP opens the "Documento finale" tab, withdraws the published document (it goes back to a
draft computed from the data), approves it, is refused publication without the confirmation,
then publishes it. The public reaches it from the restitution, prints it (the navigation goes,
the content stays), downloads the PDF whose SHA-256 the page shows, and finds it in the
transparency register with every other act. axe-core clean, it and en; screenshots in
test-artifacts/screenshots/final-*.png.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from .a11y import check_a11y
from .test_tables_minutes import RUP, SLUG, checked, shot, signed_in, tick

pytestmark = pytest.mark.browser


def state_of(page) -> str:
    return page.locator("#stato-title").inner_text()


def test_rup_republishes_and_the_public_reads_prints_and_verifies(browser, live_url, page_log, page):
    page_log.allow_error("422")  # the publication without its confirmation, refused on purpose
    context, staff = signed_in(browser, live_url, page_log, RUP)
    staff.goto("/gestione/avvisi/1")
    with staff.expect_navigation():
        staff.locator(".coprog-manage-tabs").get_by_role("link", name="Documento finale").click()
    assert state_of(staff) == "Stato: Pubblicato"
    assert staff.locator(".coprog-manage-tabs").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert re.search(r"SHA-256: [0-9a-f]{64}", staff.locator("#stato").inner_text())
    checked(staff, "final-manage-published")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Ritira e riapri per correggerlo").click()
    assert state_of(staff) == "Stato: Bozza"
    assert "Tavoli svolti" in staff.locator("#documento").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Approva il documento").click()
    assert "contenuto è ora fissato" in staff.locator(".coprog-messages").inner_text()
    with staff.expect_navigation() as answer:
        staff.get_by_role("button", name="Pubblica il documento").click()
    assert answer.value.status == 422
    assert "Conferma la pubblicazione." in staff.locator("#stato").inner_text()
    check_a11y(staff)  # the answer to a POST: no language switch here
    shot(staff, "final-refused")
    tick(staff, staff.locator("#confirm"))
    with staff.expect_navigation():
        staff.get_by_role("button", name="Pubblica il documento").click()
    assert state_of(staff) == "Stato: Pubblicato"
    context.close()

    # the public: from the restitution to the document, printed, its PDF verified
    page.goto(f"/avvisi/{SLUG}/restituzione")
    with page.expect_navigation():
        page.get_by_role("link", name="Il documento di sintesi (pagina e PDF)").click()
    assert page.url.endswith(f"/avvisi/{SLUG}/documento-di-sintesi")
    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Documento di sintesi"
    digest = re.search(r"SHA-256: ([0-9a-f]{64})", main.inner_text()).group(1)
    assert main.locator("section[aria-labelledby=fd-tavoli] tbody tr").count() >= 15
    checked(page, "final-public")
    page.emulate_media(media="print")
    assert not page.locator(".it-header-wrapper").is_visible()
    assert not page.locator(".breadcrumb-container").is_visible()
    assert page.get_by_role("heading", name="Partecipanti per asse e categoria").is_visible()
    shot(page, "final-print")
    page.emulate_media(media="screen")
    pdf = page.request.get(page.get_by_role("link", name="Scarica il documento in PDF").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.body()).hexdigest() == digest

    # the transparency register: the document among the acts, each link serving its digest
    page.goto(f"/avvisi/{SLUG}")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Amministrazione trasparente")).click()
    assert page.locator("h1").inner_text() == "Amministrazione trasparente"
    rows = page.locator("table.coprog-acts tbody tr")
    assert rows.count() >= 18  # 3 documents, the admitted list, 14 verbali, the synthesis, the document
    final_row = rows.filter(has_text="Documento di sintesi")
    assert final_row.locator("code").inner_text() == digest
    checked(page, "final-transparency")
    for index in (0, rows.count() // 2):
        row = rows.nth(index)
        served = page.request.get(row.locator("a").get_attribute("href"))
        assert served.ok and hashlib.sha256(served.body()).hexdigest() == row.locator("code").inner_text()
