"""Participation figures, computed in SQL from the registrations and check-ins (never stored):
registered (confirmed registrations, walk-ins excluded) and attended (check-ins, walk-ins
included) per session, table group and category."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...core.time import to_rome
from ...extensions import db
from ...notices.models import Procedure
from ..models import Attendance, Registration, RegistrationState, TableCategory, TableSession
from .planning import categories_of


@dataclass
class SessionFigures:
    session: TableSession
    categories: list[TableCategory]
    # {group_id: {category_id: n}}
    registered_by_group: dict[int, dict[int, int]] = field(default_factory=dict)
    attended_by_group: dict[int, dict[int, int]] = field(default_factory=dict)
    waitlisted: int = 0

    @staticmethod
    def _sum(table: dict[int, dict[int, int]], group_id: int | None = None, category_id: int | None = None) -> int:
        rows = [table.get(group_id, {})] if group_id is not None else table.values()
        return sum(n for row in rows for c, n in row.items() if category_id is None or c == category_id)

    def registered(self, group_id: int | None = None, category_id: int | None = None) -> int:
        return self._sum(self.registered_by_group, group_id, category_id)

    def attended(self, group_id: int | None = None, category_id: int | None = None) -> int:
        return self._sum(self.attended_by_group, group_id, category_id)

    def attended_by_category(self) -> dict[str, int]:
        """By the stored (Italian) label: open data keep the same keys whatever the language."""
        return {c.stored_label: self.attended(category_id=c.id) for c in self.categories}


def _sessions(procedure: Procedure, axis_id: int | None) -> list[TableSession]:
    """The sessions with what the figures show of them (axis, groups), nothing more."""
    query = (
        select(TableSession)
        .where(TableSession.procedure_id == procedure.id)
        .options(selectinload(TableSession.axis), selectinload(TableSession.groups))
        .order_by(TableSession.starts_at, TableSession.id)
    )
    if axis_id is not None:
        query = query.where(TableSession.axis_id == axis_id)
    return list(db.session.scalars(query))


def _counts(query) -> dict[int, dict[int, dict[int, int]]]:
    """{session_id: {group_id: {category_id: n}}} from rows (session, group, category, n)."""
    table: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for session_id, group_id, category_id, count in db.session.execute(query):
        table[session_id][group_id][category_id] = count
    return table


def participation(procedure: Procedure, *, axis_id: int | None = None) -> list[SessionFigures]:
    """Per session (in date order): registered and attended per group and category. Three
    grouped queries whatever the number of sessions and people."""
    sessions = _sessions(procedure, axis_id)
    categories = categories_of(procedure)
    key = (Registration.session_id, Registration.group_id, Registration.category_id)
    in_procedure = TableSession.procedure_id == procedure.id
    registered = _counts(
        select(*key, func.count())
        .join(TableSession, TableSession.id == Registration.session_id)
        .where(in_procedure, Registration.state == RegistrationState.CONFIRMED, Registration.is_walk_in.is_(False))
        .group_by(*key)
    )
    attended = _counts(
        select(*key, func.count())
        .select_from(Attendance)
        .join(Registration, Registration.id == Attendance.registration_id)
        .join(TableSession, TableSession.id == Attendance.session_id)
        .where(in_procedure)
        .group_by(*key)
    )
    waiting = dict(
        db.session.execute(
            select(Registration.session_id, func.count())
            .join(TableSession, TableSession.id == Registration.session_id)
            .where(in_procedure, Registration.state == RegistrationState.WAITLISTED)
            .group_by(Registration.session_id)
        ).all()
    )
    return [
        SessionFigures(
            session=s,
            categories=categories,
            registered_by_group=registered.get(s.id, {}),
            attended_by_group=attended.get(s.id, {}),
            waitlisted=waiting.get(s.id, 0),
        )
        for s in sessions
    ]


def used_categories(figures: list[SessionFigures]) -> list[TableCategory]:
    """The categories somebody registered or attended in, in their order."""
    used = {c.id for item in figures for c in item.categories
            if item.registered(category_id=c.id) or item.attended(category_id=c.id)}
    return [c for c in (figures[0].categories if figures else []) if c.id in used]


def axis_totals(figures: list[SessionFigures]) -> list[dict]:
    """Per axis: registered and attended, in all and by category id, in axis order."""
    totals: dict[int, dict] = {}
    for item in figures:
        axis = item.session.axis
        entry = totals.setdefault(axis.id, {"axis": axis, "registered": 0, "attended": 0,
                                            "by_category": defaultdict(int), "registered_by_category": defaultdict(int)})
        entry["registered"] += item.registered()
        entry["attended"] += item.attended()
        for category in item.categories:
            entry["by_category"][category.id] += item.attended(category_id=category.id)
            entry["registered_by_category"][category.id] += item.registered(category_id=category.id)
    return sorted(totals.values(), key=lambda e: (e["axis"].position, e["axis"].id))


def open_data(procedure: Procedure) -> dict:
    """The JSON of /dati/<slug>/partecipazione.json."""
    return {
        "procedure": procedure.slug,
        "sessions": [
            {
                "axis": item.session.axis.name,
                "date": f"{to_rome(item.session.starts_at):%Y-%m-%d}",
                "shift": item.session.shift.value,
                "groups": [g.name for g in item.session.groups],
                "registered": item.registered(),
                "attended": item.attended_by_category(),
            }
            for item in participation(procedure)
        ],
    }


CSV_HEADER = ("asse", "data", "turno", "tavoli", "categoria", "iscritti", "presenti")


def open_data_csv(procedure: Procedure) -> str:
    """One row per session and category (semicolon-separated, as Italian spreadsheets expect)."""
    from ...applications.admission import spreadsheet_safe

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for item in participation(procedure):
        session = item.session
        common = (session.axis.name, f"{to_rome(session.starts_at):%Y-%m-%d}", session.shift.value,
                  " + ".join(g.name for g in session.groups))
        for category in item.categories:
            row = (*common, category.stored_label, item.registered(category_id=category.id), item.attended(category_id=category.id))
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
