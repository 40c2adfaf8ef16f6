"""Every HTML page of the app as staff (the demo RUP), in Italian and in English: axe-core finds
nothing. The other roles: test_every_page.py."""

from __future__ import annotations

import pytest

from .crawl import crawl, html_pages, sign_in_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["it", "en"])
def test_staff_pages(page, page_log, lang):
    page_log.allow_error("status of 400")  # the e-mail link pages refuse the forged token
    sign_in_as(page, "rup@demo.coprog.it", lang)
    crawl(page, html_pages(staff=True), lang, allow_errors=True)
