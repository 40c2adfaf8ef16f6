"""Documents that are written as drafts, approved, then published (a verbale, the synthesis):
who approved and published them and when, and one audited way to move between states.

A model mixes ApprovalFlow in and sets MOVES, {state: states it may move to}; its state enum
uses the values "approved" and "published" for those two steps.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from . import audit
from .time import naive_utc, utcnow

APPROVED, PUBLISHED = "approved", "published"


class IllegalTransition(Exception):
    """A move the document's state does not allow."""


class ApprovalFlow:
    MOVES: ClassVar[dict]

    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    @declared_attr
    def approved_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def published_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def move(self, to, *, by, reason: str | None = None, now: datetime | None = None) -> None:
        if to not in self.MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        from_state, self.state = self.state, to
        moment = naive_utc(now or utcnow())
        if to == APPROVED:
            self.approved_at, self.approved_by_id = moment, getattr(by, "id", None)
        elif to == PUBLISHED:
            self.published_at, self.published_by_id = moment, getattr(by, "id", None)
        audit.record(self, "state", by=by, from_state=from_state, to_state=to, reason=reason)
