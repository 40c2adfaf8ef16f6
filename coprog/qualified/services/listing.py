"""What the staff and ETS pages of the list read: the entries of a procedure (one page, filtered by
state, with their number of services counted in SQL), and the entries an ETS user keeps."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...notices.models import Procedure
from ...organisations.models import Membership, Organisation
from ..models import EntryService, EntryState, QualifiedEntry

PAGE_SIZE = 25


@dataclass
class EntryPage:
    rows: list[tuple[QualifiedEntry, int]]  # each entry with its number of services
    total: int
    page: int
    pages: int


def entries_of(procedure, *, state: EntryState | None = None, page: int = 1, page_size: int = PAGE_SIZE) -> EntryPage:
    """One page of the procedure's entries, by organisation name."""
    services = (select(EntryService.entry_id, func.count(EntryService.id).label("n"))
                .group_by(EntryService.entry_id).subquery())
    query = (select(QualifiedEntry, func.coalesce(services.c.n, 0))
             .join(Organisation, Organisation.id == QualifiedEntry.organisation_id)
             .outerjoin(services, services.c.entry_id == QualifiedEntry.id)
             .where(QualifiedEntry.procedure_id == procedure.id))
    if state is not None:
        query = query.where(QualifiedEntry.state == state)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), pages)
    found = db.session.execute(
        query.options(selectinload(QualifiedEntry.organisation))
        .order_by(Organisation.name, QualifiedEntry.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return EntryPage([(entry, count) for entry, count in found], total, page, pages)


def state_counts(procedure) -> dict[str, int]:
    rows = db.session.execute(select(QualifiedEntry.state, func.count()).where(
        QualifiedEntry.procedure_id == procedure.id).group_by(QualifiedEntry.state)).all()
    return {EntryState(state).value: count for state, count in rows}


def entries_kept_by(user) -> list[QualifiedEntry]:
    """The entries of the organisations `user` acts for, with their services (for the ETS's
    dashboard): no query per entry or per service."""
    if user is None:
        return []
    query = (select(QualifiedEntry)
             .join(Membership, Membership.organisation_id == QualifiedEntry.organisation_id)
             .where(Membership.user_id == user.id)
             .options(selectinload(QualifiedEntry.organisation),
                      selectinload(QualifiedEntry.procedure).selectinload(Procedure.notice),
                      selectinload(QualifiedEntry.services))
             .order_by(QualifiedEntry.created_at.desc(), QualifiedEntry.id.desc()))
    return list(db.session.scalars(query))


def services_of(entry: QualifiedEntry) -> list[EntryService]:
    """An entry's services with what their pages show (axis, type, places), in a fixed number of
    queries."""
    return list(db.session.scalars(
        select(EntryService).where(EntryService.entry_id == entry.id)
        .options(selectinload(EntryService.axis), selectinload(EntryService.resource_type),
                 selectinload(EntryService.comune), selectinload(EntryService.districts),
                 selectinload(EntryService.comuni))
        .order_by(EntryService.id)))
