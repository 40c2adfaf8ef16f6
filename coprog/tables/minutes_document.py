"""The generated verbale: what the document page, the public page and the PDF show, built
once from the data (session, attendance computed from the check-ins, Part 1, Part 2, notes).

The public version differs in one place, here: it names no person. Facilitators are left
out, and actors are shown as `public_name` shows them (co-opted citizens are not named).
Registrants are never named in any version: attendance is counts by category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..actors.services import public_name
from .models import FindingKind, Minutes, MinutesState, TableSession
from .services.figures import participation
from .services.minutes import directions_of, findings_by_kind


@dataclass(frozen=True)
class AttendanceRow:
    label: str
    by_group: tuple[int, ...]  # per table group of a merged session, else empty
    total: int


@dataclass(frozen=True)
class DirectionItem:
    actors: tuple[str, ...]
    who: str
    what: str
    how: str


@dataclass
class MinutesDocument:
    public: bool
    authority: str
    procedure_title: str
    slug: str
    axis: str
    groups: list[str]
    title: str  # the session's own title (merged sessions), may be empty
    starts_at: datetime
    ends_at: datetime
    shift: str
    place: str
    online_url: str
    state: MinutesState
    approved_at: datetime | None
    published_at: datetime | None
    updated_at: datetime | None
    notes: str
    facilitators: list[str] = field(default_factory=list)
    attendance_groups: list[str] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    attended: int = 0
    registered: int = 0
    findings: list[tuple[FindingKind, list[str]]] = field(default_factory=list)
    directions: list[DirectionItem] = field(default_factory=list)

    @property
    def groups_text(self) -> str:
        return ", ".join(self.groups)

    @property
    def group_totals(self) -> list[int]:
        """Attended per table group of a merged session (empty otherwise)."""
        return [sum(row.by_group[i] for row in self.attendance) for i in range(len(self.attendance_groups))]


def build_document(session: TableSession, minutes: Minutes, *, public: bool) -> MinutesDocument:
    notice = session.procedure.notice
    doc = MinutesDocument(
        public=public,
        authority=session.procedure.authority.name,
        procedure_title=notice.title if notice else "",
        slug=session.procedure.slug,
        axis=session.axis.name,
        groups=[g.name for g in session.groups],
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        shift=str(session.shift.label),
        place=session.place,
        online_url=session.online_url,
        state=minutes.state,
        approved_at=minutes.approved_at,
        published_at=minutes.published_at,
        updated_at=minutes.updated_at,
        notes=minutes.notes or "",
        facilitators=[] if public else [f.full_name for f in session.facilitators],
        findings=[(kind, [f.text for f in items]) for kind, items in findings_by_kind(minutes).items()],
        directions=[
            DirectionItem(tuple(public_name(a) for a in d.actors), d.who, d.what, d.how) for d in directions_of(minutes)
        ],
    )
    _add_attendance(doc, session)
    return doc


def _add_attendance(doc: MinutesDocument, session: TableSession) -> None:
    """Attended by category (and by group when the session is merged), from the check-ins."""
    figures = next(
        (f for f in participation(session.procedure, axis_id=session.axis_id) if f.session.id == session.id), None
    )
    if figures is None:
        return
    groups = session.groups if session.is_merged else []
    doc.attendance_groups = [g.name for g in groups]
    doc.attendance = [
        AttendanceRow(
            c.label,
            tuple(figures.attended(group_id=g.id, category_id=c.id) for g in groups),
            figures.attended(category_id=c.id),
        )
        for c in figures.categories
    ]
    doc.attended, doc.registered = figures.attended(), figures.registered()
