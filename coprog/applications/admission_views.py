"""Staff pages of admission, the applicant's answer to an integration, the public CSV."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.audit import history
from ..core.cache import public_page
from ..core.files import UploadError, read_signed_upload
from ..core.permissions import require
from ..core.time import rome_to_utc
from ..extensions import db
from ..notices.models import IllegalTransition, Notice
from ..notices.services import notice_by_slug
from . import bp
from .admission import (
    QUEUE_STATES,
    Decision,
    admitted_csv,
    answer_integration,
    decide,
    publish_admitted_list,
    queue,
    state_counts,
    verdict_counts,
)
from .forms import ActionForm, DecisionForm, IntegrationForm
from .models import Application, ApplicationState
from .services import ApplicationError
from .views import INVALID, get_application_or_404


def _staff_notice_or_404(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        abort(404)
    require("applications.review", notice)
    return notice


@bp.get("/gestione/avvisi/<int:notice_id>/candidature")
def review_queue(notice_id: int):
    notice = _staff_notice_or_404(notice_id)
    filters = _filters()
    applications = queue(notice, **filters)
    return render_template(
        "applications/queue.html", notice=notice, applications=applications, filters=filters,
        counts=state_counts(notice), verdicts=verdict_counts(applications), states=QUEUE_STATES,
        form=ActionForm(),
    )


def _filters() -> dict:
    state = request.args.get("stato")
    return {
        "state": ApplicationState(state) if state in {s.value for s in QUEUE_STATES} else None,
        "verdict": request.args.get("esito") if request.args.get("esito") in ("eligible", "not_eligible", "manual_check") else None,
        "axis_id": request.args.get("asse", type=int),
        "district_id": request.args.get("distretto", type=int),
    }


@bp.route("/gestione/candidature/<int:application_id>", methods=["GET", "POST"])
def review(application_id: int):
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    require("applications.review", application)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(application, Decision(form.decision.data), form.reason.data, by=current_user, due=_due(form))
        except (ApplicationError, IllegalTransition) as error:
            db.session.rollback()
            form.reason.errors.append(str(error) if isinstance(error, ApplicationError) else
                                      _("Questa domanda non può ricevere questa decisione nel suo stato attuale."))
        else:
            db.session.commit()
            flash(_("Decisione registrata e comunicata all'ente."), "success")
            return redirect(url_for("applications.review", application_id=application.id))
    status = INVALID if form.is_submitted() else 200
    from .forms import DECLARATION_TEXTS

    return render_template("applications/review.html", application=application, form=form,
                           history=history(application), declarations=DECLARATION_TEXTS), status


def _due(form: DecisionForm) -> datetime | None:
    if not form.due_date.data:
        return None
    from datetime import time

    return rome_to_utc(datetime.combine(form.due_date.data, form.due_time.data or time(12, 0)))


@bp.post("/gestione/avvisi/<int:notice_id>/ammessi/pubblica")
def publish_admitted(notice_id: int):
    notice = _staff_notice_or_404(notice_id)
    if ActionForm().validate_on_submit():
        try:
            publish_admitted_list(notice, by=current_user)
        except ApplicationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Elenco degli ammessi pubblicato."), "success")
    return redirect(url_for("applications.review_queue", notice_id=notice.id))


@bp.post("/domande/<int:application_id>/integrazione")
def answer(application_id: int):
    application = get_application_or_404(application_id, "applications.edit")
    form = IntegrationForm()
    if form.validate_on_submit():
        upload = _integration_upload(form)
        if not form.file.errors:
            try:
                answer_integration(application, form.answer.data, upload, by=current_user)
            except ApplicationError as error:
                db.session.rollback()
                form.answer.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Integrazione inviata."), "success")
                return redirect(url_for("applications.edit", application_id=application.id))
    from .forms import DECLARATION_TEXTS

    return render_template("applications/view.html", application=application, form=ActionForm(),
                           integration_form=form, declarations=DECLARATION_TEXTS), INVALID


def _integration_upload(form: IntegrationForm):
    if not form.file.data:
        return None
    try:
        return read_signed_upload(form.file.data)
    except UploadError as error:
        form.file.errors = [*form.file.errors, str(error)]
        return None


@bp.get("/dati/<slug>/ammessi.csv")
@public_page
def admitted_open_data(slug: str):
    notice = notice_by_slug(slug)
    if notice is None or not notice.is_public or notice.admitted_published_at is None:
        abort(404)
    return Response(admitted_csv(notice), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-ammessi.csv"'})
