"""The public Open Referral HSDS 3.0 API (/api/hsds/) and the public CSV of a list: every object
has the HSDS 3.0 fields it must have, with their names and types and no name HSDS does not
define; only entries valid today appear; the Page header is right across pages; nothing of a
contact reaches the public."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from coprog.qualified import hsds
from coprog.qualified.services.entries import Decision, decide

from .api_helpers import build_scene

# HSDS 3.0, openreferral/specification branch 3.0: schema/<object>.json ("required", and the
# names under "properties"), and schema/openapi.json (the API meta of "/" and the Page schema;
# the API reference's "Lists"). Written here from the spec, not from our code, so that a typo in
# hsds.py or a missing required field fails.
REQUIRED = {
    "organization": {"id", "name", "description"},
    "organization_identifier": {"id", "identifier_type", "identifier"},
    "service": {"id", "name", "status"},
    "service_area": {"id"},
    "service_at_location": {"id"},
    "location": {"id", "location_type"},
    "address": {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
    "attribute": {"id"},
    "taxonomy_term": {"id", "name", "description"},
    "contact": {"id"},
    "phone": {"id", "number"},
    "page": {"empty"},  # components/schemas/Page: only "empty" is required there…
}
# …but the API reference says every list header has all of these:
PAGE_FIELDS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"}
FIELDS = {
    "organization": {"id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
                     "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id", "funding",
                     "contacts", "phones", "locations", "programs", "organization_identifiers", "attributes",
                     "metadata"},
    "organization_identifier": {"id", "organization_id", "identifier_scheme", "identifier_type", "identifier",
                                "attributes", "metadata"},
    "service": {"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
                "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees",
                "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date",
                "assurer_email", "licenses", "alert", "phones", "schedules", "service_areas", "service_at_locations",
                "languages", "organization", "funding", "cost_options", "program", "required_documents", "contacts",
                "attributes", "metadata"},
    "service_area": {"id", "service_id", "name", "description", "extent", "extent_type", "uri", "attributes",
                     "metadata"},
    "service_at_location": {"id", "service_id", "location_id", "description", "contacts", "phones", "schedules",
                            "location", "attributes", "metadata"},
    "location": {"id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
                 "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type",
                 "languages", "addresses", "contacts", "accessibility", "phones", "schedules", "attributes",
                 "metadata"},
    "address": {"id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province",
                "postal_code", "country", "address_type", "attributes", "metadata"},
    "attribute": {"id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "taxonomy_term",
                  "metadata"},
    "taxonomy_term": {"id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_detail", "language",
                      "taxonomy_id", "term_uri", "metadata"},
    "contact": {"id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title",
                "department", "email", "phones", "attributes", "metadata"},
    "phone": {"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
              "number", "extension", "type", "description", "languages", "attributes", "metadata"},
}
NUMBERS = {"latitude", "longitude", "minimum_age", "maximum_age", "year_incorporated", "extension"}
# Fields holding HSDS ids (UUIDs); every other scalar is a string (or a number above).
UUID_FIELDS = {"id", "organization_id", "service_id", "location_id", "program_id", "link_id", "taxonomy_term_id",
               "parent_organization_id", "service_at_location_id", "contact_id", "parent_id", "taxonomy_id"}
# The nested objects and arrays of each object: (field, object kind)
NESTED = {
    "service": {"organization": "organization", "service_areas": "service_area", "contacts": "contact",
                "phones": "phone", "service_at_locations": "service_at_location", "attributes": "attribute"},
    "organization": {"organization_identifiers": "organization_identifier", "contacts": "contact", "phones": "phone"},
    "service_at_location": {"location": "location"},
    "location": {"addresses": "address"},
    "attribute": {"taxonomy_term": "taxonomy_term"},
}


def check_object(kind: str, obj: dict, seen: dict[str, int]) -> None:
    """`obj` is a valid HSDS 3.0 `kind`: its required fields, names and types, recursively."""
    seen[kind] = seen.get(kind, 0) + 1
    assert isinstance(obj, dict), (kind, obj)
    assert REQUIRED[kind] <= obj.keys(), f"{kind} lacks {REQUIRED[kind] - obj.keys()}"
    assert obj.keys() <= FIELDS[kind], f"{kind} has fields HSDS 3.0 does not define: {obj.keys() - FIELDS[kind]}"
    for name, value in obj.items():
        child = NESTED.get(kind, {}).get(name)
        if child is not None:
            for item in value if isinstance(value, list) else [value]:
                check_object(child, item, seen)
        elif name in UUID_FIELDS:
            assert str(uuid.UUID(value)) == value, (kind, name, value)
        elif name in NUMBERS:
            assert isinstance(value, int | float) and not isinstance(value, bool), (kind, name, value)
        elif value is not None:
            assert isinstance(value, str), (kind, name, value)
    if kind == "service":
        assert obj["status"] in ("active", "inactive", "defunct", "temporarily closed")
    if kind in ("location", "address"):
        assert obj.get("location_type", obj.get("address_type")) in ("physical", "postal", "virtual")


def check_page(page: dict) -> None:
    assert PAGE_FIELDS | {"contents"} == page.keys()
    for name in ("total_items", "total_pages", "page_number", "size"):
        assert isinstance(page[name], int) and not isinstance(page[name], bool)
    for name in ("first_page", "last_page", "empty"):
        assert isinstance(page[name], bool)
    assert isinstance(page["contents"], list) and page["size"] == len(page["contents"])


@pytest.fixture
def scene(app_ctx, session):
    return build_scene(session)


def service_names(client, path="/api/hsds/services?per_page=100") -> set[str]:
    return {s["name"] for s in client.get(path).get_json()["contents"]}


def test_every_object_has_the_hsds_required_fields(client, scene):
    seen: dict[str, int] = {}
    meta = client.get("/api/hsds/")
    assert meta.status_code == 200 and meta.mimetype == "application/json"
    body = meta.get_json()
    assert body["version"] == "3.0" and body["openapi_url"] == "http://coprog.test/api/hsds/openapi.json"
    assert body["publisher"]["name"]
    assert client.get("/api/hsds/openapi.json").get_json()["openapi"].startswith("3.0")

    page = client.get("/api/hsds/services").get_json()
    check_page(page)
    assert page["total_items"] == 3
    for item in page["contents"]:
        check_object("service", item, seen)
        full = client.get(f"/api/hsds/services/{item['id']}")
        assert full.status_code == 200, full.get_json()
        check_object("service", full.get_json(), seen)
    organizations = client.get("/api/hsds/organizations").get_json()
    check_page(organizations)
    assert organizations["total_items"] == 2
    for item in organizations["contents"]:
        check_object("organization", item, seen)
    # every kind we emit was checked at least once
    assert {"service", "organization", "organization_identifier", "service_area", "service_at_location",
            "location", "attribute", "taxonomy_term"} <= seen.keys()


def test_the_precise_location_is_valid_hsds_too(app_ctx, scene):
    service = scene.valid.services[0]
    service.address, service.latitude, service.longitude = "Via Roma 1", 44.49, 11.34
    seen: dict[str, int] = {}
    check_object("service", hsds.full_service(service, precise=True), seen)
    assert seen["address"] == 1


def test_ids_are_stable_uuids(client, scene):
    service = scene.valid.services[0]
    expected = str(uuid.uuid5(hsds.NAMESPACE, f"service:{service.id}"))
    assert hsds.hsds_id("service", service.id) == expected
    first = client.get(f"/api/hsds/services/{expected}").get_json()
    assert first["id"] == expected and first["name"] == service.title
    assert first["organization"]["organization_identifiers"][0]["identifier"] == scene.valid.organisation.codice_fiscale
    assert first["organization"]["organization_identifiers"][0]["identifier_scheme"] == "IT-CF"
    assert {a["taxonomy_term"]["code"] for a in first["attributes"]} >= {"abitare", "adulti_csm"}
    assert {a["name"] for a in first["service_areas"]} >= {"Distretto Nord", "Distretto Sud", "Comune Beta"}
    location = first["service_at_locations"][0]["location"]
    assert location["name"] == service.comune.name and location["external_identifier"] == service.comune.istat_code


def test_expired_and_suspended_entries_are_absent(client, scene, session):
    names = service_names(client)
    assert names == {"Servizio 1", "Servizio 2", "Laboratorio di falegnameria"}
    for entry in (scene.expired, scene.suspended):
        gone = hsds.hsds_id("service", entry.services[0].id)
        assert client.get(f"/api/hsds/services/{gone}").status_code == 404
    org_names = {o["name"] for o in client.get("/api/hsds/organizations").get_json()["contents"]}
    assert org_names == {"Cooperativa Aurora", "Associazione Betulla"}
    csv_names = {row["ente"] for row in csv.DictReader(io.StringIO(client.get(
        f"/dati/{scene.notice.procedure.slug}/elenco-qualificati.csv").get_data(as_text=True)), delimiter=";")}
    assert csv_names == {"Cooperativa Aurora", "Associazione Betulla"}

    # the other valid entry is suspended now: gone at once (the cached page is dropped)
    decide(scene.other, Decision.SUSPEND, "Verifica in corso", by=scene.staff)
    session.commit()
    assert service_names(client) == {"Servizio 1", "Servizio 2"}
    assert client.get(f"/api/hsds/services/{hsds.hsds_id('service', scene.other.services[0].id)}").status_code == 404


def test_pages(client, app_ctx, session):
    scene = build_scene(session, services=5)  # 5 + 1 valid services
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"/api/hsds/services?per_page=2&page={number}").get_json()
        check_page(page)
        assert (page["total_items"], page["total_pages"], page["page_number"], page["size"]) == (6, 3, number, 2)
        assert (page["first_page"], page["last_page"], page["empty"]) == (number == 1, number == 3, False)
        seen += [s["id"] for s in page["contents"]]
    assert len(set(seen)) == 6  # no service twice, none missing
    past = client.get("/api/hsds/services?per_page=2&page=4").get_json()
    assert (past["page_number"], past["size"], past["empty"], past["last_page"], past["contents"]) == (4, 0, True, True, [])
    one = client.get("/api/hsds/services?per_page=100").get_json()
    assert (one["total_pages"], one["first_page"], one["last_page"], one["size"]) == (1, True, True, 6)
    org = hsds.hsds_id("organization", scene.other.organisation_id)
    mine = client.get(f"/api/hsds/services?organization_id={org}").get_json()
    assert [s["name"] for s in mine["contents"]] == ["Laboratorio di falegnameria"]
    assert client.get("/api/hsds/services?search=falegnam").get_json()["total_items"] == 1


def test_empty_list(client, app_ctx, session):
    page = client.get("/api/hsds/services").get_json()
    check_page(page)
    assert (page["total_items"], page["total_pages"], page["empty"], page["first_page"], page["last_page"]) == \
        (0, 1, True, True, True)


def test_no_contact_reaches_the_public(client, scene):
    entry = scene.valid
    texts = [client.get(path).get_data(as_text=True) for path in (
        "/api/hsds/services", f"/api/hsds/services/{hsds.hsds_id('service', entry.services[0].id)}",
        "/api/hsds/organizations", f"/dati/{scene.notice.procedure.slug}/elenco-qualificati.csv")]
    for text in texts:
        for private in (entry.contact_desk, entry.contact_email, entry.contact_phone):
            assert private not in text
    full = client.get(f"/api/hsds/services/{hsds.hsds_id('service', entry.services[0].id)}").get_json()
    assert full["contacts"] == [] and full["phones"] == [] and "email" not in full["organization"]


def test_bad_input_answers_400_json(client, scene):
    response = client.get("/api/hsds/services?page=0&per_page=abc&organization_id=nope&search=" + "x" * 201)
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert set(response.get_json()["errors"]) == {"page", "per_page", "organization_id", "search"}
    assert client.get("/api/hsds/services?page=1&page=2").get_json()["errors"] == {
        "page": "Indica il parametro una volta sola."}
    assert client.get("/api/hsds/services/non-un-uuid").status_code == 400
    missing = client.get(f"/api/hsds/services/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    wrong_method = client.post("/api/hsds/services")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "application/json"
    assert "GET" in wrong_method.headers["Allow"]
    assert client.get("/api/hsds/nulla").get_json() == {"status": 404, "message": "Risorsa non trovata."}


def test_public_csv(client, scene):
    response = client.get(f"/dati/{scene.notice.procedure.slug}/elenco-qualificati.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))
    assert len(rows) == 3
    row = next(r for r in rows if r["servizio"] == "Laboratorio di falegnameria")
    assert row["ente"] == "Associazione Betulla" and row["codice_fiscale"] == scene.other.organisation.codice_fiscale
    assert row["asse"] == "Formazione/Lavoro" and "NPIA" in row["destinatari"] and "SerDP" in row["destinatari"]
    assert row["comune"] == "Comune Alfa" and row["distretti"] == "Distretto Nord" and row["capacita"] == "4"
    assert row["valido_fino_al"] == scene.other.valid_until.isoformat()
    assert "sportello" not in response.get_data(as_text=True).lower()


def test_public_csv_only_for_lists(client, app_ctx, session):
    from ..factories import make_notice

    notice = make_notice(published=True)
    session.commit()
    assert client.get(f"/dati/{notice.procedure.slug}/elenco-qualificati.csv").status_code == 404
    assert client.get("/dati/nessuno/elenco-qualificati.csv").status_code == 404


def test_csv_cells_are_spreadsheet_safe(client, app_ctx, session):
    scene = build_scene(session, services=1)
    scene.valid.services[0].title = "=HYPERLINK(\"http://x\")"
    session.commit()
    text = client.get(f"/dati/{scene.notice.procedure.slug}/elenco-qualificati.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_an_unexpected_error_is_json_too(client, app_ctx, session, monkeypatch):
    from coprog.qualified import api_views

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views, "list_authority", broken)
    response = client.get("/api/hsds/")
    assert response.status_code == 500 and response.get_json() == {"status": 500,
                                                                   "message": "Errore imprevisto del server."}
    assert "boom" not in response.get_data(as_text=True)
