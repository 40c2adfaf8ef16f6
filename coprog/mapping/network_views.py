"""The network of actors and resources: the public page (a server-made SVG of the stored
positions and the table of actors, its text alternative), its open data, and staff's
"Ricalcola ora". Everything is read from the procedure's NetworkSnapshot: a page never waits
for the metrics; a stale snapshot is served as it is, marked "in aggiornamento", and the
background worker is asked to rebuild it.
"""

from __future__ import annotations

from math import ceil

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext
from flask_babel import gettext as _
from flask_login import current_user

from ..actors.models import ActorKind
from ..core.cache import public_page
from ..core.permissions import can, require
from ..extensions import db
from ..notices.models import Procedure
from ..notices.views import get_public_notice_or_404
from . import bp
from . import graph as net
from .services import network

PAGE_SIZE = 50


def _axes(procedure: Procedure) -> list:
    notice = procedure.notice
    return list(notice.axes) if notice is not None and notice.axes else list(procedure.authority.axes)


def _chosen_axis(axes: list):
    """The axis of the query string (`asse`, its id as on the map page); unknown means all."""
    wanted = request.args.get("asse", type=int)
    return next((axis for axis in axes if axis.id == wanted), None)


def _page_number(pages: int) -> int:
    return min(max(request.args.get("pagina", 1, type=int), 1), pages)


@bp.get("/avvisi/<slug>/rete")
@public_page
def public_network(slug: str):
    notice = get_public_notice_or_404(slug)
    procedure = notice.procedure
    snapshot = network.snapshot_of(procedure)
    if snapshot is not None and snapshot.stale:
        network.schedule([procedure.id])  # never waited for: this page shows what is stored
    axes = _axes(procedure)
    axis = _chosen_axis(axes)
    graph = (snapshot.graph if snapshot is not None else None) or {"nodes": [], "links": []}
    nodes, links = net.subnetwork(graph["nodes"], graph["links"], axis.code if axis else None)
    sort = request.args.get("ordina") if request.args.get("ordina") in net.SORTS else net.DEFAULT_SORT
    rows = net.actor_rows(nodes, sort)
    pages = max(ceil(len(rows) / PAGE_SIZE), 1)
    page = _page_number(pages)
    return render_template(
        "mapping/network.html",
        notice=notice, procedure=procedure, snapshot=snapshot, axes=axes, axis=axis,
        axis_ids={a.code: a.id for a in axes}, axis_names={a.code: a.name for a in axes},
        drawing=net.drawing(nodes, links, max_nodes=net.DRAW_MAX_NODES), legend=_legend(rows),
        rows=rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], total=len(rows), page=page, pages=pages,
        sort=sort, sorts=_sort_labels(), kind_label=_kind_label, decimal=_decimal, type_label=gettext,
        community_class=net.community_class, staff=can("mapping.moderate", procedure),
        map_url=_map_url(procedure), network_samples=net.BETWEENNESS_SAMPLES,
        bridge_threshold=format_decimal(net.BRIDGE_MIN_PARTICIPATION), bridge_partners=net.BRIDGE_MIN_PARTNERS,
        label_chars=net.LABEL_CHARS,
    )


def _legend(rows: list[dict]) -> list[tuple[str, str, int]]:
    """(css class, label, actors) for the colours the drawing uses, largest community first."""
    counts: dict = {}
    for row in rows:
        key = net.community_class(row["community"])
        counts[key] = counts.get(key, 0) + 1
    entries = []
    for n in range(1, net.COLOURED_COMMUNITIES + 1):
        if f"net-c{n}" in counts:
            entries.append((f"net-c{n}", _("Comunità %(number)d", number=n), counts[f"net-c{n}"]))
    if "net-c-other" in counts:
        entries.append(("net-c-other", _("Altre comunità"), counts["net-c-other"]))
    if "net-c-none" in counts:
        entries.append(("net-c-none", _("Senza collaborazioni"), counts["net-c-none"]))
    return entries


def _sort_labels() -> dict[str, str]:
    return {"nome": _("Soggetto"), "comunita": _("Comunità"), "grado": _("Grado"),
            "centralita": _("Centralità"), "risorse": _("Risorse")}


def _kind_label(value: str) -> str:
    try:
        return str(ActorKind(value).label)
    except ValueError:
        return value


def _decimal(value: float) -> str:
    return format_decimal(value, format="0.000")


def _map_url(procedure: Procedure):
    """The map page's table narrowed to a resource's axis and type, while the map exists."""
    if "mapping.map_page" not in current_app.view_functions:
        return None
    return lambda axis_id, type_id: url_for(
        "mapping.map_page", slug=procedure.slug, asse=axis_id, tipo=type_id, _anchor="risorse"
    )


@bp.get("/dati/<slug>/rete.json")
@public_page
def network_json(slug: str):
    notice = get_public_notice_or_404(slug)
    procedure = notice.procedure
    response = jsonify(network.open_data(procedure, network.snapshot_of(procedure)))
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-rete.json"'
    return response


@bp.post("/gestione/procedimenti/<int:procedure_id>/rete/ricalcola")
def rebuild_network(procedure_id: int):
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None or procedure.notice is None:
        abort(404)
    require("mapping.moderate", procedure)
    network.request_rebuild(procedure, by=current_user)
    db.session.commit()  # the commit hands the rebuild to the background worker
    if network.background_enabled(current_app):
        flash(_("Ricalcolo avviato: la rete aggiornata sarà pronta fra pochi istanti."), "success")
    else:
        flash(_("La rete sarà ricalcolata al prossimo aggiornamento programmato."), "info")
    return redirect(url_for("mapping.public_network", slug=procedure.slug))
