"""The resource map in Chromium, on the demo procedure.

A contribution whose description is the issue's XSS texts is sent by the demo ETS and approved
by the RUP through the real forms (unless an earlier test of the session already published one).
Then, as the public: the map loads its resources from the GeoJSON endpoint (the test reads the
data the page holds), clusters them, the axis filter changes the visible markers and (htmx) the
table under the map, the XSS contribution's popup shows its texts as text (any dialog fails the
test), a marker opens and closes its popup from the keyboard; no request leaves the app (the
conftest fails on any); axe-core clean in Italian and in English. Staff see the unpublished
contributions too, hollow, with a filter by state. Without JavaScript the table filters with
the GET form. Screenshots (make screenshots) in test-artifacts/screenshots/mapping-map-*.png.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import create_engine, text

from .a11y import check_a11y
from .test_mapping_contributions import choose_district, field
from .test_tables_minutes import RUP, SLUG, shot, signed_in

pytestmark = pytest.mark.browser

MAP = f"/avvisi/{SLUG}/mappa"
ETS = "ets@demo.coprog.it"
ORGANISATION = "ODV Amici del Quartiere (demo)"
XSS = "<img src=x onerror=alert(1)> ${alert(2)} javascript:alert(3)"


def fail_on_dialogs(page) -> list[str]:
    """A dialog (alert, confirm) means text ran as script: collected here, the test fails."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def loaded(page) -> None:
    """The resources are in, and the markers have faded in (axe-core measures contrast as drawn:
    a half-transparent cluster on a slow machine failed it)."""
    page.wait_for_selector("#coprog-map[data-loaded=true]", state="attached")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.leaflet-marker-icon')].every((e) => getComputedStyle(e).opacity === '1')")


def checked_map(page, name: str) -> None:
    """Loaded, axe-core clean and photographed in Italian, then in English (the header's
    switch), then back to Italian."""
    loaded(page)
    check_a11y(page)
    shot(page, f"mapping-map-{name}")
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    loaded(page)
    check_a11y(page)
    shot(page, f"mapping-map-{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    loaded(page)


def published_xss_contribution(browser, live_url, live_database_url, page_log) -> int:
    """The id of a published contribution whose description holds the XSS texts: one from an
    earlier test of this session, or one sent by the demo ETS and approved by the RUP now."""
    engine = create_engine(live_database_url)
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT id FROM contributions WHERE state = 'approved' AND description LIKE :x ORDER BY id LIMIT 1"
        ), {"x": "%onerror=alert(1)%"}).scalar()
    engine.dispose()
    if found:
        return found
    context, page = signed_in(browser, live_url, page_log, ETS)
    page.goto(f"/contributi/{SLUG}/nuovo")
    page.select_option("#actor", label=ORGANISATION)
    page.select_option("#axis_id", label="Abitare")
    page.select_option("#resource_type_id", label="Spazi")
    field(page, "description").fill("Una stanza per incontri. " + XSS)
    page.locator("label[for='offer_mode-2']").click()
    choose_district(page, "Reno, Lavino e Samoggia")
    page.select_option("#comune_id", label="Casalecchio di Reno")
    field(page, "capacity").fill("6")
    with page.expect_navigation():
        page.get_by_role("button", name="Invia il contributo").click()
    contribution_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    context.close()
    context, staff = signed_in(browser, live_url, page_log, RUP)
    staff.goto(f"/gestione/contributi/{contribution_id}")
    staff.locator("label", has_text="Approva e pubblica").click()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Registra la decisione").click()
    context.close()
    return contribution_id


def popup_faded_in(page) -> None:
    """Leaflet fades popups in: axe-core would measure the contrast of a half-transparent text."""
    page.wait_for_function("() => { const p = document.querySelector('.leaflet-popup');"
                           " return p && getComputedStyle(p).opacity === '1'; }")


def visible(page) -> list[dict]:
    return page.evaluate("window.coprogMap.visible()")


def settled(page) -> dict:
    """After the zoom and cluster animations: what the view draws (icons, resources held), and
    the same icons counted in the page."""
    page.wait_for_timeout(800)
    drawn = page.evaluate("window.coprogMap.drawn()")
    assert page.locator(".leaflet-marker-pane .leaflet-marker-icon").count() == drawn["icons"]
    return drawn


def test_the_public_map(browser, live_url, live_database_url, page, page_log):
    xss_id = published_xss_contribution(browser, live_url, live_database_url, page_log)
    dialogs = fail_on_dialogs(page)

    # The data come from the endpoint, as GeoJSON; the page itself embeds none.
    with page.expect_response(lambda r: r.url.endswith(f"{MAP}/risorse.geojson")) as answer:
        page.goto(MAP)
    assert answer.value.headers["content-type"].startswith("application/geo+json")
    served = answer.value.json()
    loaded(page)
    assert page.locator("script:not([src])").count() == 0
    resources = page.evaluate("window.coprogMap.resources()")
    assert len(resources) == len(served["features"]) >= 30
    assert len(visible(page)) == len(resources)
    assert page.locator("#map-status").inner_text() == f"Risorse sulla mappa: {len(resources)}"
    ids = {r["id"] for r in resources}
    assert xss_id in ids
    districts = {r["district"] for r in resources}
    assert {"Città di Bologna", "Reno, Lavino e Samoggia", "Appennino Bolognese"} <= districts
    xss = next(r for r in resources if r["id"] == xss_id)
    assert xss["comune"] and xss["district"] and xss["state"] == "approved"

    # The boundaries are drawn, with their CC BY attribution.
    assert page.locator("path.coprog-district").count() == 6
    assert page.locator("path.coprog-comune").count() == 45
    assert "CC BY 4.0" in page.locator(".leaflet-control-attribution").inner_text()

    # Clustering: at the first zoom the clusters hold the resources; a cluster opens.
    drawn = settled(page)
    assert drawn == {"icons": drawn["icons"], "resources": len(resources)} and drawn["icons"] < len(resources)
    clusters = page.locator(".leaflet-marker-pane .marker-cluster")
    assert clusters.count() > 0
    zoom = page.evaluate("window.coprogMap.map.getZoom()")
    biggest = max(range(clusters.count()), key=lambda i: int(clusters.nth(i).locator("span[aria-hidden=true]").inner_text()))
    clusters.nth(biggest).click()
    page.wait_for_function(f"() => window.coprogMap.map.getZoom() > {zoom} || document.querySelector('.leaflet-marker-pane .coprog-pin')")
    checked_map(page, "public")

    # The axis filter: the markers of that axis only, and the table follows (htmx).
    abitare = [r for r in resources if r["axis"] == "Abitare"]
    assert 0 < len(abitare) < len(resources)
    with page.expect_response(lambda r: "asse=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option("#filter-asse", label="Abitare")
    assert {r["id"] for r in visible(page)} == {r["id"] for r in abitare}
    assert page.locator("#map-status").inner_text() == f"Risorse sulla mappa: {len(abitare)}"
    assert settled(page)["resources"] == len(abitare)
    assert page.locator("#map-resources [role=status]").inner_text().startswith(f"{len(abitare)} risorse")
    assert "asse=" in page.url
    shot(page, "mapping-map-abitare")
    page.select_option("#filter-asse", label="Tutti gli assi")
    page.wait_for_function(f"() => window.coprogMap.visible().length === {len(resources)}")

    # The XSS contribution's popup: its texts as text.
    assert page.evaluate(f"window.coprogMap.open({xss_id})")
    popup = page.locator(".leaflet-popup .coprog-popup")
    popup.locator(".coprog-popup-more").filter(has_text="alert(1)").wait_for()
    assert XSS in popup.locator(".coprog-popup-more").inner_text()
    assert popup.locator("img").count() == 0 and page.locator(".leaflet-popup img").count() == 0
    assert "Reno, Lavino e Samoggia" in popup.inner_text()
    popup_faded_in(page)
    check_a11y(page)
    shot(page, "mapping-map-popup")
    page.keyboard.press("Escape")

    # The same texts in the table under the map, as text.
    table = page.locator("#map-resources")
    page.goto(f"{MAP}?asse=&tipo=")
    loaded(page)
    for _ in range(10):  # the pages of the table, until the row shows
        if XSS in table.inner_text():
            break
        next_page = table.get_by_role("link", name="Successiva")
        if not next_page.count():
            break
        with page.expect_navigation():
            next_page.click()
    assert XSS in table.inner_text() and table.locator("img").count() == 0

    # From the keyboard: a marker opens its popup, which takes the focus; Escape gives it back.
    page.evaluate("window.coprogMap.map.setZoom(14)")  # close enough for single markers
    page.evaluate(f"window.coprogMap.open({xss_id})")
    page.wait_for_selector(".leaflet-popup")
    page.evaluate("window.coprogMap.map.closePopup()")
    pin = page.locator(".leaflet-marker-pane .coprog-pin").first
    pin.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('coprog-popup')")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('coprog-pin')")
    page.wait_for_selector(".leaflet-popup", state="detached")  # after its fade

    assert not dialogs, f"dialogs opened: {dialogs}"


def test_staff_see_unpublished_contributions_on_the_same_page(browser, live_url, page_log, live_database_url):
    engine = create_engine(live_database_url)
    with engine.connect() as connection:
        counts = dict(connection.execute(text(
            "SELECT c.state, count(*) FROM contributions c JOIN procedures p ON p.id = c.procedure_id"
            " WHERE p.slug = :slug GROUP BY c.state"
        ), {"slug": SLUG}).all())
    engine.dispose()
    assert counts.get("submitted", 0) + counts.get("rejected", 0) > 0
    context, page = signed_in(browser, live_url, page_log, RUP)
    dialogs = fail_on_dialogs(page)
    page.goto(MAP)
    loaded(page)
    resources = page.evaluate("window.coprogMap.resources()")
    assert len(resources) == sum(counts.values())
    unpublished = [r for r in resources if r["state"] != "approved"]
    assert len(unpublished) == counts.get("submitted", 0) + counts.get("rejected", 0)
    assert "Vista del personale" in page.locator("main").text_content()
    page.select_option("#filter-stato", value="submitted")
    page.wait_for_function(f"() => window.coprogMap.visible().length === {counts.get('submitted', 0)}")
    waiting = next(r for r in unpublished if r["state"] == "submitted")
    page.evaluate(f"window.coprogMap.open({waiting['id']})")
    popup = page.locator(".leaflet-popup .coprog-popup")
    popup.wait_for()
    popup_faded_in(page)
    assert "In attesa di moderazione" in popup.inner_text()
    assert page.locator(".leaflet-marker-pane .coprog-pin-unpublished").count() > 0
    assert page.locator("#map-resources .coprog-unpublished").count() > 0
    checked_map(page, "staff")
    context.close()
    assert not dialogs


def test_without_javascript_the_table_filters_with_the_form(browser, live_url, page_log):
    context = browser.new_context(base_url=live_url, locale="it-IT", java_script_enabled=False)
    page = context.new_page()
    page_log.attach(page)
    page.goto(MAP)
    assert page.locator("noscript").count() == 1
    total = page.locator("#map-resources [role=status]").inner_text()
    page.select_option("#filter-asse", label="Socialità")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtra").click()
    assert "asse=" in page.url
    filtered = page.locator("#map-resources [role=status]").inner_text()
    assert filtered != total
    axes = page.locator("#map-resources tbody tr td:nth-child(3)").all_inner_texts()
    assert axes and set(axes) == {"Socialità"}
    shot(page, "mapping-map-nojs")
    context.close()
