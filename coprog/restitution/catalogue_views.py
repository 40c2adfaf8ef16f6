"""The open data catalogue of a procedure (/dati/<slug>/): the page, with each dataset's data
dictionary, and its DCAT-AP_IT metadata in JSON-LD (/dati/<slug>/catalogo.jsonld) for the
national catalogue to harvest. Cached for anonymous visitors like the other public pages."""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, url_for
from flask_babel import force_locale

from ..core.cache import public_page
from ..notices.models import Notice
from ..notices.views import get_public_notice_or_404
from . import bp
from .catalogue import LICENCE_NAME, LICENCE_URL, datasets, dcat_catalogue


@bp.get("/dati/<slug>/")
@public_page
def open_data_catalogue(slug: str):
    notice = get_public_notice_or_404(slug)
    return render_template("restitution/catalogue.html", notice=notice, procedure=notice.procedure,
                           datasets=datasets(notice), licence_name=LICENCE_NAME, licence_url=LICENCE_URL)


@bp.get("/dati/<slug>/catalogo.jsonld")
@public_page
def catalogue_jsonld(slug: str):
    notice = get_public_notice_or_404(slug)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the same metadata in any language
        body = json.dumps(dcat_catalogue(notice, datasets(notice)), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/ld+json",
                    headers={"Content-Disposition": f'inline; filename="{slug}-catalogo.jsonld"'})


@bp.app_template_global()
def open_data_catalogue_url(notice: Notice) -> str | None:
    """For the notice's public page: its open data catalogue, once the notice is public."""
    return url_for("restitution.open_data_catalogue", slug=notice.procedure.slug) if notice.is_public else None
