"""Contributions: the taxonomy, submission with its checks, changes, moderation with its
notice to the contributor, and contributions taken from a verbale's Part 2. Use-cases flush
only; the view commits.

Every check that concerns the user's input reports all problems at once, by form field
(ContributionError.problems), so that a form shows each message beside its field and keeps
the rest of the input; nothing is written unless everything holds (the actors a form names are
resolved in the caller's transaction, which the view rolls back on a refusal).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ...actors.models import Actor, ActorKind
from ...actors.services import Candidate, actor_key, candidates, name_actor, resolve_all
from ...applications.models import Application, CoOptedSubject
from ...core import audit
from ...core.permissions import is_staff
from ...extensions import db
from ...notices.models import Procedure
from ...notify.services import absolute_url, queue_email
from ...organisations.models import Membership
from ...subprocedures.models import Invitation
from ...tables.models import Direction, TableSession
from ...tables.services.access import parties_of
from ...tables.services.minutes import ACTOR_NAME_MAX, NAMED_KINDS, NEW_ACTORS_MAX
from ...territory.geo import comune_point, places_of
from ...territory.models import Axis, Comune, District
from ..models import (
    DEFAULT_RESOURCE_TYPES,
    Contribution,
    ContributionSource,
    ContributionState,
    NetworkSnapshot,
    OfferMode,
    Placement,
    ResourceType,
)
from . import places as placing

# Length limits, also used by the forms (the same number in the message and in the check).
DESCRIPTION_MAX = 4000
ADDRESS_MAX = 300
CAPACITY_NOTE_MAX = 120
REASON_MAX = 2000
CAPACITY_LIMIT = 1_000_000  # beyond this a number is a typing slip


class ContributionError(ValueError):
    """Input that cannot be saved; `problems` maps form fields to their messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


# The taxonomy ----------------------------------------------------------------------------------


def resource_types_of(authority, *, active_only: bool = True) -> list[ResourceType]:
    """The authority's taxonomy, created from the preset of seed 002 the first time."""
    query = select(ResourceType).where(ResourceType.authority_id == authority.id).order_by(
        ResourceType.position, ResourceType.id
    )
    found = list(db.session.scalars(query))
    if not found:
        for position, (code, label) in enumerate(DEFAULT_RESOURCE_TYPES):
            db.session.add(ResourceType(authority_id=authority.id, code=code, label=str(label), position=position))
        db.session.flush()
        found = list(db.session.scalars(query))
    return [t for t in found if t.active or not active_only]


# Checks ----------------------------------------------------------------------------------------


def _get(model, ident):
    try:
        return db.session.get(model, int(ident)) if ident not in (None, "") else None
    except (TypeError, ValueError):
        return None


def check(procedure: Procedure, data: dict) -> tuple[dict, dict[str, str]]:
    """The contribution's values from `data`, and the problems found (field: message).

    `data`: actor (Actor), collaborators (Actors), axis_id, resource_type_id, description,
    offer_mode, district_id, comune_id, address, longitude/latitude (a precise point, e.g. from a
    geocoder, optional), capacity, capacity_note, available_from, available_until."""
    authority = procedure.authority
    problems: dict[str, str] = {}
    actor = data.get("actor")
    if not isinstance(actor, Actor):
        problems["actor"] = _("Indicare chi offre la risorsa.")
    collaborators = list(data.get("collaborators") or [])
    if actor is not None and any(c.id == actor.id for c in collaborators):
        problems["collaborators"] = _("Un soggetto non può collaborare con sé stesso.")
    axis = _get(Axis, data.get("axis_id"))
    if axis is None or axis.authority_id != authority.id:
        problems["axis_id"] = _("Scegliere l'asse.")
    kind = _get(ResourceType, data.get("resource_type_id"))
    if kind is None or kind.authority_id != authority.id or not kind.active:
        problems["resource_type_id"] = _("Scegliere il tipo di risorsa.")
    description = _text(data.get("description"))
    if not description:
        problems["description"] = _("Descrivere la risorsa.")
    elif len(description) > DESCRIPTION_MAX:
        problems["description"] = _("Massimo %(max)d caratteri.", max=DESCRIPTION_MAX)
    try:
        mode = OfferMode(data.get("offer_mode"))
    except ValueError:
        mode = None
        problems["offer_mode"] = _("Scegliere come la risorsa è offerta.")
    district, comune = _place(authority, data, problems)
    address = " ".join((data.get("address") or "").split())
    if len(address) > ADDRESS_MAX:
        problems["address"] = _("Massimo %(max)d caratteri.", max=ADDRESS_MAX)
    elif address and comune is None and "comune_id" not in problems:
        problems["comune_id"] = _("Indicare il comune dell'indirizzo.")
    capacity = data.get("capacity")
    if capacity is not None and capacity < 0:
        problems["capacity"] = _("La capacità non può essere negativa.")
    elif capacity is not None and capacity > CAPACITY_LIMIT:
        problems["capacity"] = _("Indicare un numero fino a %(max)d.", max=CAPACITY_LIMIT)
    capacity_note = _text(data.get("capacity_note"))
    if len(capacity_note) > CAPACITY_NOTE_MAX:
        problems["capacity_note"] = _("Massimo %(max)d caratteri.", max=CAPACITY_NOTE_MAX)
    start, end = data.get("available_from"), data.get("available_until")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems["available_until"] = _("Il periodo di disponibilità non può finire prima di iniziare.")
    point = _point(authority, district, comune, data, problems)
    values = dict(
        actor=actor, collaborators=collaborators, axis=axis, resource_type=kind, description=description,
        offer_mode=mode, district=district, comune=comune, address=address,
        capacity=capacity, capacity_note=capacity_note, available_from=start, available_until=end,
    )
    if point:
        values.update(longitude=point[0], latitude=point[1], placement=point[2])
    return values, problems


def _text(value) -> str:
    """Text as typed (line breaks kept, Windows ones made plain), trimmed."""
    return (value or "").replace("\r\n", "\n").strip()


def _place(authority, data: dict, problems: dict) -> tuple[District | None, Comune | None]:
    """The district, and the comune (optional) which must be one of the district's."""
    district = _get(District, data.get("district_id"))
    if district is None or district.authority_id != authority.id:
        problems["district_id"] = _("Scegliere il distretto.")
        district = None
    if data.get("comune_id") in (None, ""):
        return district, None
    comune = _get(Comune, data.get("comune_id"))
    if comune is None or comune.district.authority_id != authority.id:
        problems["comune_id"] = _("Comune sconosciuto: sceglierlo dall'elenco dei comuni del territorio.")
        return district, None
    if district is not None and comune.district_id != district.id:
        problems["comune_id"] = _("Il comune indicato non è nel distretto scelto.")
    return district, comune


def _point(authority, district, comune, data: dict, problems: dict) -> tuple[float, float, Placement] | None:
    """Where the resource is drawn: the given point (inside the territory), else the comune's
    point, else the district's first comune's."""
    longitude, latitude = data.get("longitude"), data.get("latitude")
    if (longitude is None) != (latitude is None):
        problems["longitude"] = _("Indicare sia la longitudine sia la latitudine, oppure nessuna delle due.")
        return None
    places = places_of(authority.slug)
    if longitude is not None:
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            problems["longitude"] = _("Coordinate non valide: la longitudine va da -180 a 180, la latitudine da -90 a 90.")
            return None
        if places is not None and not places.contains(longitude, latitude):
            problems["longitude"] = _("Il punto indicato è fuori dal territorio dell'azienda.")
            return None
        return longitude, latitude, Placement.ADDRESS
    if comune is not None:
        point = comune_point(authority.slug, comune.istat_code)
        return (*point, Placement.COMUNE) if point else None
    if district is not None and district.comuni:
        point = comune_point(authority.slug, district.comuni[0].istat_code)
        return (*point, Placement.DISTRICT) if point else None
    return None


def _checked(procedure: Procedure, data: dict, problems: dict[str, str] | None) -> dict:
    """The values once every check holds; the caller's own problems (e.g. on the actors it
    resolved) are reported with the others, and take their field."""
    values, found = check(procedure, data)
    found.update(problems or {})
    if found:
        raise ContributionError(found)
    if "latitude" not in values:
        raise ContributionError({"district_id": _("Il luogo non si trova sulla mappa del territorio.")})
    _refine_point(procedure.authority, values, data)
    return values


def _refine_point(authority, values: dict, data: dict) -> None:
    """An address in a comune, without a point typed by hand: placed by the configured
    geocoder (places.locate), which falls back to the comune's point, placed offline."""
    if data.get("longitude") is not None or values["comune"] is None or not values["address"]:
        return
    found = placing.locate(authority, values["comune"], values["address"])
    if found is not None:
        values.update(longitude=found.longitude, latitude=found.latitude, placement=found.placement)


# Submission and changes ------------------------------------------------------------------------


def submit_contribution(procedure: Procedure, data: dict, *, by, source: ContributionSource = ContributionSource.ONLINE,
                        direction=None, session=None, now: datetime | None = None,
                        problems: dict[str, str] | None = None) -> Contribution:
    """Check and save a contribution, waiting for moderation; ContributionError if it fails."""
    values = _checked(procedure, data, problems)
    collaborators = values.pop("collaborators")
    contribution = Contribution(procedure_id=procedure.id, source=source, direction=direction, session=session,
                                created_by_id=getattr(by, "id", None), **values)
    if now is not None:
        contribution.created_at = now
    contribution.collaborators = collaborators
    db.session.add(contribution)
    db.session.flush()
    audit.record(contribution, "submitted", by=by, to_state=contribution.state,
                 details={"actor": contribution.actor_id, "source": source.value})
    mark_network_stale(procedure)
    return contribution


EDITABLE = (ContributionState.SUBMITTED, ContributionState.REJECTED)


def update_contribution(contribution: Contribution, data: dict, *, by,
                        problems: dict[str, str] | None = None) -> Contribution:
    """Change a contribution waiting for moderation, or correct a rejected one, which goes
    back to moderation; a published one cannot change (staff withdraw it first)."""
    if contribution.state not in EDITABLE:
        raise ContributionError({"description": _("Il contributo è pubblicato: non si può più modificare.")})
    values = _checked(contribution.procedure, data, problems)
    before = _snapshot(contribution)
    collaborators = values.pop("collaborators")
    for name, value in values.items():
        setattr(contribution, name, value)
    contribution.collaborators = collaborators
    db.session.flush()
    after = _snapshot(contribution)
    if after != before:
        audit.record(contribution, "changed", by=by, details={"from": before, "to": after})
    if contribution.state == ContributionState.REJECTED:
        contribution.move(ContributionState.SUBMITTED, by=by, reason=_("Corretto e inviato di nuovo."))
    db.session.flush()
    mark_network_stale(contribution.procedure)
    return contribution


def _snapshot(contribution: Contribution) -> dict:
    """What the audit keeps of a change (ids and texts, JSON-ready)."""
    return {
        "actor": contribution.actor_id, "collaborators": sorted(a.id for a in contribution.collaborators),
        "axis": contribution.axis_id, "resource_type": contribution.resource_type_id,
        "description": contribution.description, "offer_mode": contribution.offer_mode.value,
        "district": contribution.district_id, "comune": contribution.comune_id, "address": contribution.address,
        "point": [contribution.longitude, contribution.latitude], "capacity": contribution.capacity,
        "capacity_note": contribution.capacity_note,
        "available_from": contribution.available_from.isoformat() if contribution.available_from else None,
        "available_until": contribution.available_until.isoformat() if contribution.available_until else None,
    }


# The actors a form names -----------------------------------------------------------------------


@dataclass
class ActorInput:
    """Who, as a form posts it: candidate keys of the procedure ("org:12", "co:3", "inv:4",
    "actor:7") and names typed one per line, of a kind (a public service or another subject)."""

    actor_key: str | None = None
    collaborator_keys: list[str] = field(default_factory=list)
    new_collaborators: str = ""
    new_collaborator_kind: str = ActorKind.PUBLIC_SERVICE.value


def actor_choices(user, procedure: Procedure) -> list[Candidate]:
    """Whom the user may contribute for: staff anyone of the procedure; an admitted ETS its
    organisation and its co-opted subjects (by their own name: the ETS named them); an invited
    body itself."""
    if is_staff(user):
        return candidates(procedure)
    found: list[Candidate] = []
    for party in parties_of(user, procedure):
        if party.application is not None:
            application = party.application
            found.append(Candidate(f"org:{application.organisation_id}", application.organisation.name, ActorKind.ETS))
            found.extend(Candidate(f"co:{s.id}", s.name, ActorKind.CO_OPTED) for s in application.co_opted)
        else:
            found.append(Candidate(f"inv:{party.invitation.id}", party.invitation.body_name, ActorKind.INVITED_BODY))
    return found


def resolve_actors(procedure: Procedure, given: ActorInput, *, allowed: list[str], by,
                   current: Actor | None = None) -> tuple[dict, dict[str, str]]:
    """{"actor", "collaborators"} for `check`, and the problems with them. `allowed`: the keys
    the user may contribute for; `current`: the actor of the contribution being changed, kept
    even if it is no longer among them."""
    problems: dict[str, str] = {}
    known = {c.key for c in candidates(procedure)}
    collaborators = _collaborators(procedure, given, known, problems, by=by)
    actor = None
    if current is not None and given.actor_key == actor_key(current):
        actor = current
    elif given.actor_key and given.actor_key in allowed and given.actor_key in known:
        actor = resolve_all(procedure, [given.actor_key], by=by)[0]
    elif given.actor_key:
        problems["actor"] = _("Scegliere dall'elenco chi offre la risorsa.")
    if actor is not None and any(c.id == actor.id for c in collaborators):
        problems["collaborators"] = _("Un soggetto non può collaborare con sé stesso.")
    return {"actor": actor, "collaborators": collaborators}, problems


def _collaborators(procedure: Procedure, given: ActorInput, known: set[str], problems: dict, *, by) -> list[Actor]:
    """The candidates ticked and the subjects named by text. A typed name that is a
    candidate's (not a co-opted subject's, whose public name may hide a person) is that
    candidate: one subject, one node."""
    keys = list(dict.fromkeys(k for k in given.collaborator_keys if k))
    if any(key not in known for key in keys):
        problems["collaborators"] = _("Il soggetto indicato non partecipa a questo procedimento.")
        keys = [key for key in keys if key in known]
    return _with_typed(procedure, resolve_all(procedure, keys, by=by), given.new_collaborators,
                       given.new_collaborator_kind, ("new_collaborators", "new_collaborator_kind"), problems, by=by)


def _with_typed(procedure: Procedure, actors: list[Actor], text: str, kind_value: str, fields: tuple[str, str],
                problems: dict, *, by) -> list[Actor]:
    """`actors` and the subjects typed one per line in `text`, of the kind `kind_value`, without
    repeats; `fields`: the form fields of the names and of the kind, for the problems."""
    name, kind_field = fields
    names = [n for n in dict.fromkeys(" ".join(line.split()) for line in (text or "").splitlines()) if n]
    if not names:
        return actors
    if len(names) > NEW_ACTORS_MAX:
        problems[name] = _("Al massimo %(n)d soggetti alla volta.", n=NEW_ACTORS_MAX)
        return actors
    if any(len(n) > ACTOR_NAME_MAX for n in names):
        problems[name] = _("Ogni nome: massimo %(max)d caratteri.", max=ACTOR_NAME_MAX)
        return actors
    try:
        kind = ActorKind(kind_value or ActorKind.PUBLIC_SERVICE.value)
    except ValueError:
        kind = None
    if kind not in NAMED_KINDS:
        problems[kind_field] = _("Scegliere il tipo dei soggetti nominati.")
        return actors
    listed = {c.name.casefold(): c.key for c in candidates(procedure) if c.kind != ActorKind.CO_OPTED}
    typed = resolve_all(procedure, list(dict.fromkeys(listed[n.casefold()] for n in names if n.casefold() in listed)), by=by)
    typed += [name_actor(procedure, kind, n, by=by) for n in names if n.casefold() not in listed]
    return list({a.id: a for a in [*actors, *typed]}.values())


# Moderation ------------------------------------------------------------------------------------


def moderate(contribution: Contribution, to: ContributionState, reason: str | None, *, by,
             now: datetime | None = None) -> None:
    """Approve (publish), reject, or withdraw a published one: rejecting and withdrawing need a
    reason, which the contributor reads in the e-mail the outbox sends."""
    reason = (reason or "").strip() or None
    if to == ContributionState.REJECTED and not reason:
        raise ContributionError({"reason": _("Indicare il motivo: il contributore lo leggerà.")})
    if reason and len(reason) > REASON_MAX:
        raise ContributionError({"reason": _("Massimo %(max)d caratteri.", max=REASON_MAX)})
    withdrawn = contribution.state == ContributionState.APPROVED
    contribution.move(to, by=by, reason=reason, now=now)
    db.session.flush()
    mark_network_stale(contribution.procedure)
    _notify_decision(contribution, withdrawn=withdrawn)


def _notify_decision(contribution: Contribution, *, withdrawn: bool) -> None:
    if withdrawn:
        subject = _("Contributo n. %(number)d ritirato dalla pubblicazione", number=contribution.id)
    else:
        subject = _("Contributo n. %(number)d: %(state)s", number=contribution.id, state=contribution.state.label)
    url = absolute_url("mapping.contribution_page", contribution_id=contribution.id)
    for address in decision_addresses(contribution):
        queue_email(address, subject, "contribution_decision", contribution=contribution, withdrawn=withdrawn, url=url)


def decision_addresses(contribution: Contribution) -> list[str]:
    """Whoever submitted it; the organisation of an ETS (or of the ETS that named a co-opted
    subject); the invited body's address."""
    found = {contribution.created_by.email} if contribution.created_by is not None else set()
    actor = contribution.actor
    organisation = actor.organisation
    if organisation is None and actor.co_opted_subject is not None:
        organisation = actor.co_opted_subject.application.organisation
    if organisation is not None:
        found.add(organisation.email)
    if actor.invitation is not None:
        found.add(actor.invitation.email)
    return sorted(a.strip() for a in found if a and a.strip())


def mark_network_stale(procedure: Procedure) -> None:
    """The procedure's network must be rebuilt (in the caller's transaction)."""
    snapshot = db.session.scalar(select(NetworkSnapshot).where(NetworkSnapshot.procedure_id == procedure.id))
    if snapshot is None:
        db.session.add(NetworkSnapshot(procedure_id=procedure.id, stale=True))
    else:
        snapshot.stale = True
    db.session.flush()


# From a verbale's Part 2 -----------------------------------------------------------------------

# Words of "how to collaborate" that suggest how a resource is offered, strongest first; the
# facilitator confirms the suggestion.
OFFER_MODE_HINTS = (
    (OfferMode.FUNDING, r"finanz|fond[oi]\b|bando|bandi|borse? lavoro|raccolta fondi|lasciti|donazion"),
    (OfferMode.CO_PRODUCTION, r"co-?progett|co-?produ|co-?gest|co-?condott|insieme"),
    (OfferMode.MAKING_AVAILABLE, r"disposizione|comodat|locazion|concession|spazi|alloggi|sede|locali"),
    (OfferMode.NETWORKING, r"\brete\b|\breti\b|coordin|raccord|tavolo|accord|regia|segnalazion|contatt"),
)


def suggest_offer_mode(how: str) -> OfferMode:
    text = unicodedata.normalize("NFKD", how or "").encode("ascii", "ignore").decode().casefold()
    return next((mode for mode, words in OFFER_MODE_HINTS if re.search(words, text)), OfferMode.SUPPORT)


def direction_district(session: TableSession) -> District | None:
    """The district of the session's groups: the first named, directly or through a sub-area."""
    for group in session.groups:
        if group.districts:
            return group.districts[0]
        if group.sub_areas:
            return group.sub_areas[0].district
    return None


def direction_defaults(direction: Direction) -> dict:
    """What a direction already says, as the conversion form's data: nothing is typed twice."""
    session = direction.minutes.session
    district = direction_district(session)
    return {
        "actors": [actor_key(a) for a in direction.actors], "description": direction.what,
        "offer_mode": suggest_offer_mode(direction.how).value, "axis_id": session.axis_id,
        "district_id": district.id if district is not None else None,
    }


@dataclass
class TableActorsInput:
    """Who offers, at the table: keys of the direction's actors ticked, and subjects typed one
    per line (each offers too)."""

    actor_keys: list[str] = field(default_factory=list)
    new_actors: str = ""
    new_actor_kind: str = ActorKind.PUBLIC_SERVICE.value


def contributions_from_direction(direction: Direction, given: TableActorsInput, data: dict, *, by,
                                 problems: dict[str, str] | None = None) -> list[Contribution]:
    """One contribution per actor who offers, from the table of the session, all or none: the
    direction's actors ticked and the subjects typed; each one's collaborators are the others
    of the direction and those typed. `data`: the shared part (what, where, how much);
    `problems`: the caller's, reported with the others."""
    session = direction.minutes.session
    procedure = session.procedure
    problems = dict(problems or {})
    own = {actor_key(a): a for a in direction.actors}
    if any(key not in own for key in given.actor_keys):
        problems["actor"] = _("Scegliere i soggetti tra quelli della direzione.")
    chosen = [own[key] for key in dict.fromkeys(given.actor_keys) if key in own]
    typed = _with_typed(procedure, [], given.new_actors, given.new_actor_kind, ("new_actors", "new_actor_kind"),
                        problems, by=by)
    offering = list({a.id: a for a in [*chosen, *typed]}.values())
    if not offering and "actor" not in problems and "new_actors" not in problems:
        problems["actor"] = _("Scegliere almeno un soggetto che offre la risorsa, o nominarlo.")
    group = list({a.id: a for a in [*direction.actors, *typed]}.values())
    _checked(procedure, {**data, "actor": offering[0] if offering else None}, problems)
    return [
        submit_contribution(procedure, {**data, "actor": actor, "collaborators": [a for a in group if a.id != actor.id]},
                            by=by, source=ContributionSource.TABLE, direction=direction, session=session)
        for actor in offering
    ]


def direction_contributions(direction_ids) -> dict[int, list[Contribution]]:
    """{direction id: its contributions} in one query."""
    ids = list(direction_ids)
    if not ids:
        return {}
    query = (select(Contribution).where(Contribution.direction_id.in_(ids))
             .options(selectinload(Contribution.actor)).order_by(Contribution.id))
    found: dict[int, list[Contribution]] = {}
    for contribution in db.session.scalars(query):
        found.setdefault(contribution.direction_id, []).append(contribution)
    return found


# Reading ---------------------------------------------------------------------------------------


def _with_parts(query: Select) -> Select:
    return query.options(
        selectinload(Contribution.actor).selectinload(Actor.co_opted_subject),
        selectinload(Contribution.axis), selectinload(Contribution.resource_type),
        selectinload(Contribution.district), selectinload(Contribution.comune),
        selectinload(Contribution.collaborators),
    )


def own_contributions_clause(user):
    """SQL condition: the contributions a non-staff user may see and change (rule
    `mapping.change_contribution`): those they submitted, those of their organisations (and of
    the co-opted subjects those named), those of the invitations they accepted."""
    organisations = select(Membership.organisation_id).where(Membership.user_id == user.id)
    co_opted = (select(CoOptedSubject.id).join(Application, Application.id == CoOptedSubject.application_id)
                .where(Application.organisation_id.in_(organisations)))
    invitations = select(Invitation.id).where(Invitation.user_id == user.id)
    actors = select(Actor.id).where(or_(Actor.organisation_id.in_(organisations),
                                        Actor.co_opted_subject_id.in_(co_opted), Actor.invitation_id.in_(invitations)))
    return or_(Contribution.created_by_id == user.id, Contribution.actor_id.in_(actors))


def visible_contributions(user) -> list[Contribution]:
    """The user's contributions in every procedure, newest first."""
    query = select(Contribution).where(own_contributions_clause(user)).order_by(Contribution.id.desc())
    return list(db.session.scalars(_with_parts(query).options(selectinload(Contribution.procedure))))


@dataclass(frozen=True)
class QueueFilters:
    state: ContributionState | None = None
    axis_id: int | None = None
    resource_type_id: int | None = None
    district_id: int | None = None


def queue_query(procedure: Procedure, filters: QueueFilters) -> Select:
    """The procedure's contributions for moderation: waiting first, then by number."""
    query = select(Contribution).where(Contribution.procedure_id == procedure.id)
    for column, value in ((Contribution.state, filters.state), (Contribution.axis_id, filters.axis_id),
                          (Contribution.resource_type_id, filters.resource_type_id),
                          (Contribution.district_id, filters.district_id)):
        if value is not None:
            query = query.where(column == value)
    waiting_first = (Contribution.state != ContributionState.SUBMITTED)
    return _with_parts(query).order_by(waiting_first, Contribution.id)


def count_rows(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def state_counts(procedure: Procedure) -> dict[str, int]:
    query = (select(Contribution.state, func.count(Contribution.id))
             .where(Contribution.procedure_id == procedure.id).group_by(Contribution.state))
    return {state.value: count for state, count in db.session.execute(query)}


def published(procedure: Procedure, *, axis_id: int | None = None) -> list[Contribution]:
    query = select(Contribution).where(
        Contribution.procedure_id == procedure.id, Contribution.state == ContributionState.APPROVED
    ).order_by(Contribution.id)
    if axis_id is not None:
        query = query.where(Contribution.axis_id == axis_id)
    return list(db.session.scalars(query))
