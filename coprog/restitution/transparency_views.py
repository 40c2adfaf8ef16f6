"""The transparency page of a procedure: every public act with its date and SHA-256, and the
rettifiche as the plain-text files that the register hashes."""

from __future__ import annotations

from flask import Response, abort, render_template

from ..core.cache import public_page
from ..notices.views import get_public_notice_or_404
from . import bp
from .services.transparency import amendment_text, public_acts


@bp.get("/avvisi/<slug>/trasparenza")
@public_page
def transparency(slug: str):
    notice = get_public_notice_or_404(slug)
    return render_template("restitution/transparency.html", notice=notice, procedure=notice.procedure,
                           acts=public_acts(notice))


@bp.get("/avvisi/<slug>/rettifiche/<int:number>.txt")
@public_page
def amendment_file(slug: str, number: int):
    notice = get_public_notice_or_404(slug)
    amendment = next((a for a in notice.amendments if a.number == number), None)
    if amendment is None:
        abort(404)
    return Response(amendment_text(amendment), mimetype="text/plain",
                    headers={"Content-Disposition": f'inline; filename="{slug}-rettifica-{number}.txt"'})
