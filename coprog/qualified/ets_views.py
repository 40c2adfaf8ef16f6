"""The ETS's side of its entry in the list of qualified entities.

- /area-ets/elenco/<id> (`qualified.my_entry`, the link of the decision and reminder e-mails):
  the entry's state, validity and the reason of the last decision; its services, each with its
  form, a form to add one, and the contacts that case managers see.
- /area-ets/elenco/servizi/<id>/disponibilita: the quick update of a service's places available
  now, on that page and on the ETS's dashboard ("Le mie domande"): with htmx the small fragment
  is swapped (refused input too, answered 422); without JavaScript a plain POST and a redirect.

Only the members of the entry's organisation ("qualified.keep_entry"): another ETS gets 404 (not
even a hint that the entry exists), every other role 403, anonymous users the login page.
Views check the permission, parse the form, call one service, commit once; refused input comes
back with 422 and everything typed, nothing saved.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.views import safe_next
from ..core.permissions import acting_user, can, require
from ..extensions import db, htmx
from . import bp
from .forms import ActionForm, AvailabilityForm, ContactsForm, ServiceForm, service_choices
from .models import EntryService, EntryState, QualifiedEntry
from .services.entries import (
    EntryError,
    delete_service,
    save_contacts,
    save_service,
    update_availability,
)
from .services.listing import entries_kept_by, services_of
from .services.search import is_stale, stale_after_days

INVALID = 422
NEW = "nuovo"
CONTACTS = "contatti"
EDITABLE = (EntryState.REQUESTED, EntryState.QUALIFIED, EntryState.SUSPENDED, EntryState.EXPIRED)


# Loading ---------------------------------------------------------------------------------------


def _kept_entry_or_404(entry_id: int) -> QualifiedEntry:
    require("qualified.keep_entry")  # anonymous: the login page; other roles: 403
    entry = db.session.get(QualifiedEntry, entry_id)
    if entry is None or not can("qualified.keep_entry", entry):
        abort(404)
    return entry


def _kept_service_or_404(service_id: int) -> EntryService:
    require("qualified.keep_entry")
    service = db.session.get(EntryService, service_id)
    if service is None or not can("qualified.keep_entry", service.entry):
        abort(404)
    return service


def _service_prefix(service: EntryService) -> str:
    return f"servizio-{service.id}"


# The entry's page ------------------------------------------------------------------------------


def _entry_page(entry: QualifiedEntry, *, failed: dict | None = None, availability: dict | None = None,
                status: int = 200):
    """The page, with the refused form (by prefix) or availability (by service id) as typed."""
    failed = failed or {}
    choices = service_choices(entry.procedure.authority)
    service_forms = []
    for service in services_of(entry):
        form = failed.get(_service_prefix(service))
        if form is None:
            form = ServiceForm(prefix=_service_prefix(service), formdata=None)
            form.set_choices(choices)
            form.fill(service)
        service_forms.append((service, form))
    new_form = failed.get(NEW)
    if new_form is None:
        new_form = ServiceForm(prefix=NEW, formdata=None)
        new_form.set_choices(choices)
    contacts = failed.get(CONTACTS) or ContactsForm(
        prefix=CONTACTS, formdata=None, contact_desk=entry.contact_desk, contact_email=entry.contact_email,
        contact_phone=entry.contact_phone)
    html = render_template(
        "qualified/ets_entry.html", entry=entry, notice=entry.procedure.notice, service_forms=service_forms,
        new_form=new_form, contacts=contacts, editable=entry.state in EDITABLE, failed=failed,
        availability=availability or {}, here=url_for("qualified.my_entry", entry_id=entry.id),
    )
    return html, status


@bp.get("/area-ets/elenco/<int:entry_id>", endpoint="my_entry")
def my_entry(entry_id: int):
    return _entry_page(_kept_entry_or_404(entry_id))


def _attach(form, error: EntryError) -> None:
    for name, message in error.problems.items():
        field = getattr(form, name, None) or form.title
        field.errors = [*field.errors, message]


def _not_editable(entry: QualifiedEntry, error: EntryError):
    """The entry was refused or removed meanwhile: nothing to keep (the message says why)."""
    db.session.rollback()
    flash(error.problems["entry"], "danger")
    return redirect(url_for("qualified.my_entry", entry_id=entry.id))


def _back(entry: QualifiedEntry, anchor: str = ""):
    return redirect(url_for("qualified.my_entry", entry_id=entry.id) + anchor)


# Services --------------------------------------------------------------------------------------


@bp.post("/area-ets/elenco/<int:entry_id>/servizi")
def add_service(entry_id: int):
    entry = _kept_entry_or_404(entry_id)
    form = ServiceForm(prefix=NEW)
    form.set_choices(service_choices(entry.procedure.authority))
    if form.validate_on_submit():
        try:
            service = save_service(entry, form.values(), by=current_user)
        except EntryError as error:
            if "entry" in error.problems:
                return _not_editable(entry, error)
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Servizio «%(title)s» aggiunto.", title=service.title), "success")
            return _back(entry, f"#servizio-{service.id}")
    return _entry_page(entry, failed={NEW: form}, status=INVALID)


@bp.post("/area-ets/elenco/servizi/<int:service_id>/modifica")
def edit_service(service_id: int):
    service = _kept_service_or_404(service_id)
    entry = service.entry
    prefix = _service_prefix(service)
    form = ServiceForm(prefix=prefix)
    form.set_choices(service_choices(entry.procedure.authority))
    if form.validate_on_submit():
        try:
            save_service(entry, form.values(), by=current_user, service=service)
        except EntryError as error:
            if "entry" in error.problems:
                return _not_editable(entry, error)
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Servizio «%(title)s» aggiornato.", title=service.title), "success")
            return _back(entry, f"#servizio-{service.id}")
    return _entry_page(entry, failed={prefix: form}, status=INVALID)


@bp.post("/area-ets/elenco/servizi/<int:service_id>/elimina")
def remove_service(service_id: int):
    service = _kept_service_or_404(service_id)
    entry, title = service.entry, service.title
    if not ActionForm().validate_on_submit():
        flash(_("La sessione è scaduta: ricarica la pagina e riprova."), "danger")
        return _back(entry, f"#servizio-{service.id}")
    try:
        delete_service(service, by=current_user)
    except EntryError as error:
        return _not_editable(entry, error)
    db.session.commit()
    flash(_("Servizio «%(title)s» eliminato.", title=title), "success")
    return _back(entry, "#servizi")


# Availability ----------------------------------------------------------------------------------


@bp.post("/area-ets/elenco/servizi/<int:service_id>/disponibilita")
def update_service_availability(service_id: int):
    service = _kept_service_or_404(service_id)
    entry = service.entry
    form = AvailabilityForm()
    problem = None
    if not form.validate_on_submit():
        problem = _("La sessione è scaduta: ricarica la pagina e riprova.")
    else:
        try:
            update_availability(service, form.available.data, by=current_user)
        except EntryError as error:
            db.session.rollback()
            problem = next(iter(error.problems.values()))
        else:
            db.session.commit()
    typed = (form.available.data or "").strip()
    if htmx and not htmx.boosted:
        return render_template("qualified/_availability.html", service=service, problem=problem, typed=typed,
                               done=problem is None, next=request.form.get("next", "")), (INVALID if problem else 200)
    if problem is None:
        flash(_("«%(title)s»: disponibilità aggiornata.", title=service.title), "success")
        target = safe_next(request.form.get("next")) or url_for("qualified.my_entry", entry_id=entry.id)
        return redirect(target + f"#disponibilita-{service.id}")
    return _entry_page(entry, availability={service.id: (typed, problem)}, status=INVALID)


# Contacts --------------------------------------------------------------------------------------


@bp.post("/area-ets/elenco/<int:entry_id>/contatti")
def save_entry_contacts(entry_id: int):
    entry = _kept_entry_or_404(entry_id)
    form = ContactsForm(prefix=CONTACTS)
    if form.validate_on_submit():
        try:
            save_contacts(entry, {name: getattr(form, name).data for name in
                                  ("contact_desk", "contact_email", "contact_phone")}, by=current_user)
        except EntryError as error:
            if "entry" in error.problems:
                return _not_editable(entry, error)
            db.session.rollback()
            for name, message in error.problems.items():
                field = getattr(form, name)
                field.errors = [*field.errors, message]
        else:
            db.session.commit()
            flash(_("Contatti aggiornati."), "success")
            return _back(entry, "#contatti")
    return _entry_page(entry, failed={CONTACTS: form}, status=INVALID)


# The ETS's dashboard ---------------------------------------------------------------------------


def _my_entries() -> list[QualifiedEntry]:
    user = acting_user()
    return entries_kept_by(user) if can("qualified.keep_entry") else []


@bp.app_context_processor
def qualified_helpers():
    """For any template: the entries the signed-in ETS user keeps (called only where shown), and
    whether a service's availability is stale."""
    return {"my_qualified_entries": _my_entries, "availability_is_stale": is_stale,
            "availability_stale_days": stale_after_days}
