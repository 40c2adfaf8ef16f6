"""The minutes (verbale) in Chromium, on the demo data.

The demo publishes 14 verbali and leaves the last Socialità session's (the afternoon plenary of
Savena Idice, Pianura Est and Pianura Ovest) as a draft with Part 1 half written: the demo
facilitator completes it on a tablet (Part 1 and Part 2, with htmx, a refused empty item
included) and approves it; the demo RUP publishes it; anyone reads the public verbale (counts,
no names) and downloads its PDF; the document prints without the navigation. Every page is
checked with axe-core in Italian and in English, and photographed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import create_engine, text

from .a11y import check_a11y
from .helpers import login, screenshot

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "coprog-demo-2025"
FACILITATOR = "facilitatore@demo.coprog.it"
RUP = "rup@demo.coprog.it"
SLUG = "bds-bologna-2025"
shot = screenshot  # the name the other browser tests import from here
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def demo(live_database_url, live_url):
    """What the test needs to know of the live demo data (read only)."""
    engine = create_engine(live_database_url)
    with engine.connect() as connection:
        draft = connection.execute(text(
            "SELECT session_id FROM table_minutes WHERE state = 'draft' ORDER BY session_id"
        )).scalars().all()
        published = connection.execute(text(
            "SELECT session_id FROM table_minutes WHERE state = 'published' ORDER BY session_id"
        )).scalars().all()
        names = connection.execute(text(
            "SELECT full_name FROM table_registrations WHERE session_id = :s"), {"s": draft[0]}).scalars().all()
    engine.dispose()
    assert len(draft) == 1 and len(published) == 14, (draft, published)
    return {"session": draft[0], "published": published, "registrants": names}


def checked(page, name: str) -> None:
    """axe-core clean in Italian and in English (the header's switch), with screenshots."""
    check_a11y(page)
    shot(page, name)
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en" and urlsplit(page.url).path == here.path
    check_a11y(page)
    shot(page, f"{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"


def signed_in(browser, live_url, page_log, email: str, viewport=None):
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport=viewport or {"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page_log.attach(page)
    login(page, email, DEMO_PASSWORD)
    assert "/accedi" not in page.url, f"{email} could not sign in"
    return context, page


def part(page, kind: str):
    return page.locator(f"#voci-{kind}")


def tick(page, box) -> None:
    """Bootstrap Italia draws the box on the label: click the label, as a user does."""
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked()


def items(page, kind: str):
    return part(page, kind).locator("ol.coprog-minutes-items > li")


def add_finding(page, kind: str, label: str, text_: str) -> None:
    """Through htmx: the list is swapped in place, the page is not reloaded."""
    section = part(page, kind)
    section.get_by_label(label).fill(text_)
    with page.expect_response(re.compile(r"/verbale/parte-1/")):
        section.get_by_role("button", name="Aggiungi").click()
    items(page, kind).locator("p", has_text=text_).wait_for()


def test_without_javascript_the_editor_still_works(browser, live_url, page_log, demo):
    """Plain forms and redirects: an item added, an empty one refused beside its field."""
    page_log.allow_error("422")
    context = browser.new_context(base_url=live_url, locale="it-IT", java_script_enabled=False)
    page = context.new_page()
    page_log.attach(page)
    login(page, FACILITATOR, DEMO_PASSWORD)
    page.goto(f"/tavoli/incontri/{demo['session']}/verbale")
    needs = part(page, "bisogno")
    needs.get_by_label("Nuovo bisogno").fill("Uno sportello serale per le famiglie")
    with page.expect_navigation():
        needs.get_by_role("button", name="Aggiungi").click()
    assert page.url.endswith("#voci-bisogno") and "Voce aggiunta." in page.locator(".coprog-messages").inner_text()
    assert "Uno sportello serale per le famiglie" in part(page, "bisogno").inner_text()
    with page.expect_navigation() as navigation:
        part(page, "criticita").get_by_role("button", name="Aggiungi").click()
    assert navigation.value.status == 422
    assert "Campo obbligatorio." in page.locator("#nuova-criticita-text-error").inner_text()
    assert page.locator("#form-errors").is_visible()
    shot(page, "minutes-editor-nojs-refused")
    page.goto(f"/tavoli/incontri/{demo['published'][0]}/verbale/documento")
    assert not page.get_by_role("button", name="Stampa").is_visible()  # needs JavaScript: hidden
    context.close()


def test_facilitator_writes_and_approves_rup_publishes_public_reads(browser, live_url, page_log, demo):
    page_log.allow_error("422")  # the empty item refused on purpose
    session_id = demo["session"]
    editor = f"/tavoli/incontri/{session_id}/verbale"

    # The facilitator, on a tablet ------------------------------------------------------------------
    context, page = signed_in(browser, live_url, page_log, FACILITATOR, TABLET)
    page.goto(editor)
    assert page.locator("h1").inner_text().strip() == "Verbale dell'incontro"
    facts = page.locator(".coprog-minutes-facts").inner_text()
    for expected in ("Socialità", "Pianura Est", "Savena Idice", "Pomeriggio", "Marco Modello"):
        assert expected in facts, expected
    attendance = page.locator(".coprog-minutes-attendance").inner_text()
    assert re.search(r"AUSL\s+\d+", attendance) and re.search(r"Totale.*46", attendance, re.S)  # seed 002: 46
    assert "Bozza" in page.locator("#stato-title").inner_text()
    checked(page, "minutes-editor-draft")

    add_finding(page, "bisogno", "Nuovo bisogno", "Trasporti serali tra i comuni della pianura")
    add_finding(page, "criticita", "Nuova criticità", "Le attività estive chiudono ad agosto: nessuna alternativa")
    add_finding(page, "aspirazione", "Nuova aspirazione", "Una festa di quartiere organizzata insieme")
    shot(page, "minutes-editor-part1")

    # an empty item: refused beside the field, nothing added, the page not reloaded
    before = items(page, "aspirazione").count()
    with page.expect_response(lambda r: "/parte-1/aspirazione" in r.url and r.status == 422):
        part(page, "aspirazione").get_by_role("button", name="Aggiungi").click()
    error = part(page, "aspirazione").locator(".invalid-feedback")
    error.wait_for()
    assert "Campo obbligatorio." in error.inner_text()
    assert items(page, "aspirazione").count() == before
    assert page.locator("#form-errors").evaluate("e => e === document.activeElement")
    shot(page, "minutes-editor-refused")

    # edit, move and delete a finding
    last = items(page, "bisogno").last
    last.locator("summary").click()
    last.get_by_label(re.compile("^Testo della voce")).fill("Trasporti serali e festivi tra i comuni della pianura")
    with page.expect_response(re.compile(r"/voci/\d+$")):
        last.get_by_role("button", name="Salva").click()
    items(page, "bisogno").locator("p", has_text="Trasporti serali e festivi").wait_for()
    with page.expect_response(re.compile(r"/sposta$")):
        items(page, "bisogno").last.get_by_role("button", name=re.compile("^Sposta su")).click()
    page.wait_for_function("() => document.querySelector('#voci-bisogno ol > li:nth-last-child(2)').innerText.includes('festivi')")
    page.once("dialog", lambda dialog: dialog.accept())
    count = items(page, "bisogno").count()
    with page.expect_response(re.compile(r"/elimina$")):
        items(page, "bisogno").first.get_by_role("button", name=re.compile("^Elimina")).click()
    page.wait_for_function(f"() => document.querySelectorAll('#voci-bisogno ol > li').length === {count - 1}")

    # Part 2: a direction with an entity from the list, a service named by text, and the 3 answers
    new = page.locator(".coprog-direction-new")
    tick(page, new.get_by_label("Polisportiva Dimostrativa APS (demo)"))
    tick(page, new.get_by_label("Cittadino (nome non pubblicato)").first)
    new.get_by_label("Altri soggetti da nominare, uno per riga").fill("Biblioteca comunale di San Lazzaro")
    new.get_by_label("Descrizione libera").fill("Le società sportive dei tre distretti")
    new.get_by_label(re.compile("^Cosa può essere messo in campo")).fill("Tornei misti aperti a tutti, una volta al mese")
    new.get_by_label("Come collaborare").fill("Calendario condiviso e un referente per società")
    with page.expect_response(re.compile(r"/verbale/parte-2$")):
        new.get_by_role("button", name="Aggiungi la direzione").click()
    card = page.locator("#direzioni article").filter(has_text="Tornei misti")
    card.wait_for()
    for expected in ("Polisportiva Dimostrativa APS (demo)", "Cittadino (nome non pubblicato)",
                     "Biblioteca comunale di San Lazzaro", "Servizio pubblico", "Calendario condiviso"):
        assert expected in card.inner_text(), expected
    page.locator("#note textarea").fill("Prossimo incontro di verifica a marzo.")
    with page.expect_response(re.compile(r"/verbale/note$")):
        page.locator("#note").get_by_role("button", name="Salva le note").click()
    shot(page, "minutes-editor-written")

    # approve, with the confirmation
    page.get_by_text("Approva il verbale", exact=True).click()
    tick(page, page.get_by_label(re.compile("^Confermo che il verbale è completo")))
    with page.expect_navigation():
        page.get_by_role("button", name="Approva", exact=True).click()
    assert "Verbale approvato." in page.locator(".coprog-messages").inner_text()
    assert "Approvato" in page.locator("#stato-title").inner_text()
    assert page.locator(".js-add-form").count() == 0  # read-only now
    assert page.get_by_text("Pubblica il verbale").count() == 0  # facilitators do not publish
    checked(page, "minutes-editor-approved")

    # the printable document
    with page.expect_navigation():
        page.get_by_role("link", name="Documento del verbale (stampabile)").click()
    assert "Marco Modello" in page.locator(".coprog-minutes-facts").inner_text()
    assert page.get_by_role("button", name="Stampa").is_visible()
    checked(page, "minutes-document")
    page.emulate_media(media="print")
    assert not page.locator(".it-header-wrapper").is_visible()
    assert not page.locator(".it-footer").is_visible()
    assert not page.locator(".breadcrumb-container").is_visible()
    assert not page.locator(".coprog-minutes-toolbar").is_visible()
    assert page.locator("#verbale-title").is_visible()
    assert page.get_by_text("Tornei misti aperti a tutti").is_visible()
    shot(page, "minutes-document-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica il PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    context.close()

    # The RUP publishes -----------------------------------------------------------------------------
    context, page = signed_in(browser, live_url, page_log, RUP)
    page.goto(editor)
    page.get_by_text("Pubblica il verbale", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Pubblica", exact=True).click()
    assert page.locator("#pubblica-confirm-error").is_visible()  # not confirmed: refused, 422
    tick(page, page.get_by_label(re.compile("^Confermo la pubblicazione")))
    with page.expect_navigation():
        page.get_by_role("button", name="Pubblica", exact=True).click()
    assert "Verbale pubblicato." in page.locator(".coprog-messages").inner_text()
    checked(page, "minutes-editor-published")
    context.close()

    # Anyone reads the public verbale ----------------------------------------------------------------
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page_log.attach(page)
    page.goto(f"/avvisi/{SLUG}/tavoli/{session_id}/verbale")
    body = page.locator("main").inner_text()
    assert re.search(r"Totale\s+(\d+\s+)*46", body) and "Iscritti all'incontro" in body
    for expected in ("Tornei misti aperti a tutti", "Polisportiva Dimostrativa APS (demo)", "Cittadino (nome non pubblicato)"):
        assert expected in body, expected
    for name in ("Marco Modello", "Cittadino Volenteroso", "Anna Esempio", *demo["registrants"]):
        assert name not in body, name
    checked(page, "minutes-public")
    response = page.request.get(f"/avvisi/{SLUG}/tavoli/{session_id}/verbale.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    context.close()


def test_a_published_demo_verbale_in_public(page, demo):
    session_id = demo["published"][0]
    page.goto(f"/avvisi/{SLUG}/tavoli/{session_id}/verbale")
    assert "Parte 2 – Direzioni di innovazione" in page.locator("main").inner_text()
    assert page.locator(".coprog-minutes-doc-direction").count() == 4
    check_a11y(page)
    shot(page, "minutes-public-demo")
    page.emulate_media(media="print")
    assert not page.locator(".it-header-wrapper").is_visible()
    assert page.locator("#verbale-title").is_visible()
