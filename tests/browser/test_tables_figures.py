"""The participation figures in Chromium: the public page with the seed 002 totals per axis and
the open data behind it; the staff page with the groups of the merged sessions. axe-core in
Italian and English."""

from __future__ import annotations

import json

import pytest

from . import test_notices_staff as notices_staff
from .a11y import check_a11y
from .helpers import screenshot

staff_state, staff_log, staff = notices_staff.staff_state, notices_staff.staff_log, notices_staff.staff

pytestmark = pytest.mark.browser

SLUG = "bds-bologna-2025"


def _both_languages(page, name: str) -> None:
    check_a11y(page)
    screenshot(page, f"figures-{name}")
    path = page.url.split(page.url.split("/")[2], 1)[1]
    page.goto(f"/lingua/en?next={path}")
    assert page.locator("html").get_attribute("lang") == "en"
    check_a11y(page)
    screenshot(page, f"figures-{name}-en")
    page.goto(f"/lingua/it?next={path}")


def test_public_figures_and_their_open_data(page):
    page.goto(f"/avvisi/{SLUG}/tavoli")
    with page.expect_navigation():
        page.get_by_role("link", name="Iscritti e partecipanti").click()
    assert page.url.endswith(f"/avvisi/{SLUG}/tavoli/partecipazione")
    main = page.locator("main").inner_text()
    # seed 002, "PARTECIPANTI": attended per axis
    for axis, attended in (("Formazione/Lavoro", 135), ("Abitare", 116), ("Socialità", 118)):
        section = page.locator("section", has=page.get_by_role("heading", name=f"Asse {axis}"))
        assert f"presenti: {attended}." in section.inner_text(), axis
    assert "incontro congiunto" in main and "Privato sociale – ETS" in main
    _both_languages(page, "public")
    with page.expect_response(f"**/dati/{SLUG}/partecipazione.json") as answer:
        page.get_by_role("link", name="Dati aperti (JSON)").click()
    data = json.loads(answer.value.body())
    assert data["procedure"] == SLUG and len(data["sessions"]) >= 15


def test_staff_figures_break_merged_sessions_down(staff):
    staff.goto("/gestione/procedimenti/1/tavoli/partecipazione")
    main = staff.locator("main").inner_text()
    assert "di cui Bologna Est" in main and "di cui Savena Idice" in main and "In lista d'attesa" in main
    _both_languages(staff, "staff")
