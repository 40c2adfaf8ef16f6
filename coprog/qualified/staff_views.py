"""Staff pages of the list of qualified entities.

- /gestione/procedimenti/<id>/elenco: the entries of a list procedure (state, validity, review
  date, number of services), filtered by state, one page at a time; the "Elenco" tab of the
  notice's staff pages.
- /gestione/elenco/voci/<id>: one entry (the organisation, its application, its services, the
  history of its decisions) and the decision: qualify, refuse, suspend, remove or renew, always
  with a reason; qualifying and renewing with a validity period and a review date.

Views check the permission, parse the form, call one service, commit once; refused input comes
back with 422 and everything typed, the messages beside the fields.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..core.audit import history
from ..core.permissions import get_permitted_or_404
from ..core.time import rome_today
from ..extensions import db
from ..notices.models import IllegalTransition, Procedure, ProcedureKind
from . import bp
from .forms import ActionForm, DecisionForm, decisions_for
from .models import EntryState, QualifiedEntry
from .services.entries import Decision, EntryError, Validity, check_decision, decide
from .services.invitations import invitable, invite_admitted
from .services.listing import entries_of, services_of, state_counts
from .services.search import is_stale, stale_after_days

INVALID = 422
DECISION_MESSAGES = {
    Decision.QUALIFY: _l("Ente qualificato: la decisione è stata comunicata."),
    Decision.RENEW: _l("Qualificazione rinnovata: la decisione è stata comunicata."),
    Decision.SUSPEND: _l("Iscrizione sospesa: la decisione è stata comunicata."),
    Decision.REFUSE: _l("Qualificazione rifiutata: la decisione è stata comunicata."),
    Decision.REMOVE: _l("Ente cancellato dall'elenco: la decisione è stata comunicata."),
}

ACTION_LABELS = {
    "request": _l("Domanda presentata"),
    Decision.QUALIFY.value: _l("Qualificazione"),
    Decision.RENEW.value: _l("Rinnovo"),
    Decision.SUSPEND.value: _l("Sospensione"),
    Decision.REFUSE.value: _l("Rifiuto"),
    Decision.REMOVE.value: _l("Cancellazione"),
    "expire": _l("Scadenza"),
    "contacts": _l("Contatti aggiornati dall'ente"),
}


# Loading ---------------------------------------------------------------------------------------


def _list_procedure_or_404(procedure_id: int) -> Procedure:
    procedure = get_permitted_or_404("qualified.decide", Procedure, procedure_id)
    if procedure.kind != ProcedureKind.QUALIFIED_LIST or procedure.notice is None:
        abort(404)
    return procedure


def _entry_or_404(entry_id: int) -> QualifiedEntry:
    return get_permitted_or_404("qualified.decide", QualifiedEntry, entry_id)


# The entries of a list ------------------------------------------------------------------------


@bp.get("/gestione/procedimenti/<int:procedure_id>/elenco")
def manage_entries(procedure_id: int):
    procedure = _list_procedure_or_404(procedure_id)
    wanted = request.args.get("stato")
    state = EntryState(wanted) if wanted in {s.value for s in EntryState} else None
    found = entries_of(procedure, state=state, page=request.args.get("pagina", 1, type=int))
    return render_template("qualified/staff_entries.html", procedure=procedure, notice=procedure.notice,
                           found=found, state=state, states=list(EntryState), counts=state_counts(procedure),
                           today=rome_today(), sources=_invitation_sources(procedure), action=ActionForm())


def _invitation_sources(procedure: Procedure) -> list[tuple[Procedure, int]]:
    """The authority's co-programming procedures, with how many admitted entities are not listed yet."""
    found = db.session.scalars(select(Procedure).where(
        Procedure.authority_id == procedure.authority_id, Procedure.kind == ProcedureKind.CO_PROGRAMMING)
        .order_by(Procedure.created_at.desc())).all()
    return [(source, len(invitable(procedure, source))) for source in found if source.notice is not None]


@bp.post("/gestione/procedimenti/<int:procedure_id>/elenco/invita")
def invite_admitted_entities(procedure_id: int):
    """E-mail the entities admitted to a co-programming that are not on the list yet."""
    procedure = _list_procedure_or_404(procedure_id)
    back = redirect(url_for("qualified.manage_entries", procedure_id=procedure.id) + "#invito")
    source = db.session.get(Procedure, request.form.get("fonte", type=int) or 0)
    if not ActionForm().validate_on_submit():
        return back
    if source is None or source.authority_id != procedure.authority_id or source.kind != ProcedureKind.CO_PROGRAMMING:
        flash(_("Scegli una co-programmazione dell'azienda."), "danger")
        return back
    count = invite_admitted(procedure.notice, source, by=current_user)
    db.session.commit()
    flash(ngettext("Invito inviato a %(num)d ente.", "Invito inviato a %(num)d enti.", count) if count
          else _("Nessun ente da invitare: gli ammessi sono già nell'elenco."), "success" if count else "info")
    return back


# One entry and its decision --------------------------------------------------------------------


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _blank_decision_form() -> DecisionForm:
    today = rome_today()
    return DecisionForm(formdata=None, valid_from=today, valid_until=_years_later(today, 2),
                        review_on=_years_later(today, 1))


def _entry_page(entry: QualifiedEntry, form: DecisionForm, status: int = 200):
    form.offer(entry.state)
    services = services_of(entry)
    html = render_template(
        "qualified/staff_entry.html", entry=entry, procedure=entry.procedure, notice=entry.procedure.notice,
        services=services, form=form, history=history(entry), can_decide=bool(decisions_for(entry.state)),
        is_stale=is_stale, stale_days=stale_after_days(),
        state_labels={s.value: s.label for s in EntryState}, action_labels=ACTION_LABELS,
    )
    return html, status


@bp.route("/gestione/elenco/voci/<int:entry_id>", methods=["GET", "POST"])
def manage_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    if request.method == "GET":
        return _entry_page(entry, _blank_decision_form())
    form = DecisionForm()
    if form.validate_on_submit():
        decision, validity, missing = _parsed(form)
        try:
            if decision is None or missing:  # the reason's own problems too, all at once
                raise EntryError(check_decision(Decision.REFUSE, form.reason.data, None) or {"decision": ""})
            decide(entry, decision, form.reason.data, by=current_user, validity=validity)
        except IllegalTransition:
            db.session.rollback()
            flash(_("L'iscrizione è cambiata nel frattempo (ora: %(state)s): questa decisione non è più "
                    "possibile. Controlla lo stato e decidi di nuovo.", state=entry.state.label), "danger")
            return redirect(url_for("qualified.manage_entry", entry_id=entry.id))
        except EntryError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(str(DECISION_MESSAGES[decision]), "success")
            return redirect(url_for("qualified.manage_entry", entry_id=entry.id))
    return _entry_page(entry, form, INVALID)


def _parsed(form: DecisionForm) -> tuple[Decision | None, Validity | None, bool]:
    """The decision, its validity when it needs one, and whether a date it needs is missing
    (each missing date gets its own message; the reason is checked by the service)."""
    try:
        decision = Decision(form.decision.data)
    except ValueError:
        form.decision.errors.append(_("Scegli la decisione."))
        return None, None, False
    if not decision.needs_validity:
        return decision, None, False
    missing = False
    for field, message in ((form.valid_from, _("Indica da quando vale la qualificazione.")),
                           (form.valid_until, _("Indica fino a quando vale la qualificazione."))):
        if field.data is None:
            missing = True
            if not field.errors:
                field.errors.append(message)
    if missing:
        return decision, None, True
    return decision, Validity(form.valid_from.data, form.valid_until.data, form.review_on.data), False


def _attach(form, error: EntryError) -> None:
    """The service's messages beside their fields (a field with its own message keeps it)."""
    for name, message in error.problems.items():
        field = getattr(form, name, None) or form.reason
        if message and not field.errors:
            field.errors = [*field.errors, message]


__all__ = ["manage_entries", "manage_entry"]
