"""An ETS joins the list of qualified entities and keeps its availability current, end to end in
Chromium, as the people would do it.

A new ETS (its representative and its organisation set as a registration would leave them)
applies to an open list notice through the application engine (Modello A and its declarations);
the RUP opens the notice's "Elenco" tab, refuses an empty reason (422, the message beside the
field, the dates kept) and qualifies the entity; the ETS finds its entry on its dashboard, adds
a service (a negative capacity refused first, everything typed kept), then updates its places
with the quick htmx form (a number above the capacity refused in the fragment, without leaving
the page) and again from its dashboard. The case manager's search returns the new availability
at once. axe-core runs on every page, in Italian and in English, and each page is photographed.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .a11y import check_a11y
from .test_applications import error_of, flash_text, submit, tick
from .test_tables_minutes import DEMO_PASSWORD, RUP, checked, shot, signed_in

pytestmark = pytest.mark.browser

CASE_MANAGER = "casemanager@demo.coprog.it"
PERSON_CF = "RSSMRA80A01H501U"
REASON = "Requisiti verificati: iscrizione al RUNTS e servizi coerenti con l'avviso."


@pytest.fixture(scope="module")
def live_app(live_url, live_database_url, tmp_path_factory):
    """An app on the live server's database, for what no page does: setting the scene."""
    from coprog import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": live_database_url,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("live-app-qualified")),
        "SECRET_KEY": "only-to-write-the-scene",
        "COPROG_PASSWORD_HASHING": "test",  # like the live server: a quick sign-in
        "TESTING": True,
    })


def entity_code() -> str:
    from stdnum import luhn

    base = f"{8000000 + uuid.uuid4().int % 1000000:07d}037"
    return base + luhn.calc_check_digit(base)


def set_the_scene(live_app, tag: str) -> dict:
    """An open list notice of the default authority; a new ETS user and its organisation (in the
    RUNTS mirror), as registration would leave them."""
    from sqlalchemy import select

    from coprog.auth.models import User
    from coprog.core.roles import Role
    from coprog.core.time import naive_utc, utcnow
    from coprog.extensions import db
    from coprog.notices.services import create_notice
    from coprog.organisations.models import MemberRole, Membership, Organisation
    from coprog.registry.models import RuntsEntity, RuntsSection
    from coprog.territory.services import default_authority

    today = date.today()
    code = entity_code()
    scene = {"slug": f"elenco-prova-{tag}", "email": f"ets.elenco.{tag}@example.org",
             "organisation": f"Cooperativa Sentiero Immaginario {tag} (fittizia)"}
    with live_app.app_context():
        rup = db.session.scalar(select(User).where(User.email == RUP))
        authority = default_authority()
        data = {
            "kind": "elenco_qualificati",
            "title": f"Elenco dei soggetti qualificati per il Budget di Salute {tag}",
            "summary": "Elenco aperto creato dal test end-to-end.",
            "legal_basis": "L.R. Emilia-Romagna 3/2023, art. 17.",
            "objectives": "Qualificare gli enti che co-gestiscono i progetti.",
            "requirements": "Iscrizione al RUNTS.",
            "how_to_apply": "Domanda online in ogni momento fino al termine dell'elenco.",
            "rup_name": "Anna Esempio", "rup_role": "Direttrice", "contact_email": "elenco@example.org",
            "contact_pec": "", "contact_phone": "",
            "deadline_at": utcnow() + timedelta(days=700),
            "axis_ids": [a.id for a in authority.axes], "district_ids": [d.id for d in authority.districts],
        }
        notice = create_notice(authority, scene["slug"], data, [], by=rup)
        notice.publish(by=rup)
        user = User(email=scene["email"], full_name="Sara Fittizia", role=Role.ETS,
                    email_verified_at=naive_utc(utcnow()))
        user.set_password(DEMO_PASSWORD)
        organisation = Organisation(codice_fiscale=code, name=scene["organisation"], runts_section="b",
                                    repertorio="445566", seat_comune="Bologna", pec=f"sentiero.{tag}@pec.example.org",
                                    email=f"sentiero.{tag}@example.org", phone="051 000 4455")
        organisation.members.append(Membership(user=user, role=MemberRole.LEGAL_REPRESENTATIVE))
        db.session.add_all([user, organisation, RuntsEntity(
            codice_fiscale=code, repertorio="445566", denominazione=scene["organisation"], sezione=RuntsSection("b"),
            comune="Bologna", provincia="BO", registered_on=today - timedelta(days=900), first_seen_snapshot=today,
            last_seen_snapshot=today, row_hash=uuid.uuid4().hex)])
        db.session.commit()
        scene["notice_id"] = notice.id
    return scene


def searched(live_app, words: str):
    """What the case manager's search returns now for those words: (title, available) pairs."""
    from coprog.qualified.services.search import Filters, search

    with live_app.app_context():
        return [(hit.service.title, hit.service.available, hit.stale) for hit in search(Filters(text=words)).hits]


def test_an_ets_is_qualified_and_keeps_its_availability(browser, live_url, page_log, live_app):
    page_log.allow_error("422")  # the bad input below is answered 422, on purpose
    tag = uuid.uuid4().hex[:8]
    scene = set_the_scene(live_app, tag)
    service_title = f"Appartamento Girasole {tag}"

    # The ETS applies to the list: the application engine, Modello A and its declarations.
    context, page = signed_in(browser, live_url, page_log, scene["email"])
    page.goto(f"/avvisi/{scene['slug']}")
    submit(page, page.locator("main").get_by_role("link", name="Presenta la domanda"))
    submit(page, page.get_by_role("button", name="Inizia o riprendi la domanda"))
    tick(page, "applicant_role-0")
    page.fill("#legal_rep_name", "Sara Fittizia")
    page.fill("#legal_rep_cf", PERSON_CF)
    page.fill("#legal_rep_role", "Presidente")
    page.fill("#declared_repertorio", "445566")
    page.fill("#declared_registered_on", (date.today() - timedelta(days=900)).isoformat())
    tick(page, "axes-0")
    tick(page, "districts-0")
    page.fill("#experience", "Abitare supportato con il Centro di salute mentale da otto anni.")
    page.fill("#table_contact_name", "Piero Referente")
    page.fill("#table_contact_email", "piero.referente@example.org")
    for name in ("dsan_no_exclusion", "dsan_no_conflict", "dsan_accepts_notice", "dsan_truthful", "privacy_ack"):
        tick(page, name)
    submit(page, page.get_by_role("button", name="Salva la bozza"))
    assert flash_text(page) == "Bozza salvata."
    submit(page, page.get_by_role("button", name="Invia la domanda"))
    assert flash_text(page) == "Domanda presentata."

    # Its dashboard: the entry, waiting for the decision.
    page.goto("/domande")
    card = page.locator("section", has=page.get_by_role("heading", name="Iscrizioni agli elenchi dei soggetti qualificati"))
    entry_card = card.locator(".card", has_text=scene["organisation"])
    expect(entry_card).to_contain_text("In istruttoria")
    checked(page, "qualified-01-dashboard-requested")
    context.close()

    # The RUP: the notice's "Elenco" tab, the entry, a refused empty reason, the qualification.
    context, staff = signed_in(browser, live_url, page_log, RUP)
    staff.goto(f"/gestione/avvisi/{scene['notice_id']}")
    submit(staff, staff.locator("main .coprog-manage-tabs").get_by_role("link", name="Elenco", exact=True))
    row = staff.locator("main table tr", has_text=scene["organisation"])
    expect(row).to_contain_text("In istruttoria")
    checked(staff, "qualified-02-staff-entries")
    submit(staff, row.get_by_role("link", name=scene["organisation"]))
    assert staff.locator("h1").inner_text() == scene["organisation"]
    entry_path = urlsplit(staff.url).path
    checked(staff, "qualified-03-staff-entry")
    valid_until = staff.input_value("#valid_until")
    assert valid_until == (date.today().replace(year=date.today().year + 2)).isoformat() or date.today().month == 2
    tick(staff, "decision-0")
    submit(staff, staff.get_by_role("button", name="Registra la decisione"))
    assert error_of(staff, "reason") == "Indica la motivazione della decisione."
    assert staff.input_value("#valid_until") == valid_until and staff.is_checked("#decision-0")
    check_a11y(staff)  # the refused state, in Italian (switching language reloads the page)
    shot(staff, "qualified-04-staff-entry-refused")
    staff.fill("#reason", REASON)
    submit(staff, staff.get_by_role("button", name="Registra la decisione"))
    assert flash_text(staff) == "Ente qualificato: la decisione è stata comunicata."
    assert "Qualificazione" in staff.locator("#storia ~ ol").inner_text()
    checked(staff, "qualified-05-staff-entry-qualified")
    context.close()

    # The ETS: its entry, a service (a negative capacity refused first), its places.
    context, page = signed_in(browser, live_url, page_log, scene["email"])
    page.goto("/domande")
    expect(page.locator(".card", has_text=scene["organisation"])).to_contain_text("Qualificato")
    submit(page, page.locator(".card", has_text=scene["organisation"]).get_by_role("link", name=re.compile("^Iscrizione e servizi")))
    assert REASON in page.locator("main dl").inner_text()
    checked(page, "qualified-06-ets-entry")
    page.fill("#nuovo-title", service_title)
    page.fill("#nuovo-description", "Due camere in un appartamento condiviso, con un educatore la sera.")
    page.select_option("#nuovo-axis_id", index=1)
    page.select_option("#nuovo-resource_type_id", index=1)
    tick(page, "nuovo-targets-0")
    tick(page, "nuovo-district_ids-0")
    page.select_option("#nuovo-comune_id", index=1)
    page.fill("#nuovo-capacity", "-3")
    page.fill("#nuovo-available", "2")
    submit(page, page.get_by_role("button", name="Aggiungi il servizio"))
    assert error_of(page, "nuovo-capacity") == "Il numero non può essere negativo."
    assert page.input_value("#nuovo-title") == service_title and page.is_checked("#nuovo-targets-0")
    check_a11y(page)
    shot(page, "qualified-07-ets-service-refused")
    page.fill("#nuovo-capacity", "3")
    submit(page, page.get_by_role("button", name="Aggiungi il servizio"))
    assert flash_text(page) == f"Servizio «{service_title}» aggiunto."
    article = page.locator("article", has=page.get_by_role("heading", name=service_title))
    box = article.locator(".coprog-availability")
    expect(box).to_contain_text("2 posti disponibili su 3")
    url_before = page.url

    # The quick form (htmx): above the capacity, refused in the fragment; then one place left.
    box.locator("input[name=available]").fill("9")
    box.get_by_role("button", name=re.compile("^Aggiorna")).click()
    expect(box.locator(".invalid-feedback")).to_have_text("I posti disponibili non possono superare la capacità.")
    expect(box.locator("input[name=available]")).to_have_value("9")
    expect(box.locator("input[name=available]")).to_be_focused()
    assert page.url == url_before
    box.locator("input[name=available]").fill("1")
    box.get_by_role("button", name=re.compile("^Aggiorna")).click()
    expect(box).to_contain_text("1 posto disponibile su 3")
    expect(box).to_contain_text("aggiornato il")
    expect(box.locator(".invalid-feedback")).to_have_count(0)
    assert page.url == url_before
    checked(page, "qualified-08-ets-availability")
    assert searched(live_app, f"girasole {tag}") == [(service_title, 1, False)]

    # From the dashboard too: none left.
    page.goto("/domande")
    card = page.locator(".card", has_text=scene["organisation"])
    quick = card.locator(".coprog-availability", has_text="1 posto disponibile")
    quick.locator("input[name=available]").fill("0")
    quick.get_by_role("button", name=re.compile("^Aggiorna")).click()
    expect(card).to_contain_text("0 posti disponibili su 3")
    assert urlsplit(page.url).path == "/domande"
    checked(page, "qualified-09-dashboard-qualified")
    context.close()

    # The case manager's search reflects it at once.
    assert searched(live_app, f"girasole {tag}") == [(service_title, 0, False)]
    context, manager = signed_in(browser, live_url, page_log, CASE_MANAGER)
    response = manager.goto(f"/elenco-qualificati/ricerca?testo=girasole+{tag}")
    assert response.status == 200
    expect(manager.locator("main")).to_contain_text(service_title)
    context.close()

    # The RUP sees the service and its places on the entry's page.
    context, staff = signed_in(browser, live_url, page_log, RUP)
    staff.goto(entry_path)
    row = staff.locator("#servizi ~ .table-responsive tr", has_text=service_title)
    expect(row).to_contain_text("0 / 3")
    checked(staff, "qualified-10-staff-entry-services")
    context.close()
