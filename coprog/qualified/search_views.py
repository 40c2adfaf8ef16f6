"""The search that case managers (and staff) use to choose the co-managers of a PTRI.

- /elenco-qualificati/ricerca: a GET form (results are bookmarkable) with filters, words and a
  distance from a comune or an address; the results as a list (20 a page) and, beside it, on a
  map of the territory. htmx swaps the form and the list together when the form changes (so the
  messages beside the fields follow), pushing the URL; without JavaScript the same form submits.
  Bad input answers 400 with the messages beside the fields and no results.
- /elenco-qualificati/enti/<id>: an entity of the list, valid today, with every field of its
  services, its contacts for case managers and links to its resources on the public map.
- /elenco-qualificati/selezione: the shortlist kept in the session (services only: nothing of
  the person cared for), printable and exported as CSV; add and remove are POSTs (htmx swaps
  the button and the counter; without JavaScript a redirect back).

The map is folium's, as on the resource map (mapping/geomap.py): vendored Leaflet, the script
served from this app, nothing from users handed to folium. Its points are the list's own (the
page shown, numbered alike), carried in a data attribute of the list, so the list is the map's
text alternative and one search serves both; static/js/qualified-map.js draws them with
textContent after each swap. Case managers read, never write: every route needs
qualified.search.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.views import safe_next
from ..core.cache import personal_page
from ..core.permissions import require
from ..core.time import rome_today
from ..extensions import db, htmx
from ..mapping import geomap
from ..mapping.models import Contribution, Placement
from ..mapping.services.contributions import resource_types_of
from ..mapping.services.geodata import boundaries
from ..mapping.services.places import locate
from ..notices.models import Procedure, ProcedureKind
from ..territory.geo import places_of
from ..territory.models import Authority, Comune, District
from ..territory.services import default_authority
from . import bp
from .models import EntryService, QualifiedEntry
from .search_forms import SearchForm, search_form
from .services import shortlist
from .services.search import (
    PAGE_SIZE,
    Filters,
    Origin,
    Results,
    is_stale,
    search,
    stale_after_days,
    valid_entries,
)

PERMISSION = "qualified.search"
GEOJSON = "application/geo+json"


def list_authority() -> Authority | None:
    """The authority whose list is searched. The platform serves one authority in practice
    (territory.services.default_authority); the one meant is the authority that keeps a list of
    qualified entities: the first with a procedure of kind QUALIFIED_LIST, else the first one
    loaded. Should several authorities keep lists one day, the search will take an authority
    parameter."""
    keeping = select(Procedure.authority_id).where(Procedure.kind == ProcedureKind.QUALIFIED_LIST)
    found = db.session.scalar(select(Authority).where(Authority.id.in_(keeping)).order_by(Authority.id).limit(1))
    return found or default_authority()


def km(value: float | None) -> str:
    """A distance: one decimal (4,2)."""
    return "" if value is None else format_decimal(round(value, 1), format="#,##0.0")


def radius_km(value: float) -> str:
    """A radius as typed: 10, 12,5."""
    return format_decimal(value, format="#,##0.#")


# The search -------------------------------------------------------------------------------------


@dataclass
class Search:
    """What the search page shows: the form, its results (None when the input is refused),
    where distances are measured from, and the problems that are not a field's."""

    form: SearchForm
    results: Results | None
    origin: Origin | None
    origin_note: str
    page_problem: str


def _page_number() -> tuple[int, str]:
    raw = request.args.get("pagina", "").strip()
    if not raw:
        return 1, ""
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        return 1, _("Il numero di pagina non è valido: indica un numero intero da 1 in su.")
    return int(raw), ""


def _origin(authority, form: SearchForm) -> tuple[Origin | None, str]:
    """Where distances are measured from: the address placed in its comune (through the
    configured geocoder, else the comune's point), or the comune; a note when an address could
    not be placed precisely. A problem goes beside the field."""
    if not form.vicino.data or authority is None:
        return None, ""
    comune = db.session.scalar(select(Comune).join(District).where(
        Comune.id == form.vicino.data, District.authority_id == authority.id))
    location = locate(authority, comune, form.indirizzo.data) if comune is not None else None
    if location is None:
        form.vicino.errors.append(_("Per questo comune non è nota la posizione: non si possono misurare le distanze."))
        return None, ""
    address = form.indirizzo.data
    if address and location.placement == Placement.ADDRESS:
        return Origin(f"{address}, {comune.name}", location.longitude, location.latitude), ""
    note = ""
    if address:
        note = _("L'indirizzo «%(address)s» non è stato trovato con precisione: le distanze sono misurate dal "
                 "centro di %(comune)s.", address=address, comune=comune.name)
    return Origin(comune.name, location.longitude, location.latitude), note


def run_search(authority) -> Search:
    types = resource_types_of(authority) if authority else []
    axes = authority.axes if authority else []
    districts = authority.districts if authority else []
    form = search_form(request.args, axes=axes, types=types, districts=districts)
    valid = form.validate()
    page, page_problem = _page_number()
    origin, note = _origin(authority, form) if valid else (None, "")
    if not valid or page_problem or form.vicino.errors:
        return Search(form, None, origin, note, page_problem)
    filters = Filters(
        axis_id=form.asse.data, resource_type_id=form.tipo.data, target=form.destinatari.data,
        district_id=form.distretto.data, comune_id=form.comune.data, available_now=form.disponibili.data,
        text=form.testo.data or "", origin=origin, radius_km=form.raggio.data if origin else None, page=page,
    )
    results = search(filters)
    if filters.page > results.pages:  # past the last page: show the last one
        results = search(replace(filters, page=results.pages))
    _load_comuni_covered(results)
    return Search(form, results, origin, note, "")


def _load_comuni_covered(results: Results) -> None:
    """The comuni each listed service covers, in one query (the search loads the rest)."""
    ids = [hit.service.id for hit in results.hits]
    if ids:
        db.session.scalars(select(EntryService).where(EntryService.id.in_(ids))
                           .options(selectinload(EntryService.comuni))).all()


def query_args(form: SearchForm, **extra) -> dict:
    """The form's values as query-string arguments (empty ones left out): for page links."""
    args = {}
    for field in form:
        if field.type == "BooleanField":
            if field.data:
                args[field.name] = "1"
        elif field.raw_data and field.raw_data[0] not in ("", None):
            args[field.name] = field.raw_data[0]
    args.update({k: v for k, v in extra.items() if v is not None})
    return args


def search_url(form: SearchForm, **extra) -> str:
    args = query_args(form, **extra)
    base = url_for("qualified.search_page")
    return f"{base}?{urlencode(args)}" if args else base


def map_points(found: Search) -> dict:
    """The page's results for the map (text set with textContent by qualified-map.js)."""
    results = found.results
    points = []
    if results is not None:
        first = (results.page - 1) * PAGE_SIZE + 1
        for n, hit in enumerate(results.hits, start=first):
            s = hit.service
            if s.longitude is None or s.latitude is None:
                continue
            points.append({
                "n": n, "id": s.id, "entity": s.entry.organisation.name, "title": s.title,
                "type": s.resource_type.label, "url": entity_url(s),
                "km": km(hit.distance_km), "available": "" if s.available is None else s.available,
                "lon": s.longitude, "lat": s.latitude,
            })
    origin = found.origin
    return {
        "points": points,
        "listed": len(results.hits) if results is not None else 0,
        "origin": {"label": origin.label, "lon": origin.longitude, "lat": origin.latitude,
                   "km": found.form.raggio.data} if origin else None,
    }


def entity_url(service: EntryService) -> str:
    return url_for("qualified.entity_page", entry_id=service.entry_id, _anchor=f"servizio-{service.id}")


def _context(found: Search) -> dict:
    results = found.results
    first = (results.page - 1) * PAGE_SIZE + 1 if results else 1
    return dict(
        form=found.form, results=found.results, origin=found.origin, origin_note=found.origin_note,
        page_problem=found.page_problem, first_number=first, stale_days=stale_after_days(),
        is_stale=is_stale, km=km, radius_km=radius_km, search_url=lambda **extra: search_url(found.form, **extra),
        map_data=map_points(found), shortlisted=set(shortlist.shortlist_ids()),
        shortlist_count=len(shortlist.shortlist_ids()), shortlist_max=shortlist.SHORTLIST_MAX,
        here=request.full_path.rstrip("?"),
    )


@bp.get("/elenco-qualificati/ricerca")
def search_page():
    require(PERMISSION)
    return _search_answer()


@personal_page(vary=lambda: tuple(shortlist.shortlist_ids()))
def _search_answer():
    """The same search asked again (back, forward, a bookmark, another page and back) comes from
    memory until the list changes: the results are public data, the shortlist is in the key."""
    authority = list_authority()
    found = run_search(authority)
    context = _context(found)
    if htmx and not htmx.boosted:
        page = render_template("qualified/_search.html", **context)
    else:
        places = places_of(authority.slug) if authority else None
        page = render_template("qualified/search.html", authority=authority, map=geomap.parts(places),
                               map_attribution=places.attribution if places else "", **context)
    db.session.commit()  # the resource types, created the first time; an address placed, cached
    return page, 200 if found.results is not None else 400


@bp.after_request
def _tiles_in_csp(response):
    """With a tile server configured, the search page may show its images."""
    if request.endpoint == "qualified.search_page" and response.mimetype == "text/html":
        csp = geomap.tiles_csp()
        if csp:
            response.headers["Content-Security-Policy"] = csp
    return response


@bp.get("/elenco-qualificati/ricerca/mappa.js")
def search_map_script():
    require(PERMISSION)
    authority = list_authority()
    parts = geomap.parts(places_of(authority.slug) if authority else None)
    response = Response(parts.script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/elenco-qualificati/ricerca/confini.geojson")
def search_boundaries():
    require(PERMISSION)
    authority = list_authority()
    body = boundaries(authority.slug) if authority else None
    if body is None:
        abort(404)
    response = Response(body, mimetype=GEOJSON)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# The entity's page ------------------------------------------------------------------------------


def get_valid_entry_or_404(entry_id: int) -> QualifiedEntry:
    """An entry qualified and valid today, for a user who may search (checked first: anonymous
    users go to the login page whatever the id)."""
    require(PERMISSION)
    entry = db.session.scalar(
        select(QualifiedEntry).where(QualifiedEntry.id == entry_id, valid_entries()).options(
            selectinload(QualifiedEntry.organisation),
            selectinload(QualifiedEntry.services).selectinload(EntryService.districts),
            selectinload(QualifiedEntry.services).selectinload(EntryService.comuni),
            selectinload(QualifiedEntry.services).selectinload(EntryService.contributions).options(
                selectinload(Contribution.procedure).selectinload(Procedure.notice),
                selectinload(Contribution.axis), selectinload(Contribution.resource_type)),
            selectinload(QualifiedEntry.services).options(
                selectinload(EntryService.axis), selectinload(EntryService.resource_type),
                selectinload(EntryService.comune)),
        ))
    if entry is None:
        abort(404)
    return entry


def public_resources(service: EntryService) -> list[tuple[str, str]]:
    """(label, URL) of the service's mapped resources that the public map shows: published, of a
    public notice; the link opens that map filtered by the resource's axis and type."""
    links = []
    for contribution in service.contributions:
        notice = contribution.procedure.notice
        if not contribution.is_published or notice is None or not notice.is_public:
            continue
        url = url_for("mapping.map_page", slug=contribution.procedure.slug, asse=contribution.axis_id,
                      tipo=contribution.resource_type_id, _anchor="risorse")
        label = _("%(type)s (%(axis)s) – %(notice)s", type=contribution.resource_type.label,
                  axis=contribution.axis.name, notice=notice.title)
        links.append((label, url))
    return links


@bp.get("/elenco-qualificati/enti/<int:entry_id>")
def entity_page(entry_id: int):
    entry = get_valid_entry_or_404(entry_id)
    ids = shortlist.shortlist_ids()
    return render_template(
        "qualified/entity.html", entry=entry, organisation=entry.organisation, services=entry.services,
        is_stale=is_stale, stale_days=stale_after_days(), runts_label=shortlist.runts_section_label, resources=public_resources,
        shortlisted=set(ids), shortlist_count=len(ids), shortlist_max=shortlist.SHORTLIST_MAX,
        here=request.full_path.rstrip("?"), today=rome_today(),
    )


# The shortlist ----------------------------------------------------------------------------------


def _service_id() -> int | None:
    raw = (request.form.get("servizio") or "").strip()
    return int(raw) if raw.isdigit() else None


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("qualified.search_page")


def _changed(service: EntryService | None, message: str, category: str):
    """The answer to add/remove: for htmx the button again and the counter (out of band); else
    a message and a redirect back."""
    if htmx and not htmx.boosted and service is not None:
        ids = shortlist.shortlist_ids()
        return render_template("qualified/_shortlist_change.html", service=service, shortlisted=set(ids),
                               shortlist_count=len(ids), shortlist_max=shortlist.SHORTLIST_MAX,
                               here=safe_next(request.form.get("next")) or "", message=message)
    flash(message, category)
    return redirect(_back())


@bp.post("/elenco-qualificati/selezione/aggiungi")
def shortlist_add():
    require(PERMISSION)
    service = shortlist.valid_service(_service_id())
    if service is None:
        message = _("Il servizio non è nell'elenco o non è più valido.")
        if htmx and not htmx.boosted:  # the button stays; the counter's live region says why
            response = Response(Markup('<p id="shortlist-status" hx-swap-oob="innerHTML">{}</p>').format(message))
            response.headers["HX-Reswap"] = "none"
            return response
        return _changed(None, message, "warning")
    if not shortlist.add(service.id):
        return _changed(service, _("La selezione contiene già %(max)d servizi, il massimo: togline qualcuno per "
                                   "aggiungerne altri.", max=shortlist.SHORTLIST_MAX), "warning")
    return _changed(service, _("«%(title)s» di %(entity)s aggiunto alla selezione.", title=service.title,
                               entity=service.entry.organisation.name), "success")


@bp.post("/elenco-qualificati/selezione/rimuovi")
def shortlist_remove():
    require(PERMISSION)
    service_id = _service_id()
    if service_id is not None:
        shortlist.remove(service_id)
    service = db.session.get(EntryService, service_id) if service_id is not None else None
    if service is None:
        return _changed(None, _("Servizio tolto dalla selezione."), "success")
    return _changed(service, _("«%(title)s» di %(entity)s tolto dalla selezione.", title=service.title,
                               entity=service.entry.organisation.name), "success")


@bp.get("/elenco-qualificati/selezione")
def shortlist_page():
    require(PERMISSION)
    found = shortlist.current()
    if found.dropped:
        flash(_("Tolti dalla selezione perché non sono più nell'elenco dei soggetti qualificati: %(names)s.",
                names="; ".join(found.dropped)), "warning")
    response = Response(render_template(
        "qualified/shortlist.html", services=found.services, is_stale=is_stale, stale_days=stale_after_days(),
        runts_label=shortlist.runts_section_label, shortlist_max=shortlist.SHORTLIST_MAX, here=request.path, today=rome_today(),
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/elenco-qualificati/selezione.csv")
def shortlist_csv():
    require(PERMISSION)
    found = shortlist.current()
    body = shortlist.shortlist_csv(found.services, lambda s: url_for(
        "qualified.entity_page", entry_id=s.entry_id, _anchor=f"servizio-{s.id}", _external=True))
    name = f"selezione-soggetti-qualificati-{rome_today():%Y-%m-%d}.csv"
    response = Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"  # contacts, for case managers only
    return response
