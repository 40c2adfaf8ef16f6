"""Coverage: the public district × axis matrix of published resources against the people with a
Budget di Salute (/avvisi/<slug>/copertura), its open data (/dati/<slug>/copertura.csv), and the
links of the mapping on the notice's public page.

The year of the demand is a GET parameter (`anno`): a plain form, no htmx, so that the page stays
one cacheable URL per year (the page cache keys on the URL, not on request headers). A year with
no figures answers 422 with the message beside the field and the latest year's matrix.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.cache import public_page
from ..core.templating import url_if
from ..extensions import db
from ..notices.models import Notice
from ..notices.views import get_public_notice_or_404
from . import bp
from .models import Contribution, ContributionState
from .services.coverage import (
    LOW_RATIO,
    LOWEST,
    NO_RESOURCE,
    YearError,
    coverage,
    coverage_csv,
    decimal,
    demand_years,
    gap_sentence,
    parse_year,
)


def _year(procedure) -> tuple[int | None, str | None]:
    """The year asked for, or the latest with the reason the asked one was refused."""
    years = demand_years(procedure.authority_id)
    try:
        return parse_year(request.args.get("anno"), years), None
    except YearError as error:
        return (years[-1] if years else None), str(error)


# The same sign in the matrix and in the list under it
GAP_ICONS = {NO_RESOURCE: "it-close-circle", LOW_RATIO: "it-warning-circle"}


@bp.get("/avvisi/<slug>/copertura")
@public_page
def coverage_page(slug: str):
    notice = get_public_notice_or_404(slug)
    year, error = _year(notice.procedure)
    html = render_template(
        "mapping/coverage.html", notice=notice, procedure=notice.procedure,
        coverage=coverage(notice.procedure, year), year_error=error, asked_year=request.args.get("anno", ""),
        gap_sentence=gap_sentence, decimal=decimal, number=format_decimal,
        NO_RESOURCE=NO_RESOURCE, LOW_RATIO=LOW_RATIO, LOWEST=LOWEST, GAP_ICONS=GAP_ICONS, links=_links(notice),
    )
    return (html, 422) if error else html


@bp.get("/dati/<slug>/copertura.csv")
@public_page
def coverage_csv_data(slug: str):
    notice = get_public_notice_or_404(slug)
    year, error = _year(notice.procedure)
    if error:
        return Response(error + "\n", status=422, mimetype="text/plain")
    suffix = f"-{year}" if request.args.get("anno") else ""
    return Response(coverage_csv(coverage(notice.procedure, year)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-copertura{suffix}.csv"'})


# The mapping's links on the notice's page ---------------------------------------------------------

# (label, endpoints that may serve it: the first one registered wins)
PAGES = (
    (_l("Mappa delle risorse"), ("mapping.map_page",)),
    (_l("Rete degli attori"), ("mapping.public_network", "mapping.network_page")),
    (_l("Copertura per distretto e asse"), ("mapping.coverage_page",)),
)
OPEN_DATA = (
    (_l("Risorse (GeoJSON)"), ("mapping.open_resources", "mapping.resources_geojson")),
    (_l("Rete (JSON)"), ("mapping.open_network", "mapping.network_json")),
    (_l("Copertura (CSV)"), ("mapping.coverage_csv_data",)),
)


def _links(notice: Notice) -> dict[str, list[tuple[str, str]]]:
    """The pages and open data of the mapping that exist, as (label, URL)."""
    slug = notice.procedure.slug

    def found(entries):
        urls = ((label, next(filter(None, (url_if(e, slug=slug) for e in endpoints)), None))
                for label, endpoints in entries)
        return [(str(label), url) for label, url in urls if url]

    return {"pages": found(PAGES), "data": found(OPEN_DATA)}


@bp.app_template_global()
def mapping_links(notice: Notice) -> dict[str, list[tuple[str, str]]] | None:
    """For the notice's public page: the mapping's pages and open data, once the procedure has
    published contributions (None before)."""
    published = select(Contribution.id).where(
        Contribution.procedure_id == notice.procedure_id, Contribution.state == ContributionState.APPROVED
    ).limit(1)
    return _links(notice) if db.session.scalar(published) is not None else None
