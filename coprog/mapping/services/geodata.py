"""The resources of a procedure as the map, its table and the open data read them. Reading only.

- `map_collection`: the map's GeoJSON, compact because the map loads every resource at once:
  features carry numbers only (short keys, ids and codes that the page's legend resolves,
  coordinates at 5 decimals, about a metre); the actors' names travel once, in the foreign
  member "actors" (RFC 7946 §6.1), which `a` indexes.
- `resource_page`: the same resources as rows of the table under the map, filtered and paginated.
- `open_collection`: the open data (/dati/<slug>/risorse.geojson), published resources with
  their names spelt out.
- `boundaries`: the territory's comuni and districts, the map's base layer.

The public sees published resources only, and co-opted citizens unnamed (`public_name`);
staff (who moderate) see every state and every name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import selectinload

from ...actors.models import Actor
from ...actors.services import public_name
from ...extensions import db
from ...territory.geo import places_of
from ...territory.models import Comune
from ..models import Contribution, ContributionState, OfferMode, ResourceType

COORDINATE_DECIMALS = 5  # the map writes them with "{:.5f}"
# Codes of the map's "h" (how) and "s" (state: absent when published, staff only).
MODE_CODES = {mode: code for code, mode in enumerate(OfferMode)}
STATE_CODES = {ContributionState.APPROVED: 0, ContributionState.SUBMITTED: 1, ContributionState.REJECTED: 2}


@dataclass(frozen=True)
class Filters:
    """What the map and its table show: an axis, a resource type, a state (staff only)."""

    axis_id: int | None = None
    type_id: int | None = None
    state: ContributionState | None = None

    def apply(self, query, *, staff: bool):
        query = query.where(Contribution.state == ContributionState.APPROVED) if not staff else query
        if self.axis_id is not None:
            query = query.where(Contribution.axis_id == self.axis_id)
        if self.type_id is not None:
            query = query.where(Contribution.resource_type_id == self.type_id)
        if staff and self.state is not None:
            query = query.where(Contribution.state == self.state)
        return query


@dataclass(frozen=True)
class ResourcePage:
    rows: list[Contribution]
    total: int
    page: int
    pages: int


def shown_name(actor: Actor, *, staff: bool) -> str:
    return actor.name if staff else public_name(actor)


def legend(procedure) -> dict:
    """The names behind the map's codes, and the choices of its filters."""
    authority = procedure.authority
    axes = authority.axes  # a contribution may be on any axis of the authority
    districts = list(authority.districts)
    comuni = db.session.scalars(
        select(Comune).where(Comune.district_id.in_([d.id for d in districts])).order_by(Comune.name)
    )
    return {
        "axes": [{"id": axis.id, "name": axis.name, "colour": n % 6} for n, axis in enumerate(axes)],
        "types": [{"id": kind.id, "name": kind.label} for kind in resource_types(authority)],
        "modes": [str(mode.label) for mode in OfferMode],
        "districts": {district.id: district.name for district in districts},
        "comuni": {comune.id: comune.name for comune in comuni},
        "states": {STATE_CODES[state]: {"value": state.value, "name": str(state.label)} for state in ContributionState},
    }


def resource_types(authority) -> list[ResourceType]:
    """The authority's taxonomy as it is (the contributions' use-case creates it on first use)."""
    query = select(ResourceType).where(ResourceType.authority_id == authority.id)
    return list(db.session.scalars(query.order_by(ResourceType.position, ResourceType.id)))


def map_collection(procedure, *, staff: bool) -> str:
    """The map's GeoJSON, as compact JSON text (see the module's docstring).

    Written row by row as text, for speed at 100,000 resources (a tenth of building dicts and
    dumping them): only numbers read from typed columns go into the features, the actors'
    names go through json.dumps."""
    c = Contribution
    query = Filters().apply(
        select(c.id, c.actor_id, c.axis_id, c.resource_type_id, type_coerce(c.offer_mode, String),
               c.comune_id, c.district_id, c.capacity, c.longitude, c.latitude, type_coerce(c.state, String))
        .where(c.procedure_id == procedure.id),
        staff=staff,
    )
    actors = _actors(query, staff=staff)
    index = {actor_id: n for n, actor_id in enumerate(actors)}
    modes = {mode.value: code for mode, code in MODE_CODES.items()}
    states = {state.value: code for state, code in STATE_CODES.items()}
    features = []
    for ident, actor, axis, kind, how, comune, district, capacity, lon, lat, state in db.session.execute(
        query.order_by(c.id)
    ):
        more = "" if comune is None else f',"c":{int(comune)}'
        more += "" if capacity is None else f',"n":{int(capacity)}'
        more += "" if state == ContributionState.APPROVED.value else f',"s":{states[state]}'
        features.append(
            f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{lon:.5f},{lat:.5f}]}},'
            f'"properties":{{"i":{int(ident)},"a":{index[actor]},"x":{int(axis)},"t":{int(kind)},'
            f'"h":{modes[how]},"d":{int(district)}{more}}}}}'
        )
    names = json.dumps(list(actors.values()), ensure_ascii=False, separators=(",", ":"))
    return f'{{"type":"FeatureCollection","actors":{names},"features":[{",".join(features)}]}}'


def _actors(query, *, staff: bool) -> dict[int, str]:
    """The names of the actors of the query's contributions, by actor id, in id order."""
    ids = query.with_only_columns(Contribution.actor_id).distinct().scalar_subquery()
    actors = db.session.scalars(
        select(Actor).where(Actor.id.in_(ids)).options(selectinload(Actor.co_opted_subject)).order_by(Actor.id)
    )
    return {actor.id: shown_name(actor, staff=staff) for actor in actors}


def _point(contribution) -> dict:
    return {"type": "Point", "coordinates": [round(contribution.longitude, COORDINATE_DECIMALS),
                                             round(contribution.latitude, COORDINATE_DECIMALS)]}


def _with_names(query):
    return query.options(
        selectinload(Contribution.actor).selectinload(Actor.co_opted_subject),
        selectinload(Contribution.axis), selectinload(Contribution.resource_type),
        selectinload(Contribution.comune), selectinload(Contribution.district),
    )


def resource_page(procedure, filters: Filters, *, staff: bool, page: int, per_page: int) -> ResourcePage:
    """The table's rows, newest first: the order the index on (procedure, state) gives without
    sorting, so that a page costs the same at 100 and at 100,000 resources."""
    query = filters.apply(select(Contribution).where(Contribution.procedure_id == procedure.id), staff=staff)
    total = db.session.scalar(query.with_only_columns(func.count(Contribution.id)).order_by(None))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    ordered = query.order_by(Contribution.id.desc()).limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(_with_names(ordered))
    return ResourcePage(rows=list(rows), total=total, page=page, pages=pages)


def visible_contribution(procedure, contribution_id: int, *, staff: bool) -> Contribution | None:
    """One resource of the procedure, if the reader may see it (the map's popup)."""
    query = Filters().apply(
        select(Contribution).where(Contribution.procedure_id == procedure.id, Contribution.id == contribution_id),
        staff=staff,
    )
    return db.session.scalar(query.options(selectinload(Contribution.collaborators)))


def open_collection(procedure) -> dict:
    """Published resources as a GeoJSON FeatureCollection with readable properties."""
    query = Filters().apply(select(Contribution).where(Contribution.procedure_id == procedure.id), staff=False)
    features = [
        {
            "type": "Feature",
            "geometry": _point(contribution),
            "properties": {
                "id": contribution.id,
                "actor": public_name(contribution.actor),
                "axis": contribution.axis.name,
                "type": contribution.resource_type.stored_label,  # not the reader's language
                "how": contribution.offer_mode.value,
                "comune": contribution.comune.name if contribution.comune is not None else None,
                "district": contribution.district.name,
                "capacity": contribution.capacity,
            },
        }
        for contribution in db.session.scalars(_with_names(query.order_by(Contribution.id)))
    ]
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=8)
def boundaries(authority_slug: str) -> bytes | None:
    """The committed GeoJSON of comuni and districts (with its CC BY attribution), compact."""
    places = places_of(authority_slug)
    if places is None:
        return None
    return json.dumps(places.collection, ensure_ascii=False, separators=(",", ":")).encode()
