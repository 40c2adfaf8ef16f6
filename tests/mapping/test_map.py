"""The resource map of a procedure on AUSL Bologna's real territory: the page (folium in parts,
no inline script, no other host, the viewport zoomable, the attribution), its GeoJSON (compact,
published only for the public, every state for staff, the right content type), the popup's
details, the boundaries, the table under the map with its filters, the open data, and the
issue's XSS texts shown as text."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from coprog.actors.models import ActorKind
from coprog.actors.services import actor_for_organisation, name_actor, resolve
from coprog.applications.models import CoOptedKind, CoOptedSubject
from coprog.core.roles import Role
from coprog.core.security import CSP
from coprog.mapping.models import ContributionState, OfferMode
from coprog.mapping.services.contributions import moderate, resource_types_of
from coprog.territory.models import Comune
from coprog.territory.services import BOLOGNA_PRESET, load_preset
from tests.factories import make_admitted, make_contribution, make_notice, make_user

XSS = ("<img src=x onerror=alert(1)>", "${alert(2)}", "javascript:alert(3)")
GEOJSON = "application/geo+json"


@pytest.fixture
def bologna(app_ctx, session):
    authority = load_preset(BOLOGNA_PRESET).authority
    session.flush()
    return authority


@pytest.fixture
def notice(bologna, session):
    notice = make_notice(bologna, published=True)
    resource_types_of(bologna)
    session.commit()
    return notice


def comune(session, name: str) -> Comune:
    return session.scalar(select(Comune).where(Comune.name == name))


def url(notice, tail: str = "") -> str:
    return f"/avvisi/{notice.procedure.slug}/mappa{tail}"


def geojson(client, notice) -> dict:
    response = client.get(url(notice, "/risorse.geojson"))
    assert response.status_code == 200
    assert response.mimetype == GEOJSON
    return response.get_json(force=True)


@pytest.fixture
def contributions(notice, session):
    """Two published (Casalecchio di Reno, Abitare; Bologna, Formazione/Lavoro, a co-opted
    citizen), one waiting for moderation, one rejected."""
    axes = notice.procedure.authority.axes
    types = resource_types_of(notice.procedure.authority)
    staff = make_user(Role.STAFF)
    ets = actor_for_organisation(make_admitted(notice, name="Cooperativa Casa Aperta").organisation)
    application = make_admitted(notice, name="Associazione Ponti")
    citizen = CoOptedSubject(application=application, kind=CoOptedKind.CITIZEN, name="Mario Rossi")
    session.add(citizen)
    session.flush()
    citizen_actor = resolve(notice.procedure, f"co:{citizen.id}", by=staff)
    made = {
        "casa": make_contribution(notice, by=staff, actor=ets, comune=comune(session, "Casalecchio di Reno"),
                                  axis_id=axes[0].id, resource_type_id=types[1].id, capacity=4,
                                  longitude=11.274661, latitude=44.476262, capacity_note="posti letto",
                                  available_from=date(2026, 1, 1), available_until=date(2026, 12, 31)),
        "lavoro": make_contribution(notice, by=staff, actor=citizen_actor, comune=comune(session, "Bologna"),
                                    axis_id=axes[-1].id, resource_type_id=types[2].id, capacity=None,
                                    longitude=None, latitude=None, offer_mode=OfferMode.SUPPORT.value),
        "attesa": make_contribution(notice, by=staff, actor=ets, approved=False, comune=comune(session, "Bologna"),
                                    longitude=None, latitude=None, description="In attesa"),
        "respinto": make_contribution(notice, by=staff, actor=ets, approved=False, comune=comune(session, "Bologna"),
                                      longitude=None, latitude=None, description="Respinto"),
    }
    moderate(made["respinto"], ContributionState.REJECTED, "Duplicato", by=staff)
    session.commit()
    return made


# The page ----------------------------------------------------------------------------------------


def test_the_page_has_no_inline_script_no_other_host_and_a_zoomable_viewport(client, notice, contributions):
    response = client.get(url(notice))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CSP
    # every <script> has a src of this app, and no element carries inline style or handlers
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and " style=" not in html and " onload=" not in html
    # nothing from another host: no absolute URL in any src/href of the page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert "cdn" not in html.lower()
    # folium's vendored libraries and its script from this app
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
                 "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                 "/static/vendor/leaflet.markercluster/MarkerCluster.css", "/static/js/mapping-map.js",
                 "/static/css/mapping-map.css", url(notice, "/mappa.js")):
        assert path in html
    # folium's viewport meta (user-scalable=no) is gone: the layout's one remains
    assert "user-scalable" not in html and "maximum-scale" not in html
    assert html.count('name="viewport"') == 1
    # the map's div with folium's fixed name, and the attribution of the boundaries
    assert 'id="map_coprog"' in html and 'data-map="map_coprog"' in html
    assert "CC BY 4.0" in html and "ISTAT" in html
    # the page embeds no resource: the map loads them
    assert 'data-resources="' + url(notice, "/risorse.geojson") + '"' in html


def test_folium_script_is_served_from_the_app_and_names_the_page_s_map(client, notice):
    response = client.get(url(notice, "/mappa.js"))
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert 'var map_coprog = L.map(\n                "map_coprog"' in script
    assert "var marker_cluster_coprog = L.markerClusterGroup(" in script
    assert "http" not in script and "tileLayer" not in script  # no tiles by default
    assert client.get(url(notice, "/mappa.js")).get_data(as_text=True) == script  # deterministic


def test_a_configured_tile_server_is_allowed_for_images_only(client, notice, app):
    app.config.update(COPROG_TILES_URL="https://{s}.tiles.esempio.it/{z}/{x}/{y}.png",
                      COPROG_TILES_ATTRIBUTION="© Tiles di prova")
    try:
        page = client.get(url(notice))
        script = client.get(url(notice, "/mappa.js")).get_data(as_text=True)
    finally:
        app.config.update(COPROG_TILES_URL=None, COPROG_TILES_ATTRIBUTION=None)
    csp = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.esempio.it" in csp
    assert "script-src 'self';" in csp and csp.count("tiles.esempio.it") == 1
    assert "https://{s}.tiles.esempio.it/{z}/{x}/{y}.png" in script and "Tiles di prova" in script


def test_the_public_table_lists_published_resources_only_without_citizens_names(client, notice, contributions):
    html = client.get(url(notice)).get_data(as_text=True)
    table = html[html.index('id="map-resources"'):]
    assert "Cooperativa Casa Aperta" in table and "Casalecchio di Reno" in table
    assert "Reno, Lavino e Samoggia" in table and "posti letto" in table
    assert "Mario Rossi" not in html and "Cittadino (nome non pubblicato)" in table
    assert "In attesa" not in table and "Respinto" not in table
    assert "2 risorse con questi filtri" in table
    assert 'name="stato"' not in html  # the state filter is staff's


def test_the_table_filters_by_axis_and_type_with_a_get_form(client, notice, contributions):
    axes = notice.procedure.authority.axes
    by_axis = client.get(url(notice), query_string={"asse": axes[0].id}).get_data(as_text=True)
    assert "1 risorsa con questi filtri" in by_axis and "Casalecchio di Reno" in by_axis
    assert f'<option value="{axes[0].id}" selected>' in by_axis
    casa = contributions["casa"]
    by_type = client.get(url(notice), query_string={"tipo": casa.resource_type_id}).get_data(as_text=True)
    assert "1 risorsa con questi filtri" in by_type
    none = client.get(url(notice), query_string={"asse": axes[0].id, "tipo": contributions["lavoro"].resource_type_id})
    assert "Nessuna risorsa con questi filtri." in none.get_data(as_text=True)
    junk = client.get(url(notice), query_string={"asse": "x", "tipo": "<b>", "pagina": "-3"})
    assert junk.status_code == 200 and "2 risorse con questi filtri" in junk.get_data(as_text=True)


def test_an_htmx_filter_gets_the_table_alone_and_the_cache_keeps_page_and_fragment_apart(client, notice, contributions):
    page = client.get(url(notice)).get_data(as_text=True)
    fragment = client.get(url(notice), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="map-resources">') and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get(url(notice)).get_data(as_text=True) == page


def test_the_table_is_paginated(client, notice, contributions, session):
    ets = contributions["casa"].actor
    for n in range(30):
        make_contribution(notice, actor=ets, comune=comune(session, "Bologna"), longitude=None, latitude=None,
                          description=f"Risorsa {n}")
    session.commit()
    first = client.get(url(notice)).get_data(as_text=True)
    assert "32 risorse con questi filtri" in first and "pagina 1 di 2" in first
    assert first.count('<tr class') + first[first.index("<tbody>"):].count("<tr>") == 25
    second = client.get(url(notice), query_string={"pagina": 2}).get_data(as_text=True)
    assert "pagina 2 di 2" in second and 'aria-current="page"><span class="visually-hidden">Pagina </span>2<' in second


def test_staff_see_unpublished_resources_marked_and_can_filter_by_state(client, notice, contributions, login_as):
    login_as(Role.STAFF)
    html = client.get(url(notice)).get_data(as_text=True)
    assert "4 risorse con questi filtri" in html and "Vista del personale" in html
    assert "Mario Rossi" in html  # staff may read the name
    assert html.count('class="coprog-unpublished"') == 2
    assert "In attesa di moderazione" in html and "Non pubblicato" in html
    waiting = client.get(url(notice), query_string={"stato": "submitted"}).get_data(as_text=True)
    assert "1 risorsa con questi filtri" in waiting and "In attesa" in waiting
    data = geojson(client, notice)
    states = {f["properties"]["i"]: f["properties"].get("s", 0) for f in data["features"]}
    assert states == {contributions["casa"].id: 0, contributions["lavoro"].id: 0,
                      contributions["attesa"].id: 1, contributions["respinto"].id: 2}
    assert "Mario Rossi" in data["actors"]


def test_signed_in_non_staff_see_what_the_public_sees(client, notice, contributions, login_as):
    login_as(Role.ETS)
    assert len(geojson(client, notice)["features"]) == 2
    assert "2 risorse con questi filtri" in client.get(url(notice)).get_data(as_text=True)


def test_a_draft_notice_has_no_public_map(client, bologna, session):
    draft = make_notice(bologna)
    session.commit()
    paths = [url(draft, tail) for tail in ("", "/mappa.js", "/risorse.geojson", "/confini.geojson", "/risorse/1.json")]
    for path in [*paths, f"/dati/{draft.procedure.slug}/risorse.geojson"]:
        response = client.get(path)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"], path
    assert client.get("/avvisi/nessuno/mappa").status_code == 404


# The map's data ----------------------------------------------------------------------------------


def test_the_map_geojson_is_compact_and_published_only(client, notice, contributions):
    data = geojson(client, notice)
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["i"] for f in data["features"]] == [contributions["casa"].id, contributions["lavoro"].id]
    casa, lavoro = data["features"]
    assert casa["geometry"] == {"type": "Point", "coordinates": [11.27466, 44.47626]}  # 5 decimals
    c = contributions["casa"]
    assert casa["properties"] == {"i": c.id, "a": data["actors"].index("Cooperativa Casa Aperta"), "x": c.axis_id,
                                  "t": c.resource_type_id, "h": list(OfferMode).index(c.offer_mode),
                                  "d": c.district_id, "c": c.comune_id, "n": 4}
    assert "n" not in lavoro["properties"] and "s" not in lavoro["properties"]
    assert data["actors"][lavoro["properties"]["a"]] == "Cittadino (nome non pubblicato)"
    assert "Mario Rossi" not in json.dumps(data)
    body = client.get(url(notice, "/risorse.geojson")).get_data(as_text=True)
    assert ": " not in body and ", " not in body.replace("Casa Aperta", "")  # no padding


def test_the_legend_in_the_page_resolves_the_codes(client, notice, contributions):
    html = client.get(url(notice)).get_data(as_text=True)
    legend = json.loads(re.search(r"data-legend='([^']*)'", html).group(1).replace("&#34;", '"').replace("&amp;", "&"))
    c = contributions["casa"]
    assert {a["id"]: a["name"] for a in legend["axes"]}[c.axis_id] == c.axis.name
    assert {t["id"]: t["name"] for t in legend["types"]}[c.resource_type_id] == c.resource_type.label
    assert legend["comuni"][str(c.comune_id)] == "Casalecchio di Reno"
    assert legend["districts"][str(c.district_id)] == "Reno, Lavino e Samoggia"
    assert legend["modes"][list(OfferMode).index(c.offer_mode)] == str(c.offer_mode.label)


def test_popup_details_of_a_published_resource(client, notice, contributions):
    casa = contributions["casa"]
    response = client.get(url(notice, f"/risorse/{casa.id}.json"))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {
        "id": casa.id, "description": "Una sala per incontri", "capacity_note": "posti letto",
        "period": "dal 1 gennaio 2026 al 31 dicembre 2026", "collaborators": [], "state": None,
    }
    for hidden in ("attesa", "respinto"):
        assert client.get(url(notice, f"/risorse/{contributions[hidden].id}.json")).status_code == 404
    assert client.get(url(notice, "/risorse/999999.json")).status_code == 404


def test_staff_read_the_details_of_unpublished_resources(client, notice, contributions, login_as):
    login_as(Role.STAFF)
    found = client.get(url(notice, f"/risorse/{contributions['attesa'].id}.json")).get_json()
    assert found["description"] == "In attesa" and found["state"] == "In attesa di moderazione"


def test_the_boundaries_are_the_committed_geojson_with_its_attribution(client, notice):
    response = client.get(url(notice, "/confini.geojson"))
    assert response.status_code == 200 and response.mimetype == GEOJSON
    data = response.get_json(force=True)
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("comune") == 45 and kinds.count("distretto") == 6
    assert "CC BY 4.0" in data["attribution"]


# XSS ---------------------------------------------------------------------------------------------


def test_the_issue_s_xss_texts_are_text_in_the_table_and_in_the_json(client, notice, session):
    staff = make_user(Role.STAFF)
    actor = name_actor(notice.procedure, ActorKind.OTHER, XSS[0], by=staff)
    contribution = make_contribution(notice, by=staff, actor=actor, description=" ".join(XSS), capacity_note=XSS[1],
                                     address=XSS[2], comune=comune(session, "Bologna"), longitude=None, latitude=None)
    session.commit()
    html = client.get(url(notice)).get_data(as_text=True)
    table = html[html.index('id="map-resources"'):]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in table
    assert "${alert(2)}" in table and "javascript:alert(3)" in table
    assert 'href="javascript' not in html
    data = client.get(url(notice, "/risorse.geojson"))
    assert data.mimetype == GEOJSON and data.headers["X-Content-Type-Options"] == "nosniff"
    assert data.get_json(force=True)["actors"] == [XSS[0]]
    detail = client.get(url(notice, f"/risorse/{contribution.id}.json"))
    assert detail.mimetype == "application/json"
    assert detail.get_json()["description"] == " ".join(XSS) and detail.get_json()["capacity_note"] == XSS[1]
    opened = client.get(f"/dati/{notice.procedure.slug}/risorse.geojson")
    assert opened.mimetype == GEOJSON and opened.get_json(force=True)["features"][0]["properties"]["actor"] == XSS[0]


# Open data ---------------------------------------------------------------------------------------


def test_open_data_lists_published_resources_with_readable_properties(client, notice, contributions):
    response = client.get(f"/dati/{notice.procedure.slug}/risorse.geojson")
    assert response.status_code == 200 and response.mimetype == GEOJSON
    data = response.get_json(force=True)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    casa, lavoro = data["features"]
    c = contributions["casa"]
    assert casa["geometry"] == {"type": "Point", "coordinates": [11.27466, 44.47626]}
    assert casa["properties"] == {
        "id": c.id, "actor": "Cooperativa Casa Aperta", "axis": c.axis.name, "type": c.resource_type.stored_label,
        "how": "messa_a_disposizione", "comune": "Casalecchio di Reno", "district": "Reno, Lavino e Samoggia",
        "capacity": 4,
    }
    assert lavoro["properties"]["actor"] == "Cittadino (nome non pubblicato)"
    assert lavoro["properties"]["capacity"] is None and lavoro["properties"]["how"] == "sostegno"


def test_open_data_is_cached_until_a_contribution_changes(client, notice, contributions, session):
    path = f"/dati/{notice.procedure.slug}/risorse.geojson"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    moderate(contributions["attesa"], ContributionState.APPROVED, "Verificato", by=make_user(Role.STAFF))
    session.commit()
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200 and len(again.get_json(force=True)["features"]) == 3


def test_open_data_do_not_change_with_the_reader_s_language(client, notice, contributions):
    path = f"/dati/{notice.procedure.slug}/risorse.geojson"
    italian = client.get(path).get_json(force=True)
    client.get("/lingua/en?next=/")
    assert client.get(path).get_json(force=True) == italian
