"""Mapping: contribution pages.

- /contributi: an ETS user or an invited body sees its contributions in every procedure it
  takes part in (state, and the moderator's reason when not published), or why it cannot
  contribute yet; /contributi/<slug>/nuovo adds one; /contributi/<id> shows one and, while it
  waits for moderation or was not published, changes and sends it again. Another's ID answers
  404, not even a hint that it exists.
- /gestione/procedimenti/<id>/contributi: staff moderate a procedure's contributions (filters,
  counts, pages); /gestione/contributi/<id>: approve, reject or withdraw with a reason, and the
  history; the contributor is told through the outbox.
- /tavoli/incontri/<session>/verbale/direzioni/<direction>/contributi: a facilitator of the
  session (or staff) turns a Part 2 direction into contributions, prefilled from it.

The district select narrows the comuni with htmx (the same URL answers with the comune field
alone); without JavaScript every comune is listed by district and the server checks the pair.
Views parse the form, check the permission, call one service, commit once, respond.
"""

from __future__ import annotations

from math import ceil

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..actors.services import Candidate, actor_key, candidates, public_name
from ..core.audit import history
from ..core.permissions import acting_user, can, get_permitted_or_404, require
from ..core.roles import Role
from ..extensions import db, htmx
from ..notices.models import IllegalTransition, Procedure
from ..notices.services import notice_by_slug
from ..tables.models import Direction, TableSession
from ..tables.planning_views import procedure_axes
from ..tables.services.access import parties_of
from . import bp
from .contribution_forms import (
    APPROVE,
    ContributionForm,
    DecisionForm,
    TableContributionForm,
    WithdrawForm,
)
from .models import Contribution, ContributionState, Placement
from .services.contributions import (
    EDITABLE,
    ActorInput,
    ContributionError,
    QueueFilters,
    TableActorsInput,
    actor_choices,
    contributions_from_direction,
    count_rows,
    direction_contributions,
    direction_defaults,
    moderate,
    queue_query,
    resolve_actors,
    resource_types_of,
    state_counts,
    submit_contribution,
    update_contribution,
    visible_contributions,
)

INVALID = 422
PAGE_SIZE = 25
COMUNE_TARGET = "comune-field"  # the wrapper of the comune select, swapped by htmx


# Loading ---------------------------------------------------------------------------------------


def get_procedure_or_404(slug: str) -> Procedure:
    """A procedure whose notice is public, if the user may contribute to it (403 otherwise)."""
    notice = notice_by_slug(slug)
    if notice is None or not notice.is_public:
        abort(404)
    require("mapping.contribute", notice.procedure)
    return notice.procedure


def get_contribution_or_404(contribution_id: int) -> Contribution:
    """Load and check in one place: another's contribution answers 404; anonymous users are
    sent to the login page."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None:
        abort(404)
    if acting_user() is not None and not can("mapping.change_contribution", contribution):
        abort(404)
    require("mapping.change_contribution", contribution)
    return contribution


def _staff_procedure_or_404(procedure_id: int) -> Procedure:
    return get_permitted_or_404("mapping.moderate", Procedure, procedure_id)


def _staff_contribution_or_404(contribution_id: int) -> Contribution:
    return get_permitted_or_404("mapping.moderate", Contribution, contribution_id)


def _direction_or_404(session_id: int, direction_id: int) -> tuple[TableSession, Direction]:
    """The direction of the session's verbale, for its facilitators and staff (others 403)."""
    session = db.session.get(TableSession, session_id)
    if session is None:
        abort(404)
    require("mapping.contribute_at_table", session)
    direction = db.session.get(Direction, direction_id)
    if direction is None or direction.minutes.session_id != session.id:
        abort(404)
    return session, direction


# Forms: choices, data, problems ----------------------------------------------------------------


def _set_choices(form, procedure: Procedure, *, actors=None) -> None:
    """Every choice of the form; `actors`: whom the user may contribute for (online form)."""
    authority = procedure.authority
    blank = [SelectChoice("", _("Scegli…"))]
    form.axis_id.choices = blank + [SelectChoice(a.id, a.name) for a in procedure_axes(procedure)]
    form.resource_type_id.choices = blank + [SelectChoice(t.id, t.label) for t in resource_types_of(authority)]
    form.district_id.choices = blank + [SelectChoice(d.id, d.name) for d in authority.districts]
    form.comune_id.choices = _comune_choices(procedure, form.district_id.data)
    form.district_id.render_kw = {
        "hx-get": request.path, "hx-trigger": "change", "hx-target": f"#{COMUNE_TARGET}",
        "hx-swap": "outerHTML", "hx-include": f"#{form.district_id.id}, #{form.comune_id.id}",
    }
    if actors is not None:
        form.actor.choices = ([] if len(actors) == 1 else blank) + [SelectChoice(c.key, c.name) for c in actors]
        form.collaborators.choices = [(c.key, c.name) for c in candidates(procedure)]


def _comune_choices(procedure: Procedure, district_id) -> list[SelectChoice]:
    """The comuni of the district chosen; before a choice, all of them by district."""
    districts = procedure.authority.districts
    chosen = next((d for d in districts if d.id == district_id), None)
    blank = [SelectChoice("", _("Nessuno in particolare"))]
    if chosen is not None:
        return blank + [SelectChoice(c.id, c.name) for c in chosen.comuni]
    return blank + [SelectChoice(c.id, c.name, optgroup=d.name) for d in districts for c in d.comuni]


def _comune_fragment(form, procedure: Procedure):
    """The comune field alone, for the district just chosen (htmx)."""
    form.process(formdata=request.args)
    district_id = None if form.district_id.process_errors else form.district_id.data
    form.comune_id.choices = _comune_choices(procedure, district_id)
    return render_template("mapping/_contribution_comune.html", form=form)


def _wants_comuni() -> bool:
    return bool(htmx) and not htmx.boosted and request.method == "GET" and htmx.target == COMUNE_TARGET


def _resource_data(form) -> dict:
    """What, where, how much, as the service takes it; a field in error gives None."""
    def ok(field):
        return None if field.errors else field.data

    return {
        "axis_id": ok(form.axis_id), "resource_type_id": ok(form.resource_type_id),
        "description": form.description.data, "offer_mode": ok(form.offer_mode),
        "district_id": ok(form.district_id), "comune_id": ok(form.comune_id), "address": form.address.data,
        "longitude": ok(form.longitude), "latitude": ok(form.latitude),
        "capacity": ok(form.capacity), "capacity_note": form.capacity_note.data,
        "available_from": ok(form.available_from), "available_until": ok(form.available_until),
    }


def _actor_input(form: ContributionForm) -> ActorInput:
    return ActorInput(actor_key=form.actor.data or None, collaborator_keys=list(form.collaborators.data or []),
                      new_collaborators=form.new_collaborators.data or "",
                      new_collaborator_kind=form.new_collaborator_kind.data)


def _form_problems(form) -> dict[str, str]:
    """The form's own errors, so that the service refuses the whole input with them."""
    return {f.name: str(f.errors[0]) for f in form if f.errors and f.type != "CSRFTokenField"}


def _put_problems(form, problems: dict[str, str]) -> None:
    """The service's problems beside their fields, unless the form already found one there."""
    for name, message in problems.items():
        field = form._fields.get(getattr(form, "FIELDS", {}).get(name, name))
        if field is not None and not field.errors:
            field.errors = [message]


def _refused(form, error: ContributionError) -> None:
    """Nothing half-saved (actors named on the way included); the messages beside the fields."""
    db.session.rollback()
    _put_problems(form, error.problems)


def _fill(form: ContributionForm, contribution: Contribution) -> None:
    """Show a stored contribution (the point only if it was placed precisely)."""
    form.actor.data = actor_key(contribution.actor)
    form.collaborators.data = [actor_key(a) for a in contribution.collaborators]
    for name in ("axis_id", "resource_type_id", "district_id", "comune_id", "description", "address",
                 "capacity_note", "available_from", "available_until"):
        getattr(form, name).data = getattr(contribution, name)
    form.offer_mode.data = contribution.offer_mode.value
    form.capacity.data = "" if contribution.capacity is None else str(contribution.capacity)
    if contribution.placement == Placement.ADDRESS:
        form.longitude.data, form.latitude.data = _degrees(contribution.longitude), _degrees(contribution.latitude)


def _degrees(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


# The contributor's pages -----------------------------------------------------------------------


@bp.get("/contributi")
def my_contributions():
    require("mapping.my_contributions")
    parties = parties_of(current_user)
    procedures = {p.procedure.id: p.procedure for p in parties}
    contributions = visible_contributions(current_user)
    for contribution in contributions:
        procedures.setdefault(contribution.procedure_id, contribution.procedure)
    blocks = [(procedure, [c for c in contributions if c.procedure_id == procedure.id],
               [p.name for p in parties if p.procedure.id == procedure.id])
              for procedure in procedures.values()]
    return render_template("mapping/contributions_mine.html", blocks=blocks, has_parties=bool(parties),
                           invited=current_user.role == Role.INVITED_BODY)


@bp.route("/contributi/<slug>/nuovo", methods=["GET", "POST"])
def new_contribution(slug: str):
    procedure = get_procedure_or_404(slug)
    actors = actor_choices(current_user, procedure)
    form = ContributionForm()
    if _wants_comuni():
        return _comune_fragment(form, procedure)
    _set_choices(form, procedure, actors=actors)
    if request.method == "POST":
        form.validate()  # formats; the service then finds every other problem at once
        try:
            who, problems = resolve_actors(procedure, _actor_input(form), allowed=[c.key for c in actors], by=current_user)
            contribution = submit_contribution(procedure, {**_resource_data(form), **who}, by=current_user,
                                               problems={**problems, **_form_problems(form)})
        except ContributionError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Contributo inviato: sarà pubblicato dopo la verifica del personale."), "success")
            return redirect(url_for("mapping.contribution_page", contribution_id=contribution.id))
    page = render_template("mapping/contribution_new.html", procedure=procedure, form=form,
                           candidates=_kinds(procedure))
    db.session.commit()  # the resource types, created the first time they are shown
    return page, INVALID if request.method == "POST" else 200


def _kinds(procedure: Procedure) -> dict[str, str]:
    """{candidate key: kind label}, to group the collaborators' checkboxes."""
    return {c.key: str(c.kind.label) for c in candidates(procedure)}


@bp.route("/contributi/<int:contribution_id>", methods=["GET", "POST"])
def contribution_page(contribution_id: int):
    contribution = get_contribution_or_404(contribution_id)
    procedure = contribution.procedure
    if contribution.state not in EDITABLE:
        if request.method == "POST":  # published meanwhile
            flash(_("Il contributo è pubblicato: non si può più modificare."), "warning")
            return redirect(url_for("mapping.contribution_page", contribution_id=contribution.id))
        return _contribution_page(contribution, None)
    actors = actor_choices(current_user, procedure)
    keys = [c.key for c in actors]
    if actor_key(contribution.actor) not in keys:  # kept even if no longer the user's to choose
        actors = [*actors, _current_choice(contribution)]
    form = ContributionForm(formdata=None) if request.method == "GET" and not _wants_comuni() else ContributionForm()
    if _wants_comuni():
        return _comune_fragment(form, procedure)
    if request.method == "GET":
        _fill(form, contribution)
    _set_choices(form, procedure, actors=actors)
    if request.method == "POST":
        form.validate()
        try:
            who, problems = resolve_actors(procedure, _actor_input(form), allowed=keys, by=current_user,
                                           current=contribution.actor)
            update_contribution(contribution, {**_resource_data(form), **who}, by=current_user,
                                problems={**problems, **_form_problems(form)})
        except ContributionError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Contributo salvato: sarà pubblicato dopo la verifica del personale."), "success")
            return redirect(url_for("mapping.contribution_page", contribution_id=contribution.id))
    return _contribution_page(contribution, form), INVALID if request.method == "POST" else 200


def _current_choice(contribution: Contribution) -> Candidate:
    actor = contribution.actor
    return Candidate(actor_key(actor), actor.name, actor.kind)


def _contribution_page(contribution: Contribution, form):
    procedure = contribution.procedure
    return render_template("mapping/contribution.html", contribution=contribution, procedure=procedure, form=form,
                           candidates=_kinds(procedure), actor_name=public_name)


# Moderation (staff) ----------------------------------------------------------------------------


def _queue_filters(procedure: Procedure) -> QueueFilters:
    def one_of(name: str, allowed) -> int | None:
        value = request.args.get(name, type=int)
        return value if value in allowed else None

    state = request.args.get("stato")
    authority = procedure.authority
    return QueueFilters(
        state=ContributionState(state) if state in {s.value for s in ContributionState} else None,
        axis_id=one_of("asse", {a.id for a in authority.axes}),
        resource_type_id=one_of("tipo", {t.id for t in resource_types_of(authority, active_only=False)}),
        district_id=one_of("distretto", {d.id for d in authority.districts}),
    )


@bp.get("/gestione/procedimenti/<int:procedure_id>/contributi")
def moderation_queue(procedure_id: int):
    procedure = _staff_procedure_or_404(procedure_id)
    filters = _queue_filters(procedure)
    query = queue_query(procedure, filters)
    total = count_rows(query)
    pages = max(ceil(total / PAGE_SIZE), 1)
    page = min(max(request.args.get("pagina", 1, type=int), 1), pages)
    context = dict(
        procedure=procedure, notice=procedure.notice, filters=filters, total=total, page=page, pages=pages,
        contributions=list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))),
        counts=state_counts(procedure), states=list(ContributionState), axes=procedure.authority.axes,
        types=resource_types_of(procedure.authority, active_only=False), districts=procedure.authority.districts,
        actor_name=public_name,
    )
    template = "mapping/_contribution_queue_results.html" if htmx and not htmx.boosted else "mapping/contribution_queue.html"
    response = render_template(template, **context)
    db.session.commit()  # the resource types, created the first time they are shown
    return response


@bp.route("/gestione/contributi/<int:contribution_id>", methods=["GET", "POST"])
def moderate_contribution(contribution_id: int):
    contribution = _staff_contribution_or_404(contribution_id)
    form = WithdrawForm() if contribution.state == ContributionState.APPROVED else DecisionForm()
    if request.method == "POST" and contribution.state == ContributionState.REJECTED:
        flash(_("Il contributo non è pubblicato: il contributore può correggerlo e inviarlo di nuovo."), "warning")
        return redirect(url_for("mapping.moderate_contribution", contribution_id=contribution_id))
    if form.validate_on_submit():
        target = (ContributionState.APPROVED if getattr(form, "decision", None) and form.decision.data == APPROVE
                  else ContributionState.REJECTED)
        try:
            moderate(contribution, target, form.reason.data, by=current_user)
        except ContributionError as error:
            _refused(form, error)
        except IllegalTransition:
            db.session.rollback()
            flash(_("Il contributo è cambiato nel frattempo: la decisione non è stata registrata."), "danger")
            return redirect(url_for("mapping.moderate_contribution", contribution_id=contribution_id))
        else:
            db.session.commit()
            flash(_("Decisione registrata e comunicata al contributore."), "success")
            return redirect(url_for("mapping.moderate_contribution", contribution_id=contribution_id))
    return render_template(
        "mapping/contribution_review.html", contribution=contribution, procedure=contribution.procedure,
        notice=contribution.procedure.notice, form=form, history=history(contribution), actor_name=public_name,
        state_labels={s.value: s.label for s in ContributionState},
    ), INVALID if form.is_submitted() else 200


# From the tables -------------------------------------------------------------------------------


@bp.route("/tavoli/incontri/<int:session_id>/verbale/direzioni/<int:direction_id>/contributi", methods=["GET", "POST"])
def contributions_from_table(session_id: int, direction_id: int):
    session, direction = _direction_or_404(session_id, direction_id)
    procedure = session.procedure
    made = direction_contributions([direction.id]).get(direction.id, [])
    defaults = direction_defaults(direction)
    done = {c.actor_id for c in made}  # ticked again only if still without a contribution
    defaults["actors"] = [actor_key(a) for a in direction.actors if a.id not in done]
    form = TableContributionForm(data=defaults) if request.method == "GET" and not _wants_comuni() else TableContributionForm()
    if _wants_comuni():
        return _comune_fragment(form, procedure)
    _set_choices(form, procedure)
    form.actors.choices = [(actor_key(a), public_name(a)) for a in direction.actors]
    if request.method == "POST":
        form.validate()
        given = TableActorsInput(actor_keys=list(form.actors.data or []), new_actors=form.new_actors.data or "",
                                 new_actor_kind=form.new_actor_kind.data)
        try:
            created = contributions_from_direction(direction, given, _resource_data(form), by=current_user,
                                                   problems=_form_problems(form))
        except ContributionError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Contributi creati dal tavolo: %(num)d, in attesa di moderazione.", num=len(created)), "success")
            return redirect(url_for("mapping.contributions_from_table", session_id=session_id, direction_id=direction_id))
    page = render_template(
        "mapping/contribution_from_direction.html", session=session, direction=direction, form=form,
        made=made, actor_name=public_name,
        kinds={actor_key(a): str(a.kind.label) for a in direction.actors},
    )
    db.session.commit()  # the resource types, created the first time they are shown
    return page, INVALID if request.method == "POST" else 200


@bp.app_template_global()
def contributions_by_direction(directions) -> dict[int, list[Contribution]]:
    """For the verbale's Part 2: each direction's contributions already made (one query)."""
    return direction_contributions(d.id for d in directions if d.id is not None)
