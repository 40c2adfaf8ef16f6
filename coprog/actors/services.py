"""Finding and creating actors. Reading never writes: the candidates of a procedure are
listed by their source (organisation, co-opted subject, invitation, named actor) and become
Actor rows only when a change names them (`resolve`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..applications.admission import admitted, public_co_opted_name
from ..applications.models import CoOptedSubject
from ..core.sql import insert_if_absent
from ..extensions import db
from ..notices.models import Procedure
from ..organisations.models import Organisation
from ..subprocedures.models import Invitation, InvitationState, SubProcedure
from .models import Actor, ActorKind

# The prefixes of a candidate's key, as forms post it ("org:12").
SOURCES = {"org": ActorKind.ETS, "co": ActorKind.CO_OPTED, "inv": ActorKind.INVITED_BODY, "actor": None}
SOURCE_COLUMNS = {"org": "organisation_id", "co": "co_opted_subject_id", "inv": "invitation_id"}


class ActorError(ValueError):
    """A key that names no actor of the procedure; the message is for the user."""


@dataclass(frozen=True)
class Candidate:
    """An actor as a form offers it: a key, a public name and a kind."""

    key: str
    name: str
    kind: ActorKind


def candidates(procedure: Procedure) -> list[Candidate]:
    """Who can be named in the procedure: its admitted ETS and their co-opted subjects,
    the bodies that accepted an invitation of its sub-procedures, the actors named by text."""
    found: list[Candidate] = []
    notice = procedure.notice
    for application in admitted(notice) if notice else []:
        found.append(Candidate(f"org:{application.organisation_id}", application.organisation.name, ActorKind.ETS))
        found.extend(
            Candidate(f"co:{subject.id}", public_co_opted_name(subject), ActorKind.CO_OPTED)
            for subject in application.co_opted
        )
    found.extend(
        Candidate(f"inv:{invitation.id}", invitation.body_name, ActorKind.INVITED_BODY)
        for invitation in accepted_invitations(procedure)
    )
    found.extend(Candidate(f"actor:{actor.id}", actor.name, actor.kind) for actor in named_actors(procedure))
    return found


def accepted_invitations(procedure: Procedure) -> list[Invitation]:
    query = (
        select(Invitation)
        .join(SubProcedure)
        .where(SubProcedure.procedure_id == procedure.id, Invitation.state == InvitationState.ACCEPTED)
        .order_by(Invitation.body_name)
    )
    return list(db.session.scalars(query))


def named_actors(procedure: Procedure) -> list[Actor]:
    """Actors named by text in this procedure (no organisation, co-opted subject or invitation)."""
    query = (
        select(Actor)
        .where(
            Actor.procedure_id == procedure.id,
            Actor.organisation_id.is_(None),
            Actor.co_opted_subject_id.is_(None),
            Actor.invitation_id.is_(None),
        )
        .order_by(Actor.name)
    )
    return list(db.session.scalars(query))


def resolve(procedure: Procedure, key: str, *, by=None) -> Actor:
    """The Actor for a candidate key of the procedure, created on first use."""
    return resolve_all(procedure, [key], by=by)[0]


def resolve_all(procedure: Procedure, keys, *, by=None) -> list[Actor]:
    """The Actors for candidate keys of the procedure, in order, created on first use. Every
    key is checked before any row is written: one stranger refuses them all."""
    allowed = {candidate.key: candidate for candidate in candidates(procedure)} if keys else {}
    if any(key not in allowed for key in keys):
        raise ActorError(_("Il soggetto indicato non partecipa a questo procedimento."))
    return [_actor_for(key, allowed[key], by=by) for key in keys]


def _actor_for(key: str, candidate: Candidate, *, by) -> Actor:
    prefix, _sep, ident = key.partition(":")
    if prefix == "actor":
        return db.session.get(Actor, int(ident))
    return _get_or_create(SOURCE_COLUMNS[prefix], int(ident), candidate, by=by)


def _get_or_create(column: str, ident: int, candidate: Candidate, *, by) -> Actor:
    """One row per source even under concurrent first uses (INSERT … ON CONFLICT DO NOTHING)."""
    connection = db.session.connection()
    values = {column: ident, "kind": candidate.kind, "name": _source_name(column, ident, candidate)}
    if by is not None:
        values["created_by_id"] = by.id
    connection.execute(insert_if_absent(connection, Actor.__table__, **values))
    return db.session.scalars(select(Actor).where(getattr(Actor, column) == ident)).one()


def _source_name(column: str, ident: int, candidate: Candidate) -> str:
    """The actor's own name: a co-opted citizen keeps the name for staff; pages that show it
    to the public call `public_name`."""
    if column == "co_opted_subject_id":
        return db.session.get(CoOptedSubject, ident).name
    return candidate.name


def actor_key(actor: Actor) -> str:
    """The candidate key that names this actor in forms (the inverse of `resolve`)."""
    for prefix, column in SOURCE_COLUMNS.items():
        ident = getattr(actor, column)
        if ident is not None:
            return f"{prefix}:{ident}"
    return f"actor:{actor.id}"


def public_name(actor: Actor) -> str:
    """What the public may read: co-opted citizens are people, not named."""
    if actor.kind == ActorKind.CO_OPTED and actor.co_opted_subject is not None:
        return public_co_opted_name(actor.co_opted_subject)
    return actor.name


def actor_for_organisation(organisation: Organisation) -> Actor:
    candidate = Candidate(f"org:{organisation.id}", organisation.name, ActorKind.ETS)
    return _get_or_create("organisation_id", organisation.id, candidate, by=None)


def name_actor(procedure: Procedure, kind: ActorKind, name: str, *, by) -> Actor:
    """An actor named by text (a Comune's social services, a CSM, a company met at a table);
    the same name twice in a procedure gives the same actor."""
    name = " ".join(name.split())
    if not name:
        raise ActorError(_("Indicare il nome del soggetto."))
    if kind in (ActorKind.ETS, ActorKind.CO_OPTED, ActorKind.INVITED_BODY):
        raise ActorError(_("Enti, soggetti cooptati e invitati si scelgono dall'elenco."))
    existing = next((a for a in named_actors(procedure) if a.name.casefold() == name.casefold()), None)
    if existing is not None:
        return existing
    actor = Actor(kind=kind, name=name, procedure_id=procedure.id, created_by_id=getattr(by, "id", None))
    db.session.add(actor)
    db.session.flush()
    return actor


def load_actors(ids) -> list[Actor]:
    query = select(Actor).where(Actor.id.in_(list(ids))).options(selectinload(Actor.co_opted_subject))
    return list(db.session.scalars(query))

