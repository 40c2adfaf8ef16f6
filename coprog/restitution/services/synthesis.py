"""Composing the synthesis: items per axis and cross-cutting, their sources, the states.

Every change is refused while the synthesis is not a draft (approved and published syntheses
are read-only; staff reopen them, audited). Input problems are raised as SynthesisError with a
message per form field, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ...core import audit
from ...extensions import db
from ...mapping.models import Contribution, ContributionState
from ...notices.models import Procedure
from ...tables.models import Direction, Finding, Minutes, MinutesState, TableSession
from ..models import ItemKind, Synthesis, SynthesisItem, SynthesisSource, SynthesisState

TITLE_MAX = 300
DESCRIPTION_MAX = 4000


class SynthesisError(ValueError):
    """Input that cannot be saved; `problems` maps form fields to their messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


class NotEditable(RuntimeError):
    """The synthesis is approved or published: reopen it first."""


# Reading ----------------------------------------------------------------------------------------


def synthesis_of(procedure: Procedure, *, create: bool = False) -> Synthesis | None:
    found = db.session.scalar(select(Synthesis).where(Synthesis.procedure_id == procedure.id))
    if found is None and create:
        found = Synthesis(procedure=procedure, introduction="")
        db.session.add(found)
        db.session.flush()
    return found


def published_synthesis(procedure: Procedure) -> Synthesis | None:
    found = synthesis_of(procedure)
    return found if found is not None and found.is_published else None


@dataclass(frozen=True)
class Section:
    """The items of one kind, for one axis (or for the whole procedure)."""

    kind: ItemKind
    axis: object | None
    items: list[SynthesisItem]


def sections(synthesis: Synthesis) -> list[Section]:
    """Per axis (in the authority's order) its actor categories, directions and interventions,
    then the cross-cutting directions and the perspectives; empty sections included, so that
    staff see where to add."""
    axes = synthesis.procedure.authority.axes
    result = []
    for axis in axes:
        for kind in (ItemKind.ACTORS, ItemKind.DIRECTION, ItemKind.INTERVENTION):
            result.append(Section(kind, axis, [i for i in synthesis.items if i.kind == kind and i.axis_id == axis.id]))
    for kind in (ItemKind.CROSS_CUTTING, ItemKind.PERSPECTIVE):
        result.append(Section(kind, None, [i for i in synthesis.items if i.kind == kind]))
    return result


@dataclass(frozen=True)
class Provenance:
    """Where an item came from, in numbers: at how many tables, from how many contributions."""

    tables: int
    contributions: int


def load_sources(synthesis: Synthesis, *options) -> list[SynthesisItem]:
    """The synthesis's items with their sources loaded in one query, instead of one per item
    when each item's sources are first read; `options` (loader options of SynthesisSource)
    load what the sources point to the same way."""
    items = synthesis.items  # held here: the session keeps loaded objects only weakly
    if items:
        sources = selectinload(SynthesisItem.sources)
        db.session.scalars(
            select(SynthesisItem).where(SynthesisItem.synthesis_id == synthesis.id)
            .options(sources.options(*options) if options else sources)
        ).all()
    return items


def provenance(item: SynthesisItem) -> Provenance:
    sessions = {s.session_id for s in item.sources if s.session_id is not None}
    contributions = {s.contribution_id for s in item.sources if s.contribution_id is not None}
    return Provenance(len(sessions), len(contributions))


# Items ------------------------------------------------------------------------------------------


def _editable(synthesis: Synthesis) -> None:
    if not synthesis.editable:
        raise NotEditable(_("La sintesi è %(state)s: riaprila per modificarla.", state=synthesis.state.label.lower()))


def check_item(synthesis: Synthesis, data: dict) -> dict:
    """The item's values, or SynthesisError with every problem at once."""
    problems: dict[str, str] = {}
    kind = _kind(data.get("kind"), problems)
    axis = _axis(synthesis, kind, data.get("axis_id"), problems)
    title = " ".join(str(data.get("title") or "").split())
    description = str(data.get("description") or "").strip()
    if not title:
        problems["title"] = _("Scrivi il titolo della voce.")
    elif len(title) > TITLE_MAX:
        problems["title"] = _("Massimo %(max)d caratteri.", max=TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = _("Massimo %(max)d caratteri.", max=DESCRIPTION_MAX)
    if problems:
        raise SynthesisError(problems)
    return {"kind": kind, "axis": axis, "title": title, "description": description}


def _kind(value, problems: dict) -> ItemKind | None:
    try:
        return ItemKind(value)
    except ValueError:
        problems["kind"] = _("Scegli il tipo di voce.")
        return None


def _axis(synthesis: Synthesis, kind: ItemKind | None, value, problems: dict):
    if kind is None or not kind.per_axis:
        return None
    axes = {str(axis.id): axis for axis in synthesis.procedure.authority.axes}
    axis = axes.get(str(value or ""))
    if axis is None:
        problems["axis_id"] = _("Scegli l'asse della voce.")
    return axis


def add_item(synthesis: Synthesis, data: dict, *, by) -> SynthesisItem:
    _editable(synthesis)
    values = check_item(synthesis, data)
    last = max((i.position for i in synthesis.items if i.kind == values["kind"] and i.axis is values["axis"]), default=0)
    item = SynthesisItem(synthesis=synthesis, position=last + 1, **values)
    db.session.add(item)
    db.session.flush()
    audit.record(item, "create", by=by, details={"kind": item.kind.value, "title": item.title})
    return item


def edit_item(item: SynthesisItem, data: dict, *, by) -> SynthesisItem:
    _editable(item.synthesis)
    values = check_item(item.synthesis, {"kind": item.kind.value, "axis_id": item.axis_id, **data})
    item.title, item.description = values["title"], values["description"]
    audit.record(item, "edit", by=by, details={"title": item.title})
    return item


def delete_item(item: SynthesisItem, *, by) -> None:
    _editable(item.synthesis)
    audit.record(item, "delete", by=by, details={"title": item.title})
    item.synthesis.items.remove(item)
    db.session.flush()


def move_item(item: SynthesisItem, step: int, *, by) -> None:
    """One place up (step -1) or down (+1) among the items of its section."""
    _editable(item.synthesis)
    siblings = [i for i in item.synthesis.items if i.kind == item.kind and i.axis_id == item.axis_id]
    siblings.sort(key=lambda i: i.position)
    here = siblings.index(item)
    there = here + step
    if 0 <= there < len(siblings):
        siblings[here], siblings[there] = siblings[there], siblings[here]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position
        audit.record(item, "move", by=by, details={"step": step})


# Sources ----------------------------------------------------------------------------------------


def add_source(item: SynthesisItem, *, by, session_id=None, contribution_id=None) -> SynthesisSource:
    """Link a session (with a published verbale) or a published contribution of the same
    procedure; linking the same one twice changes nothing."""
    _editable(item.synthesis)
    procedure_id = item.synthesis.procedure_id
    if session_id is not None:
        session = db.session.get(TableSession, _int(session_id))
        if session is None or session.procedure_id != procedure_id or not _minutes_published(session):
            raise SynthesisError({"source": _("Questo incontro non ha un verbale pubblicato in questo procedimento.")})
        existing = next((s for s in item.sources if s.session_id == session.id), None)
        source = existing or SynthesisSource(item=item, session=session)
    elif contribution_id is not None:
        contribution = db.session.get(Contribution, _int(contribution_id))
        if (contribution is None or contribution.procedure_id != procedure_id
                or contribution.state != ContributionState.APPROVED):
            raise SynthesisError({"source": _("Questo contributo non è pubblicato in questo procedimento.")})
        existing = next((s for s in item.sources if s.contribution_id == contribution.id), None)
        source = existing or SynthesisSource(item=item, contribution=contribution)
    else:
        raise SynthesisError({"source": _("Scegli un incontro o un contributo.")})
    if existing is None:
        db.session.add(source)
        db.session.flush()
        audit.record(item, "add_source", by=by, details={"session": source.session_id, "contribution": source.contribution_id})
    return source


def remove_source(source: SynthesisSource, *, by) -> None:
    item = source.item
    _editable(item.synthesis)
    audit.record(item, "remove_source", by=by, details={"session": source.session_id, "contribution": source.contribution_id})
    item.sources.remove(source)
    db.session.flush()


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _minutes_published(session: TableSession) -> bool:
    return session.minutes is not None and session.minutes.state == MinutesState.PUBLISHED


# Candidates for the source picker -------------------------------------------------------------------

CANDIDATES_LIMIT = 20


def session_candidates(procedure: Procedure, text: str = "", axis_id: int | None = None) -> list[TableSession]:
    """Sessions with a published verbale, newest first, whose Part 1 or Part 2 mention the text."""
    query = (select(TableSession).join(Minutes, Minutes.session_id == TableSession.id)
             .where(TableSession.procedure_id == procedure.id, Minutes.state == MinutesState.PUBLISHED))
    if axis_id:
        query = query.where(TableSession.axis_id == axis_id)
    words = _words(text)
    for word in words:
        pattern = f"%{word}%"
        in_findings = select(Finding.id).where(Finding.minutes_id == Minutes.id, func.lower(Finding.text).like(pattern))
        in_directions = select(Direction.id).where(
            Direction.minutes_id == Minutes.id,
            or_(func.lower(Direction.who).like(pattern), func.lower(Direction.what).like(pattern),
                func.lower(Direction.how).like(pattern)),
        )
        query = query.where(or_(in_findings.exists(), in_directions.exists()))
    return list(db.session.scalars(query.order_by(TableSession.starts_at, TableSession.id).limit(CANDIDATES_LIMIT)))


def contribution_candidates(procedure: Procedure, text: str = "", axis_id: int | None = None) -> list[Contribution]:
    """Published contributions whose description mentions the text."""
    query = select(Contribution).where(Contribution.procedure_id == procedure.id,
                                       Contribution.state == ContributionState.APPROVED)
    if axis_id:
        query = query.where(Contribution.axis_id == axis_id)
    for word in _words(text):
        query = query.where(func.lower(Contribution.description).like(f"%{word}%"))
    return list(db.session.scalars(query.order_by(Contribution.id).limit(CANDIDATES_LIMIT)))


def _words(text: str) -> list[str]:
    """Lower-case words of the search, LIKE wildcards taken literally by dropping them."""
    cleaned = (text or "").lower().replace("%", " ").replace("_", " ")
    return [word for word in cleaned.split() if len(word) >= 2][:5]


# States -----------------------------------------------------------------------------------------


def move_synthesis(synthesis: Synthesis, to: SynthesisState, *, by, reason: str | None = None) -> None:
    """Approve, publish, reopen: a published synthesis needs at least one item."""
    if to == SynthesisState.PUBLISHED and not synthesis.items:
        raise SynthesisError({"state": _("Una sintesi senza voci non si pubblica.")})
    synthesis.move(to, by=by, reason=reason)


def save_introduction(synthesis: Synthesis, text: str, *, by) -> None:
    _editable(synthesis)
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise SynthesisError({"introduction": _("Massimo %(max)d caratteri.", max=DESCRIPTION_MAX)})
    synthesis.introduction = text
    audit.record(synthesis, "introduction", by=by)
