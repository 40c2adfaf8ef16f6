"""Issue 6's first acceptance point, as the public would, on the demo procedure (its synthesis
published by the demo): from the home page to the notice, to its restitution, to a direction,
to the verbale of a table it came from and to its contributions, back to the open data; the
page printed (emulated print media) keeps the content and drops the navigation. axe-core clean
in Italian and in English; screenshots (make screenshots) in test-artifacts/screenshots/restitution-*.png.
"""

from __future__ import annotations

import json
import re

import pytest

from .a11y import check_a11y
from .test_tables_minutes import SLUG, checked, shot

pytestmark = pytest.mark.browser

DIRECTION = "Costruire filiere integrate e continue"


def test_from_the_home_page_to_the_sources_of_a_direction(page):
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Avviso di co-programmazione.*Budget di Salute")).first.click()
    assert page.url.endswith(f"/avvisi/{SLUG}")
    with page.expect_navigation():
        page.get_by_role("link", name="Leggi la restituzione").click()
    assert page.url.endswith(f"/avvisi/{SLUG}/restituzione")
    main = page.locator("main")
    assert main.locator("h1").inner_text() == "Restituzione pubblica"
    chart = main.locator("svg.coprog-chart")
    assert chart.get_attribute("role") == "img"
    desc = chart.locator("desc").text_content()
    for axis, attended in (("Formazione/Lavoro", 135), ("Abitare", 116), ("Socialità", 118)):  # seed 002
        assert f"Asse {axis}: {attended} presenti" in desc
    assert main.locator("#sintesi li").count() >= 48  # seed 002: 4+6+5, 4+6+5, 7, 9 and 2
    checked(page, "restitution")

    # printed: the content stays, the navigation goes
    page.emulate_media(media="print")
    assert not page.locator(".it-header-wrapper").is_visible()
    assert not page.locator(".breadcrumb-container").is_visible()
    assert not page.locator(".coprog-restitution-toc").is_visible()
    assert page.get_by_role("link", name=DIRECTION).is_visible()
    assert chart.is_visible()
    shot(page, "restitution-print")
    page.emulate_media(media="screen")

    # a direction, and where it came from
    with page.expect_navigation():
        page.get_by_role("link", name=DIRECTION).click()
    assert page.locator("h1").inner_text() == DIRECTION
    assert re.search(r"Emersa da \d+ tavol[oi] e \d+ contribut[oi]\.", page.locator("main").inner_text())
    checked(page, "restitution-item")
    contributions = page.locator("section", has=page.get_by_role("heading", name="I contributi")).locator("li")
    assert contributions.count() >= 1
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Verbale del tavolo Formazione.Lavoro")).first.click()
    assert re.search(rf"/avvisi/{SLUG}/tavoli/\d+/verbale$", page.url)
    check_a11y(page)
    page.go_back()

    # the open data the restitution links to
    page.goto(f"/avvisi/{SLUG}/restituzione")
    with page.expect_response(f"**/dati/{SLUG}/partecipazione.json") as answer:
        page.get_by_role("link", name="Partecipazione (JSON)").click()
    data = json.loads(answer.value.body())
    assert data["procedure"] == SLUG and len(data["sessions"]) >= 15
    synthesis = page.request.get(f"/dati/{SLUG}/sintesi.json").json()
    assert len(synthesis["items"]) >= 48 and all(i["url"] for i in synthesis["items"])
