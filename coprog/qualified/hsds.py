"""The list of qualified entities in Open Referral HSDS 3.0 (Human Services Data Specification):
pure functions from our models to HSDS objects (dicts), read by the public /api/hsds/ views.

Field names and required fields are those of the HSDS 3.0 schemas (openreferral/specification,
branch 3.0, schema/*.json and schema/openapi.json); tests/qualified/test_hsds.py checks them.

- ids: HSDS ids are UUIDs. Ours are derived from our integer ids with uuid5 on a fixed
  namespace, so the same row always has the same HSDS id (harvesters can follow changes) and
  nothing of the database's order leaks beyond what the id already said.
- organization: the entity (name, codice fiscale as an organization_identifier of scheme IT-CF
  — and in the deprecated tax_id, still a 3.0 field —, its RUNTS section as legal_status).
- service: one service of an entry valid today ("active"); its axis, type and targets as
  attributes with taxonomy terms of the authority's own taxonomies.
- service_area: the districts and comuni the service covers.
- location: where the service is offered. Public output (`precise=False`, the default) places it
  at its comune only (the comune's ISTAT code and representative point, no street address):
  many of these services are homes (supported flats, group homes) of people in the care of the
  mental health, child neuropsychiatry and addiction services, and a street address with a
  service "for adults of the CSM" would tell where patients live. `precise=True` adds the
  address and the service's own point (for a keyed, non-public use).
- contacts and phones: none in the public output. The entry's desk, e-mail and phone are for
  case managers (the keyed v1 API gives them); they are free text typed by the entity and may
  name a person or a personal mailbox, which the public must not see. The organisation's
  e-mail is left out for the same reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from .models import EntryService, Target

HSDS_VERSION = "3.0"
# Fixed for ever: changing it would change every published id.
NAMESPACE = uuid.UUID("3b0f6c0e-2f4a-5c8d-9a51-7d2e6b9c4f10")
IDENTIFIER_SCHEME = "IT-CF"  # org-id.guide: Italian codice fiscale / partita IVA
ISTAT = "ISTAT"

RUNTS_SECTIONS = {
    "a": "Organizzazioni di volontariato",
    "b": "Associazioni di promozione sociale",
    "c": "Enti filantropici",
    "d": "Imprese sociali, incluse le cooperative sociali",
    "e": "Reti associative",
    "f": "Società di mutuo soccorso",
    "g": "Altri enti del Terzo settore",
}
TARGET_NAMES = {
    Target.ADULTS: "Adulti dei Centri di salute mentale (CSM)",
    Target.MINORS: "Minori della Neuropsichiatria dell'infanzia e dell'adolescenza (NPIA)",
    Target.ADDICTIONS: "Persone seguite dal Servizio per le dipendenze (SerDP)",
}
TAXONOMIES = {
    "axis": "coprog: assi di intervento del Budget di Salute",
    "resource_type": "coprog: tipi di risorsa",
    "target": "coprog: destinatari (servizi del Dipartimento di salute mentale e dipendenze patologiche)",
}

Point = Callable[[object], tuple[float, float] | None]  # comune -> (longitude, latitude)


def hsds_id(kind: str, *parts) -> str:
    """The HSDS id (a UUID) of our object of kind `kind` with id `parts`."""
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *(str(p) for p in parts)])))


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


# Organization -------------------------------------------------------------------------------------


def runts_section_name(code: str | None) -> str:
    return RUNTS_SECTIONS.get((code or "").lower(), "")


def organization(org) -> dict:
    """The organization's one-to-one fields (an item of /organizations, the service's
    `organization`)."""
    section = runts_section_name(org.runts_section)
    legal = f"Ente del Terzo settore iscritto al RUNTS, sezione {org.runts_section}) {section}" if section else \
        "Ente del Terzo settore"
    seat = f", con sede a {org.seat_comune}" if org.seat_comune else ""
    return {
        "id": hsds_id("organization", org.id),
        "name": org.name,
        "description": f"{legal}{seat}. Iscritto nell'elenco dei soggetti qualificati per i progetti di Budget di Salute.",
        "tax_id": org.codice_fiscale,
        "legal_status": legal,
    }


def organization_identifiers(org) -> list[dict]:
    return [{
        "id": hsds_id("organization_identifier", org.id),
        "organization_id": hsds_id("organization", org.id),
        "identifier_scheme": IDENTIFIER_SCHEME,
        "identifier_type": "codice fiscale",
        "identifier": org.codice_fiscale,
    }]


def full_organization(org) -> dict:
    return {**organization(org), "organization_identifiers": organization_identifiers(org)}


# Service ------------------------------------------------------------------------------------------


def eligibility(service: EntryService) -> str:
    return "; ".join(TARGET_NAMES[t] for t in service.targets)


def service_summary(service: EntryService, *, url: str | None = None) -> dict:
    """The service's one-to-one fields and its organization: an item of /services."""
    org = service.entry.organisation
    found = {
        "id": hsds_id("service", service.id),
        "organization_id": hsds_id("organization", org.id),
        "name": service.title,
        "description": service.description or service.title,
        "status": "active",
        "eligibility_description": eligibility(service),
        "assured_date": _date(service.updated_at),
        "organization": organization(org),
    }
    if url:
        found["url"] = url
    return found


def _term(kind: str, key, code: str, name: str, description: str | None) -> dict:
    return {
        "id": hsds_id("taxonomy_term", kind, key),
        "code": code,
        "name": name,
        "description": description or name,
        "taxonomy": TAXONOMIES[kind],
        "language": "it",
    }


def attributes(service: EntryService) -> list[dict]:
    """The service's axis, type and targets as attributes with their taxonomy terms."""
    terms = [("axis", _term("axis", service.axis.id, service.axis.code, service.axis.name, service.axis.description)),
             ("resource_type", _term("resource_type", service.resource_type.id, service.resource_type.code,
                                     service.resource_type.stored_label, None))]
    terms += [("target", _term("target", t.value, t.value, TARGET_NAMES[t], None)) for t in service.targets]
    return [{
        "id": hsds_id("attribute", service.id, term["id"]),
        "link_id": hsds_id("service", service.id),
        "link_type": kind,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    } for kind, term in terms]


def service_areas(service: EntryService) -> list[dict]:
    """The districts and comuni the service covers (its own comune's district when it names
    neither)."""
    service_id = hsds_id("service", service.id)
    areas = [{
        "id": hsds_id("service_area", service.id, "district", d.id),
        "service_id": service_id,
        "name": d.name,
        "description": f"Distretto socio-sanitario {d.name}",
    } for d in service.districts]
    areas += [{
        "id": hsds_id("service_area", service.id, "comune", c.id),
        "service_id": service_id,
        "name": c.name,
        "description": f"Comune di {c.name} (codice ISTAT {c.istat_code})",
    } for c in service.comuni]
    if not areas and service.comune is not None:
        d = service.comune.district
        areas.append({
            "id": hsds_id("service_area", service.id, "district", d.id),
            "service_id": service_id,
            "name": d.name,
            "description": f"Distretto socio-sanitario {d.name}",
        })
    return areas


def location(service: EntryService, *, point: Point | None = None, precise: bool = False) -> dict | None:
    """Where the service is offered: its comune (public), or its address and point (precise);
    None when it names no comune."""
    comune = service.comune
    if comune is None:
        return None
    if precise:
        found = {
            "id": hsds_id("location", "service", service.id),
            "location_type": "physical",
            "name": f"{service.address}, {comune.name}" if service.address else comune.name,
            "external_identifier": comune.istat_code,
            "external_identifier_type": ISTAT,
        }
        if service.latitude is not None and service.longitude is not None:
            found["latitude"], found["longitude"] = service.latitude, service.longitude
        if service.public_transport:
            found["transportation"] = service.public_transport
        if service.address:
            found["addresses"] = [{
                "id": hsds_id("address", "service", service.id),
                "location_id": found["id"],
                "address_1": service.address,
                "city": comune.name,
                "state_province": comune.province or "",
                "postal_code": "",  # not collected; required by HSDS, so present and empty
                "country": "IT",
                "address_type": "physical",
            }]
        return found
    found = {
        "id": hsds_id("location", "comune", comune.id),
        "location_type": "physical",
        "name": comune.name,
        "description": f"Comune di {comune.name}: il servizio è offerto in questo comune (indirizzo non pubblicato).",
        "external_identifier": comune.istat_code,
        "external_identifier_type": ISTAT,
    }
    where = point(comune) if point is not None else None
    if where is not None:
        found["longitude"], found["latitude"] = where
    return found


def service_at_locations(service: EntryService, *, point: Point | None = None, precise: bool = False) -> list[dict]:
    place = location(service, point=point, precise=precise)
    if place is None:
        return []
    return [{
        "id": hsds_id("service_at_location", service.id),
        "service_id": hsds_id("service", service.id),
        "location_id": place["id"],
        "location": place,
    }]


def full_service(service: EntryService, *, url: str | None = None, point: Point | None = None,
                 precise: bool = False) -> dict:
    """The fully nested service of /services/{id}: its organization (with identifiers), its
    service areas, locations (through service_at_locations) and attributes; no contacts or
    phones (see the module's note)."""
    found = service_summary(service, url=url)
    found["organization"] = full_organization(service.entry.organisation)
    found["service_areas"] = service_areas(service)
    found["service_at_locations"] = service_at_locations(service, point=point, precise=precise)
    found["attributes"] = attributes(service)
    found["contacts"] = []
    found["phones"] = []
    return found


# Lists --------------------------------------------------------------------------------------------


def page(contents: list, *, total: int, page_number: int, per_page: int) -> dict:
    """An HSDS Page (API reference 3.0, "Lists"): the header fields, then `contents`."""
    total_pages = max(1, -(-total // per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": len(contents) == 0,
        "contents": contents,
    }
