"""The public territory page: districts, comuni, axes, service centres and their BdS users."""

from __future__ import annotations

from flask import render_template

from ..core.cache import public_page
from ..core.permissions import require
from . import bp
from . import permissions as _permissions  # noqa: F401  (registers territory.* rules)
from .services import default_authority, kind_label, territory_overview


@bp.get("/territorio")
@public_page
def overview():
    require("territory.view")
    authority = default_authority()
    data = territory_overview(authority) if authority is not None else None
    return render_template("territory/overview.html", overview=data, kind_label=kind_label)
