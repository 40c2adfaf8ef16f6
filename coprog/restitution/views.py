"""The synthesis editor (staff).

- The synthesis page of a procedure: its state (approve, publish, reopen), the introduction,
  and per axis the actor categories, directions and priority interventions, then the
  cross-cutting directions and the perspectives; each section adds its items in place.
- An item's page: its text, its sources (table sessions with a published verbale, published
  contributions) and a search to add more (htmx replaces the results; without JavaScript the
  same search is a GET form).

Views check the permission, parse the form, call one service, commit once, respond; refused
input comes back with 422 and everything typed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actors.services import public_name
from ..core.permissions import get_permitted_or_404
from ..extensions import db, htmx
from ..notices.models import IllegalTransition, Procedure
from . import bp
from .forms import ActionForm, IntroductionForm, ItemForm, PublishForm, SourceForm
from .models import ItemKind, SynthesisItem, SynthesisSource, SynthesisState
from .services import synthesis as service

INVALID = 422
MANAGE = "/gestione/procedimenti/<int:procedure_id>/sintesi"
ITEM = "/gestione/sintesi/voci/<int:item_id>"


# Loading ---------------------------------------------------------------------------------------


def _procedure_or_404(procedure_id: int) -> Procedure:
    return get_permitted_or_404("restitution.compose", Procedure, procedure_id)


def _item_or_404(item_id: int) -> SynthesisItem:
    return get_permitted_or_404("restitution.compose", SynthesisItem, item_id)


def _section_key(kind: ItemKind, axis) -> str:
    return f"{kind.value}-{axis.id}" if axis is not None else kind.value


# The synthesis page ----------------------------------------------------------------------------


def _manage_page(procedure: Procedure, *, failed: dict | None = None, status: int = 200):
    synthesis = service.synthesis_of(procedure, create=True)
    failed = failed or {}
    sections = [
        (section, failed.get(_section_key(section.kind, section.axis))
         or ItemForm(prefix=_section_key(section.kind, section.axis), formdata=None,
                     data={"kind": section.kind.value, "axis_id": section.axis.id if section.axis else ""}))
        for section in service.sections(synthesis)
    ]
    html = render_template(
        "restitution/manage.html", procedure=procedure, notice=procedure.notice, synthesis=synthesis,
        sections=sections, provenance=service.provenance, action=ActionForm(),
        introduction=failed.get("introduction") or IntroductionForm(formdata=None, introduction=synthesis.introduction),
        publish=failed.get("publish") or PublishForm(formdata=None), section_key=_section_key,
    )
    db.session.commit()  # the synthesis, made the first time its page is opened
    return html, status


@bp.get(MANAGE)
def manage_synthesis(procedure_id: int):
    return _manage_page(_procedure_or_404(procedure_id))


def _back(procedure: Procedure, anchor: str = ""):
    return redirect(url_for("restitution.manage_synthesis", procedure_id=procedure.id) + anchor)


@bp.post(MANAGE + "/voci")
def add_item(procedure_id: int):
    procedure = _procedure_or_404(procedure_id)
    synthesis = service.synthesis_of(procedure, create=True)
    prefix = request.form.get("sezione", "")
    form = ItemForm(prefix=prefix)
    if form.validate_on_submit():
        try:
            item = service.add_item(synthesis, {"kind": form.kind.data, "axis_id": form.axis_id.data,
                                                "title": form.title.data, "description": form.description.data},
                                    by=current_user)
        except service.NotEditable as error:
            return _refused(procedure, str(error))
        except service.SynthesisError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Voce aggiunta."), "success")
            return _back(procedure, f"#sezione-{_section_key(item.kind, item.axis)}")
    return _manage_page(procedure, failed={prefix: form}, status=INVALID)


def _attach(form, error: service.SynthesisError) -> None:
    """The service's messages beside their fields (the form's own checks passed)."""
    for name, message in error.problems.items():
        field = getattr(form, name, None) or form.title
        field.errors = [*field.errors, message]


def _refused(procedure: Procedure, message: str):
    db.session.rollback()
    flash(message, "danger")
    return _back(procedure)


@bp.post(MANAGE + "/introduzione")
def save_introduction(procedure_id: int):
    procedure = _procedure_or_404(procedure_id)
    synthesis = service.synthesis_of(procedure, create=True)
    form = IntroductionForm()
    if form.validate_on_submit():
        try:
            service.save_introduction(synthesis, form.introduction.data, by=current_user)
        except service.NotEditable as error:
            return _refused(procedure, str(error))
        db.session.commit()
        flash(_("Introduzione salvata."), "success")
        return _back(procedure, "#introduzione")
    return _manage_page(procedure, failed={"introduction": form}, status=INVALID)


STATE_ACTIONS = {"approva": SynthesisState.APPROVED, "pubblica": SynthesisState.PUBLISHED, "riapri": SynthesisState.DRAFT}
STATE_MESSAGES = {
    SynthesisState.APPROVED: _("Sintesi approvata."),
    SynthesisState.PUBLISHED: _("Sintesi pubblicata."),
    SynthesisState.DRAFT: _("Sintesi riaperta: ora si può modificare."),
}


@bp.post(MANAGE + "/stato/<action>")
def change_state(procedure_id: int, action: str):
    procedure = _procedure_or_404(procedure_id)
    to = STATE_ACTIONS.get(action)
    if to is None:
        abort(404)
    synthesis = service.synthesis_of(procedure, create=True)
    form = PublishForm() if to == SynthesisState.PUBLISHED else ActionForm()
    if not form.validate_on_submit():
        return _manage_page(procedure, failed={"publish": form} if to == SynthesisState.PUBLISHED else None,
                            status=INVALID)
    try:
        service.move_synthesis(synthesis, to, by=current_user)
    except IllegalTransition:
        return _refused(procedure, _("La sintesi è cambiata nel frattempo: controlla il suo stato."))
    except service.SynthesisError as error:
        return _refused(procedure, str(error))
    db.session.commit()
    flash(str(STATE_MESSAGES[to]), "success")
    return _back(procedure, "#stato")


# Items -----------------------------------------------------------------------------------------


def _candidates(item: SynthesisItem) -> dict:
    """The search for sources: text, and which kind (sessions or contributions)."""
    text = (request.args.get("q") or "").strip()[:100]
    kind = "contributi" if request.args.get("tipo") == "contributi" else "incontri"
    procedure, axis_id = item.synthesis.procedure, item.axis_id
    linked = {s.session_id for s in item.sources} | {f"c{s.contribution_id}" for s in item.sources}
    if kind == "incontri":
        found = service.session_candidates(procedure, text, axis_id)
    else:
        found = service.contribution_candidates(procedure, text, axis_id)
    return dict(query=text, kind=kind, found=found, linked=linked)


def _item_page(item: SynthesisItem, *, form: ItemForm | None = None, status: int = 200):
    context = dict(item=item, synthesis=item.synthesis, procedure=item.synthesis.procedure,
                   provenance=service.provenance(item), action=ActionForm(), source_form=SourceForm(),
                   actor_name=public_name, **_candidates(item))
    if htmx and not htmx.boosted and request.method == "GET":
        return render_template("restitution/_candidates.html", **context)
    form = form or ItemForm(formdata=None, obj=item)
    return render_template("restitution/item.html", form=form, **context), status


@bp.route(ITEM, methods=["GET", "POST"])
def edit_item(item_id: int):
    item = _item_or_404(item_id)
    if request.method == "GET":
        return _item_page(item)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            service.edit_item(item, {"title": form.title.data, "description": form.description.data}, by=current_user)
        except service.NotEditable as error:
            return _refused(item.synthesis.procedure, str(error))
        except service.SynthesisError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Voce salvata."), "success")
            return redirect(url_for("restitution.edit_item", item_id=item.id))
    return _item_page(item, form=form, status=INVALID)


@bp.post(ITEM + "/sposta")
def move_item(item_id: int):
    item = _item_or_404(item_id)
    procedure = item.synthesis.procedure
    if ActionForm().validate_on_submit():
        try:
            service.move_item(item, -1 if request.form.get("verso") == "su" else 1, by=current_user)
        except service.NotEditable as error:
            return _refused(procedure, str(error))
        db.session.commit()
    return _back(procedure, f"#voce-{item.id}")


@bp.post(ITEM + "/elimina")
def delete_item(item_id: int):
    item = _item_or_404(item_id)
    procedure = item.synthesis.procedure
    anchor = f"#sezione-{_section_key(item.kind, item.axis)}"
    if ActionForm().validate_on_submit():
        try:
            service.delete_item(item, by=current_user)
        except service.NotEditable as error:
            return _refused(procedure, str(error))
        db.session.commit()
        flash(_("Voce eliminata."), "success")
    return _back(procedure, anchor)


@bp.post(ITEM + "/fonti")
def add_source(item_id: int):
    item = _item_or_404(item_id)
    form = SourceForm()
    back = redirect(url_for("restitution.edit_item", item_id=item.id, q=request.args.get("q"),
                            tipo=request.args.get("tipo")) + "#fonti")
    if not form.validate_on_submit():
        return back
    try:
        service.add_source(item, session_id=form.session_id.data or None,
                           contribution_id=form.contribution_id.data or None, by=current_user)
    except service.NotEditable as error:
        return _refused(item.synthesis.procedure, str(error))
    except service.SynthesisError as error:
        db.session.rollback()
        flash(error.problems["source"], "danger")
        return back
    db.session.commit()
    flash(_("Fonte collegata."), "success")
    return back


@bp.post("/gestione/sintesi/fonti/<int:source_id>/rimuovi")
def remove_source(source_id: int):
    source = get_permitted_or_404("restitution.compose", SynthesisSource, source_id)
    item = source.item
    if ActionForm().validate_on_submit():
        try:
            service.remove_source(source, by=current_user)
        except service.NotEditable as error:
            return _refused(item.synthesis.procedure, str(error))
        db.session.commit()
        flash(_("Fonte scollegata."), "success")
    return redirect(url_for("restitution.edit_item", item_id=item.id) + "#fonti")


# The public pages, the final document, the catalogue and the transparency register: same blueprint
from . import catalogue_views, final_views, public_views, transparency_views  # noqa: E402,F401
