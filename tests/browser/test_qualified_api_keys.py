"""The keys of the v1 API in Chromium, as the demo RUP (staff): a name left empty is refused
beside the field; a key is issued and shown once, with its warning; it opens the API; the list
shows only its prefix; it is revoked after a confirmation, and the API refuses it at once.
axe-core finds nothing on the pages, in Italian and in English; screenshots with make screenshots."""

from __future__ import annotations

import pytest

from .a11y import check_a11y
from .test_tables_minutes import RUP, checked, shot, signed_in

pytestmark = pytest.mark.browser

KEYS = "/gestione/api/chiavi"


def test_issue_see_once_and_revoke_a_key(browser, live_url, page_log):
    page_log.allow_error("status of 422")  # the refused empty name
    context, page = signed_in(browser, live_url, page_log, RUP)
    try:
        page.goto(KEYS)
        assert page.get_by_role("heading", level=1).inner_text() == "Chiavi dell'API"
        checked(page, "api-keys")

        with page.expect_navigation():
            page.get_by_role("button", name="Rilascia la chiave").click()
        assert "Indica a quale sistema è destinata la chiave." in page.locator("#name-error").inner_text()
        check_a11y(page)

        page.get_by_label("Sistema a cui è destinata la chiave").fill("Cruscotto di prova del browser")
        with page.expect_navigation():
            page.get_by_role("button", name="Rilascia la chiave").click()
        warning = page.locator("#nuova-chiave")
        assert "Copiala ora: è mostrata solo questa volta." in warning.inner_text()
        key = page.get_by_label("Chiave", exact=True).input_value()
        assert key.startswith("cpg_")
        check_a11y(page)
        shot(page, "api-keys-new")

        bearer = {"Authorization": f"Bearer {key}"}
        assert page.request.get("/api/v1/services", headers=bearer).status == 200

        page.goto(KEYS)
        assert key not in page.content() and key[:12] in page.content()  # shown once: the prefix only
        row = page.locator("tr", has_text="Cruscotto di prova del browser")
        with page.expect_navigation():
            row.get_by_role("link", name="Revoca").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Revoca la chiave"
        checked(page, "api-key-revoke")

        with page.expect_navigation():
            page.get_by_role("button", name="Sì, revoca la chiave").click()
        assert page.url.endswith(KEYS)
        assert "revocata" in page.locator(".coprog-messages").inner_text()
        assert "revocata" in page.locator("tr", has_text="Cruscotto di prova del browser").inner_text()
        check_a11y(page)
        shot(page, "api-keys-revoked")
        assert page.request.get("/api/v1/services", headers=bearer).status == 401
        assert not page_log.unexpected_errors(), page_log.unexpected_errors()
    finally:
        context.close()
