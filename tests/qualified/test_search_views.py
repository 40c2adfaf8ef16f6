"""The search that case managers use, on AUSL Bologna's real territory: who may reach it, the
filters, the words, the distance (order and radius, from a comune or an address), the stale
availability badge, pages, bad input on every parameter (400 with Italian messages beside the
fields, nothing crashes), htmx fragments, the map's parts, the entity's page (404 unless valid
today; contacts only for case managers and staff) and the shortlist (add, remove, drop the
services no longer valid, print page, CSV safe for spreadsheets)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from coprog.core.roles import Role
from coprog.core.time import naive_utc, rome_today, utcnow
from coprog.mapping.models import GeocodedAddress
from coprog.mapping.services.contributions import resource_types_of
from coprog.qualified.models import EntryState
from coprog.qualified.services.shortlist import SHORTLIST_MAX
from coprog.territory.models import Comune
from coprog.territory.services import BOLOGNA_PRESET, load_preset

from ..conftest import csrf_token_from
from ..dbutil import statements_of
from ..factories import (
    make_contribution,
    make_list_notice,
    make_notice,
    make_organisation,
    make_qualified_entry,
)

SEARCH = "/elenco-qualificati/ricerca"
SHORTLIST = "/elenco-qualificati/selezione"
HTMX = {"HX-Request": "true"}


# The scene ----------------------------------------------------------------------------------------


def comune(session, name: str) -> Comune:
    return session.scalar(select(Comune).where(Comune.name == name))


@pytest.fixture
def bologna(app_ctx, session):
    authority = load_preset(BOLOGNA_PRESET).authority
    session.flush()
    return authority


@pytest.fixture
def notice(bologna, session):
    return make_list_notice(bologna)


def offer(session, notice, organisation: str, title: str, where: str, *, axis="abitare", kind="abitazioni",
          targets=("adulti_csm",), available=2, capacity=4, state="qualified", stale=False, description="", **fields):
    """A qualified entry of `organisation` with one service `title` in the comune `where`."""
    authority = notice.procedure.authority
    place = comune(session, where)
    entry = make_qualified_entry(
        notice, organisation=make_organisation(name=organisation), state=state, title=title,
        axis_id=next(a.id for a in authority.axes if a.code == axis),
        resource_type_id=next(t.id for t in resource_types_of(authority) if t.code == kind),
        targets=list(targets), comune_id=place.id, district_ids=[place.district_id], available=available,
        capacity=capacity, description=description, **fields)
    if stale:
        entry.services[0].availability_updated_at = naive_utc(utcnow() - timedelta(days=60))
    session.flush()
    return entry


@pytest.fixture
def scene(session, notice):
    """Six valid services around Bologna, and one suspended and one expired entry."""
    entries = {
        "navile": offer(session, notice, "Cooperativa Abitare Insieme", "Appartamenti supportati Navile", "Bologna",
                        description="Attività di accompagnamento all'abitare autonomo"),
        "lazzaro": offer(session, notice, "Associazione Casa Aperta", "Gruppo appartamento San Lazzaro",
                         "San Lazzaro di Savena", available=1),
        "casalecchio": offer(session, notice, "ODV Il Portico", "Appartamento protetto Casalecchio",
                             "Casalecchio di Reno", available=0),
        "vergato": offer(session, notice, "Cooperativa Montagna Solidale", "Casa famiglia Vergato", "Vergato",
                         available=1),
        "legno": offer(session, notice, "Cooperativa Legno Vivo", "Laboratorio di falegnameria", "Bologna",
                       axis="lavoro", kind="inserimenti_lavorativi", targets=("minori_npia",), available=3,
                       stale=True, description="Tirocini formativi e attività artigianali"),
        "zola": offer(session, notice, "APS Il Cortile", "Orti condivisi di Zola", "Zola Predosa", axis="socialita",
                      kind="attivita_sociali", targets=("adulti_csm", "serdp"), available=None, capacity=None),
        "suspended": offer(session, notice, "Cooperativa Sospesa", "Comunità alloggio sospesa", "Bologna",
                           state="suspended"),
        "expired": offer(session, notice, "Associazione Scaduta", "Alloggio scaduto", "Bologna"),
    }
    entries["expired"].valid_until = rome_today() - timedelta(days=1)
    session.commit()
    return entries


def sid(entries, name: str) -> int:
    return entries[name].services[0].id


def ids_in(html: str) -> list[int]:
    """The services listed, in their order."""
    return [int(i) for i in re.findall(r'id="risultato-(\d+)"', html)]


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<div class="invalid-feedback d-block" id="{field}-error">(.*?)</div>', html, re.S)
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def page(client, **args):
    response = client.get(SEARCH, query_string=args)
    return response, response.get_data(as_text=True)


@pytest.fixture
def case_manager(login_as):
    return login_as(Role.CASE_MANAGER)


# Who -------------------------------------------------------------------------------------------------


def test_anonymous_users_go_to_the_login_page(client, scene):
    for url in (SEARCH, f"/elenco-qualificati/enti/{scene['navile'].id}", SHORTLIST, SHORTLIST + ".csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"], url
        assert "sportello@esempio.it" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ETS, Role.FACILITATOR, Role.INVITED_BODY])
def test_other_roles_are_refused_and_never_see_contacts(client, login_as, scene, role):
    login_as(role)
    for url in (SEARCH, f"/elenco-qualificati/enti/{scene['navile'].id}", SHORTLIST, SHORTLIST + ".csv"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "sportello@esempio.it" not in response.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "Ricerca soggetti qualificati" not in home


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.STAFF])
def test_case_managers_and_staff_search(client, login_as, scene, role):
    login_as(role)
    response, html = page(client)
    assert response.status_code == 200
    assert 'href="/elenco-qualificati/ricerca"' in client.get("/").get_data(as_text=True)  # in the header
    listed = ids_in(html)
    valid = {sid(scene, n) for n in ("navile", "lazzaro", "casalecchio", "vergato", "legno", "zola")}
    assert set(listed) == valid
    assert "6 servizi trovati" in html
    assert "Comunità alloggio sospesa" not in html and "Alloggio scaduto" not in html
    assert "sportello@esempio.it" not in html  # contacts are on the entity's page, not in the list


# Filters and words -----------------------------------------------------------------------------------


def test_filters(client, case_manager, scene, bologna, session):
    axes = {a.code: a.id for a in bologna.axes}
    types = {t.code: t.id for t in resource_types_of(bologna)}
    reno = next(d for d in bologna.districts if d.code == "reno-lavino-samoggia")
    cases = [
        ({"asse": axes["lavoro"]}, {"legno"}),
        ({"tipo": types["abitazioni"]}, {"navile", "lazzaro", "casalecchio", "vergato"}),
        ({"destinatari": "minori_npia"}, {"legno"}),
        ({"destinatari": "serdp"}, {"zola"}),
        ({"distretto": reno.id}, {"casalecchio", "zola"}),
        ({"comune": comune(session, "Vergato").id}, {"vergato"}),
        ({"disponibili": "1"}, {"navile", "lazzaro", "vergato", "legno"}),
        ({"asse": axes["abitare"], "disponibili": "1", "destinatari": "adulti_csm"}, {"navile", "lazzaro", "vergato"}),
    ]
    for args, expected in cases:
        response, html = page(client, **args)
        assert response.status_code == 200, args
        assert set(ids_in(html)) == {sid(scene, n) for n in expected}, args


def test_words(client, case_manager, scene):
    cases = [
        ("attivita", {"navile", "legno", "zola"}),  # "Attività" without its accent (zola's type)
        ("ATTIVITÀ artigianali", {"legno"}),
        ("appartament", {"navile", "lazzaro", "casalecchio"}),  # a prefix
        ("appartamento casalecchio", {"casalecchio"}),  # every word
        ("falegnameria legno", {"legno"}),  # the service and its entity's name
        ("appartamento piscina", set()),  # a word that is nowhere: nothing
        ('"orti" * (', {"zola"}),  # search syntax is only words
    ]
    for text, expected in cases:
        response, html = page(client, testo=text)
        assert response.status_code == 200, text
        assert set(ids_in(html)) == {sid(scene, n) for n in expected}, text
    _, html = page(client, testo="piscina")
    assert "Nessun servizio corrisponde a questa ricerca." in html and "0 servizi trovati" in html


# Distance --------------------------------------------------------------------------------------------


def test_within_a_radius_of_a_comune_nearest_first(client, case_manager, scene, session):
    bologna = comune(session, "Bologna").id
    response, html = page(client, vicino=bologna)  # the default radius: 10 km
    assert response.status_code == 200
    assert ids_in(html)[:2] and set(ids_in(html)[:2]) == {sid(scene, "navile"), sid(scene, "legno")}  # 0 km
    assert ids_in(html)[2:] == [sid(scene, "lazzaro"), sid(scene, "casalecchio")]  # 6.4 and 7.7 km
    assert "entro 10 km da Bologna, dal più vicino" in html
    assert "0,0 km" in html and "6,4 km" in html and "7,7 km" in html
    _, html = page(client, vicino=bologna, raggio="12,5")
    assert ids_in(html)[-1] == sid(scene, "zola")  # 11.7 km
    _, html = page(client, vicino=bologna, raggio="50")
    assert ids_in(html)[-1] == sid(scene, "vergato") and "30,8 km" in html
    # the acceptance search: housing for adults, available now, within 10 km of Bologna
    _, html = page(client, vicino=bologna, raggio="10", asse=scene["navile"].services[0].axis_id,
                   tipo=scene["navile"].services[0].resource_type_id, destinatari="adulti_csm", disponibili="1")
    assert ids_in(html) == [sid(scene, "navile"), sid(scene, "lazzaro")]
    points = json.loads(unescape(re.search(r"data-map='([^']*)'", html).group(1)))
    assert [p["n"] for p in points["points"]] == [1, 2] and points["points"][1]["km"] == "6,4"
    assert points["origin"]["label"] == "Bologna" and points["origin"]["km"] == 10.0


def test_an_address_is_placed_in_its_comune(app, client, case_manager, scene, session):
    bologna = comune(session, "Bologna").id
    # Without a geocoder the address falls back on the comune's point, and the page says so.
    response, html = page(client, vicino=bologna, indirizzo="via Ferrarese 10")
    assert response.status_code == 200
    assert "non è stato trovato con precisione" in unescape(html) and ids_in(html)
    # With a geocoder (its answer already cached), distances are measured from the address.
    session.add(GeocodedAddress(query="via ferrarese 10, bologna, italia", longitude=11.3580, latitude=44.5200,
                                created_at=naive_utc(utcnow())))
    session.commit()
    saved = app.config.get("COPROG_NOMINATIM_URL")
    app.config["COPROG_NOMINATIM_URL"] = "http://127.0.0.1:9"  # never asked: the answer is cached
    try:
        _, html = page(client, vicino=bologna, indirizzo="via Ferrarese 10", raggio="5")
    finally:
        app.config["COPROG_NOMINATIM_URL"] = saved
    assert "da via Ferrarese 10, Bologna" in html and "3,5 km" in html
    assert "non è stato trovato con precisione" not in unescape(html)
    # An address without a comune: said clearly, beside the field.
    response, html = page(client, indirizzo="via Ferrarese 10")
    assert response.status_code == 400
    assert "Un indirizzo senza comune non si può trovare" in unescape(field_error(html, "indirizzo"))
    assert ids_in(html) == []


# Freshness and pages ---------------------------------------------------------------------------------


def test_stale_availability_is_shown_as_such(app, client, case_manager, scene):
    _, html = page(client)
    badge = "dato non aggiornato da più di 30 giorni"
    assert html.count(badge) == 1
    item = html[html.index(f'id="risultato-{sid(scene, "legno")}"'):]
    assert badge in item[:item.index("</li>")]
    saved = app.config.get("COPROG_AVAILABILITY_STALE_DAYS")
    app.config["COPROG_AVAILABILITY_STALE_DAYS"] = 90
    try:
        _, html = page(client)
        assert "dato non aggiornato" not in html
    finally:
        if saved is None:
            app.config.pop("COPROG_AVAILABILITY_STALE_DAYS")
        else:
            app.config["COPROG_AVAILABILITY_STALE_DAYS"] = saved


def test_twenty_a_page(client, case_manager, notice, session):
    for n in range(25):
        offer(session, notice, f"Ente numero {n:02d}", f"Servizio numero {n:02d}", "Bologna", available=1)
    session.commit()
    _, first = page(client)
    assert len(ids_in(first)) == 20 and "25 servizi trovati" in first and "pagina 1 di 2" in first
    assert 'aria-current="page"' in first and "pagina=2" in first
    _, second = page(client, pagina="2")
    assert len(ids_in(second)) == 5 and not set(ids_in(first)) & set(ids_in(second))
    assert '<ol class="coprog-results' in second and ">21<" in second  # numbered on from the first page
    _, past = page(client, pagina="9")  # past the last page: the last one
    assert ids_in(past) == ids_in(second)


def test_pages_do_not_grow_in_queries_with_the_services(app, client, case_manager, notice, session, monkeypatch):
    monkeypatch.setitem(app.config, "COPROG_PAGE_CACHE", False)  # what each render costs, not a kept copy
    small = make_qualified_entry(notice, services=1)
    big = make_qualified_entry(notice, services=12)

    def counted(entry):
        return (statements_of(client, SEARCH), statements_of(client, SEARCH, vicino=comune(session, "Bologna").id),
                statements_of(client, SHORTLIST), statements_of(client, f"/elenco-qualificati/enti/{entry.id}"))

    for n in range(3):
        post(client, "aggiungi", offer(session, notice, f"Ente piccolo {n}", f"Servizio piccolo {n}", "Bologna")
             .services[0].id)
    session.commit()
    client.get(SEARCH)  # the resource types, created on first view
    few = counted(small)
    for n in range(15):
        post(client, "aggiungi", offer(session, notice, f"Ente grande {n}", f"Servizio grande {n}",
                                       "Casalecchio di Reno").services[0].id)
    session.commit()
    assert counted(big) == few


@pytest.mark.parametrize("args,field,message", [
    ({"asse": "999999"}, "asse", "Scegli un valore dall'elenco."),
    ({"asse": "abc"}, "asse", "Scegli un valore dall'elenco."),
    ({"tipo": "-1"}, "tipo", "Scegli un valore dall'elenco."),
    ({"destinatari": "tutti"}, "destinatari", "Scegli un valore dall'elenco."),
    ({"distretto": "0"}, "distretto", "Scegli un valore dall'elenco."),
    ({"comune": "1e9"}, "comune", "Scegli un valore dall'elenco."),
    ({"vicino": "x"}, "vicino", "Scegli un valore dall'elenco."),
    ({"raggio": "-5"}, "raggio", "Indica un raggio tra 1 e 200 km."),
    ({"raggio": "500"}, "raggio", "Indica un raggio tra 1 e 200 km."),
    ({"raggio": "dieci"}, "raggio", "Indica il raggio in chilometri con un numero, per esempio 10."),
    ({"raggio": "nan"}, "raggio", "Indica un raggio tra 1 e 200 km."),
    ({"testo": "a" * 500}, "testo", "Massimo 200 caratteri."),
    ({"indirizzo": "via " * 100, "vicino": ""}, "indirizzo", "Massimo 200 caratteri."),
])
def test_bad_input_gets_a_message_beside_its_field(client, case_manager, scene, args, field, message):
    response, html = page(client, **args)
    assert response.status_code == 400
    assert message in unescape(field_error(html, field))
    assert 'id="form-errors"' in html and f'href="#{field}"' in html
    assert ids_in(html) == [] and "Nessun risultato: correggi i valori indicati nel modulo." in unescape(html)
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.5", "9" * 30])
def test_a_bad_page_number_is_said(client, case_manager, scene, value):
    response, html = page(client, pagina=value)
    assert response.status_code == 400
    assert "Il numero di pagina non è valido" in unescape(html)


def test_the_users_input_is_kept_when_refused(client, case_manager, scene, bologna):
    axis = bologna.axes[0].id
    _, html = page(client, asse=axis, testo="casa", raggio="-5")
    assert 'value="casa"' in html and 'value="-5"' in html
    assert re.search(rf'<option selected value="{axis}">|<option value="{axis}" selected>', html)


def test_htmx_gets_the_form_and_the_results_alone(client, case_manager, scene):
    response = client.get(SEARCH, query_string={"testo": "falegnameria"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="qualified-search">') and ids_in(html) == [sid(scene, "legno")]
    refused = client.get(SEARCH, query_string={"raggio": "-5"}, headers=HTMX)
    assert refused.status_code == 400 and "<html" not in refused.get_data(as_text=True)


def test_the_page_and_its_map(client, case_manager, scene):
    response, html = page(client)
    assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert 'user-scalable=no' not in html
    assert '/elenco-qualificati/ricerca/mappa.js' in html and "/static/js/qualified-map.js" in html
    script = client.get("/elenco-qualificati/ricerca/mappa.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript" and "L.map(" in script.get_data(as_text=True)
    boundaries = client.get("/elenco-qualificati/ricerca/confini.geojson")
    assert boundaries.status_code == 200 and boundaries.mimetype == "application/geo+json"
    assert len(boundaries.get_json(force=True)["features"]) == 45 + 6
    points = json.loads(unescape(re.search(r"data-map='([^']*)'", html).group(1)))["points"]
    assert {p["id"] for p in points} == set(ids_in(html))  # the map shows what the list lists


def test_user_text_is_never_markup(client, case_manager, notice, session):
    offer(session, notice, "Ente <img src=x onerror=alert(1)>", "Casa ${alert(2)} <script>alert(3)</script>",
          "Bologna")
    session.commit()
    _, html = page(client)
    assert "<script>alert(3)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html


# The entity's page -----------------------------------------------------------------------------------


def test_the_entity_page(client, case_manager, scene, bologna, session):
    entry = scene["navile"]
    entry.contact_phone = "051 123 4567"
    staff_notice = make_notice(bologna, published=True)
    mapped = make_contribution(staff_notice)
    entry.services[0].contributions.append(mapped)
    session.commit()
    response = client.get(f"/elenco-qualificati/enti/{entry.id}")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for expected in ("Cooperativa Abitare Insieme", entry.organisation.codice_fiscale,
                     "b) Associazioni di promozione sociale", "Appartamenti supportati Navile",
                     "Attività di accompagnamento all'abitare autonomo", "Adulti dei Centri di salute mentale (CSM)",
                     "Città di Bologna", "Sportello inserimenti", "sportello@esempio.it", "051 123 4567",
                     "Posti disponibili ora", "Aggiungi alla selezione"):
        assert expected in html, expected
    assert f"/avvisi/{staff_notice.procedure.slug}/mappa?asse=" in html  # its resource on the public map
    assert f'id="servizio-{sid(scene, "navile")}"' in html


def test_only_valid_entries_have_a_page(client, case_manager, scene, notice, session):
    requested = offer(session, notice, "Ente in istruttoria", "Servizio in istruttoria", "Bologna", state="requested")
    session.commit()
    for name in ("suspended", "expired"):
        assert client.get(f"/elenco-qualificati/enti/{scene[name].id}").status_code == 404, name
    assert client.get(f"/elenco-qualificati/enti/{requested.id}").status_code == 404
    assert client.get("/elenco-qualificati/enti/999999").status_code == 404


# The shortlist ---------------------------------------------------------------------------------------


def post(client, action: str, service_id, *, headers=None, next_url=SEARCH):
    token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    return client.post(f"{SHORTLIST}/{action}", data={"csrf_token": token, "servizio": service_id, "next": next_url},
                       headers=headers or {})


def test_shortlist_add_print_export_remove(client, case_manager, scene, notice, session):
    formula = offer(session, notice, "=HYPERLINK(\"http://x\")", "=1+1 servizio", "Bologna", available=1)
    session.commit()
    added = post(client, "aggiungi", sid(scene, "navile"), next_url=f"{SEARCH}?testo=casa#risultato-1")
    assert added.status_code == 302 and added.headers["Location"].endswith(f"{SEARCH}?testo=casa#risultato-1")
    post(client, "aggiungi", formula.services[0].id)
    post(client, "aggiungi", sid(scene, "navile"))  # once only
    shortlist = client.get(SHORTLIST)
    html = unescape(shortlist.get_data(as_text=True))
    assert shortlist.status_code == 200 and shortlist.headers["Cache-Control"] == "private, no-store"
    assert "2 servizi selezionati." in html and "Appartamenti supportati Navile" in html
    assert "nessun dato della persona seguita" in html and "Stampa" in html
    exported = client.get(SHORTLIST + ".csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    body = exported.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["ente", "codice_fiscale", "sezione_runts", "servizio"] and len(rows) == 3
    assert rows[1][0] == "Cooperativa Abitare Insieme" and rows[1][-4:-1] == ["Sportello inserimenti",
                                                                                "sportello@esempio.it", ""]
    assert rows[1][-1].endswith(f"/elenco-qualificati/enti/{scene['navile'].id}#servizio-{sid(scene, 'navile')}")
    assert rows[2][0] == "'=HYPERLINK(\"http://x\")" and rows[2][3] == "'=1+1 servizio"
    removed = post(client, "rimuovi", sid(scene, "navile"), next_url=SHORTLIST)
    assert removed.status_code == 302 and removed.headers["Location"].endswith(SHORTLIST)
    html = unescape(client.get(SHORTLIST).get_data(as_text=True))
    assert "1 servizio selezionato." in html and f'id="servizio-{sid(scene, "navile")}"' not in html
    assert "tolto dalla selezione" in html


def test_shortlist_with_htmx_swaps_the_button_and_the_counter(client, case_manager, scene):
    response = post(client, "aggiungi", sid(scene, "navile"), headers=HTMX)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "<html" not in html
    assert f'id="selezione-{sid(scene, "navile")}-pulsante"' in html and "Togli dalla selezione" in html
    assert 'id="shortlist-status" hx-swap-oob="innerHTML"' in html
    assert "aggiunto alla selezione" in html and "La selezione contiene 1 servizio" in html
    response = post(client, "rimuovi", sid(scene, "navile"), headers=HTMX)
    html = unescape(response.get_data(as_text=True))
    assert "Aggiungi alla selezione" in html and "La selezione è vuota." in html
    response = post(client, "aggiungi", sid(scene, "expired"), headers=HTMX)  # expired meanwhile
    assert response.status_code == 200 and response.headers["HX-Reswap"] == "none"
    assert "non è più valido" in unescape(response.get_data(as_text=True))


def test_shortlist_refuses_what_is_not_valid_and_keeps_thirty(client, case_manager, scene, notice, session):
    refused = post(client, "aggiungi", sid(scene, "suspended"))
    assert refused.status_code == 302
    assert "non è più valido" in unescape(client.get(SHORTLIST).get_data(as_text=True))
    assert post(client, "aggiungi", "abc").status_code == 302
    more = [offer(session, notice, f"Ente {n}", f"Servizio {n}", "Bologna").services[0].id for n in range(SHORTLIST_MAX)]
    session.commit()
    for service_id in more:
        post(client, "aggiungi", service_id)
    post(client, "aggiungi", sid(scene, "navile"))
    html = unescape(client.get(SHORTLIST).get_data(as_text=True))
    assert f"{SHORTLIST_MAX} servizi selezionati." in html and "Appartamenti supportati Navile" not in html
    assert "il massimo" in html


def test_services_no_longer_valid_drop_out_with_a_message(client, case_manager, scene, session):
    post(client, "aggiungi", sid(scene, "navile"))
    post(client, "aggiungi", sid(scene, "lazzaro"))
    scene["navile"].state = EntryState.SUSPENDED
    session.commit()
    html = unescape(client.get(SHORTLIST).get_data(as_text=True))
    assert "Tolti dalla selezione perché non sono più nell'elenco" in html
    assert "Appartamenti supportati Navile (Cooperativa Abitare Insieme)" in html
    assert "1 servizio selezionato." in html
    html = unescape(client.get(SHORTLIST).get_data(as_text=True))
    assert "Tolti dalla selezione" not in html  # said once: the session no longer holds it
