"""Tables: the minutes (verbale) of a session.

- The editor (facilitator of the session or staff): Part 1 findings in three lists, Part 2
  directions as cards, notes; each item is added, changed, moved or removed with htmx (the
  fragment of its list comes back) or, without JavaScript, with a plain form and a redirect.
  Approve / reopen / publish are plain forms with a confirmation.
- The generated document and its PDF (facilitator of the session or staff).
- The public version, HTML and PDF, once published: counts by category, no personal names.

Views parse the form, check the permission, call one service, commit once, respond.
"""

from __future__ import annotations

from functools import wraps

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..actors.services import actor_key, candidates, public_name
from ..core import audit
from ..core.cache import public_page
from ..core.permissions import can, require
from ..extensions import db, htmx
from ..notices.models import IllegalTransition
from ..notices.views import get_public_notice_or_404
from . import bp
from .minutes_document import build_document
from .minutes_forms import (
    ActionForm,
    ApproveForm,
    DirectionForm,
    FindingForm,
    NotesForm,
    PublishForm,
    ReopenForm,
)
from .minutes_pdf import document_title, minutes_pdf
from .models import Direction, Finding, FindingKind, Minutes, MinutesState, TableSession
from .services import minutes as service
from .services.minutes import DirectionInput, MinutesError, MinutesForbidden

INVALID = 422
BASE = "/tavoli/incontri/<int:session_id>/verbale"
NEW_FINDING_LABELS = {
    FindingKind.NEED: _l("Nuovo bisogno"),
    FindingKind.CRITICAL_POINT: _l("Nuova criticità"),
    FindingKind.ASPIRATION: _l("Nuova aspirazione"),
}


# Loading ---------------------------------------------------------------------------------------


def get_session_or_404(session_id: int) -> TableSession:
    """The session, if the user facilitates it or is staff (others 403, anonymous to login)."""
    session = db.session.get(TableSession, session_id)
    if session is None:
        abort(404)
    require("tables.facilitate", session)
    return session


def _kind_or_404(value: str) -> FindingKind:
    try:
        return FindingKind(value)
    except ValueError:
        abort(404)


def _item_or_404(model, item_id: int, session: TableSession):
    item = db.session.get(model, item_id)
    if item is None or item.minutes.session_id != session.id:
        abort(404)
    return item


def _current_minutes(session: TableSession) -> Minutes:
    return service.minutes_of(session) or service.blank_minutes()


# The editor's forms ----------------------------------------------------------------------------


class EditorForms:
    """Every form of the editor, empty or filled from the data; a form refused in this request
    (`failed`, by prefix) is shown as posted, with its errors."""

    def __init__(self, session: TableSession, failed: dict | None = None):
        self.failed = failed or {}
        self.candidates = candidates(session.procedure)
        self.action = ActionForm(formdata=None)

    def _form(self, cls, prefix: str, data: dict | None = None):
        form = self.failed.get(prefix) or cls(formdata=None, prefix=prefix, data=data)
        if isinstance(form, DirectionForm):
            form.actors.choices = [(c.key, c.name) for c in self.candidates]
        return form

    def new_finding(self, kind: FindingKind) -> FindingForm:
        form = self._form(FindingForm, f"nuova-{kind.value}")
        form.text.label.text = NEW_FINDING_LABELS[kind]
        return form

    def finding(self, finding: Finding, number: int) -> FindingForm:
        form = self._form(FindingForm, f"voce-{finding.id}", {"text": finding.text})
        form.text.label.text = _("Testo della voce %(n)d", n=number)
        return form

    def new_direction(self) -> DirectionForm:
        return self._form(DirectionForm, "nuova-direzione")

    def direction(self, direction: Direction) -> DirectionForm:
        data = {"who": direction.who, "what": direction.what, "how": direction.how,
                "actors": [actor_key(a) for a in direction.actors]}
        return self._form(DirectionForm, f"direzione-{direction.id}", data)

    def notes(self, minutes: Minutes) -> NotesForm:
        return self._form(NotesForm, "note", {"notes": minutes.notes})

    def approve(self) -> ApproveForm:
        return self._form(ApproveForm, "approva")

    def reopen(self) -> ReopenForm:
        return self._form(ReopenForm, "riapri")

    def publish(self) -> PublishForm:
        return self._form(PublishForm, "pubblica")

    def is_open(self, form) -> bool:
        """A refused form stays open (its <details> is rendered open)."""
        return any(form is failed for failed in self.failed.values())

    def actor_groups(self, form: DirectionForm) -> list[tuple[str, list]]:
        """The checkboxes of the candidates, grouped by kind of actor, in the candidates' order."""
        kinds = {c.key: c.kind for c in self.candidates}
        groups: dict = {}
        for option in form.actors:
            kind = kinds.get(option.data)
            groups.setdefault(kind, []).append(option)
        return [(str(kind.label) if kind else _("Altri"), options) for kind, options in groups.items()]


def _context(session: TableSession, minutes: Minutes, failed: dict | None = None, **extra) -> dict:
    extra.setdefault("message", "")
    return dict(session=session, minutes=minutes, forms=EditorForms(session, failed),
                findings=service.findings_by_kind(minutes), directions=service.directions_of(minutes),
                kinds=list(FindingKind), actor_name=public_name,
                may_publish=can("tables.publish_minutes", minutes), **extra)


def _editor_page(session: TableSession, failed: dict | None = None, status: int = 200):
    minutes = _current_minutes(session)
    history = [e for e in audit.history(minutes) if e.action in ("created", "state")] if minutes.id else []
    context = _context(session, minutes, failed, doc=build_document(session, minutes, public=False),
                       history=history, state_labels={s.value: s.label for s in MinutesState})
    return render_template("tables/minutes_edit.html", **context), status


FRAGMENTS = {"findings": "tables/_minutes_findings.html", "directions": "tables/_minutes_directions.html",
             "notes": "tables/_minutes_notes.html"}


def _fragment(session: TableSession, part: str, kind: FindingKind | None, failed=None, message: str = ""):
    minutes = _current_minutes(session)
    return render_template(FRAGMENTS[part], **_context(session, minutes, failed, kind=kind, message=message))


def _anchor(part: str, kind: FindingKind | None) -> str:
    return f"#voci-{kind.value}" if part == "findings" else f"#{'direzioni' if part == 'directions' else 'note'}"


# The editor ------------------------------------------------------------------------------------


@bp.get(BASE)
def edit_minutes(session_id: int):
    session = get_session_or_404(session_id)
    return _editor_page(session)


def _change(session: TableSession, form, prefix: str, action, *, part: str, kind=None, message: str):
    """Validate, run one change of the minutes (created on first use), commit, respond: the
    part's fragment for htmx, a redirect otherwise; refused input comes back with 422."""
    if form.validate_on_submit():
        try:
            action(service.get_or_create_minutes(session, by=current_user))
        except MinutesForbidden:
            db.session.rollback()
            abort(403)
        except MinutesError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is None:
                return _refused_state(session, str(error))
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            if htmx and not htmx.boosted:
                return _fragment(session, part, kind, message=message)
            flash(message, "success")
            return redirect(url_for("tables.edit_minutes", session_id=session.id) + _anchor(part, kind))
    failed = {prefix: form}
    if htmx and not htmx.boosted:
        return _fragment(session, part, kind, failed), INVALID
    return _editor_page(session, failed, INVALID)


def _refused_state(session: TableSession, message: str):
    """A change the minutes' state refuses (e.g. approved meanwhile): reload the editor."""
    flash(message, "danger")
    url = url_for("tables.edit_minutes", session_id=session.id)
    if htmx and not htmx.boosted:
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _direction_input(form: DirectionForm) -> DirectionInput:
    return DirectionInput(what=form.what.data, who=form.who.data, how=form.how.data,
                          actor_keys=list(form.actors.data or []), new_actors=form.new_actors.data or "",
                          new_actor_kind=form.new_actor_kind.data)


def _step() -> int:
    return -1 if request.form.get("verso") == "su" else 1


@bp.post(BASE + "/parte-1/<kind>")
def add_finding(session_id: int, kind: str):
    session, kind = get_session_or_404(session_id), _kind_or_404(kind)
    prefix = f"nuova-{kind.value}"
    form = FindingForm(prefix=prefix)
    return _change(session, form, prefix, lambda m: service.add_finding(m, kind, form.text.data, by=current_user),
                   part="findings", kind=kind, message=_("Voce aggiunta."))


@bp.post(BASE + "/voci/<int:finding_id>")
def edit_finding(session_id: int, finding_id: int):
    session = get_session_or_404(session_id)
    finding = _item_or_404(Finding, finding_id, session)
    prefix = f"voce-{finding.id}"
    form = FindingForm(prefix=prefix)
    return _change(session, form, prefix, lambda m: service.edit_finding(finding, form.text.data, by=current_user),
                   part="findings", kind=finding.kind, message=_("Voce modificata."))


@bp.post(BASE + "/voci/<int:finding_id>/elimina")
def delete_finding(session_id: int, finding_id: int):
    session = get_session_or_404(session_id)
    finding = _item_or_404(Finding, finding_id, session)
    return _change(session, ActionForm(), "azione", lambda m: service.delete_finding(finding, by=current_user),
                   part="findings", kind=finding.kind, message=_("Voce eliminata."))


@bp.post(BASE + "/voci/<int:finding_id>/sposta")
def move_finding(session_id: int, finding_id: int):
    session = get_session_or_404(session_id)
    finding = _item_or_404(Finding, finding_id, session)
    return _change(session, ActionForm(), "azione", lambda m: service.move_finding(finding, _step(), by=current_user),
                   part="findings", kind=finding.kind, message=_("Ordine delle voci aggiornato."))


@bp.post(BASE + "/parte-2")
def add_direction(session_id: int):
    session = get_session_or_404(session_id)
    prefix = "nuova-direzione"
    form = DirectionForm(prefix=prefix)
    return _change(session, form, prefix, lambda m: service.add_direction(m, _direction_input(form), by=current_user),
                   part="directions", message=_("Direzione aggiunta."))


@bp.post(BASE + "/direzioni/<int:direction_id>")
def edit_direction(session_id: int, direction_id: int):
    session = get_session_or_404(session_id)
    direction = _item_or_404(Direction, direction_id, session)
    prefix = f"direzione-{direction.id}"
    form = DirectionForm(prefix=prefix)
    return _change(session, form, prefix,
                   lambda m: service.edit_direction(direction, _direction_input(form), by=current_user),
                   part="directions", message=_("Direzione modificata."))


@bp.post(BASE + "/direzioni/<int:direction_id>/elimina")
def delete_direction(session_id: int, direction_id: int):
    session = get_session_or_404(session_id)
    direction = _item_or_404(Direction, direction_id, session)
    return _change(session, ActionForm(), "azione", lambda m: service.delete_direction(direction, by=current_user),
                   part="directions", message=_("Direzione eliminata."))


@bp.post(BASE + "/direzioni/<int:direction_id>/sposta")
def move_direction(session_id: int, direction_id: int):
    session = get_session_or_404(session_id)
    direction = _item_or_404(Direction, direction_id, session)
    return _change(session, ActionForm(), "azione",
                   lambda m: service.move_direction(direction, _step(), by=current_user),
                   part="directions", message=_("Ordine delle direzioni aggiornato."))


@bp.post(BASE + "/note")
def save_minutes_notes(session_id: int):
    session = get_session_or_404(session_id)
    form = NotesForm(prefix="note")
    return _change(session, form, "note", lambda m: service.save_notes(m, form.notes.data, by=current_user),
                   part="notes", message=_("Note salvate."))


# Lifecycle -------------------------------------------------------------------------------------


def _lifecycle(session: TableSession, form, prefix: str, action, message: str):
    """Approve, reopen, publish: plain forms; refusals beside the confirmation, 422."""
    if form.validate_on_submit():
        try:
            action(service.get_or_create_minutes(session, by=current_user))
        except MinutesForbidden:
            db.session.rollback()
            abort(403)
        except IllegalTransition:
            db.session.rollback()
            flash(_("Operazione non consentita nello stato attuale del verbale."), "danger")
            return redirect(url_for("tables.edit_minutes", session_id=session.id))
        except MinutesError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or next(f for f in form if f.type != "CSRFTokenField")
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("tables.edit_minutes", session_id=session.id))
    return _editor_page(session, {prefix: form}, INVALID)


@bp.post(BASE + "/approva")
def approve_minutes(session_id: int):
    session = get_session_or_404(session_id)
    return _lifecycle(session, ApproveForm(prefix="approva"), "approva",
                      lambda m: service.approve(m, by=current_user), _("Verbale approvato."))


@bp.post(BASE + "/riapri")
def reopen_minutes(session_id: int):
    session = get_session_or_404(session_id)
    form = ReopenForm(prefix="riapri")
    return _lifecycle(session, form, "riapri", lambda m: service.reopen(m, form.reason.data, by=current_user),
                      _("Verbale riaperto: è di nuovo in bozza."))


@bp.post(BASE + "/pubblica")
def publish_minutes(session_id: int):
    session = get_session_or_404(session_id)
    require("tables.publish_minutes", service.minutes_of(session))
    return _lifecycle(session, PublishForm(prefix="pubblica"), "pubblica",
                      lambda m: service.publish(m, by=current_user), _("Verbale pubblicato."))


# The generated document ------------------------------------------------------------------------


@bp.get(BASE + "/documento")
def minutes_document(session_id: int):
    session = get_session_or_404(session_id)
    doc = build_document(session, _current_minutes(session), public=False)
    return render_template("tables/minutes_document.html", session=session, doc=doc, title=document_title(doc))


def _download(filename: str, response: Response) -> Response:
    if response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def as_download(view):
    """Name the PDF for saving; outside `public_page`, whose cached copy keeps only the body."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        filename = f"verbale-{kwargs.get('slug', 'tavolo')}-incontro-{kwargs['session_id']}.pdf"
        return _download(filename, response)

    return wrapper


@bp.get("/tavoli/incontri/<int:session_id>/verbale.pdf")
def minutes_pdf_download(session_id: int):
    session = get_session_or_404(session_id)
    pdf = minutes_pdf(build_document(session, _current_minutes(session), public=False))
    return _download(f"verbale-{session.procedure.slug}-incontro-{session.id}.pdf",
                     Response(pdf, mimetype="application/pdf"))


# The public version ----------------------------------------------------------------------------


def _published_or_404(slug: str, session_id: int) -> tuple[TableSession, Minutes]:
    notice = get_public_notice_or_404(slug)
    session = db.session.get(TableSession, session_id)
    if session is None or session.procedure_id != notice.procedure_id:
        abort(404)
    minutes = service.minutes_of(session)
    if minutes is None or not minutes.is_published:
        abort(404)
    return session, minutes


@bp.get("/avvisi/<slug>/tavoli/<int:session_id>/verbale")
@public_page
def public_minutes(slug: str, session_id: int):
    session, minutes = _published_or_404(slug, session_id)
    doc = build_document(session, minutes, public=True)
    return render_template("tables/minutes_public.html", session=session, doc=doc, title=document_title(doc))


@bp.get("/avvisi/<slug>/tavoli/<int:session_id>/verbale.pdf")
@as_download
@public_page
def public_minutes_pdf(slug: str, session_id: int):
    session, minutes = _published_or_404(slug, session_id)
    return Response(minutes_pdf(build_document(session, minutes, public=True)), mimetype="application/pdf")
