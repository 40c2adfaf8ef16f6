"""My organisations; registering one by codice fiscale, prefilled from the RUNTS mirror."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.permissions import require
from ..extensions import db
from . import bp
from .codes import CodeError, entity_code
from .forms import OrganisationForm
from .models import MemberRole, Organisation
from .services import organisations_of, register_organisation, runts_prefill

INVALID = 422


@bp.get("/enti")
def mine():
    require("organisations.register")
    return render_template("organisations/mine.html", organisations=organisations_of(current_user))


@bp.route("/enti/nuovo", methods=["GET", "POST"])
def register():
    require("organisations.register")
    form = OrganisationForm()
    if form.is_submitted():
        fields_valid = form.validate()
        code = _checked_code(form)
        if code and request.form.get("azione") == "cerca":
            _prefill(form, code)  # only the code matters for a look-up
        elif code and fields_valid and _profile_complete(form):
            return _save(form, code)
    status = INVALID if form.is_submitted() and any(f.errors for f in form) else 200
    return render_template("organisations/register.html", form=form, next=_next_url()), status


def _checked_code(form: OrganisationForm) -> str | None:
    try:
        return entity_code(form.codice_fiscale.data)
    except CodeError as error:
        form.codice_fiscale.errors = [*form.codice_fiscale.errors, str(error)]
        return None


def _prefill(form: OrganisationForm, code: str) -> None:
    found = runts_prefill(code)
    if found is None:
        flash(_("L'ente non risulta nella copia del RUNTS: inserisci i dati a mano; saranno verificati."), "warning")
        return
    for name, value in found.items():
        getattr(form, name).data = value
    flash(_("Dati proposti dal RUNTS: controllali e completa i contatti."), "info")


def _profile_complete(form: OrganisationForm) -> bool:
    if not (form.name.data or "").strip():
        form.name.errors = [*form.name.errors, _("Indica la denominazione dell'ente.")]
    if not form.runts_section.data:
        form.runts_section.errors = [*form.runts_section.errors, _("Indica la sezione del RUNTS.")]
    return not (form.name.errors or form.runts_section.errors)


def _save(form: OrganisationForm, code: str):
    try:
        organisation = register_organisation(code, form.data, MemberRole(form.role.data), by=current_user)
    except CodeError as error:
        db.session.rollback()
        form.codice_fiscale.errors = [*form.codice_fiscale.errors, str(error)]
        return render_template("organisations/register.html", form=form, next=_next_url()), INVALID
    db.session.commit()
    flash(_("Ente registrato: ora puoi presentare domande a suo nome."), "success")
    return redirect(_next_url() or url_for("organisations.detail", organisation_id=organisation.id))


def _next_url() -> str | None:
    target = request.values.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.get("/enti/<int:organisation_id>")
def detail(organisation_id: int):
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    require("organisations.view", organisation)
    return render_template("organisations/detail.html", organisation=organisation)
