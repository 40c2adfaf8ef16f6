"""Shared models: the audit log and stored documents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .time import naive_utc, utcnow


def now_column() -> datetime:
    return naive_utc(utcnow())


class AuditEntry(db.Model):
    """Evidence of every state change: who, when, what, from -> to, reason."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now_column, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User", lazy="joined")


class StoredFile(db.Model):
    """A document kept in the database with its SHA-256, size and type."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(default=now_column)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ContentVersion(db.Model):
    """A counter bumped in the same transaction as any change to public content.

    Public pages are cached per worker under this version: a change anywhere invalidates
    them everywhere (every gunicorn worker reads the same row). `changed_at` is when (UTC):
    the pages' Last-Modified."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    changed_at: Mapped[datetime | None]


def link_table(owner: str, target: str, *, owner_table: str, target_table: str):
    """A many-to-many table `<owner>_<target_table>` between two tables, rows deleted with either
    side (e.g. the axes and districts of a notice or of an application)."""
    from sqlalchemy import Column, Table

    return Table(
        f"{owner}_{target_table}",
        db.metadata,
        Column(f"{owner}_id", ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{target}_id", ForeignKey(f"{target_table}.id", ondelete="CASCADE"), primary_key=True),
    )
