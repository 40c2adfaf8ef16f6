"""Sub-procedure pages: staff open one on a procedure and invite bodies; the invited body
answers through its e-mailed link at /invito/<token>.

Views parse the form, check the permission, call one service, commit once, respond.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.views import start_session
from ..core.audit import history
from ..core.permissions import get_permitted_or_404
from ..core.time import utcnow
from ..extensions import db
from ..notices.models import IllegalTransition, Procedure
from . import bp
from .forms import AcceptForm, ActionForm, DeclineForm, InvitationForm, SubProcedureForm
from .models import (
    DEFAULT_LEGAL_BASIS,
    INVITATION_STATE_LABELS,
    Invitation,
    InvitationState,
    SubProcedure,
    SubProcedureState,
)
from .services import (
    DuplicateInvitation,
    InvalidInvitationToken,
    PasswordNeeded,
    SubProcedureError,
    accept_invitation,
    create_subprocedure,
    decline_invitation,
    invitation_for_token,
    invitations_of,
    invite_body,
    open_invitation,
    resend_invitation,
    revoke_invitation,
    state_counts,
    subprocedures_of,
)

INVALID = 422
OUTCOME_KEY = "invitation_outcome"


# Loading ---------------------------------------------------------------------------------------


def get_procedure_or_404(procedure_id: int) -> Procedure:
    return get_permitted_or_404("subprocedures.manage", Procedure, procedure_id)


def get_subprocedure_or_404(sub_id: int) -> SubProcedure:
    return get_permitted_or_404("subprocedures.manage", SubProcedure, sub_id)


def get_invitation_or_404(sub_id: int, invitation_id: int) -> Invitation:
    sub = get_subprocedure_or_404(sub_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.sub_procedure_id != sub.id:
        abort(404)
    return invitation


def _form_page(template: str, **context):
    status = INVALID if request.method == "POST" else 200
    return render_template(template, **context), status


# Staff: the sub-procedures of a procedure ------------------------------------------------------


@bp.route("/gestione/procedure/<int:procedure_id>/sub-procedimenti", methods=["GET", "POST"])
def for_procedure(procedure_id: int):
    procedure = get_procedure_or_404(procedure_id)
    form = SubProcedureForm()
    if form.validate_on_submit():
        sub = create_subprocedure(procedure, form.data, by=current_user)
        db.session.commit()
        flash(_("Sub-procedimento creato in bozza: aprilo per poter invitare i soggetti."), "success")
        return redirect(url_for("subprocedures.manage", sub_id=sub.id))
    if request.method == "GET":
        form.legal_basis.data = form.legal_basis.data or DEFAULT_LEGAL_BASIS
    return _form_page(
        "subprocedures/list.html", form=form, procedure=procedure, notice=procedure.notice,
        subprocedures=subprocedures_of(procedure),
    )


# Staff: one sub-procedure, its invitations and the invitation form -----------------------------


@bp.route("/gestione/sub-procedimenti/<int:sub_id>", methods=["GET", "POST"])
def manage(sub_id: int):
    sub = get_subprocedure_or_404(sub_id)
    form = InvitationForm()
    if form.validate_on_submit() and _invite(sub, form):
        db.session.commit()
        flash(_("Invito inviato a %(email)s.", email=form.email.data), "success")
        return redirect(url_for("subprocedures.manage", sub_id=sub.id))
    now = utcnow()
    invitations = invitations_of(sub)
    return _form_page(
        "subprocedures/manage.html", sub=sub, notice=sub.procedure.notice, form=form,
        action_form=ActionForm(formdata=None), invitations=invitations,
        counts=state_counts(invitations, now), now=now, history=history(sub),
    )


def _invite(sub: SubProcedure, form: InvitationForm) -> bool:
    """Invite the body; a refusal goes beside the field it is about."""
    data = {name: form[name].data for name in ("body_kind", "body_name", "tax_code", "email")}
    try:
        invite_body(sub, data, by=current_user)
    except DuplicateInvitation as error:
        db.session.rollback()
        form.email.errors = [*form.email.errors, str(error)]
        return False
    except SubProcedureError as error:
        db.session.rollback()
        form.body_kind.errors = [*form.body_kind.errors, str(error)]
        return False
    return True


TRANSITIONS = {
    "apri": ("open", _l("Sub-procedimento aperto: ora puoi invitare i soggetti.")),
    "chiudi": ("close", _l("Sub-procedimento chiuso: i collegamenti ancora aperti non valgono più.")),
}


@bp.post("/gestione/sub-procedimenti/<int:sub_id>/stato/<action>")
def transition(sub_id: int, action: str):
    sub = get_subprocedure_or_404(sub_id)
    if action not in TRANSITIONS:
        abort(404)
    method, message = TRANSITIONS[action]
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("Richiesta non valida: riprova."), "danger")
    elif _run(lambda: _move(sub, method, form.reason.data)):
        flash(str(message), "success")
    return redirect(url_for("subprocedures.manage", sub_id=sub.id))


def _move(sub: SubProcedure, method: str, reason: str | None) -> None:
    if method == "open":
        sub.open(by=current_user)
    else:
        sub.close(by=current_user, reason=reason or None)


def _run(action) -> bool:
    """Run one change and commit it; an illegal move is refused with a message."""
    try:
        action()
    except (IllegalTransition, SubProcedureError):
        db.session.rollback()
        flash(_("Operazione non consentita nello stato attuale."), "danger")
        return False
    db.session.commit()
    return True


# Staff: one invitation ---------------------------------------------------------------------------


@bp.get("/gestione/sub-procedimenti/<int:sub_id>/inviti/<int:invitation_id>")
def invitation(sub_id: int, invitation_id: int):
    invitation = get_invitation_or_404(sub_id, invitation_id)
    return render_template(
        "subprocedures/invitation.html", invitation=invitation, sub=invitation.sub_procedure,
        notice=invitation.sub_procedure.procedure.notice, action_form=ActionForm(formdata=None),
        history=history(invitation), now=utcnow(),
    )


@bp.post("/gestione/sub-procedimenti/<int:sub_id>/inviti/<int:invitation_id>/reinvia")
def resend(sub_id: int, invitation_id: int):
    invitation = get_invitation_or_404(sub_id, invitation_id)
    if ActionForm().validate_on_submit() and _run(lambda: resend_invitation(invitation, by=current_user)):
        flash(_("Nuovo collegamento inviato a %(email)s; il precedente non vale più.", email=invitation.email), "success")
    return redirect(url_for("subprocedures.invitation", sub_id=sub_id, invitation_id=invitation.id))


@bp.post("/gestione/sub-procedimenti/<int:sub_id>/inviti/<int:invitation_id>/revoca")
def revoke(sub_id: int, invitation_id: int):
    invitation = get_invitation_or_404(sub_id, invitation_id)
    form = ActionForm()
    if form.validate_on_submit() and _run(
        lambda: revoke_invitation(invitation, by=current_user, reason=form.reason.data)
    ):
        flash(_("Invito revocato: il collegamento non vale più."), "success")
    return redirect(url_for("subprocedures.invitation", sub_id=sub_id, invitation_id=invitation.id))


# The invited body: the e-mailed link -------------------------------------------------------------


def _link_refused(error: InvalidInvitationToken):
    """400 for a link that never was (or was replaced); 410 for one that no longer works."""
    return render_template("subprocedures/link_invalid.html", error=error), (410 if error.gone else 400)


def _answer_page(invitation: Invitation, token: str, accept_form=None, decline_form=None):
    if accept_form is None:
        accept_form = AcceptForm(formdata=None)
        accept_form.contacts.entries[0].form.email.data = invitation.email
    return _form_page(
        "subprocedures/public_invitation.html", invitation=invitation, sub=invitation.sub_procedure,
        token=token, accept_form=accept_form, decline_form=decline_form or DeclineForm(formdata=None),
    )


@bp.get("/invito/<token>")
def invitation_page(token: str):
    try:
        invitation = open_invitation(token)
    except InvalidInvitationToken as error:
        return _link_refused(error)
    db.session.commit()
    return _answer_page(invitation, token)


@bp.post("/invito/<token>/accetta")
def accept(token: str):
    try:
        invitation = invitation_for_token(token)
    except InvalidInvitationToken as error:
        return _link_refused(error)
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            result = accept_invitation(token, form.contact_rows(), form.password.data)
        except PasswordNeeded as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, str(error)]
        else:
            db.session.commit()
            return _outcome(result.invitation, "accepted", _account_outcome(result), user=result.user if result.signed_in else None)
    return _answer_page(invitation, token, accept_form=form)


def _account_outcome(result) -> str:
    if not result.created:
        return "linked"
    return "signed_in" if result.signed_in else "verify"


@bp.post("/invito/<token>/rifiuta")
def decline(token: str):
    try:
        invitation = invitation_for_token(token)
    except InvalidInvitationToken as error:
        return _link_refused(error)
    form = DeclineForm()
    if form.validate_on_submit():
        decline_invitation(token, form.reason.data)
        db.session.commit()
        return _outcome(invitation, "declined", None)
    return _answer_page(invitation, token, decline_form=form)


def _outcome(invitation: Invitation, result: str, account: str | None, *, user=None):
    if user is not None:
        start_session(user)
    session[OUTCOME_KEY] = {"id": invitation.id, "result": result, "account": account}
    return redirect(url_for("subprocedures.answered"))


@bp.get("/invito/esito")
def answered():
    outcome = session.get(OUTCOME_KEY)
    invitation = db.session.get(Invitation, outcome["id"]) if isinstance(outcome, dict) else None
    if invitation is None:
        return redirect(url_for("pages.home"))
    return render_template(
        "subprocedures/outcome.html", invitation=invitation, sub=invitation.sub_procedure,
        result=outcome.get("result"), account=outcome.get("account"),
    )


# Labels shared by the templates ------------------------------------------------------------------

AUDIT_LABELS = {
    "create": _l("Creazione"),
    "state": _l("Cambio di stato"),
    "invited": _l("Invito inviato"),
    "resent": _l("Invito inviato di nuovo"),
    "opened": _l("Collegamento aperto"),
    "accepted": _l("Invito accettato"),
    "declined": _l("Invito rifiutato"),
    "expired": _l("Invito scaduto"),
    "revoked": _l("Invito revocato"),
}


@bp.context_processor
def subprocedure_labels():
    states = {state.value: state.label for state in SubProcedureState}
    states.update({state.value: label for state, label in INVITATION_STATE_LABELS.items()})
    return {
        "audit_labels": AUDIT_LABELS,
        "state_labels": states,
        "invitation_states": list(InvitationState),
    }
