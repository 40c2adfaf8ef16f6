"""The public pages in Chromium: Italian and English, accessibility, keyboard, no foreign host."""

from __future__ import annotations

import re

import pytest

from .a11y import check_a11y
from .helpers import screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "accessibility": "/accessibilita",
    "privacy": "/privacy",
}
HEADINGS = {
    "it": {
        "home": "Costruiamo insieme i servizi del territorio",
        "accessibility": "Dichiarazione di accessibilità",
        "privacy": "Informativa sul trattamento dei dati personali",
        "not_found": "Pagina non trovata",
    },
    "en": {
        "home": "Shaping local services together",
        "accessibility": "Accessibility statement",
        "privacy": "Privacy notice",
        "not_found": "Page not found",
    },
}


def switch_to_english(page) -> None:
    """Like a user: follow the language link in the header, and stay on the same page."""
    path = page.url
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.url == path
    assert page.locator("html").get_attribute("lang") == "en"


def assert_page(page, lang: str, name: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").first.inner_text().strip() == HEADINGS[lang][name]
    check_a11y(page)
    screenshot(page, f"{name}-{lang}")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_italian(page, name):
    page.goto(PAGES[name])
    assert_page(page, "it", name)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_english(page, name):
    page.goto(PAGES[name])
    switch_to_english(page)
    assert_page(page, "en", name)
    assert page.get_by_role("link", name="Skip to content").count() == 1


def test_not_found_page(page, page_log):
    page_log.allow_error("404")
    response = page.goto("/non-esiste")
    assert response.status == 404
    assert_page(page, "it", "not_found")
    switch_to_english(page)
    assert_page(page, "en", "not_found")


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/privacy")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Vai al contenuto"
    assert page.locator(".skiplinks a").first.is_visible()
    screenshot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")
    inside_main = page.evaluate("!!document.activeElement.closest('#main-content')")
    assert inside_main


def test_mobile_menu_opens_with_the_keyboard(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    toggler = page.locator(".custom-navbar-toggler")
    assert toggler.is_visible()
    assert not page.locator("#main-nav .navbar-nav").is_visible()
    toggler.focus()
    page.keyboard.press("Enter")
    page.locator("#main-nav.expanded").wait_for()
    assert toggler.get_attribute("aria-expanded") == "true"
    page.wait_for_timeout(400)  # the slide-in transition
    screenshot(page, "home-mobile-menu")
    page.keyboard.press("Escape")
    # closed: the class goes (the panel itself may already be hidden, so wait for the class)
    page.locator("#main-nav:not(.expanded)").wait_for(state="attached")
    page.locator("#main-nav .navbar-nav").wait_for(state="hidden")  # after the slide-out
    assert toggler.get_attribute("aria-expanded") == "false"


def test_no_inline_styles_or_scripts(page):
    for path in PAGES.values():
        page.goto(path)
        html = page.content()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html, path
