"""The mapping drawn inside the public restitution of the demo procedure: the districts shaded by
their published resources with the table beside them, the stored network in small with its most
central actors, the coverage matrix with its gaps in words; each drawing an SVG named by its
title and description; no citizen's name; axe-core clean in Italian and in English; printed
(emulated print media, an A4 page's width) the three drawings stay, within the page. Screenshots in
test-artifacts/screenshots/restitution-mapping*.png.

The live server loads the demo with a command, which rebuilds no network: the restitution finds
it stale, shows the empty state and hands it to the background worker, as the network page
does; the test reloads until the drawing is there.
"""

from __future__ import annotations

import re
import time

import pytest

from .test_tables_minutes import SLUG, checked, shot

pytestmark = pytest.mark.browser

RESTITUTION = f"/avvisi/{SLUG}/restituzione"
DISTRICTS = 6  # AUSL Bologna's


def with_network(page, timeout: float = 120) -> None:
    """Open the restitution until its network drawing is there (the worker has built it)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(RESTITUTION)
        if page.locator("#mappatura svg.coprog-network").count():
            return
        assert page.locator("#mappatura-rete").inner_text().strip(), "no network part at all"
        assert time.monotonic() < deadline, "the network was not built: " + page.locator("#mappatura-rete").inner_text()
        page.wait_for_timeout(1000)


def test_the_map_network_and_coverage_are_drawn_in_the_restitution(page):
    with_network(page)
    section = page.locator("#mappatura")

    # The map: one shaded path per district, each named; the table beside it has the same figures.
    districts = section.locator("svg.coprog-districts")
    assert districts.get_attribute("role") == "img"
    assert districts.locator("title").first.text_content() == "Risorse pubblicate per distretto"
    assert "Città di Bologna" in districts.locator("desc").text_content()
    paths = districts.locator("path.coprog-district")
    assert paths.count() == DISTRICTS
    assert all(re.match(r".+: \d+ risors[ae] pubblicat[ae]$", t) for t in paths.locator("title").all_text_contents())
    rows = section.locator("#mappatura-mappa tbody tr")
    assert rows.count() == DISTRICTS
    counts = [int(t) for t in rows.locator("td:nth-child(2)").all_inner_texts()]
    total = int(section.locator("#mappatura-mappa tfoot td").first.inner_text())
    assert sum(counts) == total >= 30  # the demo publishes 33
    assert districts.locator(".coprog-district-figures text").all_text_contents() == [str(n) for n in counts]
    assert "CC BY 4.0" in section.locator("#mappatura-mappa").inner_text()
    assert section.locator(f"a[href='/avvisi/{SLUG}/mappa']").count() == 1

    # The network: actors (circles) and resources (squares) at the stored positions, the most
    # central actors in the table, public names only.
    network = section.locator("svg.coprog-network")
    assert network.get_attribute("role") == "img"
    assert network.locator("title").first.text_content() == "Rete dei soggetti e delle risorse"
    assert network.locator("circle.net-actor").count() >= 10
    assert network.locator("rect.net-resource").count() == total
    assert section.locator("#mappatura-rete tbody tr").count() == 5
    assert section.locator(f"a[href='/avvisi/{SLUG}/rete']").count() == 1
    assert "Cittadino Volenteroso" not in page.locator("main").text_content()

    # The coverage: a row per district, the gaps written in the cells and listed in words.
    coverage = section.locator("table.coprog-coverage")
    assert coverage.locator("tbody tr").count() == DISTRICTS
    for cell in coverage.locator("td.coprog-gap").all():
        assert re.search(r"Nessuna risorsa|Tra i rapporti più bassi", cell.inner_text())
    assert section.locator(".coprog-gaps li").count() == coverage.locator("td.coprog-gap").count() >= 1
    assert section.locator(f"a[href='/avvisi/{SLUG}/copertura']").count() == 1
    checked(page, "restitution-mapping")

    # Printed on A4 (96 px a inch, 1 cm margins): the three drawings stay, none wider than the page.
    page.set_viewport_size({"width": 718, "height": 1047})
    page.emulate_media(media="print")
    width = page.evaluate("() => document.documentElement.clientWidth")
    for drawing in (districts, network):
        assert drawing.is_visible()
        box = drawing.bounding_box()
        assert box["width"] <= width
    assert coverage.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing spills sideways
    shot(page, "restitution-mapping-print")
    page.emulate_media(media="screen")
