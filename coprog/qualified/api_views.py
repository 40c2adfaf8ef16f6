"""The list of qualified entities for other systems: the public Open Referral HSDS 3.0 API
(/api/hsds/), the keyed read-only v1 API for the authority's own systems (/api/v1/), their
OpenAPI documents, the public CSV of a list (/dati/<slug>/elenco-qualificati.csv), and the staff
pages that issue and revoke the v1 keys (/gestione/api/chiavi).

Both APIs show exactly the services of entries valid today (search.valid_entries): an entry
past its validity, suspended or removed is gone from them at once.

- HSDS: public, no key, cached like the other public open data (core.cache.public_page: at
  most a minute, dropped when public content changes). Services placed at their comune and
  without contacts: see hsds.py for why.
- v1: `Authorization: Bearer <key>` on every request (401 with a JSON body otherwise, revoked
  keys included), then a per-key rate limit (429 with Retry-After and a JSON body; kept per
  process, see api_keys.py); the same filters as the case managers' search; the entity's
  contacts for case managers. Responses are `Cache-Control: no-store`.
- Bad input: every malformed parameter gets a message in Italian, all at once, in a 400 JSON
  body {"status": 400, "message": …, "errors": {parameter: message}}; a parameter given twice
  is refused too. Nothing is written but a key's last_used_at. 404/405/500 under /api/ answer
  JSON too (core/errors.py).

Bearer rather than an X-API-Key header: it is the standard header for a bearer token (RFC 6750,
RFC 9110 §11.6.2), so a shared cache never stores an answer given to it (RFC 9111 §3.5), proxies
and servers that log requests leave it out of their logs by default, and clients and OpenAPI
tools know it (securitySchemes http/bearer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from ..core.cache import public_page, shared_answer
from ..core.permissions import get_permitted_or_404, require
from ..core.time import as_utc
from ..extensions import db
from ..mapping.models import ResourceType
from ..notices.models import ProcedureKind
from ..notices.views import get_public_notice_or_404
from ..organisations.models import Organisation
from ..territory.geo import comune_point
from ..territory.models import Comune, District
from . import bp, hsds
from .api_keys import (
    DEFAULT_RATE_PER_MINUTE,
    NAME_MAX,
    ApiKeyError,
    active_and_revoked,
    bearer_key,
    find_key,
    issue_key,
    limiter,
    note_use,
    revoke_key,
)
from .exports import count, list_csv, loaded, valid_services
from .models import ApiKey, EntryService, QualifiedEntry, Target
from .openapi import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_RADIUS_KM,
    MAX_ID,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    TEXT_MAX,
    Choices,
    hsds_document,
    v1_document,
)
from .search_views import list_authority
from .services.search import Filters, Origin, conditions, is_stale, search, valid_entries

PERMISSION = "qualified.api_keys"
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
NUMBER_RE = re.compile(r"[0-9]{1,10}")
LISTED_VALUES_MAX = 12  # an enum's values are named in the message up to this many


# JSON answers --------------------------------------------------------------------------------------


def api_error(status: int, message: str, errors: dict | None = None, headers: dict | None = None) -> Response:
    body = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _italian(view):
    """API messages are in Italian, whatever language the session has chosen."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with force_locale("it"):
            return view(*args, **kwargs)

    return wrapper


@dataclass
class Args:
    """The query string, read strictly: each problem named by its parameter."""

    args: object
    errors: dict[str, str] = field(default_factory=dict)

    def one(self, name: str) -> str | None:
        values = self.args.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            self.errors[name] = _("Indica il parametro una volta sola.")
            return None
        return values[0]

    def integer(self, name: str, low: int, high: int, default: int | None) -> int | None:
        raw = self.one(name)
        if raw is None:
            return default
        if not NUMBER_RE.fullmatch(raw) or not low <= int(raw) <= high:
            self.errors[name] = _("Indica un numero intero da %(low)d a %(high)d.", low=low, high=high)
            return default
        return int(raw)

    def boolean(self, name: str) -> bool:
        raw = self.one(name)
        if raw is None or raw == "false":
            return False
        if raw == "true":
            return True
        self.errors[name] = _("Indica true o false.")
        return False

    def text(self, name: str, limit: int) -> str:
        raw = self.one(name)
        if raw is not None and len(raw) > limit:
            self.errors[name] = _("Massimo %(max)d caratteri.", max=limit)
            return ""
        return raw or ""

    def choice(self, name: str, allowed: dict):
        raw = self.one(name)
        if raw is None:
            return None
        if raw not in allowed:
            if not allowed:
                self.errors[name] = _("Nessun valore è ammesso oggi per questo parametro.")
            elif len(allowed) <= LISTED_VALUES_MAX:
                self.errors[name] = _("Valore non ammesso: usa uno di questi codici: %(codes)s.",
                                      codes=", ".join(sorted(allowed)))
            else:
                self.errors[name] = _("Valore non ammesso: i codici ammessi sono nel documento OpenAPI.")
            return None
        return allowed[raw]

    def uuid(self, name: str) -> str | None:
        raw = self.one(name)
        if raw is not None and not UUID_RE.fullmatch(raw):
            self.errors[name] = _("Indica un identificativo UUID (es. 3b0f6c0e-2f4a-5c8d-9a51-7d2e6b9c4f10).")
            return None
        return raw.lower() if raw else None


def bad_request(errors: dict[str, str]) -> Response:
    return api_error(400, _("Alcuni parametri non sono validi."), errors)


# HSDS 3.0 (public) --------------------------------------------------------------------------------


def _point(authority) -> Callable:
    """comune -> (longitude, latitude) of its ISTAT representative point, when known."""
    return lambda comune: comune_point(authority.slug, comune.istat_code) if authority is not None else None


def _matching(ids, kind: str, wanted: str) -> list[int]:
    """Our ids (of the query `ids`) whose HSDS id is `wanted`. uuid5 cannot be reversed, so the
    list's ids are hashed (a few hundred: well under a millisecond each)."""
    return [i for i in db.session.scalars(ids) if hsds.hsds_id(kind, i) == wanted]


def _notice_url(procedure) -> str | None:
    notice = procedure.notice
    if notice is None or not notice.is_public:
        return None
    return url_for("notices.detail", slug=procedure.slug, _external=True)


@bp.get("/api/hsds/")
@public_page
@_italian
def hsds_meta():
    authority = list_authority()
    publisher = {"name": current_app.config["COPROG_AUTHORITY_NAME"]}
    if authority is not None:
        publisher["name"] = authority.name
        if authority.fiscal_code:
            publisher["identifier"] = f"{hsds.IDENTIFIER_SCHEME}-{authority.fiscal_code}"
        if authority.email:
            publisher["email"] = authority.email
        if authority.website:
            publisher["website"] = authority.website
    return jsonify({
        "version": hsds.HSDS_VERSION,
        "openapi_url": url_for("qualified.hsds_openapi", _external=True),
        "description": _("L'elenco dei soggetti qualificati per i progetti di Budget di Salute: i servizi degli enti "
                         "la cui iscrizione è valida oggi."),
        "publisher": publisher,
    })


@bp.get("/api/hsds/openapi.json")
@public_page
@_italian
def hsds_openapi():
    return jsonify(hsds_document(server=url_for("qualified.hsds_meta").rstrip("/"),
                                 title=current_app.config["COPROG_SITE_NAME"]))


@bp.get("/api/hsds/services")
@public_page
@_italian
def hsds_services():
    args = Args(request.args)
    words = args.text("search", TEXT_MAX)
    page = args.integer("page", 1, MAX_PAGE, 1)
    per_page = args.integer("per_page", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    organization = args.uuid("organization_id")
    if args.errors:
        return bad_request(args.errors)
    query = valid_services(*conditions(Filters(text=words)))
    if organization is not None:
        query = query.where(QualifiedEntry.organisation_id.in_(_matching(
            select(QualifiedEntry.organisation_id).where(valid_entries()).distinct(), "organization", organization)))
    total = count(query)
    services = db.session.scalars(loaded(query).limit(per_page).offset((page - 1) * per_page)).all()
    contents = [hsds.service_summary(s, url=_notice_url(s.entry.procedure)) for s in services]
    return jsonify(hsds.page(contents, total=total, page_number=page, per_page=per_page))


@bp.get("/api/hsds/services/<service_uuid>")
@public_page
@_italian
def hsds_service(service_uuid: str):
    if not UUID_RE.fullmatch(service_uuid):
        return bad_request({"id": _("Indica un identificativo UUID (es. 3b0f6c0e-2f4a-5c8d-9a51-7d2e6b9c4f10).")})
    valid_ids = select(EntryService.id).join(QualifiedEntry, QualifiedEntry.id == EntryService.entry_id).where(
        valid_entries())
    found = next(iter(_matching(valid_ids, "service", service_uuid.lower())), None)
    if found is None:
        return api_error(404, _("Nessun servizio valido oggi con questo identificativo."))
    service = db.session.scalars(loaded(select(EntryService).where(EntryService.id == found))).one()
    authority = list_authority()
    return jsonify(hsds.full_service(service, url=_notice_url(service.entry.procedure), point=_point(authority)))


@bp.get("/api/hsds/organizations")
@public_page
@_italian
def hsds_organizations():
    args = Args(request.args)
    page = args.integer("page", 1, MAX_PAGE, 1)
    per_page = args.integer("per_page", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    if args.errors:
        return bad_request(args.errors)
    with_valid = select(QualifiedEntry.organisation_id).join(
        EntryService, EntryService.entry_id == QualifiedEntry.id).where(valid_entries())
    query = select(Organisation).where(Organisation.id.in_(with_valid)).order_by(Organisation.name, Organisation.id)
    total = count(query)
    organisations = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify(hsds.page([hsds.organization(o) for o in organisations], total=total, page_number=page,
                             per_page=per_page))


# v1 (keyed) ---------------------------------------------------------------------------------------


def rate_per_minute() -> int:
    return int(current_app.config.get("COPROG_API_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def keyed(view):
    """A valid, unrevoked key (else 401), within its rate (else 429); last_used_at noted."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        given = bearer_key(request.headers.get("Authorization"))
        key = find_key(given)
        if key is None:
            challenge = 'Bearer realm="coprog"' + (', error="invalid_token"' if given else "")
            message = (_("La chiave non è valida o è stata revocata.") if given else
                       _("Serve una chiave dell'API nell'intestazione «Authorization: Bearer <chiave>»."))
            return api_error(401, message, headers={"WWW-Authenticate": challenge})
        limit = rate_per_minute()
        wait = limiter.hit(key.key_sha256, limit) if limit > 0 else 0
        if wait:
            return api_error(429, _("Troppe richieste: al massimo %(limit)d al minuto per chiave. Riprova tra "
                                    "%(seconds)d secondi.", limit=limit, seconds=wait),
                             headers={"Retry-After": str(wait)})
        note_use(key)
        response = view(*args, **kwargs)
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Authorization")
        return response

    return wrapper


@dataclass
class Lookups:
    """The codes the v1 search accepts, each with what it stands for."""

    axes: dict = field(default_factory=dict)
    types: dict = field(default_factory=dict)
    districts: dict = field(default_factory=dict)
    comuni: dict = field(default_factory=dict)
    near: dict = field(default_factory=dict)  # istat -> (Comune, Origin)

    def choices(self) -> Choices:
        return Choices(axes=list(self.axes), types=list(self.types), districts=list(self.districts),
                       comuni=list(self.comuni), near=list(self.near))


def lookups(authority) -> Lookups:
    if authority is None:
        return Lookups()
    comuni = list(db.session.scalars(select(Comune).join(District).where(District.authority_id == authority.id)
                                     .order_by(Comune.name)))
    near = {}
    for comune in comuni:
        point = comune_point(authority.slug, comune.istat_code)
        if point is not None:
            near[comune.istat_code] = (comune, Origin(comune.name, *point))
    types = db.session.scalars(select(ResourceType).where(ResourceType.authority_id == authority.id))
    return Lookups(
        axes={a.code: a for a in authority.axes}, types={t.code: t for t in types},
        districts={d.code: d for d in authority.districts}, comuni={c.istat_code: c for c in comuni}, near=near,
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _comune(comune) -> dict | None:
    return {"istat": comune.istat_code, "name": comune.name} if comune is not None else None


def service_json(service: EntryService, distance: float | None = None) -> dict:
    entry, org = service.entry, service.entry.organisation
    updated = service.availability_updated_at
    return {
        "id": service.id,
        "entity_id": entry.id,
        "entity": {"name": org.name, "codice_fiscale": org.codice_fiscale, "runts_section": org.runts_section},
        "title": service.title,
        "description": service.description,
        "axis": {"code": service.axis.code, "name": service.axis.name},
        "type": {"code": service.resource_type.code, "name": service.resource_type.stored_label},
        "targets": [t.value for t in service.targets],
        "comune": _comune(service.comune),
        "address": service.address,
        "latitude": service.latitude,
        "longitude": service.longitude,
        "districts": [{"code": d.code, "name": d.name} for d in service.districts],
        "comuni": [_comune(c) for c in service.comuni],
        "capacity": service.capacity,
        "available": service.available,
        "availability_updated_at": as_utc(updated).isoformat() if updated is not None else None,
        "availability_stale": is_stale(service),
        "step_free": service.step_free,
        "public_transport": service.public_transport,
        "access_notes": service.access_notes,
        "valid_until": _iso(entry.valid_until),
        "distance_km": round(distance, 3) if distance is not None else None,
    }


@bp.get("/api/v1/openapi.json")
@_italian
def v1_openapi():
    """Public: the document says how to ask, not what the list holds (its codes are public)."""
    server = url_for("qualified.v1_services").rsplit("/", 1)[0]
    return jsonify(v1_document(lookups(list_authority()).choices(), server=server,
                               title=current_app.config["COPROG_SITE_NAME"]))


@bp.get("/api/v1/services")
@_italian
@keyed
@shared_answer  # the same for every valid key: after the key's check
def v1_services():
    found = lookups(list_authority())
    args = Args(request.args)
    axis = args.choice("axis", found.axes)
    kind = args.choice("type", found.types)
    target = args.choice("target", {t.value: t for t in Target})
    district = args.choice("district", found.districts)
    comune = args.choice("comune", found.comuni)
    available = args.boolean("available_now")
    words = args.text("q", TEXT_MAX)
    near = args.choice("near_comune", found.near)
    radius = args.integer("radius_km", MIN_RADIUS_KM, MAX_RADIUS_KM, DEFAULT_RADIUS_KM)
    page = args.integer("page", 1, MAX_PAGE, 1)
    size = args.integer("page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    if args.errors:
        return bad_request(args.errors)
    origin = near[1] if near else None
    filters = Filters(
        axis_id=axis.id if axis else None, resource_type_id=kind.id if kind else None, target=target,
        district_id=district.id if district else None, comune_id=comune.id if comune else None,
        available_now=available, text=words, origin=origin, radius_km=float(radius) if origin else None, page=page,
    )
    results = search(filters, page_size=size)
    if results.hits:  # what the search does not load (the comuni covered…), for the page at once
        ids = [hit.service.id for hit in results.hits]
        db.session.scalars(loaded(select(EntryService).where(EntryService.id.in_(ids)))).all()
    return jsonify({
        "items": [service_json(hit.service, hit.distance_km) for hit in results.hits],
        "total": results.total,
        "page": page,
        "pages": results.pages,
        "page_size": size,
        "origin": {"istat": near[0].istat_code, "name": near[0].name, "latitude": origin.latitude,
                   "longitude": origin.longitude, "radius_km": radius} if near else None,
    })


@bp.get("/api/v1/entities/<entity_id>")
@_italian
@keyed
@shared_answer
def v1_entity(entity_id: str):
    if not NUMBER_RE.fullmatch(entity_id) or not 1 <= int(entity_id) <= MAX_ID:
        return bad_request({"id": _("Indica un numero intero da %(low)d a %(high)d.", low=1, high=MAX_ID)})
    entry = db.session.scalar(select(QualifiedEntry).where(QualifiedEntry.id == int(entity_id), valid_entries()))
    if entry is None:
        return api_error(404, _("Nessun ente dell'elenco valido oggi con questo identificativo."))
    services = db.session.scalars(loaded(select(EntryService).where(EntryService.entry_id == entry.id)
                                         .order_by(EntryService.id))).all()
    org = entry.organisation
    return jsonify({
        "id": entry.id,
        "name": org.name,
        "codice_fiscale": org.codice_fiscale,
        "runts_section": org.runts_section,
        "list": {"slug": entry.procedure.slug, "title": entry.procedure.notice.title if entry.procedure.notice
                 else entry.procedure.slug},
        "valid_from": _iso(entry.valid_from),
        "valid_until": _iso(entry.valid_until),
        "review_on": _iso(entry.review_on),
        "contacts": {"desk": entry.contact_desk, "email": entry.contact_email, "phone": entry.contact_phone},
        "services": [service_json(s) for s in services],
    })


# Public CSV of a list ------------------------------------------------------------------------------


@bp.get("/dati/<slug>/elenco-qualificati.csv")
@public_page
def list_open_data(slug: str):
    notice = get_public_notice_or_404(slug)
    if notice.procedure.kind != ProcedureKind.QUALIFIED_LIST:
        abort(404)
    with force_locale("it"):
        body = list_csv(notice.procedure)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-elenco-qualificati.csv"'})


# Staff: the keys -----------------------------------------------------------------------------------


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Sistema a cui è destinata la chiave"),
                       description=_l("Per esempio: cartella clinica del DSM-DP, cruscotto del Budget di Salute. "
                                      "Massimo %(max)d caratteri.", max=NAME_MAX))


def _keys_page(form: ApiKeyForm, *, new_key: str | None = None, new_row: ApiKey | None = None, status: int = 200):
    response = Response(render_template(
        "qualified/api_keys.html", form=form, keys=active_and_revoked(), new_key=new_key, new_row=new_row,
        rate=rate_per_minute(), docs_url=url_for("qualified.v1_openapi"),
    ), status=status)
    response.headers["Cache-Control"] = "no-store"  # a new key is on the page once, and nowhere else
    return response


@bp.route("/gestione/api/chiavi", methods=["GET", "POST"])
def api_keys():
    """The keys (GET); issue one (POST), shown once on the page that answers."""
    require(PERMISSION)
    form = ApiKeyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            row, key = issue_key(form.name.data, by=current_user)
        except ApiKeyError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, *error.problems.values()]
            return _keys_page(form, status=422)
        db.session.commit()
        return _keys_page(ApiKeyForm(formdata=None), new_key=key, new_row=row, status=201)
    return _keys_page(form, status=422 if request.method == "POST" else 200)


@bp.route("/gestione/api/chiavi/<int:key_id>/revoca", methods=["GET", "POST"])
def revoke_api_key(key_id: int):
    """Ask for confirmation (GET); revoke (POST)."""
    row = get_permitted_or_404(PERMISSION, ApiKey, key_id)
    form = FlaskForm()  # its CSRF token
    if request.method == "POST" and form.validate_on_submit():
        if revoke_key(row, by=current_user):
            db.session.commit()
            flash(_("Chiave «%(name)s» revocata: le richieste con questa chiave ricevono ora 401.", name=row.name),
                  "success")
        else:
            flash(_("La chiave «%(name)s» era già revocata.", name=row.name), "info")
        return redirect(url_for("qualified.api_keys"))
    return render_template("qualified/api_key_revoke.html", key=row, form=form)
