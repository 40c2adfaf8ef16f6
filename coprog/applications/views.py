"""The applicant's pages: start, fill in (Modello A + DSAN), co-opted subjects, submit,
withdraw, new version, receipt. Views parse, check the permission, call one service, commit."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.files import UploadError, read_signed_upload
from ..core.permissions import acting_user, can, require
from ..extensions import db
from ..notices.models import IllegalTransition
from ..notices.services import notice_by_slug
from ..organisations.codes import CodeError, entity_or_company_code, person_code
from ..organisations.services import organisations_of
from . import bp
from .forms import DECLARATION_TEXTS, ActionForm, ApplicationForm, CoOptedForm
from .models import DATE_FIELDS, DECLARATIONS, TEXT_FIELDS, Application, CoOptedKind, CoOptedSubject
from .services import (
    ApplicationError,
    add_co_opted,
    applications_of,
    attach_signed_file,
    open_draft,
    remove_co_opted,
    save_draft,
    start_draft,
    submission_problems,
    submit,
    withdraw,
)

INVALID = 422
CO_OPTED = "cooptato"  # field prefix: the co-opted form shares the page with Modello A


def get_application_or_404(application_id: int, permission: str = "applications.view") -> Application:
    """Load and check in one place. Another ETS gets 404: not even a hint that the ID exists."""
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if acting_user() is not None and not can("applications.view", application):
        abort(404)
    require(permission, application)  # anonymous users are sent to the login page
    return application


@bp.get("/domande")
def mine():
    require("applications.apply")
    return render_template("applications/mine.html", applications=applications_of(organisations_of(current_user)))


@bp.route("/avvisi/<slug>/domanda", methods=["GET", "POST"])
def start(slug: str):
    notice = notice_by_slug(slug)
    if notice is None or not notice.is_public:
        abort(404)
    require("applications.apply", notice)
    organisations = organisations_of(current_user)
    if not organisations:
        flash(_("Per presentare la domanda registra prima l'ente per cui agisci."), "info")
        return redirect(url_for("organisations.register", next=request.path))
    if request.method == "POST" and ActionForm().validate_on_submit():
        return _open_or_create(notice, organisations)
    return render_template("applications/start.html", notice=notice, organisations=organisations,
                           accepts=notice.accepts_applications(), form=ActionForm())


def _open_or_create(notice, organisations):
    chosen = next((o for o in organisations if str(o.id) == request.form.get("ente")), None)
    if chosen is None:
        abort(400)
    if not notice.accepts_applications():
        flash(_("Il termine per presentare le domande è scaduto."), "warning")
        return redirect(url_for("notices.detail", slug=notice.procedure.slug))
    application = open_draft(notice, chosen) or start_draft(notice, chosen, by=current_user)
    db.session.commit()
    return redirect(url_for("applications.edit", application_id=application.id))


@bp.route("/domande/<int:application_id>", methods=["GET", "POST"])
def edit(application_id: int):
    application = get_application_or_404(application_id)
    if not application.editable or not _may_edit(application):
        return render_template("applications/view.html", application=application, form=ActionForm(),
                               declarations=DECLARATION_TEXTS)
    form = ApplicationForm(obj=application) if request.method == "GET" else ApplicationForm()
    form.set_choices(application.notice.procedure.authority)
    if request.method == "GET":
        form.axes.data = [a.id for a in application.axes]
        form.districts.data = [d.id for d in application.districts]
    elif form.validate_on_submit() and _valid_input(form):
        response = _save_and_maybe_submit(application, form)
        if response is not None:
            return response
    status = INVALID if request.method == "POST" else 200
    return _edit_page(application, form, CoOptedForm(formdata=None, prefix=CO_OPTED)), status


def _may_edit(application) -> bool:
    return can("applications.edit", application)


def _edit_page(application, form, co_opted_form):
    return render_template("applications/edit.html", application=application, form=form,
                           co_opted_form=co_opted_form, action_form=ActionForm(),
                           problems=submission_problems(application))


def _valid_input(form: ApplicationForm) -> bool:
    """Formats beyond single fields; errors go beside the fields, nothing is saved."""
    if form.legal_rep_cf.data:
        try:
            form.legal_rep_cf.data = person_code(form.legal_rep_cf.data)
        except CodeError as error:
            form.legal_rep_cf.errors.append(str(error))
    from ..core.time import rome_today

    for name in DATE_FIELDS:
        field = getattr(form, name)
        if field.data and field.data > rome_today():
            field.errors.append(_("La data non può essere nel futuro."))
    form.upload = _read_upload(form)
    return not any(field.errors for field in form)


def _read_upload(form):
    if not form.signed_file.data:
        return None
    try:
        return read_signed_upload(form.signed_file.data)
    except UploadError as error:
        form.signed_file.errors = [*form.signed_file.errors, str(error)]
        return None


def _form_data(form: ApplicationForm) -> dict:
    data = {name: getattr(form, name).data for name in (*TEXT_FIELDS, *DATE_FIELDS, *DECLARATIONS)}
    data["axis_ids"] = list(form.axes.data or [])
    data["district_ids"] = list(form.districts.data or [])
    return data


def _save_and_maybe_submit(application, form):
    save_draft(application, _form_data(form))
    if form.upload:
        attach_signed_file(application, *form.upload, by=current_user)
    db.session.commit()
    if request.form.get("azione") != "invia":
        flash(_("Bozza salvata."), "success")
        return redirect(url_for("applications.edit", application_id=application.id))
    problems = submission_problems(application)
    if problems:
        for name, message in problems.items():
            getattr(form, name).errors.append(message)
        flash(_("Bozza salvata, ma la domanda non è ancora completa: correggi i campi indicati."), "warning")
        return None
    return _submit(application)


def _submit(application):
    application_id, notice_id = application.id, application.notice_id
    db.session.commit()  # end the reading transaction: submission starts with its write
    try:
        submit(application_id, notice_id, by=current_user)
    except (ApplicationError, IllegalTransition) as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("applications.edit", application_id=application_id))
    db.session.commit()
    flash(_("Domanda presentata."), "success")
    return redirect(url_for("applications.receipt", application_id=application_id))


@bp.post("/domande/<int:application_id>/cooptati")
def add_co_opted_subject(application_id: int):
    application = get_application_or_404(application_id, "applications.edit")
    co_opted_form = CoOptedForm(prefix=CO_OPTED)
    if co_opted_form.validate_on_submit() and _valid_code(co_opted_form):
        try:
            add_co_opted(application, _co_opted_data(co_opted_form))
        except ApplicationError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Soggetto cooptato aggiunto."), "success")
        return redirect(url_for("applications.edit", application_id=application.id) + "#cooptati")
    form = ApplicationForm(obj=application)
    form.set_choices(application.notice.procedure.authority)
    form.axes.data = [a.id for a in application.axes]
    form.districts.data = [d.id for d in application.districts]
    return _edit_page(application, form, co_opted_form), INVALID


def _valid_code(form: CoOptedForm) -> bool:
    try:
        form.code.data = entity_or_company_code(form.code.data)
    except CodeError as error:
        form.code.errors.append(str(error))
        return False
    return True


def _co_opted_data(form: CoOptedForm) -> dict:
    return dict(kind=CoOptedKind(form.kind.data), name=form.name.data.strip(), code=form.code.data,
                contact=(form.contact.data or "").strip(), role=form.role.data.strip())


@bp.post("/domande/<int:application_id>/cooptati/<int:subject_id>/elimina")
def remove_co_opted_subject(application_id: int, subject_id: int):
    application = get_application_or_404(application_id, "applications.edit")
    subject = db.session.get(CoOptedSubject, subject_id)
    if subject is None or subject.application_id != application.id:
        abort(404)
    if ActionForm().validate_on_submit():
        _run(lambda: remove_co_opted(application, subject), _("Soggetto cooptato eliminato."))
    return redirect(url_for("applications.edit", application_id=application.id) + "#cooptati")


def _run(action, message: str) -> bool:
    try:
        action()
    except (ApplicationError, IllegalTransition) as error:
        db.session.rollback()
        flash(str(error), "danger")
        return False
    db.session.commit()
    flash(message, "success")
    return True


@bp.post("/domande/<int:application_id>/ritira")
def withdraw_application(application_id: int):
    application = get_application_or_404(application_id, "applications.edit")
    if ActionForm().validate_on_submit():
        _run(lambda: withdraw(application, by=current_user), _("Domanda ritirata."))
    return redirect(url_for("applications.edit", application_id=application.id))


@bp.post("/domande/<int:application_id>/nuova-versione")
def new_version(application_id: int):
    application = get_application_or_404(application_id, "applications.edit")
    if not ActionForm().validate_on_submit():
        return redirect(url_for("applications.edit", application_id=application.id))
    if not application.notice.accepts_applications():
        flash(_("Il termine è scaduto: non si può presentare una nuova versione."), "danger")
        return redirect(url_for("applications.edit", application_id=application.id))
    draft = open_draft(application.notice, application.organisation) or start_draft(
        application.notice, application.organisation, by=current_user
    )
    db.session.commit()
    flash(_("Nuova versione in bozza: la domanda presentata resta valida finché non invii questa."), "info")
    return redirect(url_for("applications.edit", application_id=draft.id))


@bp.get("/domande/<int:application_id>/ricevuta")
def receipt(application_id: int):
    application = get_application_or_404(application_id)
    if application.protocol_number is None:
        abort(404)
    return render_template("applications/receipt.html", application=application, declarations=DECLARATION_TEXTS)


@bp.get("/domande/<int:application_id>/documento-firmato")
def signed_file(application_id: int):
    application = get_application_or_404(application_id)
    stored = application.signed_file
    if stored is None:
        abort(404)
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="domanda-{application.id}-{stored.sha256[:12]}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
@bp.context_processor
def application_labels():
    from .forms import IntegrationForm
    from .models import STATE_LABELS

    return {
        "state_labels": {state.value: label for state, label in STATE_LABELS.items()},
        "new_integration_form": IntegrationForm,
        "integration_form": None,
    }


from . import admission_views  # noqa: E402,F401  (staff pages of admission)
