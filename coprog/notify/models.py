"""The e-mail outbox: one row per message, written in the transaction of the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import now_column
from ..extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # The template it was rendered from: for diagnostics and to throttle repeated requests.
    template: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(
            OutboxStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now_column)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    def mark_sent(self, at: datetime) -> None:
        self.status = OutboxStatus.SENT
        self.attempts += 1
        self.sent_at = at
        self.last_error = None

    def mark_attempt_failed(self, error: str, at: datetime, *, retry_at: datetime | None) -> None:
        """Count the attempt; schedule a retry at `retry_at`, or give up when it is None."""
        self.attempts += 1
        self.last_error = error[:2000]
        if retry_at is None:
            self.status = OutboxStatus.FAILED
            self.next_attempt_at = at
        else:
            self.next_attempt_at = retry_at

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.to_address} {self.status}>"
