"""Every HTML page of the app, in Italian and in English: axe-core finds nothing.

The routes come from the app's URL map, so a new page is checked without anyone adding it
here; pages that are not HTML (downloads, iCal, redirects) are listed as such.
"""

from __future__ import annotations

import pytest

from coprog import create_app

from .a11y import check_a11y
from .helpers import login

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "coprog-demo-2025"
# In the live server's fresh database the demo notice, its first document and its first
# question are the first rows created.
VALUES = {
    "notice_id": 1,
    "slug": "bds-bologna-2025",
    "attachment_id": 1,
    "question_id": 1,
    "token": "token-non-valido",
    # the demo sub-procedure of bds-bologna-2025 and its first invitation
    "procedure_id": 1,
    "sub_id": 1,
    "invitation_id": 1,
}
NOT_HTML = {
    "static", "notices.download", "notices.calendar", "pages.set_language",
    # POST-only actions
    "notices.transition", "notices.delete_milestone", "notices.delete_attachment",
    "notices.delete_question_view",
    "subprocedures.transition", "subprocedures.resend", "subprocedures.revoke",
    "subprocedures.accept", "subprocedures.decline",
    "subprocedures.answered",  # a redirect unless an answer was just given
    "applications.admitted_open_data",  # CSV
    "applications.publish_admitted", "applications.answer", "applications.withdraw_application",
    "applications.new_version", "applications.add_co_opted_subject", "applications.remove_co_opted_subject",
}
SIGNED_OUT_ONLY = {"auth.logout"}
# One organisation's own pages: the demo has none yet; test_applications.py walks them as the
# applicant, with axe-core, in both languages.
OWN_DATA = {"organisation_id", "application_id", "subject_id"}
# Pages for the people of an ETS: crawled as the demo ETS user.
ETS_PAGES = {"organisations.mine", "organisations.register", "applications.mine", "applications.start"}


def html_pages(staff: bool, ets: bool = False) -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "SERVER_NAME": "x"})
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint in NOT_HTML or "GET" not in rule.methods or OWN_DATA & rule.arguments:
                continue
            if rule.endpoint.startswith("notices.") and "/gestione/" in rule.rule and not staff:
                continue
            if (rule.endpoint in ETS_PAGES) != ets:
                continue
            urls.append(url_for(rule.endpoint, **{k: VALUES[k] for k in rule.arguments}).replace("http://x", ""))
    return sorted(set(urls))


def _set_language(page, lang: str) -> None:
    page.goto(f"/lingua/{lang}?next=/")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_public_pages(page, page_log, lang):
    page_log.allow_error("status of 400")  # the e-mail link pages refuse the forged token
    _set_language(page, lang)
    for url in html_pages(staff=False):
        response = page.goto(url)
        shown = page.locator("html").get_attribute("lang")
        assert shown == lang, f"{url} -> {page.url} ({response.status}) in {shown}"
        check_a11y(page)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_staff_pages(page, page_log, lang):
    page_log.allow_error("status of 400")
    login(page, "rup@demo.coprog.it", DEMO_PASSWORD)
    assert "/accedi" not in page.url, "the demo RUP could not sign in"
    _set_language(page, lang)
    for url in html_pages(staff=True):
        if url in SIGNED_OUT_ONLY:
            continue
        response = page.goto(url)
        shown = page.locator("html").get_attribute("lang")
        assert shown == lang, f"{url} -> {page.url} ({response.status}) in {shown}"
        check_a11y(page)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_ets_pages(page, lang):
    login(page, "ets@demo.coprog.it", DEMO_PASSWORD)
    assert "/accedi" not in page.url, "the demo ETS user could not sign in"
    _set_language(page, lang)
    for url in html_pages(staff=False, ets=True):
        response = page.goto(url)
        shown = page.locator("html").get_attribute("lang")
        assert shown == lang and response.status < 400, f"{url} -> {page.url} ({response.status}) in {shown}"
        check_a11y(page)
