"""The public territory page (AUSL Bologna preset) in Chromium, in Italian and English."""

from __future__ import annotations

import pytest

from .a11y import check_a11y
from .helpers import screenshot

pytestmark = pytest.mark.browser

TEXT = {
    "it": {
        "h1": "Territorio",
        "districts": "Distretti e comuni",
        "lead": "6 distretti, 45 comuni.",
        "total": "Totale",
        "service": "Servizio",
    },
    "en": {
        "h1": "Territory",
        "districts": "Districts and municipalities",
        "lead": "6 districts, 45 municipalities.",
        "total": "Total",
        "service": "Service",
    },
}


def open_territory(page, lang: str) -> None:
    page.goto("/territorio")
    if lang == "en":
        with page.expect_navigation():
            page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == lang


@pytest.mark.parametrize("lang", ["it", "en"])
def test_territory_page(page, lang):
    text = TEXT[lang]
    open_territory(page, lang)
    main = page.locator("main")
    assert main.locator("h1").inner_text() == text["h1"]
    assert text["lead"] in main.locator(".lead").inner_text()
    assert main.get_by_role("heading", name=text["districts"]).is_visible()

    # Districts, with the two sub-areas of the city; 45 comuni in the district tables.
    district_headings = main.locator("h3").all_inner_texts()
    assert len(district_headings) == 6
    assert district_headings[0] == "Città di Bologna"
    for sub_area in ("Bologna Est", "Bologna Ovest"):
        assert main.locator("li strong", has_text=sub_area).first.is_visible()
    comuni = main.locator("table:not(#centres-table):not(#districts-table) tbody tr")
    assert comuni.count() == 45
    assert main.locator("tbody th", has_text="San Lazzaro di Savena").count() == 1

    # The service centres, with their BdS users and the totals per year.
    centres = main.locator("#centres-table")
    assert centres.is_visible()
    headers = centres.locator("thead th").all_inner_texts()
    assert headers[0] == text["service"]
    assert headers[-2:] == [
        "Utenti 2024" if lang == "it" else "Users 2024",
        "Utenti 2025" if lang == "it" else "Users 2025",
    ]
    total = centres.locator("tfoot tr")
    assert total.locator("th").inner_text() == text["total"]
    assert total.locator("td").all_inner_texts() == ["650", "704"]
    assert total.is_visible()
    csm_rows = centres.locator("tbody tr", has=page.locator("th", has_text="CSM"))
    assert csm_rows.count() == 11
    district_total = main.locator("#districts-table tfoot td").all_inner_texts()
    assert district_total == ["650", "704"]

    check_a11y(page)
    screenshot(page, f"territory-{lang}")


def test_tables_have_captions_and_header_scopes(page):
    open_territory(page, "it")
    tables = page.locator("main table")
    assert tables.count() == 8  # one per district, the centres, the districts' totals
    for index in range(tables.count()):
        table = tables.nth(index)
        assert table.locator("caption").inner_text().strip(), f"table {index} has no caption"
        scopes = table.locator("th").evaluate_all("ths => ths.map(th => th.getAttribute('scope'))")
        assert scopes and all(scope in ("col", "row") for scope in scopes), (index, scopes)
        assert table.locator("thead th[scope=col]").count() >= 2
        assert table.locator("tbody th[scope=row]").count() >= 1


def test_in_page_navigation_works_with_the_keyboard(page):
    # Without smooth scrolling (as for users who ask for less motion): rapid key presses
    # otherwise leave scroll animations running into each other and the test would be flaky.
    page.emulate_media(reduced_motion="reduce")
    open_territory(page, "it")
    toc = page.get_by_role("navigation", name="In questa pagina")
    links = toc.get_by_role("link")
    targets = [link.get_attribute("href") for link in links.all()]
    assert len(targets) >= 3
    for target in targets:
        assert target.startswith("#") and page.locator(target).count() == 1, target

    # Tab from the top of the main content reaches every link of the index, in order.
    page.locator("#main-content").focus()
    reached = []
    for _step in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        if href in targets and href not in reached:
            reached.append(href)
        if len(reached) == len(targets):
            break
    assert reached == targets

    # Enter on the focused link (the last one) moves to its section.
    assert page.evaluate("document.activeElement.getAttribute('href')") == targets[-1]
    screenshot(page, "territory-toc-focused")  # the focus ring on the last link of the index
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => location.hash === '{targets[-1]}'")
    in_view = page.locator(targets[-1]).evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert in_view
