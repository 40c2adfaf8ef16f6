"""The public notice pages in Chromium: list, detail (Italian and English), documents, FAQ, iCal, print."""

from __future__ import annotations

import hashlib
import re

import pytest

from .a11y import check_a11y
from .helpers import screenshot
from .test_pages import switch_to_english

pytestmark = pytest.mark.browser

SLUG = "bds-bologna-2025"  # the demo procedure (coprog/demo/content.py): a closed notice
DETAIL = f"/avvisi/{SLUG}"
TITLE_START = "Avviso di co-programmazione per l'individuazione di soluzioni innovative"


def test_public_list_filters_by_state_with_the_pills(page):
    page.goto("/avvisi")
    assert page.locator("h1").inner_text().strip() == "Avvisi"
    pills = page.get_by_role("navigation", name="Filtra per stato")
    assert pills.get_by_role("link", name="Tutti").get_attribute("aria-current") == "page"
    card = page.locator("article.card", has_text=TITLE_START)
    assert card.count() == 1
    assert card.locator(".badge").text_content().strip() == "Chiuso"
    assert card.get_by_role("link").get_attribute("href") == DETAIL
    # one page of results: no pagination (other tests of the session may publish notices)
    total = int(page.get_by_role("status").text_content().split()[0])
    assert page.locator("article.card").count() == min(total, 10)
    assert page.locator(".pagination").count() == (0 if total <= 10 else 1)
    check_a11y(page)
    screenshot(page, "notices-list-it")

    with page.expect_navigation():
        pills.get_by_role("link", name="Chiuso").click()
    assert page.url.endswith("/avvisi?stato=closed")
    assert pills.get_by_role("link", name="Chiuso").get_attribute("aria-current") == "page"
    assert page.locator("article.card", has_text=TITLE_START).count() == 1
    badges = page.locator("article.card .badge").all_text_contents()
    assert {b.strip() for b in badges} == {"Chiuso"}

    with page.expect_navigation():
        pills.get_by_role("link", name="Concluso").click()
    assert page.url.endswith("/avvisi?stato=concluded")
    assert page.locator("article.card", has_text=TITLE_START).count() == 0
    if page.locator("article.card").count() == 0:
        assert page.get_by_text("Nessun avviso in questo stato.").is_visible()
    check_a11y(page)
    screenshot(page, "notices-list-concluded-it")


def test_home_page_shows_the_notice_card_linking_to_the_detail(page):
    page.goto("/")
    section = page.locator("section[aria-labelledby=notices-title]")
    link = section.get_by_role("link", name=re.compile("^" + re.escape(TITLE_START)))
    assert link.get_attribute("href") == DETAIL
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(DETAIL)
    assert page.locator("h1").inner_text().startswith(TITLE_START)


def test_detail_in_italian_shows_timeline_documents_and_faq(page):
    page.goto(DETAIL)
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.locator("h1").inner_text().startswith(TITLE_START)

    keyfacts = page.locator(".coprog-keyfacts")
    assert "lunedì 29 settembre 2025, 12:00" in keyfacts.inner_text()
    assert "Termine scaduto." in keyfacts.inner_text()

    timeline = page.locator("#cronoprogramma .coprog-timeline-item")
    texts = [timeline.nth(i).inner_text() for i in range(timeline.count())]
    deadline = next(t for t in texts if "Scadenza per la presentazione delle domande" in t)
    assert "lunedì 29 settembre 2025, 12:00" in deadline
    start = next(t for t in texts if "Incontro preliminare interno" in t)
    assert "giovedì 28 agosto 2025" in start and "incontro interno" in start
    restitution = next(t for t in texts if "Restituzione pubblica degli esiti" in t)
    assert "lunedì 15 dicembre 2025" in restitution
    # in date order: the internal start first, the public restitution last
    assert texts.index(start) < texts.index(deadline) < texts.index(restitution)
    assert texts[-1] == restitution

    documents = page.locator("#documenti li")
    assert documents.count() == 3
    for i in range(3):
        text = documents.nth(i).inner_text()
        assert re.search(r"\(PDF, \d+ kB; caricato il ", text), text
        assert re.search(r"SHA-256: [0-9a-f]{64}", text), text

    check_a11y(page)
    screenshot(page, "notice-detail-it")


def test_a_document_downloads_as_a_pdf_with_its_hash(page):
    page.goto(DETAIL)
    item = page.locator("#documenti li").first
    link = item.get_by_role("link")
    assert link.inner_text().strip() == "Modello A – Domanda di partecipazione"
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() in item.inner_text()


def test_faq_accordion_opens_with_the_keyboard(page):
    page.goto(DETAIL)
    button = page.locator("#faq .accordion-button").first
    panel = page.locator("#faq .accordion-collapse").first
    assert button.get_attribute("aria-expanded") == "false"
    assert not panel.is_visible()
    # Tab from the last element before the FAQ, like a keyboard user would
    page.locator("#documenti a").last.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('accordion-button')")
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Un'associazione")
    page.keyboard.press("Enter")
    panel.wait_for(state="visible")
    assert button.get_attribute("aria-expanded") == "true"
    assert "continuità dell'iscrizione" in panel.inner_text()
    page.wait_for_timeout(400)  # the collapse transition
    check_a11y(page)
    screenshot(page, "notice-detail-faq-open")


def test_ical_link_returns_the_events(page):
    page.goto(DETAIL)
    link = page.get_by_role("link", name="Aggiungi le date al calendario (iCal)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text()
    assert body.startswith("BEGIN:VCALENDAR")
    # 8 milestones, the deadline and the publication
    assert body.count("BEGIN:VEVENT") == 10
    assert "DTSTART:20250929T100000Z" in body  # 12:00 in Rome (CEST)
    assert "DTSTART;VALUE=DATE:20251215" in body


def test_detail_in_english(page):
    page.goto(DETAIL)
    switch_to_english(page)
    # the act's own text stays in Italian, and says so to screen readers (WCAG 3.1.2)
    assert page.locator("h1").inner_text().startswith(TITLE_START)
    assert page.locator("h1").get_attribute("lang") == "it"
    assert "Monday 29 September 2025, 12:00" in page.locator(".coprog-keyfacts").inner_text()
    headings = page.locator("#main-content h2").all_inner_texts()
    for heading in ("At a glance", "Timetable", "Documents", "Questions and answers"):
        assert heading in headings
    assert "Closed" in page.locator(".coprog-notice header").inner_text()
    timeline = page.locator("#cronoprogramma").inner_text()
    assert "Closing date for applications" in timeline
    assert "29 September 2025" in timeline
    check_a11y(page)
    screenshot(page, "notice-detail-en")


def test_detail_prints_as_a_clean_document(page, live_url):
    page.goto(DETAIL)
    page.emulate_media(media="print")
    assert not page.locator(".it-header-wrapper").first.is_visible()
    assert not page.locator(".it-footer").first.is_visible()
    assert not page.locator(".breadcrumb-container").first.is_visible()
    assert not page.get_by_role("navigation", name="Indice dell'avviso").is_visible()
    assert page.locator("h1").is_visible()
    # on paper every FAQ answer is open and every document shows its full address
    assert page.locator("#faq .accordion-body").first.is_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('#documenti li a'), '::after').content"
    )
    assert f"({live_url}/avvisi/{SLUG}/documenti/" in after
    screenshot(page, "notice-detail-print")
