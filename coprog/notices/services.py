"""Use-cases on notices. They flush, never commit: the view commits once per request."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Notice, NoticeState, Procedure


def public_notices(limit: int | None = None) -> list[Notice]:
    query = (
        select(Notice)
        .where(Notice.state != NoticeState.DRAFT)
        .options(selectinload(Notice.procedure).selectinload(Procedure.authority))
        .order_by(Notice.published_at.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
