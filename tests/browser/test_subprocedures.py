"""The sub-procedure in Chromium: the demo RUP creates and opens one on the demo procedure and
invites a body; the body follows the e-mailed link (read from the live outbox) in a fresh
browser, accepts with a contact person and lands signed in; the RUP sees the acceptance."""

from __future__ import annotations

import re
import uuid

import pytest

from . import test_notices_staff as notices_staff
from .a11y import check_a11y
from .conftest import PageLog
from .helpers import screenshot
from .test_auth import Outbox
from .test_notices_staff import field, flash, look, open_tab, submit

# The RUP's signed-in page and its console log, shared with the notice tests
staff_state, staff_log, staff = notices_staff.staff_state, notices_staff.staff_log, notices_staff.staff

pytestmark = pytest.mark.browser

DEMO_SLUG = "bds-bologna-2025"
PASSWORD = "Una-password-per-la-prova-2025"


@pytest.fixture(scope="module")
def outbox(live_database_url):
    reader = Outbox(live_database_url)
    yield reader
    reader.engine.dispose()


def _demo_notice(staff) -> None:
    staff.goto("/gestione/avvisi")
    with staff.expect_navigation():
        staff.get_by_role("table").get_by_role("link", name=re.compile("^Avviso di co-programmazione")).first.click()


def test_demo_subprocedure_is_listed(staff):
    _demo_notice(staff)
    open_tab(staff, "Sub-procedimento")
    assert "/sub-procedimenti" in staff.url
    table = staff.get_by_role("table")
    assert "Sub-procedimento per il coinvolgimento di soggetti diversi dagli ETS" in table.inner_text()
    with staff.expect_navigation():
        table.get_by_role("link").first.click()
    rows = staff.locator("#invitations-title + p + .table-responsive table").inner_text()
    for name in ("Fondazione Esempio per la Comunità", "Impresa Dimostrativa S.r.l.", "Agenzia casa dimostrativa"):
        assert name in rows
    for state in ("Accettato", "Rifiutato", "Inviato", "Scaduto", "Revocato"):
        assert state in rows
    look(staff, "subprocedure-demo")
    with staff.expect_navigation():
        staff.get_by_role("link", name=re.compile("^Agenzia casa dimostrativa")).click()
    assert staff.get_by_role("button", name="Invia di nuovo").is_visible()
    assert staff.get_by_role("button", name="Revoca l'invito").is_visible()
    look(staff, "subprocedure-demo-pending-invitation")


def test_rup_creates_opens_invites_and_the_body_accepts(staff, staff_log, browser, live_url, outbox):
    staff_log.allow_error("422")  # the forms refused on purpose
    suffix = uuid.uuid4().hex[:6]
    title = f"Sub-procedimento di prova {suffix}"
    body = f"Fondazione Prova {suffix} (demo)"
    email = f"fondazione.{suffix}@demo.coprog.it"

    # Create, with an empty form first -----------------------------------------------------------
    _demo_notice(staff)
    open_tab(staff, "Sub-procedimento")
    look(staff, "subprocedure-list")
    submit(staff, "Crea in bozza")
    assert staff.locator("#form-errors").is_visible()
    assert "Campo obbligatorio." in staff.locator("#title-error").inner_text()
    look(staff, "subprocedure-create-errors")
    field(staff, "Titolo del sub-procedimento").fill(title)
    field(staff, "Finalità").fill("Coinvolgere soggetti diversi dagli ETS che dispongono di risorse per l'abitare.")
    assert "L. 241/1990" in field(staff, "Riferimenti normativi").input_value()  # prefilled
    submit(staff, "Crea in bozza")
    assert re.search(r"/gestione/sub-procedimenti/\d+$", staff.url), staff.url
    assert "Sub-procedimento creato in bozza" in flash(staff)
    look(staff, "subprocedure-draft")

    # Open it, then invite: a bad code first, then the body --------------------------------------
    submit(staff, "Apri il sub-procedimento")
    assert "Sub-procedimento aperto" in flash(staff)
    field(staff, "Tipo di soggetto").select_option(label="Fondazione")
    field(staff, "Denominazione").fill(body)
    field(staff, "Codice fiscale o partita IVA").fill("12345678901")
    field(staff, "E-mail a cui inviare l'invito").fill(email)
    submit(staff, "Invia l'invito")
    assert "non valido" in staff.locator("#tax_code-error").inner_text()
    assert field(staff, "Denominazione").input_value() == body  # kept
    look(staff, "subprocedure-invite-errors")
    field(staff, "Codice fiscale o partita IVA").fill("")
    submit(staff, "Invia l'invito")
    assert f"Invito inviato a {email}" in flash(staff)
    row = staff.get_by_role("row", name=re.compile(re.escape(body)))
    assert "Inviato" in row.inner_text()
    look(staff, "subprocedure-invited")

    # The same address again: refused with a clear message -------------------------------------
    field(staff, "Tipo di soggetto").select_option(label="Impresa")
    field(staff, "Denominazione").fill("Altro nome")
    field(staff, "E-mail a cui inviare l'invito").fill(email)
    submit(staff, "Invia l'invito")
    assert "già stato invitato" in staff.locator("#email-error").inner_text()
    sub_url = staff.url

    # The body follows the e-mailed link in a fresh browser ---------------------------------------
    link = outbox.link(email, "subprocedure_invitation", "/invito/")
    log = PageLog()
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport={"width": 1280, "height": 900})
    try:
        guest = context.new_page()
        log.attach(guest)
        guest.goto(link)
        assert guest.locator("h1").inner_text().strip() == "Invito al sub-procedimento"
        assert body in guest.locator("main").inner_text()
        assert field(guest, "Referente 1: E-mail").input_value() == email  # prefilled
        check_a11y(guest)
        screenshot(guest, "invitation-link")
        field(guest, "Referente 1: Nome e cognome").fill("Giulia Referente")
        field(guest, "Referente 1: Ruolo").fill("Responsabile progetti")
        field(guest, "Referente 1: Telefono").fill("051 000 1234")
        field(guest, "Password del nuovo account").fill(PASSWORD)
        field(guest, "Ripeti la password").fill(PASSWORD)
        guest.locator("label[for=privacy]").click()
        screenshot(guest, "invitation-link-filled")
        submit(guest, "Accetta l'invito")
        assert guest.url.endswith("/invito/esito"), guest.url
        assert guest.locator("h1").inner_text().strip() == "Invito accettato"
        assert "Giulia Referente" in guest.locator("header").inner_text()  # signed in
        check_a11y(guest)
        screenshot(guest, "invitation-accepted")
        # single use: the link now explains that it was answered
        log.allow_error("410")
        guest.goto(link)
        assert guest.locator("h1").inner_text().strip() == "Hai già risposto a questo invito"
        check_a11y(guest)
        screenshot(guest, "invitation-link-used")
    finally:
        context.close()
    assert not log.foreign_requests(live_url)
    assert not log.unexpected_errors(), log.unexpected_errors()

    # The RUP sees the acceptance and the contact -------------------------------------------------
    staff.goto(sub_url)
    row = staff.get_by_role("row", name=re.compile(re.escape(body)))
    assert "Accettato" in row.inner_text()
    with staff.expect_navigation():
        row.get_by_role("link").click()
    main = staff.locator("main").inner_text()
    assert "Giulia Referente" in main and "Invito accettato" in main
    look(staff, "subprocedure-invitation-accepted")
