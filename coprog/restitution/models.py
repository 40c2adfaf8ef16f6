"""The synthesis of a procedure and its sources.

One Synthesis per procedure carries the state (draft -> approved -> published, audited); its
items are the actor categories, directions and priority interventions of each axis, and the
cross-cutting directions and perspectives (no axis). Each item points to its sources: table
sessions (their Part 1 / Part 2 records) and contributions, so that the public page can say at
how many tables and from how many contributions it emerged.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.approval import ApprovalFlow
from ..core.models import StoredFile, now_column
from ..extensions import db
from ..notices.models import Procedure, enum_column
from ..territory.models import Axis


class SynthesisState(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self):
        return {
            SynthesisState.DRAFT: _l("Bozza"),
            SynthesisState.APPROVED: _l("Approvata"),
            SynthesisState.PUBLISHED: _l("Pubblicata"),
        }[self]


SYNTHESIS_MOVES = {
    SynthesisState.DRAFT: {SynthesisState.APPROVED},
    SynthesisState.APPROVED: {SynthesisState.DRAFT, SynthesisState.PUBLISHED},  # reopen for changes
    SynthesisState.PUBLISHED: {SynthesisState.DRAFT},  # withdrawn to correct it, then published again
}


class ItemKind(enum.StrEnum):
    """What an item of the synthesis is. The first three belong to an axis, the last two to the
    whole procedure (seed 002: nine cross-cutting directions; the DSM's perspectives)."""

    ACTORS = "actors"
    DIRECTION = "direction"
    INTERVENTION = "intervention"
    CROSS_CUTTING = "cross_cutting"
    PERSPECTIVE = "perspective"

    @property
    def per_axis(self) -> bool:
        return self in (ItemKind.ACTORS, ItemKind.DIRECTION, ItemKind.INTERVENTION)

    @property
    def label(self):
        return {
            ItemKind.ACTORS: _l("Categorie di attori da coinvolgere"),
            ItemKind.DIRECTION: _l("Direzioni"),
            ItemKind.INTERVENTION: _l("Interventi prioritari"),
            ItemKind.CROSS_CUTTING: _l("Direzioni trasversali"),
            ItemKind.PERSPECTIVE: _l("Prospettive"),
        }[self]


class Synthesis(ApprovalFlow, db.Model):
    __tablename__ = "syntheses"
    public_content = True
    MOVES = SYNTHESIS_MOVES

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), unique=True)
    state: Mapped[SynthesisState] = mapped_column(enum_column(SynthesisState, 20), default=SynthesisState.DRAFT)
    introduction: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    procedure: Mapped[Procedure] = relationship()
    items: Mapped[list[SynthesisItem]] = relationship(
        back_populates="synthesis", order_by="SynthesisItem.position", cascade="all, delete-orphan"
    )

    @property
    def editable(self) -> bool:
        return self.state == SynthesisState.DRAFT

    @property
    def is_published(self) -> bool:
        return self.state == SynthesisState.PUBLISHED


class SynthesisItem(db.Model):
    __tablename__ = "synthesis_items"
    __table_args__ = (
        Index("ix_synthesis_items_order", "synthesis_id", "kind", "axis_id", "position"),
        CheckConstraint(
            "(kind IN ('cross_cutting', 'perspective')) = (axis_id IS NULL)", name="axis"
        ),
    )
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("syntheses.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, 20))
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("axes.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    synthesis: Mapped[Synthesis] = relationship(back_populates="items")
    axis: Mapped[Axis | None] = relationship()
    sources: Mapped[list[SynthesisSource]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="SynthesisSource.id"
    )


class SynthesisSource(db.Model):
    """One source of an item: a table session or a contribution (exactly one of the two)."""

    __tablename__ = "synthesis_sources"
    __table_args__ = (
        UniqueConstraint("item_id", "session_id", name="uq_synthesis_sources_session"),
        UniqueConstraint("item_id", "contribution_id", name="uq_synthesis_sources_contribution"),
        CheckConstraint(
            "(session_id IS NULL) <> (contribution_id IS NULL)", name="one_source"
        ),
    )
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("synthesis_items.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("table_sessions.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )

    item: Mapped[SynthesisItem] = relationship(back_populates="sources")
    session = relationship("TableSession")
    contribution = relationship("Contribution")


class FinalDocumentState(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self):
        return {
            FinalDocumentState.DRAFT: _l("Bozza"),
            FinalDocumentState.APPROVED: _l("Approvato"),
            FinalDocumentState.PUBLISHED: _l("Pubblicato"),
        }[self]


FINAL_DOCUMENT_MOVES = {
    FinalDocumentState.DRAFT: {FinalDocumentState.APPROVED},
    FinalDocumentState.APPROVED: {FinalDocumentState.DRAFT, FinalDocumentState.PUBLISHED},
    FinalDocumentState.PUBLISHED: {FinalDocumentState.DRAFT},
}


class FinalDocument(ApprovalFlow, db.Model):
    """The *documento di sintesi*: generated from the procedure's data. While a draft it is
    computed at each view; approval freezes its content (what was approved is what gets
    published), publication stores its PDF with the SHA-256 that the transparency page shows."""

    __tablename__ = "final_documents"
    public_content = True
    MOVES = FINAL_DOCUMENT_MOVES

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), unique=True)
    state: Mapped[FinalDocumentState] = mapped_column(enum_column(FinalDocumentState, 20),
                                                      default=FinalDocumentState.DRAFT)
    content: Mapped[dict | None] = mapped_column(JSON)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    procedure: Mapped[Procedure] = relationship()
    file: Mapped[StoredFile | None] = relationship()

    @property
    def is_published(self) -> bool:
        return self.state == FinalDocumentState.PUBLISHED
