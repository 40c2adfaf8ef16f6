"""Issue 5's acceptance, end to end, as people would do it on the demo procedure.

An ETS user adds a contribution at an address in Casalecchio di Reno, naming a partner it would
collaborate with; the RUP approves it. Then, as the public: the map holds it (the test reads the
map's data in the page) in the district Reno, Lavino e Samoggia; the network, rebuilt by the
server's background worker, links the actor to the resource and to its partner; the coverage
matrix counts one more housing resource in that district, on the page and in copertura.csv.
No request leaves the app (the conftest fails on any); any dialog fails the test.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from .test_mapping_contributions import ETS, ORGANISATION, choose_district, field, tick
from .test_mapping_map import MAP, fail_on_dialogs, loaded
from .test_mapping_network import current
from .test_tables_minutes import RUP, SLUG, checked, signed_in

pytestmark = pytest.mark.browser

DISTRICT = "Reno, Lavino e Samoggia"
DESCRIPTION = "Un alloggio di sgancio per due persone, con accompagnamento all'autonomia"


def housing_in_district(page) -> int:
    """Published housing resources of the district, from the open data of the coverage."""
    answer = page.request.get(f"/dati/{SLUG}/copertura.csv")
    assert answer.ok
    rows = csv.DictReader(io.StringIO(answer.text()), delimiter=";")
    return next(int(r["risorse"]) for r in rows if r["distretto"] == DISTRICT and r["asse"] == "Abitare")


def test_a_contribution_from_casalecchio_reaches_map_network_and_coverage(browser, live_url, page, page_log):
    dialogs = fail_on_dialogs(page)
    before = housing_in_district(page)

    # The ETS user sends it, with a partner ---------------------------------------------------------
    context, ets = signed_in(browser, live_url, page_log, ETS)
    ets.goto(f"/contributi/{SLUG}/nuovo")
    ets.select_option("#actor", label=ORGANISATION)
    partners = field(ets, "collaborators").locator("input[type=checkbox]")
    partner_box = next(partners.nth(i) for i in range(partners.count())
                       if ets.locator(f"label[for='{partners.nth(i).get_attribute('id')}']").inner_text() != ORGANISATION)
    partner = ets.locator(f"label[for='{partner_box.get_attribute('id')}']").inner_text().strip()
    tick(ets, partner_box)
    ets.select_option("#axis_id", label="Abitare")
    ets.select_option("#resource_type_id", label="Abitazioni e alloggi")
    field(ets, "description").fill(DESCRIPTION)
    ets.locator("label[for='offer_mode-2']").click()
    choose_district(ets, DISTRICT)
    ets.select_option("#comune_id", label="Casalecchio di Reno")
    field(ets, "address").fill("Via Porrettana 100")
    field(ets, "capacity").fill("2")
    with ets.expect_navigation():
        ets.get_by_role("button", name="Invia il contributo").click()
    assert re.search(r"/contributi/\d+$", ets.url), ets.url
    contribution_id = int(ets.url.rsplit("/", 1)[1])
    context.close()

    # The RUP approves it ---------------------------------------------------------------------------
    context, staff = signed_in(browser, live_url, page_log, RUP)
    staff.goto(f"/gestione/contributi/{contribution_id}")
    staff.locator("label", has_text="Approva e pubblica").click()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Registra la decisione").click()
    assert "Decisione registrata" in staff.locator(".coprog-messages").inner_text()
    context.close()

    # On the map, in its district -------------------------------------------------------------------
    page.goto(MAP)
    loaded(page)
    resources = {r["id"]: r for r in page.evaluate("window.coprogMap.resources()")}
    placed = resources[contribution_id]
    assert placed["district"] == DISTRICT and placed["comune"] == "Casalecchio di Reno"
    assert placed["actor"] == ORGANISATION and placed["axis"] == "Abitare" and placed["state"] == "approved"
    assert 11.2 < placed["longitude"] < 11.3 and 44.4 < placed["latitude"] < 44.5  # Casalecchio, not Bologna
    checked(page, "walkthrough-map")

    # In the network, with its partner --------------------------------------------------------------
    current(page, with_resource=contribution_id)
    network = page.request.get(f"/dati/{SLUG}/rete.json").json()
    labels = {n["id"]: n["label"] for n in network["nodes"]}
    resource = f"r{contribution_id}"
    assert resource in labels
    offered_by = {link["source"] for link in network["links"] if link["target"] == resource}
    assert [labels[a] for a in offered_by] == [ORGANISATION]
    (actor,) = offered_by
    partners_of_actor = {labels[link["target"] if link["source"] == actor else link["source"]]
                         for link in network["links"] if link.get("kind") == "collaboration" and actor in (link["source"], link["target"])}
    assert partner in partners_of_actor
    assert page.locator("#soggetti tbody th", has_text=ORGANISATION).count() == 1  # a central actor: page 1
    checked(page, "walkthrough-network")

    # In the coverage matrix ------------------------------------------------------------------------
    assert housing_in_district(page) == before + 1
    page.goto(f"/avvisi/{SLUG}/copertura")
    cell = page.locator("table tbody tr", has=page.locator("th", has_text=DISTRICT)).first
    assert str(before + 1) in cell.inner_text()
    checked(page, "walkthrough-coverage")
    assert not dialogs, f"dialogs opened: {dialogs}"
