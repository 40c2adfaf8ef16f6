"""The search of case managers in Chromium: the acceptance walk of issue 7.

The test sets its own scene in the live server's database (whatever the demo holds): a case
manager of the CSM Navile and five qualified entities whose services all carry the word
"Girasole" (housing in Bologna, San Lazzaro and Casalecchio, one with no place free, one in
Vergato, 30 km away, and a workshop on another axis). Then, as the case manager: the header
leads to the search; housing for adults available now within 10 km of Bologna (htmx, the URL
follows); narrowed by "girasole" to exactly two, nearest first, on the list and on the map; a
refused radius gets its message beside the field; an entity's page with its contacts; two
services added to the shortlist (from the entity's page and from the list, htmx), which prints
without the navigation and exports a CSV. axe-core finds nothing on every page, in Italian and
in English. Without JavaScript the form and the shortlist still work. Screenshots in
test-artifacts/screenshots/qualified-*.png.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from .a11y import check_a11y
from .helpers import login
from .test_tables_minutes import DEMO_PASSWORD, shot

pytestmark = pytest.mark.browser

SEARCH = "/elenco-qualificati/ricerca"
CASE_MANAGER = f"cm.navile.{uuid.uuid4().hex[:6]}@example.org"
WORD = "Girasole"


# The scene, in the live database ------------------------------------------------------------------


def entity_code() -> str:
    """A fresh valid 11-digit codice fiscale (the partita IVA check digit is Luhn's)."""
    from stdnum import luhn

    base = f"{7000000 + uuid.uuid4().int % 1000000:07d}037"
    return base + luhn.calc_check_digit(base)


@pytest.fixture(scope="module")
def live_app(live_url, live_database_url, tmp_path_factory):
    """An app on the live server's database, for what no page does: setting the scene."""
    from coprog import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": live_database_url,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("live-app")),
        "SECRET_KEY": "only-to-write-the-scene",
        "COPROG_PASSWORD_HASHING": "test", "COPROG_DEMO": True,  # like the live server
        "COPROG_NOMINATIM_URL": None,
    })


OFFERS = [  # key, organisation, service, comune, places free, stale, axis, type
    ("bolognina", "Cooperativa sociale Il Girasole", "Appartamento Girasole Bolognina", "Bologna", 2, False,
     "abitare", "abitazioni"),
    ("lazzaro", "Associazione Casa del Girasole APS", "Gruppo appartamento Girasole", "San Lazzaro di Savena", 1,
     True, "abitare", "abitazioni"),
    ("casalecchio", "ODV Girasole di Casalecchio", "Casa Girasole", "Casalecchio di Reno", 0, False, "abitare",
     "abitazioni"),
    ("vergato", "Cooperativa Girasole dell'Appennino", "Casa famiglia Girasole", "Vergato", 3, False, "abitare",
     "abitazioni"),
    ("lavoro", "APS Girasole al lavoro", "Laboratorio Girasole", "Bologna", 2, False, "lavoro",
     "inserimenti_lavorativi"),
]


@pytest.fixture(scope="module")
def scene(live_app):
    """The case manager and the five entities; {key: (entry id, service id)}."""
    from sqlalchemy import select

    from coprog.auth.models import User
    from coprog.core.roles import Role
    from coprog.core.time import naive_utc, rome_today, utcnow
    from coprog.extensions import db
    from coprog.mapping.services.contributions import resource_types_of
    from coprog.notices.models import Procedure, ProcedureKind
    from coprog.notices.services import create_notice
    from coprog.organisations.models import Organisation
    from coprog.qualified.models import EntryState, QualifiedEntry
    from coprog.qualified.search_views import list_authority
    from coprog.qualified.services.entries import save_service
    from coprog.territory.models import Comune

    with live_app.app_context():
        rup = db.session.scalar(select(User).where(User.email == "rup@demo.coprog.it"))
        authority = list_authority()
        procedure = db.session.scalar(select(Procedure).where(
            Procedure.kind == ProcedureKind.QUALIFIED_LIST, Procedure.authority_id == authority.id).order_by(Procedure.id))
        if procedure is None:  # a demo without the list: one of our own
            data = {
                "kind": ProcedureKind.QUALIFIED_LIST.value, "title": "Elenco dei soggetti qualificati (prova)",
                "summary": "Elenco per la prova della ricerca.", "legal_basis": "Art. 55 D.Lgs. 117/2017.",
                "objectives": "Prova.", "requirements": "Iscrizione al RUNTS.", "how_to_apply": "Online.",
                "rup_name": "Anna Esempio", "rup_role": "Direttrice", "contact_email": "elenco@example.org",
                "contact_pec": "", "contact_phone": "", "deadline_at": utcnow() + timedelta(days=900),
                "axis_ids": [a.id for a in authority.axes], "district_ids": [d.id for d in authority.districts],
            }
            procedure = create_notice(authority, f"elenco-prova-{uuid.uuid4().hex[:6]}", data, [], by=rup).procedure
        axes = {a.code: a.id for a in authority.axes}
        types = {t.code: t.id for t in resource_types_of(authority)}
        today = rome_today()
        made = {}
        for key, organisation, title, where, free, stale, axis, kind in OFFERS:
            comune = db.session.scalar(select(Comune).where(Comune.name == where))
            entry = QualifiedEntry(
                procedure=procedure, organisation=Organisation(codice_fiscale=entity_code(), name=organisation,
                                                               runts_section="d"),
                state=EntryState.QUALIFIED, valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=700),
                contact_desk="Sportello inserimenti BdS", contact_email=f"inserimenti.{key}@example.org",
                contact_phone="051 000 1234")
            db.session.add(entry)
            db.session.flush()
            service = save_service(entry, {
                "title": title, "description": f"Servizio {WORD}: accompagnamento all'abitare e alla vita autonoma.",
                "axis_id": axes[axis], "resource_type_id": types[kind], "targets": ["adulti_csm"],
                "comune_id": comune.id, "district_ids": [comune.district_id], "capacity": 4, "available": free,
                "address": "via dei Girasoli 1", "step_free": True, "public_transport": "Autobus 27, fermata Girasoli",
            }, by=rup)
            if stale:
                service.availability_updated_at = naive_utc(utcnow() - timedelta(days=90))
            made[key] = (entry.id, service.id)
        user = User(email=CASE_MANAGER, full_name="Chiara Prova (case manager CSM Navile)", role=Role.CASE_MANAGER,
                    email_verified_at=naive_utc(utcnow()))
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
        return made


# Helpers -----------------------------------------------------------------------------------------


def map_ready(page) -> None:
    if page.locator("#qualified-map").count():
        page.wait_for_selector("#qualified-map[data-loaded=true]", state="attached")


def checked(page, name: str) -> None:
    """axe-core clean in Italian and in English (the header's switch), photographed, then back
    to Italian on the same page."""
    map_ready(page)
    check_a11y(page)
    shot(page, f"qualified-{name}")
    here = urlsplit(page.url)
    path = here.path + (f"?{here.query}" if here.query else "")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en" and urlsplit(page.url).path == here.path
    assert urlsplit(page.url).query == here.query  # the search as it is, even after htmx changed it
    map_ready(page)
    check_a11y(page)
    shot(page, f"qualified-{name}-en")
    page.goto(f"/lingua/it?next={quote(path)}")
    assert page.locator("html").get_attribute("lang") == "it"
    map_ready(page)


def searched(page, action) -> None:
    """Do `action` (a change of the form) and wait for htmx to swap the results."""
    with page.expect_response(lambda r: urlsplit(r.url).path == SEARCH and r.request.headers.get("hx-request")):
        action()
    page.wait_for_function("() => !document.querySelector('#qualified-search-form.htmx-request')")


def listed(page) -> list[str]:
    return [t.strip() for t in page.locator(".coprog-result-title a").all_inner_texts()]


def signed_in_context(browser, live_url, page_log, **options):
    context = browser.new_context(base_url=live_url, locale="it-IT", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page_log.attach(page)
    login(page, CASE_MANAGER, DEMO_PASSWORD)
    assert "/accedi" not in page.url, "the case manager could not sign in"
    return context, page


# The walk ----------------------------------------------------------------------------------------


def test_a_case_manager_searches_chooses_and_prints(browser, live_url, page_log, scene):
    page_log.allow_error("400")  # the refused radius, on purpose
    context, page = signed_in_context(browser, live_url, page_log)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # The header leads to the search -------------------------------------------------------------
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="Ricerca soggetti qualificati").click()
    assert urlsplit(page.url).path == SEARCH
    assert page.locator("script:not([src])").count() == 0
    map_ready(page)
    checked(page, "search")

    # Housing for adults available now within 10 km of Bologna (htmx at each change) ---------------
    searched(page, lambda: page.select_option("#asse", label="Abitare"))
    searched(page, lambda: page.select_option("#tipo", label="Abitazioni e alloggi"))
    searched(page, lambda: page.select_option("#destinatari", value="adulti_csm"))
    searched(page, lambda: page.locator("label[for=disponibili]").click())
    searched(page, lambda: page.select_option("#vicino", label="Bologna"))
    assert page.locator("#raggio").input_value() == "10"
    found = listed(page)
    assert {"Appartamento Girasole Bolognina", "Gruppo appartamento Girasole"} <= set(found)
    assert not {"Casa Girasole", "Casa famiglia Girasole", "Laboratorio Girasole"} & set(found)
    query = parse_qs(urlsplit(page.url).query)  # the URL follows the form: bookmarkable
    assert query["disponibili"] == ["1"] and query["raggio"] == ["10"] and "vicino" in query
    assert "entro 10 km da Bologna" in page.locator(".coprog-results-count").inner_text()

    # A radius out of range: the message beside the field, the other values kept --------------------
    page.fill("#raggio", "-5")
    searched(page, lambda: page.locator("#raggio").press("Enter"))
    assert "Indica un raggio tra 1 e 200 km." in page.locator("#raggio-error").inner_text()
    assert page.locator("#raggio").get_attribute("aria-invalid") == "true"
    assert page.locator("#vicino").input_value() and page.locator("#disponibili").is_checked()
    check_a11y(page)
    shot(page, "qualified-search-refused")
    page.fill("#raggio", "10")
    searched(page, lambda: page.locator("#raggio").press("Enter"))

    # Narrowed by a word: exactly two, the nearest first, on the list and on the map ----------------
    page.fill("#testo", "girasole")
    searched(page, lambda: page.locator("#testo").press("Enter"))
    assert listed(page) == ["Appartamento Girasole Bolognina", "Gruppo appartamento Girasole"]
    count = page.locator(".coprog-results-count")
    assert count.get_attribute("role") == "status" and count.inner_text().startswith("2 servizi trovati")
    facts = page.locator(".coprog-result").nth(1).inner_text()
    assert "6,4 km" in facts and "dato non aggiornato da più di 30 giorni" in facts
    assert page.locator(".coprog-result").nth(0).locator(".coprog-stale").count() == 0
    assert parse_qs(urlsplit(page.url).query)["testo"] == ["girasole"]
    page.wait_for_function("() => window.coprogQualifiedMap && window.coprogQualifiedMap.points().length === 2")
    points = page.evaluate("window.coprogQualifiedMap.points()")
    assert [p["title"] for p in points] == listed(page) and [p["n"] for p in points] == [1, 2]
    assert page.evaluate("window.coprogQualifiedMap.origin().label") == "Bologna"
    assert page.locator("path.coprog-radius").count() == 1
    search_url = page.url
    checked(page, "search-results")
    # Back and forward through the searches: the page comes back whole, with a live map
    page.goto(search_url)
    map_ready(page)
    page.fill("#testo", "girasole bolognina")
    searched(page, lambda: page.locator("#testo").press("Enter"))
    assert listed(page) == ["Appartamento Girasole Bolognina"]
    # Back is a same-document navigation: htmx puts back its copy of the page, then qualified-map.js
    # reloads it for a live map. Wait for that reload's load event, not for the URL change, or the
    # list is read from a document being replaced (an empty list: the CI failure of stop 9).
    with page.expect_event("load"):
        page.go_back()
    map_ready(page)
    assert page.url == search_url and len(listed(page)) == 2
    assert page.evaluate("window.coprogQualifiedMap.points().length") == 2

    # The entity's page, with its contacts; the first service into the shortlist (htmx) -------------
    entry_id, service_id = scene["bolognina"]
    with page.expect_navigation():
        page.get_by_role("link", name="Appartamento Girasole Bolognina").click()
    assert urlsplit(page.url).path == f"/elenco-qualificati/enti/{entry_id}"
    assert page.locator("h1").inner_text().strip() == "Cooperativa sociale Il Girasole"
    contacts = page.locator(".coprog-contacts").inner_text()
    assert "inserimenti.bolognina@example.org" in contacts and "051 000 1234" in contacts
    assert "d) Imprese sociali" in page.locator("main").inner_text()
    checked(page, "entity")
    button = page.locator(f"#selezione-{service_id}-pulsante")
    with page.expect_response(lambda r: r.url.endswith("/selezione/aggiungi")):
        button.click()
    page.wait_for_function(f"() => document.querySelector('#selezione-{service_id}-pulsante')"
                           ".textContent.includes('Togli dalla selezione')")
    assert "La selezione contiene 1 servizio" in page.locator("#shortlist-status").inner_text()
    assert page.evaluate("document.activeElement.id") == f"selezione-{service_id}-pulsante"  # focus kept
    shot(page, "qualified-entity-added")

    # Back to the results; the second one from the list ---------------------------------------------
    page.goto(search_url)
    map_ready(page)
    second = scene["lazzaro"][1]
    assert "Togli dalla selezione" in page.locator(f"#selezione-{service_id}-pulsante").inner_text()
    with page.expect_response(lambda r: r.url.endswith("/selezione/aggiungi")):
        page.locator(f"#selezione-{second}-pulsante").click()
    page.wait_for_function("() => document.querySelector('#shortlist-status').textContent.includes('2 servizi')")

    # The shortlist: printable, exported -------------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Vedi, stampa o esporta la selezione").click()
    items = page.locator(".coprog-shortlist-item h2").all_inner_texts()
    assert items == ["Appartamento Girasole Bolognina", "Gruppo appartamento Girasole"]
    assert "nessun dato della persona seguita" in page.locator(".coprog-privacy-note").inner_text()
    assert page.get_by_role("button", name="Stampa").is_visible()
    checked(page, "shortlist")
    page.emulate_media(media="print")
    for hidden in ("header.it-header-wrapper", "footer", ".breadcrumb-container", ".js-print",
                   ".coprog-shortlist-item form"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator(".coprog-print-only").is_visible()
    assert page.locator(".coprog-shortlist-item").nth(1).locator(".coprog-stale").is_visible()
    shot(page, "qualified-shortlist-print")
    printed = page.pdf()  # what "Stampa" gives, as Chromium prints it to a file
    assert printed.startswith(b"%PDF-") and printed.count(b"/Type /Page") >= 1
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Esporta in CSV (foglio di calcolo)").click()
    body = open(download.value.path(), "rb").read()
    assert body.startswith("\ufeff".encode()) and download.value.suggested_filename.endswith(".csv")
    lines = body.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[0].startswith("ente;codice_fiscale;sezione_runts;servizio")
    assert lines[1].startswith("Cooperativa sociale Il Girasole;")
    assert not dialogs
    context.close()


def test_without_javascript_the_search_and_the_shortlist_still_work(browser, live_url, page_log, scene):
    page_log.allow_error("400")
    context, page = signed_in_context(browser, live_url, page_log, java_script_enabled=False)
    page.goto(SEARCH)
    page.fill("#testo", "girasole")
    page.select_option("#vicino", label="Bologna")
    page.fill("#raggio", "500")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Cerca").click()
    assert navigation.value.status == 400
    assert "Indica un raggio tra 1 e 200 km." in page.locator("#raggio-error").inner_text()
    assert page.locator("#testo").input_value() == "girasole"
    page.fill("#raggio", "50")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Cerca").click()
    assert navigation.value.status == 200
    # nearest first: the two in Bologna (by the entity's name), San Lazzaro, Casalecchio, Vergato
    assert listed(page) == ["Laboratorio Girasole", "Appartamento Girasole Bolognina", "Gruppo appartamento Girasole",
                            "Casa Girasole", "Casa famiglia Girasole"]
    vergato = scene["vergato"][1]
    with page.expect_navigation():
        page.locator(f"#selezione-{vergato}-pulsante").click()
    assert urlsplit(page.url).path == SEARCH and urlsplit(page.url).fragment == f"risultato-{vergato}"
    assert "La selezione contiene 1 servizio" in page.locator("#shortlist-status").inner_text()
    assert "Togli dalla selezione" in page.locator(f"#selezione-{vergato}-pulsante").inner_text()
    shot(page, "qualified-search-nojs")
    context.close()


def test_the_results_go_page_by_page_in_place(browser, live_url, page_log, scene):
    """Every valid service of the list is more than a page: the page links swap the results
    with htmx, the URL follows, and the links are those of every paginated list."""
    context, page = signed_in_context(browser, live_url, page_log)
    page.goto(SEARCH)
    map_ready(page)
    pages = page.get_by_role("navigation", name="Pagine dei risultati")
    assert pages.count() == 1
    first = listed(page)
    searched(page, lambda: pages.get_by_role("link", name="Successiva").click())
    assert parse_qs(urlsplit(page.url).query)["pagina"] == ["2"]
    second = listed(page)
    assert len(second) and not set(first) & set(second)
    assert pages.locator("[aria-current=page]").inner_text().split()[-1] == "2"
    assert pages.get_by_role("link", name="Precedente").count() == 1
    map_ready(page)
    check_a11y(page)
    shot(page, "qualified-search-page-2")
    searched(page, lambda: pages.get_by_role("link", name="Pagina 1", exact=True).click())
    assert listed(page) == first
    context.close()
