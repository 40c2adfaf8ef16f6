"""The coverage of the demo procedure in Chromium, as an anonymous visitor: from the notice's page
(section "Mappatura delle risorse") to the district × axis matrix, its gaps marked in the cells and
listed in words, the year switch (2025 → 2024, seed 002's figures), a year that does not exist
(422, the message beside the field), the open data, and the same page in English and on a phone.
axe-core runs on every state, in Italian and in English; screenshots (make screenshots) go to test-artifacts/screenshots/.

Other browser tests may add contributions to the demo: only the demo's structure (every cell has
a resource) and seed 002's demand figures are asserted, not the exact counts."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote, urlsplit

import pytest

from .a11y import check_a11y
from .helpers import screenshot

pytestmark = pytest.mark.browser

SLUG = "bds-bologna-2025"
DISTRICTS = ["Città di Bologna", "Reno, Lavino e Samoggia", "Appennino Bolognese", "Savena Idice",
             "Pianura Est", "Pianura Ovest"]
# seed 002: people with a BdS per district (CSM + NPIA of the district), 2025 and 2024
PEOPLE = {2025: ["394", "77", "30", "31", "126", "31"], 2024: ["361", "81", "29", "29", "107", "27"]}


def look(page, name: str) -> None:
    check_a11y(page)
    screenshot(page, f"mapping-coverage-{name}")


def matrix_rows(page) -> list[list[str]]:
    rows = page.locator("#coverage-matrix tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("th, td").all_inner_texts()] for i in range(rows.count())]


def test_coverage_from_the_notice_page(page):
    page.goto(f"/avvisi/{SLUG}")
    section = page.locator("#mappatura")
    assert section.get_by_role("heading", name="Mappatura delle risorse").is_visible()
    links = {
        "Mappa delle risorse": f"/avvisi/{SLUG}/mappa", "Rete degli attori": f"/avvisi/{SLUG}/rete",
        "Copertura per distretto e asse": f"/avvisi/{SLUG}/copertura",
        "Risorse (GeoJSON)": f"/dati/{SLUG}/risorse.geojson", "Rete (JSON)": f"/dati/{SLUG}/rete.json",
        "Copertura (CSV)": f"/dati/{SLUG}/copertura.csv",
    }
    for label, href in links.items():
        link = section.get_by_role("link", name=label)
        assert link.is_visible() and link.get_attribute("href") == href
        assert page.request.get(href).status == 200
    assert page.locator("nav.coprog-toc-nav a[href='#mappatura']").is_visible()
    with page.expect_navigation():
        section.get_by_role("link", name="Copertura per distretto e asse").click()
    assert urlsplit(page.url).path == f"/avvisi/{SLUG}/copertura"

    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Copertura delle risorse per distretto e asse"
    assert "704 persone con Budget di Salute nel 2025" in main.locator(".coverage-summary").inner_text()
    assert "di cui 15 in carico a servizi non attribuiti a un distretto" in main.locator(".coverage-summary").inner_text()
    headers = main.locator("#coverage-matrix thead th").all_inner_texts()
    assert headers == ["Distretto", "Persone con Budget di Salute", "Formazione/Lavoro", "Abitare", "Socialità"]
    rows = matrix_rows(page)
    assert [r[0] for r in rows] == [*DISTRICTS, "Servizi non attribuiti a un distretto"]
    assert [r[1] for r in rows[:6]] == PEOPLE[2025] and rows[6][1] == "15"
    # the demo puts at least one published resource in every district and axis
    assert all("risors" in cell and "Nessuna risorsa" not in cell for row in rows[:6] for cell in row[2:])
    assert page.locator("#coverage-matrix tfoot th").inner_text() == "Totale"
    # the lowest ratios: marked in their cells with words and an icon, listed under the matrix
    flagged = main.locator("td.coverage-gap-low")
    assert flagged.count() == 3
    assert all("Tra i rapporti più bassi" in text for text in flagged.all_inner_texts())
    gaps = main.locator("ul.coverage-gaps li").all_inner_texts()
    assert len(gaps) == 3 and all("tra i rapporti più bassi" in g and "ogni 100" in g for g in gaps)
    reading = main.locator("section[aria-labelledby=reading-title]").inner_text()
    assert "NPIA PPEE (9); NPIA Pianura (5); NPIA Sud (1)." in reading
    assert "mai tra unità diverse" in reading
    look(page, "2025")


def test_the_year_switch_and_the_open_data(page, page_log):
    page.goto(f"/avvisi/{SLUG}/copertura")
    page.select_option("#anno", "2024")
    with page.expect_navigation():
        page.get_by_role("button", name="Mostra").click()
    assert "anno=2024" in page.url
    assert "anno 2024" in page.locator("#coverage-matrix caption").inner_text()
    assert [r[1] for r in matrix_rows(page)[:6]] == PEOPLE[2024]
    assert "650 persone con Budget di Salute nel 2024" in page.locator(".coverage-summary").inner_text()
    assert page.locator("#anno").input_value() == "2024"
    look(page, "2024")

    # the open data of the year shown: one row per district and axis
    link = page.get_by_role("link", name="Dati aperti (CSV)")
    assert link.get_attribute("href").endswith("copertura.csv?anno=2024")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text()), delimiter=";"))
    assert rows[0] == ["distretto", "asse", "risorse", "capacita", "persone_bds", "anno", "risorse_per_100"]
    assert len(rows) == 1 + 6 * 3 and {r[5] for r in rows[1:]} == {"2024"}
    assert [r[4] for r in rows[1::3]] == PEOPLE[2024]

    # a year without figures: 422, the message beside the field, the latest year shown
    page_log.allow_error("422")
    response = page.goto(f"/avvisi/{SLUG}/copertura?anno=1999")
    assert response.status == 422
    error = page.locator("#anno-error")
    assert error.inner_text() == "Anno non disponibile: scegliere tra 2024, 2025."
    assert page.locator("#anno").get_attribute("aria-describedby") == "anno-error"
    assert "anno 2025" in page.locator("#coverage-matrix caption").inner_text()
    look(page, "bad-year")


def test_coverage_in_english_and_on_a_phone(page):
    path = f"/avvisi/{SLUG}/copertura"
    page.goto(path)
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#coverage-matrix tbody tr").count() == 7
    look(page, "en")
    page.goto(f"/avvisi/{SLUG}")
    assert page.locator("#mappatura").is_visible()
    check_a11y(page)
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(path)
    # the matrix scrolls inside its own box: the page itself does not get wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("ul.coverage-gaps li").first.is_visible()
    look(page, "phone")
