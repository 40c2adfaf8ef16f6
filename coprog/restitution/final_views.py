"""The final document (*documento di sintesi*): staff preview, approve, publish and reopen it;
the public reads the published one as a printable page and as the stored PDF."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.cache import public_page
from ..core.permissions import get_permitted_or_404
from ..extensions import db
from ..notices.models import IllegalTransition, Procedure
from ..notices.views import get_public_notice_or_404
from . import bp
from .final_pdf import final_document_pdf
from .final_text import HELPERS
from .forms import ActionForm, FinalPublishForm
from .models import FinalDocumentState
from .services import final_document as service

INVALID = 422
MANAGE = "/gestione/procedimenti/<int:procedure_id>/documento-finale"
STATE_ACTIONS = {"approva": FinalDocumentState.APPROVED, "pubblica": FinalDocumentState.PUBLISHED,
                 "riapri": FinalDocumentState.DRAFT}
STATE_MESSAGES = {
    FinalDocumentState.APPROVED: _("Documento finale approvato: il suo contenuto è ora fissato."),
    FinalDocumentState.PUBLISHED: _("Documento finale pubblicato."),
    FinalDocumentState.DRAFT: _("Documento finale riaperto: torna a essere calcolato dai dati."),
}


def _procedure_or_404(procedure_id: int) -> Procedure:
    return get_permitted_or_404("restitution.compose", Procedure, procedure_id)


def _manage_page(procedure: Procedure, *, publish: FinalPublishForm | None = None, status: int = 200):
    document = service.document_of(procedure, create=True)
    html = render_template("restitution/final_manage.html", procedure=procedure, notice=procedure.notice,
                           document=document, content=service.content_of(document), action=ActionForm(),
                           publish=publish or FinalPublishForm(formdata=None),
                           synthesis_published=service.published_synthesis(procedure) is not None, **HELPERS)
    db.session.commit()  # the document, made the first time its page is opened
    return html, status


@bp.get(MANAGE)
def manage_final_document(procedure_id: int):
    return _manage_page(_procedure_or_404(procedure_id))


@bp.get(MANAGE + ".pdf")
def final_document_preview_pdf(procedure_id: int):
    """The PDF as it stands: the stored one once published, otherwise made now."""
    procedure = _procedure_or_404(procedure_id)
    document = service.document_of(procedure, create=True)
    if document.file is not None:
        return _pdf_response(document)
    data = final_document_pdf(service.content_of(document), state=document.state,
                              approved_at=document.approved_at, published_at=document.published_at)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"documento-di-sintesi-{procedure.slug}-{document.state.value}.pdf")


@bp.post(MANAGE + "/stato/<action>")
def change_final_state(procedure_id: int, action: str):
    procedure = _procedure_or_404(procedure_id)
    to = STATE_ACTIONS.get(action)
    if to is None:
        abort(404)
    document = service.document_of(procedure, create=True)
    form = FinalPublishForm() if to == FinalDocumentState.PUBLISHED else ActionForm()
    if not form.validate_on_submit():
        return _manage_page(procedure, publish=form if to == FinalDocumentState.PUBLISHED else None, status=INVALID)
    try:
        service.move_document(document, to, by=current_user)
    except IllegalTransition:
        db.session.rollback()
        flash(_("Il documento è cambiato nel frattempo: controlla il suo stato."), "danger")
    except service.FinalDocumentError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(str(STATE_MESSAGES[to]), "success")
    return redirect(url_for("restitution.manage_final_document", procedure_id=procedure.id) + "#stato")


# The public document -------------------------------------------------------------------------


def _published_or_404(slug: str):
    notice = get_public_notice_or_404(slug)
    document = service.published_document(notice.procedure)
    if document is None or document.file is None:
        abort(404)
    return notice, document


@bp.get("/avvisi/<slug>/documento-di-sintesi")
@public_page
def public_final_document(slug: str):
    notice, document = _published_or_404(slug)
    return render_template("restitution/final_public.html", notice=notice, procedure=notice.procedure,
                           document=document, content=document.content, **HELPERS)


@bp.get("/avvisi/<slug>/documento-di-sintesi.pdf")
def public_final_document_pdf(slug: str):
    _notice, document = _published_or_404(slug)
    return _pdf_response(document)


def _pdf_response(document):
    """The stored PDF, with its SHA-256 as ETag: the bytes never change once published."""
    stored = document.file
    response = send_file(io.BytesIO(stored.data), mimetype="application/pdf", download_name=stored.filename,
                         etag=stored.sha256, last_modified=stored.uploaded_at, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.app_template_global()
def final_document_url(notice) -> str | None:
    """For the public pages: the published final document, if any."""
    if service.published_document(notice.procedure) is None:
        return None
    return url_for("restitution.public_final_document", slug=notice.procedure.slug)
