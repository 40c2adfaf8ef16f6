"""The minutes (verbale) of a session, structured by the method of seed 002: Part 1 findings
(needs, critical points, aspirations), Part 2 directions (who can contribute, with the actors
named; what can be put in place; how to collaborate), free notes; draft -> approved ->
published. Use-cases flush, never commit; every change writes an audit row on the Minutes.

While the minutes are not a draft they are read-only: reopening (facilitator or staff, with a
reason, only while approved) makes them a draft again; published minutes are final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...actors.models import Actor, ActorKind
from ...actors.services import ActorError, candidates, name_actor, resolve_all
from ...core import audit
from ...core.permissions import can
from ...core.sql import inserted_if_absent
from ...core.time import naive_utc, utcnow
from ...extensions import db
from ...notices.models import IllegalTransition
from ..models import Direction, Finding, FindingKind, Minutes, MinutesState, TableSession

# Length limits, also used by the forms (the same number in the message and in the check).
FINDING_MAX = 1000
WHO_MAX = 1000
WHAT_MAX = 2000
HOW_MAX = 2000
NOTES_MAX = 10000
REASON_MAX = 2000
ACTOR_NAME_MAX = 300
NEW_ACTORS_MAX = 20  # names typed in one go
NAMED_KINDS = (ActorKind.PUBLIC_SERVICE, ActorKind.OTHER)  # what a facilitator may name by text


class MinutesError(ValueError):
    """A refusal with a message for the user; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class MinutesForbidden(MinutesError):
    """The user may not do this to these minutes (the views answer 403 before getting here)."""


# Reading ---------------------------------------------------------------------------------------


def minutes_of(session: TableSession) -> Minutes | None:
    """The session's minutes with their parts and actors (three queries), or None."""
    query = (
        select(Minutes)
        .where(Minutes.session_id == session.id)
        .options(
            selectinload(Minutes.findings),
            selectinload(Minutes.directions).selectinload(Direction.actors).selectinload(Actor.co_opted_subject),
        )
    )
    return db.session.scalars(query).first()


def blank_minutes() -> Minutes:
    """An empty draft to show before anything is written (never added to the database)."""
    return Minutes(state=MinutesState.DRAFT, notes="", findings=[], directions=[])


def get_or_create_minutes(session: TableSession, *, by) -> Minutes:
    """The session's minutes, created as an empty draft on first use (one row even when two
    facilitators start at once: INSERT … ON CONFLICT DO NOTHING)."""
    existing = minutes_of(session)
    if existing is not None:
        return existing
    inserted = inserted_if_absent(db.session.connection(), Minutes.__table__, session_id=session.id,
                                  state=MinutesState.DRAFT.value, notes="", updated_at=naive_utc(utcnow()))
    minutes = minutes_of(session)
    if inserted:
        audit.record(minutes, "created", by=by, to_state=minutes.state, details={"session": session.id})
    return minutes


def _in_order(items) -> list:
    """By position (the loaded list is not re-sorted after a move in this request)."""
    return sorted(items, key=lambda item: (item.position, item.id or 0))


def findings_by_kind(minutes: Minutes) -> dict[FindingKind, list[Finding]]:
    grouped: dict[FindingKind, list[Finding]] = {kind: [] for kind in FindingKind}
    for finding in _in_order(minutes.findings):
        grouped[finding.kind].append(finding)
    return grouped


def directions_of(minutes: Minutes) -> list[Direction]:
    return _in_order(minutes.directions)


def is_empty(minutes: Minutes) -> bool:
    return not minutes.findings and not minutes.directions


# Checks ----------------------------------------------------------------------------------------


def _check_editable(minutes: Minutes) -> None:
    if not minutes.editable:
        raise MinutesError(_("Il verbale non è in bozza: per modificarlo va prima riaperto."))


def _require(user, permission: str, obj) -> None:
    if not can(permission, obj, user=user):
        raise MinutesForbidden(_("Non hai il permesso di eseguire questa operazione sul verbale."))


def clean_text(text: str | None, *, field: str, limit: int, required: bool) -> str:
    """Text as typed (line breaks kept), trimmed; required and length checked."""
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise MinutesError(_("Campo obbligatorio."), field)
    if len(text) > limit:
        raise MinutesError(_("Massimo %(max)d caratteri.", max=limit), field)
    return text


def _touch(minutes: Minutes) -> None:
    minutes.updated_at = naive_utc(utcnow())


def _next_position(items) -> int:
    return max((item.position for item in items), default=-1) + 1


def _swap(items: list, item, step: int) -> bool:
    """Swap `item` with its neighbour `step` (-1 up, +1 down) in `items`; False at an end."""
    index = items.index(item)
    other = index + step
    if other < 0 or other >= len(items):
        return False
    neighbour = items[other]
    item.position, neighbour.position = neighbour.position, item.position
    if item.position == neighbour.position:  # equal positions (old data): make them distinct
        item.position += step
    return True


# Part 1: findings ------------------------------------------------------------------------------


def add_finding(minutes: Minutes, kind: FindingKind, text: str, *, by) -> Finding:
    _check_editable(minutes)
    text = clean_text(text, field="text", limit=FINDING_MAX, required=True)
    finding = Finding(minutes=minutes, kind=FindingKind(kind), text=text, position=_next_position(minutes.findings))
    db.session.add(finding)
    _touch(minutes)
    db.session.flush()
    audit.record(minutes, "finding_added", by=by, details={"finding": finding.id, "kind": finding.kind.value, "text": text})
    return finding


def edit_finding(finding: Finding, text: str, *, by) -> Finding:
    minutes = finding.minutes
    _check_editable(minutes)
    text = clean_text(text, field="text", limit=FINDING_MAX, required=True)
    if text != finding.text:
        audit.record(minutes, "finding_changed", by=by,
                     details={"finding": finding.id, "kind": finding.kind.value, "from": finding.text, "to": text})
        finding.text = text
        _touch(minutes)
        db.session.flush()
    return finding


def delete_finding(finding: Finding, *, by) -> None:
    minutes = finding.minutes
    _check_editable(minutes)
    audit.record(minutes, "finding_deleted", by=by,
                 details={"finding": finding.id, "kind": finding.kind.value, "text": finding.text})
    minutes.findings.remove(finding)
    _touch(minutes)
    db.session.flush()


def move_finding(finding: Finding, step: int, *, by) -> bool:
    """Move a finding up (-1) or down (+1) among those of its kind."""
    minutes = finding.minutes
    _check_editable(minutes)
    moved = _swap(findings_by_kind(minutes)[finding.kind], finding, step)
    if moved:
        audit.record(minutes, "finding_moved", by=by, details={"finding": finding.id, "step": step})
        _touch(minutes)
        db.session.flush()
    return moved


# Part 2: directions ----------------------------------------------------------------------------


@dataclass
class DirectionInput:
    """A Part 2 record as a form posts it: `actor_keys` are candidate keys of the procedure
    ("org:12", "inv:3", "actor:7"), `new_actors` names typed by the facilitator, one per line,
    of `new_actor_kind` (a public service or another subject)."""

    what: str = ""
    who: str = ""
    how: str = ""
    actor_keys: list[str] = field(default_factory=list)
    new_actors: str = ""
    new_actor_kind: str = ActorKind.PUBLIC_SERVICE.value


@dataclass
class _CleanDirection:
    what: str
    who: str
    how: str
    actor_keys: list[str]
    new_names: list[str]
    new_kind: ActorKind


def _clean_direction(data: DirectionInput) -> _CleanDirection:
    """Every check before any write: a refusal leaves nothing half-saved."""
    what = clean_text(data.what, field="what", limit=WHAT_MAX, required=True)
    who = clean_text(data.who, field="who", limit=WHO_MAX, required=False)
    how = clean_text(data.how, field="how", limit=HOW_MAX, required=False)
    names = list(dict.fromkeys(" ".join(line.split()) for line in (data.new_actors or "").splitlines()))
    names = [name for name in names if name]
    if len(names) > NEW_ACTORS_MAX:
        raise MinutesError(_("Al massimo %(n)d soggetti alla volta.", n=NEW_ACTORS_MAX), "new_actors")
    if any(len(name) > ACTOR_NAME_MAX for name in names):
        raise MinutesError(_("Ogni nome: massimo %(max)d caratteri.", max=ACTOR_NAME_MAX), "new_actors")
    try:
        kind = ActorKind(data.new_actor_kind or ActorKind.PUBLIC_SERVICE.value)
    except ValueError:
        kind = None
    if kind not in NAMED_KINDS:
        raise MinutesError(_("Scegliere il tipo dei soggetti nominati."), "new_actor_kind")
    keys = list(dict.fromkeys(key for key in data.actor_keys or [] if key))
    return _CleanDirection(what, who, how, keys, names, kind)


def _actors(minutes: Minutes, clean: _CleanDirection, *, by) -> list[Actor]:
    """The actors chosen among the procedure's candidates and those named by text; a typed
    name that is an entity or invited body of the procedure is that one (one node each)."""
    procedure = minutes.session.procedure
    listed = {c.name.casefold(): c.key for c in candidates(procedure) if c.kind != ActorKind.CO_OPTED}
    keys = [*clean.actor_keys, *(listed[n.casefold()] for n in clean.new_names if n.casefold() in listed)]
    try:
        chosen = resolve_all(procedure, list(dict.fromkeys(keys)), by=by)
    except ActorError as error:
        raise MinutesError(str(error), "actors") from error
    named = [name_actor(procedure, clean.new_kind, n, by=by) for n in clean.new_names if n.casefold() not in listed]
    return list({actor.id: actor for actor in [*chosen, *named]}.values())


def _direction_details(direction: Direction) -> dict:
    return {
        "direction": direction.id,
        "who": direction.who,
        "what": direction.what,
        "how": direction.how,
        "actors": [actor.id for actor in direction.actors],
    }


def add_direction(minutes: Minutes, data: DirectionInput, *, by) -> Direction:
    _check_editable(minutes)
    clean = _clean_direction(data)
    actors = _actors(minutes, clean, by=by)
    direction = Direction(minutes=minutes, who=clean.who, what=clean.what, how=clean.how,
                          position=_next_position(minutes.directions))
    direction.actors = actors
    db.session.add(direction)
    _touch(minutes)
    db.session.flush()
    audit.record(minutes, "direction_added", by=by, details=_direction_details(direction))
    return direction


def edit_direction(direction: Direction, data: DirectionInput, *, by) -> Direction:
    minutes = direction.minutes
    _check_editable(minutes)
    clean = _clean_direction(data)
    actors = _actors(minutes, clean, by=by)
    before = _direction_details(direction)
    direction.who, direction.what, direction.how = clean.who, clean.what, clean.how
    direction.actors = actors
    after = _direction_details(direction)
    if after != before:
        audit.record(minutes, "direction_changed", by=by, details={"from": before, "to": after})
        _touch(minutes)
    db.session.flush()
    return direction


def delete_direction(direction: Direction, *, by) -> None:
    minutes = direction.minutes
    _check_editable(minutes)
    audit.record(minutes, "direction_deleted", by=by, details=_direction_details(direction))
    minutes.directions.remove(direction)
    _touch(minutes)
    db.session.flush()


def move_direction(direction: Direction, step: int, *, by) -> bool:
    minutes = direction.minutes
    _check_editable(minutes)
    moved = _swap(directions_of(minutes), direction, step)
    if moved:
        audit.record(minutes, "direction_moved", by=by, details={"direction": direction.id, "step": step})
        _touch(minutes)
        db.session.flush()
    return moved


# Notes -----------------------------------------------------------------------------------------


def save_notes(minutes: Minutes, notes: str, *, by) -> Minutes:
    _check_editable(minutes)
    notes = clean_text(notes, field="notes", limit=NOTES_MAX, required=False)
    if notes != minutes.notes:
        audit.record(minutes, "notes_changed", by=by, details={"from": minutes.notes, "to": notes})
        minutes.notes = notes
        _touch(minutes)
        db.session.flush()
    return minutes


# Lifecycle -------------------------------------------------------------------------------------


def approval_problem(minutes: Minutes, now: datetime | None = None) -> str | None:
    """Why the minutes cannot be approved now (state aside), or None."""
    if not minutes.session.has_started(now):
        return _("L'incontro non è ancora iniziato: il verbale si approva dopo l'inizio.")
    if is_empty(minutes):
        return _("Il verbale è vuoto: scrivere almeno una voce della Parte 1 o una direzione della Parte 2 prima di approvarlo.")
    return None


def approve(minutes: Minutes, *, by, now: datetime | None = None) -> Minutes:
    """Facilitator of the session or staff; after the start; not when both parts are empty."""
    _require(by, "tables.facilitate", minutes.session)
    if minutes.state != MinutesState.DRAFT:
        raise IllegalTransition(f"{minutes.state} -> {MinutesState.APPROVED}")
    problem = approval_problem(minutes, now)
    if problem:
        raise MinutesError(problem, "confirm")
    minutes.move(MinutesState.APPROVED, by=by, now=now)
    db.session.flush()
    return minutes


def reopen(minutes: Minutes, reason: str, *, by, now: datetime | None = None) -> Minutes:
    """Back to draft for changes, with a reason: facilitator or staff, only while approved."""
    _require(by, "tables.facilitate", minutes.session)
    if minutes.state != MinutesState.APPROVED:
        raise IllegalTransition(f"{minutes.state} -> {MinutesState.DRAFT}")
    reason = clean_text(reason, field="reason", limit=REASON_MAX, required=True)
    minutes.move(MinutesState.DRAFT, by=by, reason=reason, now=now)
    minutes.approved_at = minutes.approved_by_id = None
    db.session.flush()
    return minutes


def publish(minutes: Minutes, *, by, now: datetime | None = None) -> Minutes:
    """Staff only (rule tables.publish_minutes), once approved; published minutes are final."""
    _require(by, "tables.publish_minutes", minutes)
    minutes.move(MinutesState.PUBLISHED, by=by, now=now)
    db.session.flush()
    return minutes


def published_minutes(procedure_id: int) -> dict[int, Minutes]:
    """{session_id: minutes} of the procedure's published minutes (for lists and calendars)."""
    query = (
        select(Minutes)
        .join(TableSession, TableSession.id == Minutes.session_id)
        .where(TableSession.procedure_id == procedure_id, Minutes.state == MinutesState.PUBLISHED)
    )
    return {minutes.session_id: minutes for minutes in db.session.scalars(query)}


__all__ = [
    "DirectionInput", "MinutesError", "MinutesForbidden", "add_direction", "add_finding", "approve",
    "blank_minutes", "delete_direction", "delete_finding", "directions_of", "edit_direction", "edit_finding",
    "findings_by_kind", "get_or_create_minutes", "minutes_of", "move_direction", "move_finding", "publish",
    "published_minutes", "reopen", "save_notes",
]
