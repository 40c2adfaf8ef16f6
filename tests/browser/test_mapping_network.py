"""The network page in Chromium, on the demo procedure.

The live server loads the demo with `coprog demo` (a command: it rebuilds nothing); the first
visit finds the network stale and hands it to the server's background worker, so the test
reloads until the page shows a current network, which also proves that worker at work. A
published contribution whose description holds the issue's XSS texts (from the map's test, or
made now through the real forms) must show as text in the drawing and the table; any dialog
fails. Then the axis filter, the order of the table, no request leaving the app (the conftest
fails on any), axe-core clean in Italian and in English; staff's "Ricalcola ora". Screenshots
(make screenshots) in test-artifacts/screenshots/mapping-network-*.png.
"""

from __future__ import annotations

import time

import pytest

from .a11y import check_a11y
from .test_mapping_map import XSS, fail_on_dialogs, published_xss_contribution
from .test_tables_minutes import RUP, SLUG, checked, shot, signed_in

pytestmark = pytest.mark.browser

NETWORK = f"/avvisi/{SLUG}/rete"
# Resources are labelled by the start of their description (120 characters): the XSS texts may
# be cut after the tag, which is what must stay text.
XSS_TAG = XSS.split(">")[0] + ">"


def current(page, path: str = NETWORK, timeout: float = 120, *, with_resource: int | None = None) -> None:
    """Open the page until it shows a network computed after the last change (not "in
    aggiornamento", which it says from the change until the rebuild has stored its result);
    with `with_resource`, also until the stored network holds that contribution."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(path)
        status = page.locator(".network-status").inner_text()
        if "in aggiornamento" not in status and "Rete calcolata il" in status and (
                with_resource is None or _stored(page, with_resource)):
            return
        assert time.monotonic() < deadline, f"the network was not rebuilt: {status}"
        page.wait_for_timeout(1000)


def _stored(page, contribution_id: int) -> bool:
    nodes = page.request.get(f"/dati/{SLUG}/rete.json").json()["nodes"]
    return any(node["id"] == f"r{contribution_id}" for node in nodes)


def table_names(page) -> list[str]:
    return page.locator("#soggetti tbody th[scope=row]").all_inner_texts()


def test_the_public_network(browser, live_url, live_database_url, page, page_log):
    xss_id = published_xss_contribution(browser, live_url, live_database_url, page_log)
    dialogs = fail_on_dialogs(page)
    current(page, with_resource=xss_id)
    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Rete dei soggetti e delle risorse"
    assert page.locator("script:not([src])").count() == 0

    # The drawing: an image named by its title and description, actors and resources as shapes.
    svg = page.locator("svg.network-svg")
    assert svg.get_attribute("role") == "img"
    assert svg.get_attribute("aria-labelledby") == "network-svg-title network-svg-desc"
    assert svg.locator("#network-svg-title").text_content() == "Rete dei soggetti e delle risorse"
    actors = svg.locator("circle.net-actor").count()
    resources = svg.locator("rect.net-resource").count()
    assert actors >= 10 and resources >= 30
    assert svg.locator("line.net-link-collaboration").count() > 0
    assert svg.locator(".net-labels text").count() > 0
    assert page.locator(".network-legend li").count() >= 6

    # The XSS texts are text: in a node's hover title and in the table, never markup.
    titles = svg.locator("rect.net-resource title").all_text_contents()
    assert any(XSS_TAG in title for title in titles)
    assert main.locator("img").count() == 0
    assert len(table_names(page)) == min(actors, 50)
    status = page.locator("#soggetti [role=status]").inner_text()
    assert status.startswith(f"{len(table_names(page))} soggetti")
    rows_text = page.locator("#soggetti tbody").text_content()
    assert XSS_TAG in rows_text
    assert page.locator("#soggetti a[href*='/mappa']").count() > 0  # resources lead to the map's table
    checked(page, "mapping-network")

    # The axis filter: the drawing and the table show that axis only.
    with page.expect_navigation():
        page.locator(".network-axes").get_by_role("link", name="Abitare").click()
    assert "asse=" in page.url
    assert page.locator(".network-axes a[aria-current=page]").inner_text() == "Abitare"
    assert "asse Abitare" in svg.locator("#network-svg-title").text_content()
    housing = table_names(page)
    assert 0 < len(housing) < actors
    for line in page.locator("#soggetti tbody li").all_text_contents():
        assert "(Abitare" in line
    assert 0 < svg.locator("rect.net-resource").count() < resources
    check_a11y(page)
    shot(page, "mapping-network-abitare")

    # The order: by name, ascending, marked on its header.
    with page.expect_navigation():
        page.locator("#soggetti thead").get_by_role("link", name="Soggetto").click()
    assert "ordina=nome" in page.url and "asse=" in page.url
    names = table_names(page)
    assert names == sorted(names, key=str.casefold)
    assert page.locator("#soggetti thead th[aria-sort=ascending]").inner_text().startswith("Soggetto")
    check_a11y(page)

    # Open data from the same snapshot.
    data = page.request.get(f"/dati/{SLUG}/rete.json").json()
    assert {n["kind"] for n in data["nodes"]} == {"actor", "resource"}
    assert any(n["id"] == f"r{xss_id}" and XSS_TAG in n["label"] for n in data["nodes"])
    assert not dialogs, f"dialogs opened: {dialogs}"


def test_the_network_on_a_phone(browser, live_url, page_log):
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page_log.attach(page)
    try:
        current(page)
        canvas = page.locator(".network-canvas")
        assert canvas.get_attribute("tabindex") == "0"  # it scrolls sideways: reachable by keyboard
        check_a11y(page)
        shot(page, "mapping-network-phone")
    finally:
        context.close()


def test_staff_rebuild_now(browser, live_url, page_log):
    context, page = signed_in(browser, live_url, page_log, RUP)
    try:
        current(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Ricalcola ora").click()
        assert "Ricalcolo avviato" in page.locator(".coprog-messages").inner_text()
        check_a11y(page)
        shot(page, "mapping-network-staff")
        current(page)  # the worker brings it up to date by itself
    finally:
        context.close()
