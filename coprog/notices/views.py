"""Notice pages: public list and detail, iCal, documents; staff pages to write and publish.

Views parse the form, check the permission, call one service, commit once, respond.
"""

from __future__ import annotations

from math import ceil
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.audit import history
from ..core.cache import public_page
from ..core.files import UploadError, read_pdf_upload
from ..core.permissions import require
from ..core.time import as_utc, utcnow
from ..extensions import db
from . import bp, tabs  # noqa: F401  (tabs: the template global of the staff pages)
from .calendar import notice_calendar
from .forms import AttachmentForm, MilestoneForm, NoticeForm, QuestionForm, TransitionForm
from .models import (
    Attachment,
    AttachmentKind,
    IllegalTransition,
    Milestone,
    MilestoneKind,
    Notice,
    NoticeState,
    Question,
)
from .services import (
    NoticeError,
    Upload,
    add_attachment,
    add_milestone,
    all_notices,
    count_public_notices,
    create_notice,
    days_left,
    deadline_from,
    delete_question,
    milestone_times,
    notice_by_slug,
    public_notices,
    remove_attachment,
    remove_milestone,
    save_question,
    slug_taken,
    timeline,
    update_notice,
)

PAGE_SIZE = 10
INVALID = 422


# Loading ---------------------------------------------------------------------------------------


def get_notice_or_404(notice_id: int, permission: str = "notices.manage") -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        abort(404)
    require(permission, notice)
    return notice


def get_public_notice_or_404(slug: str) -> Notice:
    notice = notice_by_slug(slug)
    if notice is None:
        abort(404)
    require("notices.view", notice)
    return notice


def child_or_404(model, child_id: int, notice: Notice):
    child = db.session.get(model, child_id)
    if child is None or child.notice_id != notice.id:
        abort(404)
    return child


# Public pages ----------------------------------------------------------------------------------


@bp.get("/avvisi")
@public_page
def public_list():
    require("notices.list")
    state = _state_filter(request.args.get("stato"))
    page = max(request.args.get("pagina", 1, type=int), 1)
    total = count_public_notices(state)
    notices = public_notices(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, state=state)
    return render_template(
        "notices/public_list.html",
        notices=notices,
        state=state,
        states=[s for s in NoticeState if s != NoticeState.DRAFT],
        page=page,
        pages=max(ceil(total / PAGE_SIZE), 1),
        total=total,
    )


def _state_filter(value: str | None) -> NoticeState | None:
    try:
        state = NoticeState(value) if value else None
    except ValueError:
        return None
    return None if state == NoticeState.DRAFT else state


@bp.get("/avvisi/<slug>")
@public_page
def detail(slug: str):
    notice = get_public_notice_or_404(slug)
    return render_notice(notice, preview=False)


def render_notice(notice: Notice, *, preview: bool):
    now = utcnow()
    return render_template(
        "notices/detail.html",
        notice=notice,
        preview=preview,
        timeline=timeline(notice, now),
        days_left=days_left(notice, now),
        accepts_applications=notice.accepts_applications(now),
        questions=[q for q in notice.questions if q.published],
        admitted=_admitted_list(notice),
        public_co_opted_name=_public_co_opted_name,
    )


def _admitted_list(notice: Notice):
    """The admitted entities once the RUP has published the list; None before."""
    if notice.admitted_published_at is None:
        return None
    from ..applications.admission import admitted

    return admitted(notice)


def _public_co_opted_name(subject) -> str:
    from ..applications.admission import public_co_opted_name

    return public_co_opted_name(subject)


@bp.get("/avvisi/<slug>/calendario.ics")
@public_page
def calendar(slug: str):
    notice = get_public_notice_or_404(slug)
    url = url_for("notices.detail", slug=slug, _external=True)
    body = notice_calendar(notice, url=url, host=urlsplit(url).hostname or "coprog")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{slug}.ics"'},
    )


@bp.get("/avvisi/<slug>/documenti/<int:attachment_id>")
def download(slug: str, attachment_id: int):
    notice = get_public_notice_or_404(slug)
    attachment = child_or_404(Attachment, attachment_id, notice)
    stored = attachment.file
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{_ascii(stored.filename)}"'
    response.headers["ETag"] = f'"{stored.sha256}"'
    response.headers["Digest"] = f"sha-256={stored.sha256}"
    return response


def _ascii(name: str) -> str:
    return name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")


# Staff: list, create, edit ---------------------------------------------------------------------


@bp.get("/gestione/avvisi")
def manage_list():
    require("notices.manage")
    return render_template("notices/manage_list.html", notices=all_notices())


def _authority():
    from ..territory.services import default_authority

    authority = default_authority()
    if authority is None:
        abort(409, description=_("Nessun ente configurato: carica il territorio con `coprog territory load`."))
    return authority


@bp.route("/gestione/avvisi/nuovo", methods=["GET", "POST"])
def create():
    require("notices.manage")
    authority = _authority()
    form = NoticeForm()
    form.set_choices(authority)
    if request.method == "GET":
        form.legal_basis.data = form.legal_basis.data or _default_legal_basis()
    if form.validate_on_submit() and _valid_notice_input(form, notice=None):
        data = {**_notice_data(form), "kind": form.kind.data}  # the kind is chosen only here
        notice = create_notice(authority, form.slug.data, data, _uploads(form), by=current_user)
        db.session.commit()
        flash(_("Bozza dell'avviso salvata."), "success")
        return redirect(url_for("notices.manage", notice_id=notice.id))
    return _form_page("notices/form.html", form, notice=None)


def _default_legal_basis() -> str:
    from .forms import DEFAULT_LEGAL_BASIS

    return DEFAULT_LEGAL_BASIS


@bp.route("/gestione/avvisi/<int:notice_id>/modifica", methods=["GET", "POST"])
def edit(notice_id: int):
    notice = get_notice_or_404(notice_id)
    if notice.state not in (NoticeState.DRAFT, NoticeState.PUBLISHED):
        flash(_("Un avviso chiuso o concluso non può più essere modificato."), "warning")
        return redirect(url_for("notices.manage", notice_id=notice.id))
    form = NoticeForm(obj=notice) if request.method == "GET" else NoticeForm()
    form.set_choices(notice.procedure.authority)
    form.slug.data = notice.procedure.slug  # fixed once created: it is the public address
    if request.method == "GET":
        _fill_form(form, notice)
    if form.validate_on_submit() and _valid_notice_input(form, notice=notice):
        try:
            amendment = update_notice(
                notice, _notice_data(form), _uploads(form), by=current_user,
                reason=form.amendment_reason.data,
            )
        except NoticeError as error:
            db.session.rollback()
            form.amendment_reason.errors = [*form.amendment_reason.errors, str(error)]
        else:
            db.session.commit()
            flash(_amendment_message(amendment), "success")
            return redirect(url_for("notices.manage", notice_id=notice.id))
    return _form_page("notices/form.html", form, notice=notice)


def _amendment_message(amendment) -> str:
    if amendment is None:
        return _("Modifiche salvate.")
    return _("Rettifica n. %(number)d pubblicata.", number=amendment.number)


def _fill_form(form: NoticeForm, notice: Notice) -> None:
    from ..core.time import to_rome

    deadline = to_rome(notice.deadline_at)
    form.deadline_date.data = deadline.date()
    form.deadline_time.data = deadline.time()
    form.axes.data = [a.id for a in notice.axes]
    form.districts.data = [d.id for d in notice.districts]


def _form_page(template: str, form, status_if_invalid: int = INVALID, **context):
    status = status_if_invalid if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def _valid_notice_input(form: NoticeForm, *, notice: Notice | None) -> bool:
    """Checks beyond single fields. Adds errors beside the fields; True when all is well."""
    if notice is None and slug_taken(form.slug.data):
        form.slug.errors.append(_("Questo identificativo è già usato da un'altra procedura."))
    published_at = notice.published_at if notice is not None and notice.published_at else utcnow()
    deadline = deadline_from(form.deadline_date.data, form.deadline_time.data)
    if as_utc(deadline) <= as_utc(published_at):
        form.deadline_date.errors.append(
            _("La scadenza deve essere successiva alla data di pubblicazione dell'avviso.")
        )
    form.uploads = _read_uploads(form)
    return not any(field.errors for field in form)


def _read_uploads(form: NoticeForm) -> list[Upload]:
    uploads = []
    for name, kind in NoticeForm.ATTACHMENT_FIELDS.items():
        field = getattr(form, name)
        if not field.data:
            continue
        try:
            filename, data = read_pdf_upload(field.data)
        except UploadError as error:
            field.errors = [*field.errors, str(error)]
            continue
        uploads.append(Upload(kind=kind, filename=filename, data=data))
    return uploads


def _uploads(form) -> list[Upload]:
    return form.uploads


def _notice_data(form: NoticeForm) -> dict:
    data = {name: getattr(form, name).data for name in (
        "title", "summary", "legal_basis", "objectives", "requirements", "how_to_apply",
        "rup_name", "rup_role", "contact_email", "contact_pec", "contact_phone",
    )}
    data["deadline_at"] = deadline_from(form.deadline_date.data, form.deadline_time.data)
    data["axis_ids"] = list(form.axes.data or [])
    data["district_ids"] = list(form.districts.data or [])
    return data


# Staff: the notice's own page, preview, lifecycle ------------------------------------------------


@bp.get("/gestione/avvisi/<int:notice_id>")
def manage(notice_id: int):
    notice = get_notice_or_404(notice_id)
    return render_template(
        "notices/manage.html",
        notice=notice,
        problems=notice.publication_problems() if notice.state == NoticeState.DRAFT else [],
        transition_form=TransitionForm(),
        history=history(notice),
        now=utcnow(),
    )


@bp.get("/gestione/avvisi/<int:notice_id>/anteprima")
def preview(notice_id: int):
    notice = get_notice_or_404(notice_id)
    return render_notice(notice, preview=True)


TRANSITIONS = {
    "pubblica": ("publish", _l("Avviso pubblicato.")),
    "chiudi": ("close", _l("Avviso chiuso.")),
    "concludi": ("conclude", _l("Procedimento concluso.")),
}


@bp.post("/gestione/avvisi/<int:notice_id>/stato/<action>")
def transition(notice_id: int, action: str):
    notice = get_notice_or_404(notice_id, "notices.publish")
    if action not in TRANSITIONS:
        abort(404)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("Richiesta non valida: riprova."), "danger")
        return redirect(url_for("notices.manage", notice_id=notice.id))
    method, message = TRANSITIONS[action]
    try:
        _move(notice, method, reason=form.reason.data)
    except IllegalTransition as error:
        db.session.rollback()
        flash(_("Operazione non consentita: %(why)s", why=_transition_reason(notice, method, error)), "danger")
    else:
        db.session.commit()
        flash(str(message), "success")
    return redirect(url_for("notices.manage", notice_id=notice.id))


def _move(notice: Notice, method: str, *, reason: str | None) -> None:
    if method == "publish":
        notice.publish(by=current_user)
    else:
        getattr(notice, method)(by=current_user, reason=(reason or "").strip() or None)


def _transition_reason(notice: Notice, method: str, error: IllegalTransition) -> str:
    if method == "publish" and notice.publication_problems():
        return " ".join(notice.publication_problems())
    if method == "close" and notice.state == NoticeState.PUBLISHED:
        return _("la scadenza non è ancora passata.")
    return _("l'avviso è nello stato «%(state)s».", state=notice.state.label)


# Staff: milestones -------------------------------------------------------------------------------


@bp.route("/gestione/avvisi/<int:notice_id>/cronoprogramma", methods=["GET", "POST"])
def milestones(notice_id: int):
    notice = get_notice_or_404(notice_id)
    form = MilestoneForm()
    if form.validate_on_submit() and _valid_milestone(form):
        starts, ends, all_day = milestone_times(form.day.data, form.start_time.data, form.end_time.data)
        data = dict(
            kind=MilestoneKind(form.kind.data), title=form.title.data.strip(), starts_at=starts,
            ends_at=ends, all_day=all_day, place=(form.place.data or "").strip(),
            internal=form.internal.data,
        )
        if _run_amendable(form, lambda: add_milestone(notice, data, by=current_user, reason=form.amendment_reason.data)):
            flash(_("Data aggiunta al cronoprogramma."), "success")
            return redirect(url_for("notices.milestones", notice_id=notice.id))
    return _form_page("notices/milestones.html", form, notice=notice, delete_form=TransitionForm())


def _valid_milestone(form: MilestoneForm) -> bool:
    if form.end_time.data and not form.start_time.data:
        form.start_time.errors.append(_("Indica l'ora di inizio se indichi quella di fine."))
    if form.end_time.data and form.start_time.data and form.end_time.data <= form.start_time.data:
        form.end_time.errors.append(_("L'ora di fine deve seguire quella di inizio."))
    return not any(field.errors for field in form)


def _run_amendable(form, action) -> bool:
    """Run a change that may need an amendment reason; put a refusal beside that field."""
    try:
        action()
    except NoticeError as error:
        db.session.rollback()
        form.amendment_reason.errors = [*form.amendment_reason.errors, str(error)]
        return False
    db.session.commit()
    return True


@bp.post("/gestione/avvisi/<int:notice_id>/cronoprogramma/<int:milestone_id>/elimina")
def delete_milestone(notice_id: int, milestone_id: int):
    return _delete_child(notice_id, Milestone, milestone_id, remove_milestone,
                         _("Data eliminata dal cronoprogramma."), back="notices.milestones")


def _delete_child(notice_id: int, model, child_id: int, remove, message: str, *, back: str):
    """Remove a milestone or a document (with the amendment reason once published)."""
    notice = get_notice_or_404(notice_id)
    child = child_or_404(model, child_id, notice)
    form = TransitionForm()
    if form.validate_on_submit():
        _run_removal(lambda: remove(notice, child, by=current_user, reason=form.reason.data), message)
    return redirect(url_for(back, notice_id=notice.id))


def _run_removal(action, message: str) -> None:
    try:
        action()
    except NoticeError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(message, "success")


# Staff: documents --------------------------------------------------------------------------------


@bp.route("/gestione/avvisi/<int:notice_id>/documenti", methods=["GET", "POST"])
def attachments(notice_id: int):
    notice = get_notice_or_404(notice_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = _single_upload(form)
        if upload is not None and _run_amendable(
            form, lambda: add_attachment(notice, upload, by=current_user, reason=form.amendment_reason.data)
        ):
            flash(_("Documento caricato."), "success")
            return redirect(url_for("notices.attachments", notice_id=notice.id))
    return _form_page("notices/attachments.html", form, notice=notice, delete_form=TransitionForm())


def _single_upload(form: AttachmentForm) -> Upload | None:
    if not form.file.data:
        form.file.errors = [*form.file.errors, _("Scegli un file PDF da caricare.")]
        return None
    try:
        filename, data = read_pdf_upload(form.file.data)
    except UploadError as error:
        form.file.errors = [*form.file.errors, str(error)]
        return None
    return Upload(kind=AttachmentKind(form.kind.data), filename=filename, data=data, title=form.title.data)


@bp.post("/gestione/avvisi/<int:notice_id>/documenti/<int:attachment_id>/elimina")
def delete_attachment(notice_id: int, attachment_id: int):
    return _delete_child(notice_id, Attachment, attachment_id, remove_attachment,
                         _("Documento eliminato."), back="notices.attachments")


# Staff: questions and answers --------------------------------------------------------------------


@bp.route("/gestione/avvisi/<int:notice_id>/domande", methods=["GET", "POST"])
@bp.route("/gestione/avvisi/<int:notice_id>/domande/<int:question_id>", methods=["GET", "POST"])
def questions(notice_id: int, question_id: int | None = None):
    notice = get_notice_or_404(notice_id)
    question = child_or_404(Question, question_id, notice) if question_id else None
    form = QuestionForm(obj=question) if request.method == "GET" else QuestionForm()
    if form.validate_on_submit():
        if form.published.data and not (form.answer.data or "").strip():
            form.answer.errors.append(_("Per pubblicare la domanda scrivi la risposta."))
        else:
            save_question(notice, question, form.data, by=current_user)
            db.session.commit()
            flash(_("Domanda salvata."), "success")
            return redirect(url_for("notices.questions", notice_id=notice.id))
    return _form_page("notices/questions.html", form, notice=notice, question=question,
                      delete_form=TransitionForm())


@bp.post("/gestione/avvisi/<int:notice_id>/domande/<int:question_id>/elimina")
def delete_question_view(notice_id: int, question_id: int):
    notice = get_notice_or_404(notice_id)
    question = child_or_404(Question, question_id, notice)
    if TransitionForm().validate_on_submit():
        delete_question(notice, question, by=current_user)
        db.session.commit()
        flash(_("Domanda eliminata."), "success")
    return redirect(url_for("notices.questions", notice_id=notice.id))


# Labels shared by the notice templates -----------------------------------------------------------

CHANGE_LABELS = {
    "title": _l("Titolo"),
    "summary": _l("Oggetto"),
    "legal_basis": _l("Riferimenti normativi"),
    "objectives": _l("Obiettivi"),
    "requirements": _l("Requisiti"),
    "how_to_apply": _l("Modalità di partecipazione"),
    "rup_name": _l("Responsabile del procedimento"),
    "rup_role": _l("Qualifica del RUP"),
    "contact_email": _l("E-mail"),
    "contact_pec": _l("PEC"),
    "contact_phone": _l("Telefono"),
    "deadline_at": _l("Scadenza"),
    "axes": _l("Assi"),
    "districts": _l("Distretti"),
    "attachments": _l("Documenti"),
    "milestones": _l("Cronoprogramma"),
}
CHANGE_ACTIONS = {"added": _l("aggiunto"), "replaced": _l("sostituito"), "removed": _l("eliminato")}
AUDIT_LABELS = {
    "create": _l("Creazione"),
    "edit": _l("Modifica della bozza"),
    "state": _l("Cambio di stato"),
    "amendment": _l("Rettifica"),
}


@bp.context_processor
def notice_labels():
    return {
        "change_labels": CHANGE_LABELS,
        "change_actions": CHANGE_ACTIONS,
        "audit_labels": AUDIT_LABELS,
        "state_labels": {state.value: state.label for state in NoticeState},
    }
