"""The resource map of a procedure, its data and its open data.

One page for everyone, /avvisi/<slug>/mappa: the public sees published resources; staff signed
in (who may moderate) see on the same page the unpublished ones too, marked as such, with a
filter by state. The page embeds no resource: the map loads them from
/avvisi/<slug>/mappa/risorse.geojson (the same URL answers the public and staff, each with what
they may see; public answers are cached) and the table under the map, its text alternative, is
paginated. folium's script is served from /avvisi/<slug>/mappa/mappa.js (see geomap.py).
"""

from __future__ import annotations

import json

from flask import Response, abort, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.cache import public_page
from ..core.htmx import render_page_or_fragment
from ..core.permissions import can
from ..core.templating import short_date
from ..notices.views import get_public_notice_or_404
from ..territory.geo import places_of
from . import bp, geomap
from .models import Contribution, ContributionState
from .services import geodata

PAGE_SIZE = 25
GEOJSON = "application/geo+json"


def _is_staff(procedure) -> bool:
    return can("mapping.moderate", procedure)


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


def _filters(*, staff: bool) -> geodata.Filters:
    """The filters of the query string (asse, tipo, stato); unknown values mean "all"."""
    try:
        state = ContributionState(request.args.get("stato", "")) if staff else None
    except ValueError:
        state = None
    return geodata.Filters(axis_id=_int_arg("asse"), type_id=_int_arg("tipo"), state=state)


def period_label(contribution: Contribution) -> str:
    start, end = contribution.available_from, contribution.available_until
    if start and end:
        return _("dal %(start)s al %(end)s", start=short_date(start), end=short_date(end))
    if start:
        return _("dal %(start)s", start=short_date(start))
    if end:
        return _("fino al %(end)s", end=short_date(end))
    return ""


@bp.get("/avvisi/<slug>/mappa")
@public_page
def map_page(slug: str):
    notice = get_public_notice_or_404(slug)
    procedure = notice.procedure
    staff = _is_staff(procedure)
    filters = _filters(staff=staff)
    resources = geodata.resource_page(procedure, filters, staff=staff, page=_int_arg("pagina") or 1,
                                      per_page=PAGE_SIZE)
    places = places_of(procedure.authority.slug)
    parts = geomap.parts(places)
    legend = geodata.legend(procedure)
    html = render_page_or_fragment(
        "mapping/map.html", "mapping/_map_resources.html",
        notice=notice, procedure=procedure, staff=staff, filters=filters, resources=resources,
        legend=legend, map=parts, attribution=places.attribution if places else "",
        states=list(ContributionState), period_label=period_label,
        shown_name=lambda actor: geodata.shown_name(actor, staff=staff),
    )
    return html


@bp.after_request
def _tiles_in_csp(response):
    """With a tile server configured, the map page may show its images (cached hits too)."""
    if request.endpoint == "mapping.map_page" and response.mimetype == "text/html":
        csp = geomap.tiles_csp()
        if csp:
            response.headers["Content-Security-Policy"] = csp
    return response


@bp.get("/avvisi/<slug>/mappa/mappa.js")
@public_page
def map_script(slug: str):
    notice = get_public_notice_or_404(slug)
    parts = geomap.parts(places_of(notice.procedure.authority.slug))
    return Response(parts.script, mimetype="text/javascript")


@bp.get("/avvisi/<slug>/mappa/risorse.geojson")
@public_page
def map_resources(slug: str):
    notice = get_public_notice_or_404(slug)
    procedure = notice.procedure
    return Response(geodata.map_collection(procedure, staff=_is_staff(procedure)), mimetype=GEOJSON)


@bp.get("/avvisi/<slug>/mappa/risorse/<int:contribution_id>.json")
@public_page
def map_resource(slug: str, contribution_id: int):
    """What a popup shows beyond the map's codes: the description, the period, the partners."""
    notice = get_public_notice_or_404(slug)
    procedure = notice.procedure
    staff = _is_staff(procedure)
    contribution = geodata.visible_contribution(procedure, contribution_id, staff=staff)
    if contribution is None:
        abort(404)
    return jsonify(
        id=contribution.id,
        description=contribution.description,
        capacity_note=contribution.capacity_note,
        period=period_label(contribution),
        collaborators=[geodata.shown_name(actor, staff=staff) for actor in contribution.collaborators],
        state=str(contribution.state.label) if staff else None,
    )


@bp.get("/avvisi/<slug>/mappa/confini.geojson")
@public_page
def map_boundaries(slug: str):
    notice = get_public_notice_or_404(slug)
    body = geodata.boundaries(notice.procedure.authority.slug)
    if body is None:
        abort(404)
    return Response(body, mimetype=GEOJSON)


@bp.get("/dati/<slug>/risorse.geojson")
@public_page
def open_resources(slug: str):
    notice = get_public_notice_or_404(slug)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the same data in any language
        body = json.dumps(geodata.open_collection(notice.procedure), ensure_ascii=False)
    return Response(body, mimetype=GEOJSON)
