"""The staff pages of notices in Chromium, signed in as the demo RUP through the real login form.

The whole life of a new notice like a user: create it with the form, fill its timetable, documents
and FAQ, preview, publish, see it in public, amend it. Then bad input, and the 403 for an ETS user.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from coprog.core.time import rome_today
from coprog.demo.documents import demo_pdf

from .a11y import check_a11y
from .conftest import PageLog
from .helpers import login, screenshot

pytestmark = pytest.mark.browser

# Demo accounts created by `coprog demo` (coprog/demo/content.py)
DEMO_PASSWORD = "coprog-demo-2025"
STAFF = "rup@demo.coprog.it"
ETS = "ets@demo.coprog.it"

# Start of the "Campo obbligatorio" error summary
ERRORS_TITLE = "Il modulo contiene errori"


# Fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staff_state(browser, live_url):
    """Sign in once as the RUP through the real form; later contexts reuse the session cookie."""
    context = browser.new_context(base_url=live_url, locale="it-IT")
    page = context.new_page()
    login(page, STAFF, DEMO_PASSWORD)
    assert "Anna Esempio" in page.locator("header").inner_text()
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def staff_log():
    return PageLog()


@pytest.fixture
def staff(browser, live_url, staff_state, staff_log):
    """A page signed in as the RUP, with the same checks as the `page` fixture.

    A form refused on purpose answers 422: such a test calls staff_log.allow_error("422").
    """
    log = staff_log
    context = browser.new_context(
        base_url=live_url, locale="it-IT", viewport={"width": 1280, "height": 900},
        storage_state=staff_state,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log.attach(page)
    yield page
    context.close()
    foreign = log.foreign_requests(live_url)
    assert not foreign, "requests to other hosts:\n" + "\n".join(foreign)
    errors = log.unexpected_errors()
    assert not errors, "errors in the browser:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "modello-a-prova.pdf"
    path.write_bytes(demo_pdf("Modello A – prova", ["Domanda di partecipazione (prova)."]))
    return path


@pytest.fixture(scope="module")
def other_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "verbale-presentazione.pdf"
    path.write_bytes(demo_pdf("Verbale della presentazione", ["Sintesi dell'incontro (prova)."]))
    return path


# Helpers ---------------------------------------------------------------------------------------


def unique_slug(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def field(page, label: str):
    """The control labelled `label`; a required field's label ends with " *" (aria-hidden)."""
    return page.get_by_label(re.compile("^" + re.escape(label) + r"(\s*\*)?$"))


def tick(page, group: str, label: str) -> None:
    """Tick a checkbox by clicking its label (Bootstrap Italia draws the box on the label)."""
    box = page.get_by_role("group", name=group).get_by_label(label, exact=True)
    page.locator(f"label[for={box.get_attribute('id')}]").click()
    assert box.is_checked()


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def open_tab(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="Sezioni dell'avviso").get_by_role(
            "link", name=name, exact=True
        ).click()


def flash(page) -> str:
    return page.locator(".coprog-messages").inner_text()


def look(page, name: str) -> None:
    check_a11y(page)
    screenshot(page, name)


def fill_notice_form(page, *, title: str, slug: str, deadline: date) -> None:
    """Fill every field of the new-notice form as a user would."""
    field(page, "Titolo dell'avviso").fill(title)
    field(page, "Identificativo nell'indirizzo").fill(slug)
    field(page, "Oggetto in breve").fill(
        "Invito agli enti del Terzo settore a partecipare alla co-programmazione dei servizi "
        "per l'abitare e il lavoro delle persone seguite dal DSM-DP."
    )
    assert "Art. 55" in field(page, "Riferimenti normativi").input_value()  # prefilled
    field(page, "Obiettivi").fill("Leggere insieme i bisogni.\n\nIndividuare le risorse del territorio.")
    field(page, "Requisiti di partecipazione").fill("Iscrizione al RUNTS da almeno 6 mesi.")
    field(page, "Modalità di partecipazione").fill("Domanda con il Modello A e l'Allegato 4.")
    tick(page, "Assi", "Abitare")
    tick(page, "Assi", "Formazione/Lavoro")
    tick(page, "Distretti", "Città di Bologna")
    tick(page, "Distretti", "Pianura Est")
    field(page, "Scadenza: giorno").fill(deadline.isoformat())
    field(page, "Scadenza: ora").fill("12:00")
    field(page, "Responsabile del procedimento (RUP)").fill("Anna Esempio")
    field(page, "Qualifica del RUP").fill("Dirigente, DSM-DP")
    field(page, "E-mail per informazioni").fill("coprogrammazione@demo.coprog.it")
    field(page, "PEC").fill("dsm@pec.demo.coprog.it")
    field(page, "Telefono").fill("051 000 0000")


# The life of a notice --------------------------------------------------------------------------


def test_staff_list(staff):
    staff.goto("/gestione/avvisi")
    assert staff.locator("h1").inner_text().strip() == "Gestione avvisi"
    table = staff.get_by_role("table")
    assert table.get_by_role("link", name=re.compile("^Avviso di co-programmazione")).count() >= 1
    assert "bds-bologna-2025" in table.inner_text()
    assert staff.get_by_role("link", name="Nuovo avviso").is_visible()
    look(staff, "staff-notices-list")


def test_create_fill_publish_and_amend_a_notice(staff, staff_log, pdf_file, other_pdf):
    staff_log.allow_error("422")  # the refused form
    slug = unique_slug("prova")
    title = f"Avviso di prova {slug}"
    deadline = rome_today() + timedelta(days=30)

    # New notice through the form -------------------------------------------------------------
    staff.goto("/gestione/avvisi")
    with staff.expect_navigation():
        staff.get_by_role("link", name="Nuovo avviso").click()
    assert staff.locator("h1").inner_text().strip() == "Nuovo avviso"
    fill_notice_form(staff, title=title, slug=slug, deadline=deadline)
    field(staff, "Modello A – Domanda di partecipazione (PDF)").set_input_files(str(pdf_file))
    look(staff, "staff-notice-new-filled")
    submit(staff, "Salva")
    assert re.search(r"/gestione/avvisi/\d+$", staff.url), staff.url
    notice_url = staff.url
    assert "Bozza dell'avviso salvata." in flash(staff)
    assert staff.locator("h1").inner_text().strip() == title
    assert staff.locator("main .badge").first.inner_text().strip() == "Bozza"
    summary = staff.locator("main dl").first.inner_text()
    assert f"{deadline.day} " in summary and "12:00" in summary
    assert re.search(r"Documenti\s+1", summary)
    look(staff, "staff-notice-draft")

    # Cronoprogramma: a table meeting ---------------------------------------------------------
    open_tab(staff, "Cronoprogramma")
    meeting_day = deadline + timedelta(days=14)
    field(staff, "Tipo").select_option(label="Tavolo di co-programmazione")
    field(staff, "Titolo").fill("Tavolo 1 – Abitare")
    field(staff, "Giorno").fill(meeting_day.isoformat())
    field(staff, "Ora di inizio").fill("09:30")
    field(staff, "Ora di fine").fill("12:30")
    field(staff, "Luogo o collegamento").fill("Via Sant'Isaia 94/a, Bologna")
    submit(staff, "Aggiungi")
    assert "Data aggiunta al cronoprogramma." in flash(staff)
    dates = staff.locator("main ul.list-unstyled").first.inner_text()
    assert "Tavolo 1 – Abitare" in dates and "09:30–12:30" in dates
    look(staff, "staff-notice-milestones")

    # Documenti: another PDF ------------------------------------------------------------------
    open_tab(staff, "Documenti")
    assert "modello-a-prova.pdf" in staff.locator("main").inner_text()
    field(staff, "Tipo di documento").select_option(label="Altro documento")
    field(staff, "Titolo").fill("Verbale della presentazione")
    field(staff, "File (PDF)").set_input_files(str(other_pdf))
    submit(staff, "Carica")
    assert "Documento caricato." in flash(staff)
    uploaded = staff.locator("main ul.list-unstyled").first.inner_text()
    assert "Verbale della presentazione" in uploaded and "verbale-presentazione.pdf" in uploaded
    assert len(re.findall(r"SHA-256: [0-9a-f]{64}", uploaded)) == 2
    look(staff, "staff-notice-attachments")

    # Domande e risposte: a published answer --------------------------------------------------
    open_tab(staff, "Domande e risposte")
    field(staff, "Domanda").fill("Una cooperativa sociale di tipo B può partecipare?")
    field(staff, "Risposta").fill("Sì, se è iscritta al RUNTS da almeno 6 mesi.")
    staff.get_by_text("Pubblica la domanda con la risposta").click()
    assert staff.get_by_label("Pubblica la domanda con la risposta").is_checked()
    submit(staff, "Salva")
    assert "Domanda salvata." in flash(staff)
    assert "pubblicata" in staff.locator("main .row ol").first.inner_text()
    look(staff, "staff-notice-questions")

    # Anteprima -------------------------------------------------------------------------------
    open_tab(staff, "Anteprima")
    assert "Anteprima." in staff.get_by_role("status").first.inner_text()
    assert staff.locator("h1").inner_text().strip() == title
    assert "Tavolo 1 – Abitare" in staff.locator("#cronoprogramma").inner_text()
    look(staff, "staff-notice-preview")

    # Publish from the Riepilogo --------------------------------------------------------------
    with staff.expect_navigation():
        staff.get_by_role("link", name="Torna alla gestione").click()
    assert staff.url == notice_url
    submit(staff, "Pubblica l'avviso")
    assert "Avviso pubblicato." in flash(staff)
    assert staff.locator("main .badge").first.inner_text().strip() == "Aperto"
    look(staff, "staff-notice-published")

    # The public page shows it ----------------------------------------------------------------
    staff.goto(f"/avvisi/{slug}")
    assert staff.locator("h1").inner_text().strip() == title
    assert staff.locator(".coprog-notice header .badge").inner_text().strip() == "Aperto"
    assert "Mancano 30 giorni." in staff.locator(".coprog-keyfacts").inner_text()
    assert "Tavolo 1 – Abitare" in staff.locator("#cronoprogramma").inner_text()
    assert staff.locator("#documenti li").count() == 2
    assert "cooperativa sociale di tipo B" in staff.locator("#faq").inner_text()
    look(staff, "staff-notice-public")

    # Edit the published notice without a reason: refused, input kept -------------------------
    staff.goto(notice_url)
    open_tab(staff, "Testo e scadenza")
    new_title = f"{title} (rettificato)"
    field(staff, "Titolo dell'avviso").fill(new_title)
    submit(staff, "Pubblica la rettifica")
    assert staff.locator("#form-errors").is_visible()
    reason = field(staff, "Motivo della rettifica")
    assert reason.get_attribute("aria-invalid") == "true"
    error = staff.locator("#amendment_reason-error")
    assert error.is_visible() and error.inner_text().strip()
    assert "amendment_reason-error" in reason.get_attribute("aria-describedby")
    assert field(staff, "Titolo dell'avviso").input_value() == new_title
    look(staff, "staff-notice-amend-no-reason")

    # ... then with a reason: Rettifica n. 1 ---------------------------------------------------
    reason.fill("Correzione del titolo richiesta dal DSM-DP.")
    submit(staff, "Pubblica la rettifica")
    assert "Rettifica n. 1 pubblicata." in flash(staff)
    assert staff.url == notice_url
    log = staff.get_by_role("heading", name="Registro delle operazioni").locator("xpath=..").inner_text()
    assert "Rettifica" in log and "Correzione del titolo richiesta dal DSM-DP." in log
    assert "Cambio di stato: Bozza → Aperto" in log
    look(staff, "staff-notice-amended")

    staff.goto(f"/avvisi/{slug}")
    assert staff.locator("h1").inner_text().strip() == new_title
    amendments = staff.locator("#rettifiche").inner_text()
    assert "Rettifica n. 1 del" in amendments
    assert "Correzione del titolo richiesta dal DSM-DP." in amendments
    assert f"«{title}»" in amendments and f"«{new_title}»" in amendments
    look(staff, "staff-notice-public-amended")


# Bad input -------------------------------------------------------------------------------------


def test_empty_new_notice_form_shows_the_errors(staff, staff_log):
    staff_log.allow_error("422")  # the refused form
    staff.goto("/gestione/avvisi/nuovo")
    submit(staff, "Salva")
    summary = staff.locator("#form-errors")
    assert summary.get_attribute("role") == "alert"
    assert ERRORS_TITLE in summary.inner_text()
    links = summary.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for target in ("#title", "#slug", "#summary", "#axes", "#deadline_date", "#rup_name", "#contact_email"):
        assert target in targets
        # every link leads to something on the page
        assert staff.locator(target).count() == 1, target
    # errors beside the fields, tied to them for screen readers
    title = field(staff, "Titolo dell'avviso")
    assert title.get_attribute("aria-invalid") == "true"
    assert staff.locator("#title-error").inner_text().strip() == "Campo obbligatorio."
    assert "Scegli almeno un asse." in staff.get_by_role("group", name="Assi").inner_text()
    # the summary takes the focus, and its links move the focus to the field
    summary.focus()
    assert staff.evaluate("document.activeElement.id") == "form-errors"
    links.first.click()
    assert staff.evaluate("document.activeElement.id") == "title"
    summary.get_by_role("link", name="Assi").click()
    assert staff.evaluate("document.activeElement.id") == "axes"
    staff.keyboard.press("Tab")
    assert staff.evaluate("document.activeElement.id") == "axes-0"
    staff.evaluate("window.scrollTo(0, 0)")
    look(staff, "staff-notice-new-empty")


def test_a_fake_pdf_is_refused_beside_its_field_and_other_input_kept(staff, staff_log, tmp_path):
    staff_log.allow_error("422")  # the refused form
    fake = tmp_path / "domanda.pdf"
    fake.write_text("Non sono un PDF, solo testo con l'estensione sbagliata.\n")
    slug = unique_slug("falso-pdf")
    title = f"Avviso con allegato sbagliato {slug}"
    staff.goto("/gestione/avvisi/nuovo")
    fill_notice_form(staff, title=title, slug=slug, deadline=rome_today() + timedelta(days=30))
    field(staff, "Modello A – Domanda di partecipazione (PDF)").set_input_files(str(fake))
    submit(staff, "Salva")
    assert staff.url.endswith("/gestione/avvisi/nuovo")
    error = staff.locator("#modello_a-error")
    assert "Il file non è un PDF valido" in error.inner_text()
    assert field(staff, "Modello A – Domanda di partecipazione (PDF)").get_attribute("aria-invalid") == "true"
    assert "Il file non è un PDF valido" in staff.locator("#form-errors").inner_text()
    # everything else as typed
    assert field(staff, "Titolo dell'avviso").input_value() == title
    assert field(staff, "Identificativo nell'indirizzo").input_value() == slug
    assert field(staff, "Scadenza: ora").input_value() == "12:00"
    assert field(staff, "Telefono").input_value() == "051 000 0000"
    assert staff.get_by_role("group", name="Assi").get_by_label("Abitare").is_checked()
    assert staff.get_by_role("group", name="Distretti").get_by_label("Pianura Est").is_checked()
    look(staff, "staff-notice-new-fake-pdf")
    # and nothing saved
    staff.goto("/gestione/avvisi")
    assert slug not in staff.locator("main").inner_text()


# Permissions -----------------------------------------------------------------------------------


def test_ets_user_gets_the_403_page(page, page_log):
    page_log.allow_error("403")
    login(page, ETS, DEMO_PASSWORD)
    response = page.goto("/gestione/avvisi")
    assert response.status == 403
    assert page.locator("h1").inner_text().strip() == "Accesso non consentito"
    assert "Nuovo avviso" not in page.locator("main").inner_text()
    look(page, "staff-notices-403-ets")
