"""The header for signed-in users: their name, the staff menu, and signing out by POST."""

from __future__ import annotations

import pytest

from .a11y import check_a11y
from .helpers import login, screenshot

pytestmark = pytest.mark.browser

# Demo accounts created by `coprog demo` (coprog/demo/content.py)
DEMO_PASSWORD = "coprog-demo-2025"
STAFF = "rup@demo.coprog.it"
ETS = "ets@demo.coprog.it"


def test_staff_sees_the_management_menu_and_can_sign_out(page):
    login(page, STAFF, DEMO_PASSWORD)
    page.goto("/")
    header = page.locator("header")
    assert "Anna Esempio" in header.inner_text()
    assert header.get_by_role("link", name="Gestione avvisi").is_visible()
    check_a11y(page)
    screenshot(page, "home-staff-it")
    with page.expect_navigation():
        header.get_by_role("button", name="Esci").click()
    assert page.locator("header").get_by_role("link", name="Accedi").is_visible()


def test_other_roles_do_not_see_the_management_menu(page):
    login(page, ETS, DEMO_PASSWORD)
    page.goto("/")
    assert "Chiara Campione" in page.locator("header").inner_text()
    assert page.locator("header").get_by_role("link", name="Gestione avvisi").count() == 0
