"""The public restitution of a procedure and the page of each item of its synthesis, with the
sessions and contributions it came from. Cached for anonymous visitors (ETag), fresh after any
change to public content (an attendance, a contribution, the synthesis)."""

from __future__ import annotations

from flask import abort, jsonify, render_template, url_for

from ..actors.services import public_name
from ..core.cache import public_page
from ..mapping.coverage_views import mapping_links
from ..notices.services import timeline
from ..notices.views import get_public_notice_or_404
from . import bp
from .services.mapping_summary import mapping_summary
from .services.public import (
    participation_chart,
    phases,
    public_sections,
    published_item,
    synthesis_open_data,
)
from .services.synthesis import provenance, published_synthesis


@bp.get("/avvisi/<slug>/restituzione")
@public_page
def public_restitution(slug: str):
    notice = get_public_notice_or_404(slug)
    synthesis = published_synthesis(notice.procedure)
    links = mapping_links(notice)  # None until a contribution is published: no mapping section then
    return render_template(
        "restitution/public.html", notice=notice, procedure=notice.procedure, synthesis=synthesis,
        phases=phases(notice, synthesis), timeline=[t for t in timeline(notice) if not t.internal and t.past],
        chart=participation_chart(notice), sections=public_sections(synthesis) if synthesis else [],
        links=links, mapping=mapping_summary(notice) if links else None,
    )


@bp.get("/avvisi/<slug>/restituzione/voci/<int:item_id>")
@public_page
def public_item(slug: str, item_id: int):
    notice = get_public_notice_or_404(slug)
    item = published_item(notice, item_id)
    if item is None:
        abort(404)
    sessions = sorted((s.session for s in item.sources if s.session is not None), key=lambda s: s.starts_at)
    contributions = sorted((s.contribution for s in item.sources if s.contribution is not None), key=lambda c: c.id)
    return render_template("restitution/public_item.html", notice=notice, procedure=notice.procedure, item=item,
                           provenance=provenance(item), sessions=sessions, contributions=contributions,
                           actor_name=public_name)


@bp.app_template_global()
def restitution_url(notice) -> str | None:
    """For the notice's public page: the restitution, once its synthesis is published."""
    if published_synthesis(notice.procedure) is None:
        return None
    return url_for("restitution.public_restitution", slug=notice.procedure.slug)


@bp.get("/dati/<slug>/sintesi.json")
@public_page
def synthesis_json(slug: str):
    """The published synthesis as open data, each item with the URLs of its sources."""
    notice = get_public_notice_or_404(slug)
    synthesis = published_synthesis(notice.procedure)
    if synthesis is None:
        abort(404)
    response = jsonify(synthesis_open_data(synthesis))
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-sintesi.json"'
    return response
