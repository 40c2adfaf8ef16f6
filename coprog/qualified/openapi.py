"""The OpenAPI 3.0 documents of the two APIs of the list of qualified entities, as Python dicts
served as JSON: /api/v1/openapi.json (keyed, for the authority's own systems) and
/api/hsds/openapi.json (public, Open Referral HSDS 3.0).

Every parameter has its schema (enums are the authority's current codes: the document is built
at each request from the database, so a new axis or district appears at once) and every response
its JSON schema, so that a client generator, and schemathesis in the tests, can check both ends.
A parameter with no possible value (an authority without districts) is left out of the
document; the API then refuses any value for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .hsds import HSDS_VERSION
from .models import Target

MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 200
DEFAULT_RADIUS_KM = 10
TEXT_MAX = 200
MAX_ID = 2_147_483_647  # the databases' integer
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
JSON = "application/json"


@dataclass
class Choices:
    """The values the v1 search accepts today (codes of the list's authority)."""

    axes: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    comuni: list[str] = field(default_factory=list)  # ISTAT codes
    near: list[str] = field(default_factory=list)  # ISTAT codes of comuni with a known point


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _string(**extra) -> dict:
    return {"type": "string", **extra}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    found = {"type": "object", "properties": properties}
    if required is not None:
        found["required"] = required
    return found


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    found = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        found["headers"] = headers
    return found


ERROR = _object({
    "status": {"type": "integer", "description": "Il codice HTTP della risposta."},
    "message": _string(description="Che cosa non va, in italiano."),
    "errors": {"type": "object", "additionalProperties": _string(),
               "description": "Per ogni parametro rifiutato, il motivo (solo con 400)."},
}, ["status", "message"])


def _error_responses(*, auth: bool, bad_request: bool = True, not_found: bool = False) -> dict:
    ref = {"$ref": "#/components/schemas/Error"}
    found = {}
    if bad_request:
        found["400"] = _json(ref, "Parametri non validi: `errors` dice, per ognuno, il motivo.")
    if auth:
        found["401"] = _json(ref, "Chiave assente, sconosciuta o revocata.", headers={
            "WWW-Authenticate": {"schema": _string(), "description": "Bearer (RFC 6750)."}})
        found["429"] = _json(ref, "Troppe richieste con questa chiave nell'ultimo minuto.", headers={
            "Retry-After": {"schema": {"type": "integer", "minimum": 1},
                            "description": "Secondi da attendere prima di riprovare."}})
    if not_found:
        found["404"] = _json(ref, "Non trovato (o non più valido oggi).")
    return found


# v1 ------------------------------------------------------------------------------------------------


CODE_NAME = _object({"code": _string(), "name": _string()}, ["code", "name"])
COMUNE = _object({"istat": _string(pattern="^[0-9]{6}$"), "name": _string()}, ["istat", "name"])

V1_SERVICE = _object({
    "id": {"type": "integer"},
    "entity_id": {"type": "integer", "description": "L'iscrizione dell'ente nell'elenco: GET /entities/{id}."},
    "entity": _object({"name": _string(), "codice_fiscale": _string(), "runts_section": nullable(_string())},
                      ["name", "codice_fiscale", "runts_section"]),
    "title": _string(),
    "description": _string(),
    "axis": CODE_NAME,
    "type": CODE_NAME,
    "targets": _array(_string(enum=[t.value for t in Target])),
    "comune": nullable(COMUNE),
    "address": _string(),
    "latitude": nullable({"type": "number"}),
    "longitude": nullable({"type": "number"}),
    "districts": _array(CODE_NAME),
    "comuni": _array(COMUNE),
    "capacity": nullable({"type": "integer", "minimum": 0}),
    "available": nullable({"type": "integer", "minimum": 0}),
    "availability_updated_at": nullable(_string(format="date-time")),
    "availability_stale": {"type": "boolean", "description": "Disponibilità non aggiornata di recente."},
    "step_free": {"type": "boolean"},
    "public_transport": _string(),
    "access_notes": _string(),
    "valid_until": nullable(_string(format="date")),
    "distance_km": nullable({"type": "number", "minimum": 0}),
}, ["id", "entity_id", "entity", "title", "description", "axis", "type", "targets", "comune", "address", "latitude",
    "longitude", "districts", "comuni", "capacity", "available", "availability_updated_at", "availability_stale",
    "step_free", "public_transport", "access_notes", "valid_until", "distance_km"])

V1_ENTITY = _object({
    "id": {"type": "integer"},
    "name": _string(),
    "codice_fiscale": _string(),
    "runts_section": nullable(_string()),
    "list": _object({"slug": _string(), "title": _string()}, ["slug", "title"]),
    "valid_from": nullable(_string(format="date")),
    "valid_until": nullable(_string(format="date")),
    "review_on": nullable(_string(format="date")),
    "contacts": _object({"desk": _string(), "email": _string(), "phone": _string()}, ["desk", "email", "phone"]),
    "services": _array({"$ref": "#/components/schemas/Service"}),
}, ["id", "name", "codice_fiscale", "runts_section", "list", "valid_from", "valid_until", "review_on", "contacts",
    "services"])

V1_PAGE = _object({
    "items": _array({"$ref": "#/components/schemas/Service"}),
    "total": {"type": "integer", "minimum": 0},
    "page": {"type": "integer", "minimum": 1},
    "pages": {"type": "integer", "minimum": 1},
    "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    "origin": nullable(_object({"istat": _string(), "name": _string(), "latitude": {"type": "number"},
                                "longitude": {"type": "number"}, "radius_km": {"type": "integer"}},
                               ["istat", "name", "latitude", "longitude", "radius_km"])),
}, ["items", "total", "page", "pages", "page_size", "origin"])


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _enum_query(name: str, values: list[str], description: str) -> list[dict]:
    return [_query(name, _string(enum=sorted(set(values))), description)] if values else []


def v1_search_parameters(choices: Choices) -> list[dict]:
    return [
        *_enum_query("axis", choices.axes, "Codice dell'asse (es. abitare)."),
        *_enum_query("type", choices.types, "Codice del tipo di servizio (tassonomia delle risorse dell'azienda)."),
        _query("target", _string(enum=[t.value for t in Target]), "Destinatari: adulti dei CSM, minori della NPIA, "
               "persone seguite dal SerDP."),
        *_enum_query("district", choices.districts, "Codice del distretto coperto dal servizio."),
        *_enum_query("comune", choices.comuni, "Codice ISTAT del comune coperto dal servizio."),
        _query("available_now", {"type": "boolean"}, "Solo i servizi con posti disponibili ora (true/false)."),
        _query("q", _string(maxLength=TEXT_MAX), "Parole da cercare nel nome dell'ente, del servizio e nella "
               "descrizione (senza accenti; ogni parola anche come inizio di parola)."),
        *_enum_query("near_comune", choices.near, "Codice ISTAT del comune da cui misurare le distanze: i "
                     "risultati sono i servizi entro radius_km, dal più vicino."),
        _query("radius_km", {"type": "integer", "minimum": MIN_RADIUS_KM, "maximum": MAX_RADIUS_KM},
               f"Raggio in km (predefinito {DEFAULT_RADIUS_KM}); conta solo con near_comune."),
        _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Pagina (da 1)."),
        _query("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
               f"Servizi per pagina (predefinito {DEFAULT_PAGE_SIZE})."),
    ]


def v1_document(choices: Choices, *, server: str, title: str) -> dict:
    """/api/v1/openapi.json."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{title} – API dell'elenco dei soggetti qualificati",
            "version": "1.0.0",
            "description": (
                "API in sola lettura dell'elenco dei soggetti qualificati per i progetti di Budget di Salute, per i "
                "sistemi dell'azienda sanitaria. Mostra soltanto i servizi degli enti la cui iscrizione è valida oggi. "
                "Ogni richiesta porta una chiave rilasciata dal personale dell'azienda, nell'intestazione "
                "`Authorization: Bearer <chiave>`. Limite: un numero di richieste al minuto per chiave e per processo "
                "del server (risposta 429 con Retry-After). Errori: JSON con `status`, `message` e, per i parametri "
                "non validi (400), `errors` con un messaggio per ciascuno."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/services": {"get": {
                "operationId": "searchServices",
                "summary": "Cerca i servizi degli enti qualificati",
                "description": "Gli stessi filtri della ricerca dei case manager. Con near_comune: i servizi entro "
                               "radius_km, dal più vicino; altrimenti prima quelli con posti disponibili.",
                "parameters": v1_search_parameters(choices),
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/ServicePage"}, "Una pagina di servizi."),
                    **_error_responses(auth=True),
                },
            }},
            "/entities/{id}": {"get": {
                "operationId": "getEntity",
                "summary": "Un ente dell'elenco, con i suoi servizi e i contatti per i case manager",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "description": "L'iscrizione dell'ente nell'elenco (entity_id dei servizi).",
                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Entity"}, "L'ente, se la sua iscrizione è valida oggi."),
                    **_error_responses(auth=True, not_found=True),
                },
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "Una chiave dell'API rilasciata dal personale dell'azienda (Gestione › Chiavi API).",
            }},
            "schemas": {"Error": ERROR, "Service": V1_SERVICE, "Entity": V1_ENTITY, "ServicePage": V1_PAGE},
        },
    }


# HSDS ----------------------------------------------------------------------------------------------
# Required fields as in the HSDS 3.0 schemas (schema/*.json of openreferral/specification, 3.0).

UUID = _string(format="uuid")
HSDS_ORGANIZATION = _object({
    "id": UUID, "name": _string(), "description": _string(), "tax_id": _string(), "legal_status": _string(),
    "organization_identifiers": _array(_object({
        "id": UUID, "organization_id": UUID, "identifier_scheme": _string(), "identifier_type": _string(),
        "identifier": _string(),
    }, ["id", "identifier_type", "identifier"])),
}, ["id", "name", "description"])
HSDS_TERM = _object({"id": UUID, "code": _string(), "name": _string(), "description": _string(),
                     "taxonomy": _string(), "language": _string()}, ["id", "name", "description"])
HSDS_ATTRIBUTE = _object({"id": UUID, "link_id": UUID, "link_type": _string(), "link_entity": _string(),
                          "taxonomy_term_id": UUID, "taxonomy_term": HSDS_TERM}, ["id"])
HSDS_ADDRESS = _object({
    "id": UUID, "location_id": UUID, "address_1": _string(), "city": _string(), "state_province": _string(),
    "postal_code": _string(), "country": _string(), "address_type": _string(enum=["physical", "postal", "virtual"]),
}, ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"])
HSDS_LOCATION = _object({
    "id": UUID, "location_type": _string(enum=["physical", "postal", "virtual"]), "name": _string(),
    "description": _string(), "latitude": {"type": "number"}, "longitude": {"type": "number"},
    "external_identifier": _string(), "external_identifier_type": _string(), "transportation": _string(),
    "addresses": _array(HSDS_ADDRESS),
}, ["id", "location_type"])
HSDS_SERVICE_AREA = _object({"id": UUID, "service_id": UUID, "name": _string(), "description": _string()}, ["id"])
HSDS_SERVICE_AT_LOCATION = _object({"id": UUID, "service_id": UUID, "location_id": UUID, "location": HSDS_LOCATION},
                                   ["id"])
HSDS_CONTACT = _object({"id": UUID, "name": _string()}, ["id"])
HSDS_PHONE = _object({"id": UUID, "number": _string()}, ["id", "number"])
SERVICE_FIELDS = {
    "id": UUID, "organization_id": UUID, "name": _string(), "description": _string(),
    "status": _string(enum=["active", "inactive", "defunct", "temporarily closed"]), "url": _string(format="uri"),
    "eligibility_description": _string(), "assured_date": nullable(_string(format="date")),
}
HSDS_SERVICE_SUMMARY = _object({**SERVICE_FIELDS, "organization": HSDS_ORGANIZATION}, ["id", "name", "status"])
HSDS_SERVICE = _object({
    **SERVICE_FIELDS, "organization": HSDS_ORGANIZATION, "service_areas": _array(HSDS_SERVICE_AREA),
    "service_at_locations": _array(HSDS_SERVICE_AT_LOCATION), "attributes": _array(HSDS_ATTRIBUTE),
    "contacts": _array(HSDS_CONTACT), "phones": _array(HSDS_PHONE),
}, ["id", "name", "status"])
PAGE_FIELDS = {
    "total_items": {"type": "integer", "minimum": 0}, "total_pages": {"type": "integer", "minimum": 1},
    "page_number": {"type": "integer", "minimum": 1}, "size": {"type": "integer", "minimum": 0},
    "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"}, "empty": {"type": "boolean"},
}
HSDS_META = _object({
    "version": _string(), "profile": _string(format="uri"), "openapi_url": _string(format="uri"),
    "description": _string(),
    "publisher": _object({"name": _string(), "identifier": _string(), "email": _string(), "website": _string()},
                         ["name"]),
}, ["version", "openapi_url"])


def _page_of(item: str) -> dict:
    return _object({**PAGE_FIELDS, "contents": _array({"$ref": f"#/components/schemas/{item}"})},
                   [*PAGE_FIELDS, "contents"])


HSDS_PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number of paginated result."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
           f"Number of results requested in a single page (default {DEFAULT_PAGE_SIZE})."),
]


def hsds_document(*, server: str, title: str) -> dict:
    """/api/hsds/openapi.json: the HSDS API's required endpoints, and /organizations."""
    errors = _error_responses(auth=False)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{title} – Open Referral HSDS {HSDS_VERSION}",
            "version": "1.0.0",
            "description": (
                "L'elenco dei soggetti qualificati per i progetti di Budget di Salute nel formato Open Referral "
                f"HSDS {HSDS_VERSION}: pubblico, in sola lettura. Soltanto i servizi degli enti la cui iscrizione è "
                "valida oggi; i servizi sono collocati nel loro comune (senza indirizzo) e non portano contatti "
                "di persone."
            ),
            "license": {"name": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": server}],
        "paths": {
            "/": {"get": {
                "operationId": "getAPIMetaInformation",
                "summary": "Information about this API and its relationship with HSDS.",
                "tags": ["required"],
                "responses": {"200": _json({"$ref": "#/components/schemas/Meta"}, "About this API.")},
            }},
            "/services": {"get": {
                "operationId": "getPaginatedListOfServices",
                "summary": "Paginated listing of services with their one-to-one fields.",
                "tags": ["required"],
                "parameters": [
                    _query("search", _string(maxLength=TEXT_MAX), "Full text search (accents ignored, prefixes)."),
                    *HSDS_PAGING,
                    _query("organization_id", _string(format="uuid", pattern=UUID_PATTERN),
                           "Only the services of this organization."),
                ],
                "responses": {"200": _json(_page_of("ServiceSummary"), "A page of services."), **errors},
            }},
            "/services/{id}": {"get": {
                "operationId": "getFullyNestedServiceById",
                "summary": "A fully nested service with all related data.",
                "tags": ["required"],
                "parameters": [{"name": "id", "in": "path", "required": True, "description": "The service's id.",
                                "schema": _string(format="uuid", pattern=UUID_PATTERN)}],
                "responses": {"200": _json({"$ref": "#/components/schemas/Service"}, "The service."),
                              **_error_responses(auth=False, not_found=True)},
            }},
            "/organizations": {"get": {
                "operationId": "getPaginatedListOfOrganizations",
                "summary": "Paginated list of basic organization information.",
                "tags": ["optional"],
                "parameters": HSDS_PAGING,
                "responses": {"200": _json(_page_of("Organization"), "A page of organizations."), **errors},
            }},
        },
        "components": {"schemas": {
            "Error": ERROR, "Meta": HSDS_META, "Organization": HSDS_ORGANIZATION, "ServiceSummary": HSDS_SERVICE_SUMMARY,
            "Service": HSDS_SERVICE,
        }},
    }
