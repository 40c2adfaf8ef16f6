"""The search that case managers use: the services of qualified entities (valid today), filtered
by axis, service type, target, district, comune and availability, by words in Italian, and by
distance from a comune or an address.

Full text reads `EntryService.search_text`, which the application writes lower-case and without
accents; FTS5 on SQLite and a `simple` tsvector on PostgreSQL split it into the same words and
both match each searched word as a prefix ("appartament" finds appartamento and appartamenti),
so the two databases return the same services. Distances are great-circle, computed for the
services inside a bounding box that SQL selects first.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, literal_column, or_, select, text
from sqlalchemy.orm import joinedload, selectinload

from ...core.time import naive_utc, rome_today, utcnow
from ...extensions import db
from ...notices.models import Procedure
from ...organisations.models import Organisation
from ...territory.models import Comune
from ..models import (
    EntryService,
    EntryState,
    QualifiedEntry,
    Target,
    entry_service_comuni,
    entry_service_districts,
)

PAGE_SIZE = 20
MAX_WORDS = 8
EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = 111.2
MAX_RADIUS_KM = 200


# Words --------------------------------------------------------------------------------------------


def normalise(value: str | None) -> str:
    """Lower-case, accents removed, anything but letters and digits a space."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def words(query: str | None) -> list[str]:
    return normalise(query).split()[:MAX_WORDS]


def search_text_of(service: EntryService, organisation_name: str) -> str:
    """What the full-text index reads of a service."""
    parts = [organisation_name, service.title, service.description,
             service.resource_type.stored_label if service.resource_type else "", service.address,
             service.comune.name if service.comune else ""]
    return normalise(" ".join(p for p in parts if p))


def _matches(found: list[str]):
    """Services whose text has every word as a prefix of one of its words."""
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"{w}:*" for w in found)
        return func.to_tsvector(literal_column("'simple'"), EntryService.search_text).op("@@")(
            func.to_tsquery(literal_column("'simple'"), query))
    query = " AND ".join(f'"{w}"*' for w in found)
    hits = select(literal_column("rowid")).select_from(text("entry_services_fts")).where(
        text("entry_services_fts MATCH :fts_query").bindparams(fts_query=query))
    return EntryService.id.in_(hits)


# Filters ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where distances are measured from."""

    label: str
    longitude: float
    latitude: float


@dataclass(frozen=True)
class Filters:
    axis_id: int | None = None
    resource_type_id: int | None = None
    target: Target | None = None
    district_id: int | None = None
    comune_id: int | None = None
    available_now: bool = False
    text: str = ""
    origin: Origin | None = None
    radius_km: float | None = None
    page: int = 1
    authority_id: int | None = None  # the lists of one authority (one per installation, in practice)


def valid_entries(today: date | None = None):
    """Qualified and within validity today: what searches and the APIs show."""
    today = today or rome_today()
    return and_(QualifiedEntry.state == EntryState.QUALIFIED,
                or_(QualifiedEntry.valid_until.is_(None), QualifiedEntry.valid_until >= today),
                or_(QualifiedEntry.valid_from.is_(None), QualifiedEntry.valid_from <= today))


def _covers_district(district_id: int):
    in_district = select(Comune.id).where(Comune.district_id == district_id)
    return or_(
        exists().where(entry_service_districts.c.entry_service_id == EntryService.id,
                       entry_service_districts.c.district_id == district_id),
        exists().where(entry_service_comuni.c.entry_service_id == EntryService.id,
                       entry_service_comuni.c.comune_id.in_(in_district)),
        EntryService.comune_id.in_(in_district),
    )


def _covers_comune(comune: Comune):
    return or_(
        EntryService.comune_id == comune.id,
        exists().where(entry_service_comuni.c.entry_service_id == EntryService.id,
                       entry_service_comuni.c.comune_id == comune.id),
        exists().where(entry_service_districts.c.entry_service_id == EntryService.id,
                       entry_service_districts.c.district_id == comune.district_id),
    )


TARGET_COLUMNS = {Target.ADULTS: EntryService.for_adults, Target.MINORS: EntryService.for_minors,
                  Target.ADDICTIONS: EntryService.for_addictions}


def conditions(filters: Filters, today: date | None = None) -> list:
    found = [valid_entries(today)]
    if filters.authority_id:
        found.append(QualifiedEntry.procedure_id.in_(
            select(Procedure.id).where(Procedure.authority_id == filters.authority_id)))
    if filters.axis_id:
        found.append(EntryService.axis_id == filters.axis_id)
    if filters.resource_type_id:
        found.append(EntryService.resource_type_id == filters.resource_type_id)
    if filters.target:
        found.append(TARGET_COLUMNS[filters.target].is_(True))
    if filters.district_id:
        found.append(_covers_district(filters.district_id))
    if filters.comune_id:
        comune = db.session.get(Comune, filters.comune_id)
        if comune is not None:
            found.append(_covers_comune(comune))
    if filters.available_now:
        found.append(EntryService.available > 0)
    if text_words := words(filters.text):
        found.append(_matches(text_words))
    if filters.origin and filters.radius_km:
        found.extend(_bounding_box(filters.origin, filters.radius_km))
    return found


def _bounding_box(origin: Origin, radius_km: float) -> list:
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(origin.latitude)), 0.01))
    return [EntryService.latitude.between(origin.latitude - dlat, origin.latitude + dlat),
            EntryService.longitude.between(origin.longitude - dlon, origin.longitude + dlon)]


def distance_km(origin: Origin, longitude: float | None, latitude: float | None) -> float | None:
    if longitude is None or latitude is None:
        return None
    phi1, phi2 = math.radians(origin.latitude), math.radians(latitude)
    dphi, dlambda = phi2 - phi1, math.radians(longitude - origin.longitude)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


# Results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    service: EntryService
    distance_km: float | None
    stale: bool  # availability older than the configured number of days


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    pages: int
    filters: Filters
    stale_after_days: int = 0
    problems: dict[str, str] = field(default_factory=dict)


def stale_after_days() -> int:
    return int(current_app.config.get("COPROG_AVAILABILITY_STALE_DAYS", 30))


def is_stale(service: EntryService, now: datetime | None = None) -> bool:
    moment = service.availability_updated_at
    limit = naive_utc(now or utcnow()) - timedelta(days=stale_after_days())
    return moment is None or moment < limit


def _loaded(query):
    """What a hit shows: the many-to-one in the same query (joined), the districts in one more."""
    return query.options(
        joinedload(EntryService.entry, innerjoin=True).joinedload(QualifiedEntry.organisation, innerjoin=True),
        joinedload(EntryService.axis, innerjoin=True), joinedload(EntryService.resource_type, innerjoin=True),
        joinedload(EntryService.comune), selectinload(EntryService.districts),
    )


def search(filters: Filters, *, today: date | None = None, page_size: int = PAGE_SIZE) -> Results:
    """One page of services. With a distance: every service within it, nearest first (the
    bounding box keeps that to the services of the area; distances are computed on plain rows,
    and only the page's services are loaded); else the ones with places free first, then by
    entity name."""
    where = conditions(filters, today)
    base = select(EntryService).join(QualifiedEntry, QualifiedEntry.id == EntryService.entry_id).where(*where)
    page = max(filters.page, 1)  # past the last: empty; `pages` tells the caller (the page shows the last)
    if filters.origin and filters.radius_km:
        nearby = _within_radius(filters, where)
        total = len(nearby)
        hits = _page_hits(nearby[(page - 1) * page_size: page * page_size])
    else:
        total = db.session.scalar(select(func.count()).select_from(base.subquery()))
        ordered = (base.join(Organisation, Organisation.id == QualifiedEntry.organisation_id)
                   .order_by(func.coalesce(EntryService.available, 0).desc(), Organisation.name, EntryService.id)
                   .limit(page_size).offset((page - 1) * page_size))
        hits = [Hit(s, _distance(filters, s), is_stale(s)) for s in db.session.scalars(_loaded(ordered))]
    return Results(hits, total, page, _pages(total, page_size), filters, stale_after_days())


def _pages(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / page_size))



def _distance(filters: Filters, service: EntryService) -> float | None:
    return distance_km(filters.origin, service.longitude, service.latitude) if filters.origin else None


def _within_radius(filters: Filters, where: list) -> list[tuple[float, str, int]]:
    """(distance, entity name, service id) of every service within the radius, nearest first:
    from the columns alone, so that a wide area costs rows, not loaded objects."""
    rows = db.session.execute(
        select(EntryService.id, EntryService.longitude, EntryService.latitude, Organisation.name)
        .join(QualifiedEntry, QualifiedEntry.id == EntryService.entry_id)
        .join(Organisation, Organisation.id == QualifiedEntry.organisation_id)
        .where(*where))
    nearby = []
    for service_id, longitude, latitude, name in rows:
        away = distance_km(filters.origin, longitude, latitude)
        if away is not None and away <= filters.radius_km:
            nearby.append((away, name, service_id))
    nearby.sort()
    return nearby


def _page_hits(nearby: list[tuple[float, str, int]]) -> list[Hit]:
    """The services of one page of `_within_radius`, loaded, in its order."""
    if not nearby:
        return []
    ids = [service_id for _away, _name, service_id in nearby]
    loaded = {s.id: s for s in db.session.scalars(_loaded(select(EntryService).where(EntryService.id.in_(ids))))}
    return [Hit(loaded[service_id], away, is_stale(loaded[service_id]))
            for away, _name, service_id in nearby if service_id in loaded]
