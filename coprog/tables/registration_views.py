"""Tables: registration pages.

- /tavoli/iscrizioni: an admitted ETS or an invited body sees the upcoming sessions of the
  procedures it takes part in, registers its people (/tavoli/iscrizioni/incontri/<id>, the same
  page with the form of that session) and cancels them. It sees only its own registrations:
  another's ID answers 404.
- /gestione/tavoli/incontri/<id>/iscrizioni: staff see, filter, add (any category), cancel and
  export (CSV, personal data) every registration of a session.

Views parse the form, check the permission, call one use-case, commit once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..applications.forms import ActionForm
from ..applications.models import ApplicationState
from ..applications.services import applications_of
from ..core.permissions import acting_user, can, require
from ..core.roles import Role
from ..core.time import to_rome
from ..extensions import db, htmx
from ..notices.models import Procedure
from ..organisations.services import organisations_of
from . import bp
from .models import CO_OPTED_CATEGORY, Registration, RegistrationState, TableSession
from .registration_forms import PartyRegistrationForm, StaffRegistrationForm
from .services.access import Party, parties_of
from .services.planning import categories_of
from .services.registrations import (
    ACTIVE,
    RegistrationError,
    cancel,
    cancel_problem,
    count_rows,
    count_visible_past,
    fold,
    occupancy,
    register,
    registration_counts,
    registrations_csv,
    registrations_in,
    upcoming_sessions,
    visible_registrations,
    waitlist_position,
    waitlist_positions,
)

INVALID = 422
PAGE_SIZE = 50
PAST_SHOWN = 50
FORM_FIELDS = {"full_name": "full_name", "email": "email", "group_id": "group_id", "category_id": "category"}


# Loading -----------------------------------------------------------------------------------------


def get_session_or_404(session_id: int) -> TableSession:
    session = db.session.get(TableSession, session_id)
    if session is None:
        abort(404)
    return session


def get_registration_or_404(registration_id: int) -> Registration:
    """Load and check in one place: someone else's registration answers 404, not even a hint
    that the ID exists; anonymous users are sent to the login page."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    if acting_user() is not None and not can("tables.change_registration", registration):
        abort(404)
    require("tables.change_registration", registration)
    return registration


# Shared by both forms ----------------------------------------------------------------------------


def _chosen_group(session: TableSession, form):
    group = next((g for g in session.groups if str(g.id) == (form.group_id.data or "")), None)
    if group is None:
        form.group_id.errors.append(_("Scegliere uno dei tavoli di questo incontro."))
    return group


def _register(session: TableSession, form, category, **extra) -> Registration | None:
    """Call the use-case; a refusal goes beside its field (or above the form), nothing saved."""
    group = _chosen_group(session, form)
    if group is None or category is None or _has_errors(form):
        return None
    try:
        return register(session, group, category, full_name=form.full_name.data, email=form.email.data or None,
                        affiliation=form.affiliation.data or "", by=current_user, **extra)
    except RegistrationError as error:
        db.session.rollback()
        target = getattr(form, FORM_FIELDS.get(error.field or "", ""), None)
        if target is None:
            form.problem = str(error)
        else:
            target.errors.append(str(error))
        return None


def _has_errors(form) -> bool:
    return any(f.errors for f in form)


def _outcome_message(registration: Registration) -> tuple[str, str]:
    """The flash after a registration: confirmed, or on the waitlist with its position."""
    if registration.state == RegistrationState.WAITLISTED:
        return _("Incontro al completo: %(name)s è in lista d'attesa, posizione %(position)d. Se si libera un "
                 "posto passerà tra gli iscritti.", name=registration.full_name,
                 position=waitlist_position(registration)), "warning"
    return _("Iscrizione di %(name)s confermata.", name=registration.full_name), "success"


# The registrant's page ---------------------------------------------------------------------------


@dataclass
class ProcedureBlock:
    """One procedure the user takes part in: on whose behalf, and its sessions to come."""

    procedure: Procedure
    parties: list[Party]
    sessions: list[TableSession] = field(default_factory=list)


def _blocks(parties: list[Party]) -> list[ProcedureBlock]:
    blocks: dict[int, ProcedureBlock] = {}
    for party in parties:
        blocks.setdefault(party.procedure.id, ProcedureBlock(party.procedure, [])).parties.append(party)
    for session in upcoming_sessions([b.procedure for b in blocks.values()]):
        blocks[session.procedure_id].sessions.append(session)
    return list(blocks.values())


def _why_not_registering(user) -> dict:
    """What the empty state says: the user's organisations and their applications."""
    if user.role != Role.ETS:
        return {"organisations": [], "applications": []}
    organisations = organisations_of(user)
    applications = [a for a in applications_of(organisations) if a.state != ApplicationState.SUPERSEDED]
    return {"organisations": organisations, "applications": applications}


def _registrant_page(chosen: TableSession | None = None, form=None):
    parties = parties_of(current_user)
    blocks = _blocks(parties)
    sessions = [s for b in blocks for s in b.sessions]
    upcoming = visible_registrations(current_user, upcoming=True)
    past = visible_registrations(current_user, upcoming=False, limit=PAST_SHOWN)
    context = dict(
        blocks=blocks, chosen=chosen, form=form, places=occupancy(sessions + ([chosen] if chosen else [])),
        upcoming=upcoming, positions=waitlist_positions(r.session_id for r in upcoming), past=past,
        past_count=count_visible_past(current_user) if len(past) == PAST_SHOWN else len(past),
        why=_why_not_registering(current_user) if not parties else None,
        co_opted_category=CO_OPTED_CATEGORY,
    )
    return render_template("tables/registrations.html", **context)


@bp.get("/tavoli/iscrizioni")
def my_registrations():
    require("tables.my_registrations")
    return _registrant_page()


@bp.route("/tavoli/iscrizioni/incontri/<int:session_id>", methods=["GET", "POST"])
def register_person(session_id: int):
    require("tables.my_registrations")
    session = get_session_or_404(session_id)
    require("tables.register", session.procedure)  # an ETS not admitted (yet) gets 403
    parties = parties_of(current_user, session.procedure)
    form = _party_form(session, parties)
    if form.is_submitted():
        form.validate()  # field checks; then the choices, so that every error shows at once
        registration = _register_for_party(session, form, parties)
        if registration is not None:
            db.session.commit()
            flash(*_outcome_message(registration))
            return redirect(url_for("tables.register_person", session_id=session.id))
    status = INVALID if request.method == "POST" else 200
    return _registrant_page(chosen=session, form=form), status


def _party_form(session: TableSession, parties: list[Party]) -> PartyRegistrationForm:
    form = PartyRegistrationForm()
    form.problem = None
    form.set_groups(session)
    form.party.choices = [(p.key, p.name) for p in parties]
    party = next((p for p in parties if p.key == form.party.data), parties[0])
    labels = {c.code: c.label for c in categories_of(session.procedure)}
    form.category.choices = [(code, labels.get(code, code)) for code in party.categories]
    form.co_opted_names = list(dict.fromkeys(n for p in parties for n in p.co_opted_names))
    form.affiliation_options = list(dict.fromkeys([p.name for p in parties] + form.co_opted_names))
    form.affiliation.render_kw = {"list": "affiliation-options", "autocomplete": "off"}
    if not form.is_submitted():
        form.party.data, form.category.data, form.affiliation.data = party.key, party.categories[0], party.name
    return form


def _register_for_party(session: TableSession, form: PartyRegistrationForm, parties: list[Party]):
    party = next((p for p in parties if p.key == form.party.data), None)
    if party is None:
        form.party.errors.append(_("Scegliere l'ente per conto del quale si iscrive la persona."))
        return None
    category = _party_category(session, form, party)
    if category is not None and category.code == CO_OPTED_CATEGORY:
        _check_co_opted(form, party)
    elif not form.affiliation.data:
        form.affiliation.data = party.name
    return _register(session, form, category, organisation_id=party.organisation_id,
                     invitation_id=party.invitation_id)


def _party_category(session, form, party: Party):
    if form.category.errors:
        return None
    if form.category.data not in party.categories:
        form.category.errors.append(_("Categoria non consentita: scegliere una delle categorie proposte."))
        return None
    return next(c for c in categories_of(session.procedure) if c.code == form.category.data)


def _check_co_opted(form, party: Party) -> None:
    """A co-opted subject takes part only if the ETS named it in its application: the
    affiliation must be one of those names (spelled as in the application)."""
    names = {fold(n): n for n in party.co_opted_names}
    name = names.get(fold(form.affiliation.data or ""))
    if name is None:
        form.affiliation.errors.append(
            _("Per un soggetto cooptato indicare uno dei soggetti cooptati nella domanda: %(names)s.",
              names="; ".join(party.co_opted_names)))
    else:
        form.affiliation.data = name


# Cancelling (registrant and staff) ---------------------------------------------------------------


@bp.route("/tavoli/iscrizioni/<int:registration_id>/annulla", methods=["GET", "POST"])
def cancel_registration(registration_id: int):
    require("tables.my_registrations")
    registration = get_registration_or_404(registration_id)
    return _cancel_page(registration, back=url_for("tables.my_registrations"), staff=False)


@bp.route("/gestione/tavoli/iscrizioni/<int:registration_id>/annulla", methods=["GET", "POST"])
def staff_cancel_registration(registration_id: int):
    require("tables.plan")
    registration = get_registration_or_404(registration_id)
    back = url_for("tables.session_registrations", session_id=registration.session_id)
    return _cancel_page(registration, back=back, staff=True)


def _cancel_page(registration: Registration, *, back: str, staff: bool):
    """GET asks for confirmation; POST cancels (or says why not, 422)."""
    form = ActionForm()
    problem = None
    if form.validate_on_submit():
        name = registration.full_name
        try:
            promoted = cancel(registration, by=current_user)
        except RegistrationError as error:
            db.session.rollback()
            problem = str(error)
        else:
            db.session.commit()
            flash(_cancelled_message(name, promoted, staff), "success")
            return redirect(back)
    elif form.is_submitted():
        problem = _("Richiesta non valida: ricarica la pagina e riprova.")
    status = INVALID if request.method == "POST" else 200
    return render_template(
        "tables/registrations_cancel.html", registration=registration, form=form, back=back, staff=staff,
        problem=problem or cancel_problem(registration), position=waitlist_position(registration),
    ), status


def _cancelled_message(name: str, promoted: Registration | None, staff: bool) -> str:
    message = _("Iscrizione di %(name)s annullata.", name=name)
    if promoted is None:
        return message
    if staff:  # registrants do not learn who, from another organisation, moved up
        return message + " " + _("%(name)s passa dalla lista d'attesa agli iscritti.", name=promoted.full_name)
    return message + " " + _("Il posto passa alla prima persona in lista d'attesa.")


# Staff: the registrations of one session ---------------------------------------------------------

STATE_FILTERS = {
    "": (ACTIVE, _l("Iscritti e in lista d'attesa")),
    "confermate": ((RegistrationState.CONFIRMED,), _l("Iscritti (posto confermato)")),
    "attesa": ((RegistrationState.WAITLISTED,), _l("In lista d'attesa")),
    "annullate": ((RegistrationState.CANCELLED,), _l("Annullate")),
    "tutte": ((), _l("Tutte, anche le annullate")),
}


def _staff_session_or_404(session_id: int) -> TableSession:
    session = get_session_or_404(session_id)
    require("tables.plan", session.procedure)
    return session


def _staff_filters(session: TableSession) -> dict:
    state = request.args.get("stato", "")
    category = request.args.get("categoria", type=int)
    group = request.args.get("tavolo", type=int)
    return {
        "stato": state if state in STATE_FILTERS else "",
        "categoria": category if category in {c.id for c in categories_of(session.procedure)} else None,
        "tavolo": group if group in {g.id for g in session.groups} else None,
    }


@bp.route("/gestione/tavoli/incontri/<int:session_id>/iscrizioni", methods=["GET", "POST"])
def session_registrations(session_id: int):
    session = _staff_session_or_404(session_id)
    categories = categories_of(session.procedure)
    form = StaffRegistrationForm()
    form.problem = None
    form.set_groups(session)
    form.category.choices = [("", _("Scegliere…"))] + [(c.code, c.label) for c in categories]
    if form.is_submitted():
        form.validate()
        category = next((c for c in categories if c.code == form.category.data), None)
        if category is None and not form.category.errors:
            form.category.errors.append(_("Scegliere una delle categorie del procedimento."))
        registration = _register(session, form, category)
        if registration is not None:
            db.session.commit()
            flash(*_outcome_message(registration))
            return redirect(url_for("tables.session_registrations", session_id=session.id))
    listing = _staff_listing(session)
    if htmx and not htmx.boosted and request.method == "GET":
        return render_template("tables/_registrations_list.html", session=session, **listing)
    status = INVALID if request.method == "POST" else 200
    return render_template(
        "tables/registrations_staff.html", session=session, form=form, categories=categories,
        counts=registration_counts(session), places=occupancy([session])[session.id],
        state_filters=STATE_FILTERS, **listing,
    ), status


def _staff_listing(session: TableSession) -> dict:
    filters = _staff_filters(session)
    query = registrations_in(session, states=STATE_FILTERS[filters["stato"]][0],
                             category_id=filters["categoria"], group_id=filters["tavolo"])
    total = count_rows(query)
    pages = max(ceil(total / PAGE_SIZE), 1)
    page = min(max(request.args.get("pagina", 1, type=int), 1), pages)
    registrations = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return dict(filters=filters, registrations=registrations, total=total, page=page, pages=pages,
                positions=waitlist_positions([session.id]))


@bp.get("/gestione/tavoli/incontri/<int:session_id>/iscrizioni.csv")
def session_registrations_csv(session_id: int):
    session = _staff_session_or_404(session_id)
    name = f"iscrizioni-incontro-{session.id}-{to_rome(session.starts_at):%Y-%m-%d}.csv"
    response = Response(registrations_csv(session), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"  # personal data
    return response
