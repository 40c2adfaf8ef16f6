"""Writing the audit log. Rows join the caller's transaction: no audit, no change."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import AuditEntry


def record(obj, action: str, *, by=None, from_state=None, to_state=None, reason=None, details=None):
    entry = AuditEntry(
        actor_id=getattr(by, "id", None),
        object_type=type(obj).__name__,
        object_id=obj.id,
        action=action,
        from_state=str(from_state) if from_state is not None else None,
        to_state=str(to_state) if to_state is not None else None,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry


def history(obj) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == type(obj).__name__, AuditEntry.object_id == obj.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.session.scalars(query))
