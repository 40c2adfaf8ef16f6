"""Participation figures: the public page, the staff page with the per-group breakdown, and the
open data (/dati/<slug>/partecipazione.json and .csv). All computed in SQL at each render
(public pages are cached until the data change)."""

from __future__ import annotations

from flask import Response, abort, jsonify, render_template

from ..core.cache import public_page
from ..core.permissions import require
from ..extensions import db
from ..notices.models import Procedure
from ..notices.views import get_public_notice_or_404
from . import bp
from .services.figures import axis_totals, open_data, open_data_csv, participation, used_categories


def _page(procedure: Procedure, *, staff: bool):
    figures = participation(procedure)
    return render_template(
        "tables/figures.html", procedure=procedure, notice=procedure.notice, figures=figures,
        totals=axis_totals(figures), categories=used_categories(figures), staff=staff,
    )


@bp.get("/avvisi/<slug>/tavoli/partecipazione")
@public_page
def public_figures(slug: str):
    notice = get_public_notice_or_404(slug)
    return _page(notice.procedure, staff=False)


@bp.get("/gestione/procedimenti/<int:procedure_id>/tavoli/partecipazione")
def staff_figures(procedure_id: int):
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None or procedure.notice is None:
        abort(404)
    require("tables.plan", procedure)
    return _page(procedure, staff=True)


@bp.get("/dati/<slug>/partecipazione.json")
@public_page
def figures_json(slug: str):
    notice = get_public_notice_or_404(slug)
    response = jsonify(open_data(notice.procedure))
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-partecipazione.json"'
    return response


@bp.get("/dati/<slug>/partecipazione.csv")
@public_page
def figures_csv(slug: str):
    notice = get_public_notice_or_404(slug)
    return Response(open_data_csv(notice.procedure), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-partecipazione.csv"'})
