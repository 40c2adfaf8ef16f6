"""Every HTML page of the app, in Italian and in English, as the public, an ETS, a facilitator
and a case manager: axe-core finds nothing. Staff pages: test_every_page_staff.py."""

from __future__ import annotations

import pytest

from .crawl import crawl, html_pages, sign_in_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["it", "en"])
def test_public_pages(page, page_log, lang):
    page_log.allow_error("status of 400")  # the e-mail link pages refuse the forged token
    page.goto(f"/lingua/{lang}?next=/")
    crawl(page, html_pages(staff=False), lang, allow_errors=True)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_ets_pages(page, lang):
    sign_in_as(page, "ets@demo.coprog.it", lang)
    crawl(page, html_pages(staff=False, ets=True), lang)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_facilitator_pages(page, lang):
    sign_in_as(page, "facilitatore@demo.coprog.it", lang)
    crawl(page, html_pages(staff=False, facilitator=True), lang)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_case_manager_pages(page, lang):
    sign_in_as(page, "casemanager@demo.coprog.it", lang)
    crawl(page, html_pages(staff=False, case_manager=True), lang)
