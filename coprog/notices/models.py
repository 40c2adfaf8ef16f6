"""Procedure, notice and what hangs on a notice: milestones, attachments, FAQ, amendments.

The notice owns its lifecycle: draft -> published -> closed (deadline passed) -> concluded.
An illegal move raises IllegalTransition; every move is written to the audit log.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import audit
from ..core.approval import IllegalTransition  # noqa: F401 (also imported from here)
from ..core.models import StoredFile, link_table, now_column
from ..core.time import as_utc, naive_utc, utcnow
from ..extensions import db
from ..territory.models import Authority, Axis, District


def enum_column(enum_class, length=30):
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )



class ProcedureKind(enum.StrEnum):
    CO_PROGRAMMING = "co_programmazione"
    CO_DESIGN = "co_progettazione"
    QUALIFIED_LIST = "elenco_qualificati"

    @property
    def label(self):
        return {
            ProcedureKind.CO_PROGRAMMING: _l("Co-programmazione"),
            ProcedureKind.CO_DESIGN: _l("Co-progettazione"),
            ProcedureKind.QUALIFIED_LIST: _l("Elenco di soggetti qualificati"),
        }[self]


class NoticeState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CONCLUDED = "concluded"

    @property
    def label(self):
        return {
            NoticeState.DRAFT: _l("Bozza"),
            NoticeState.PUBLISHED: _l("Aperto"),
            NoticeState.CLOSED: _l("Chiuso"),
            NoticeState.CONCLUDED: _l("Concluso"),
        }[self]


class MilestoneKind(enum.StrEnum):
    START = "avvio"
    PRESENTATION = "presentazione"
    ADMITTED = "ammessi"
    TABLE = "tavolo"
    SUBPROCEDURE = "sub_procedimento"
    RESTITUTION = "restituzione"
    OTHER = "altro"

    @property
    def label(self):
        return MILESTONE_LABELS[self]


MILESTONE_LABELS = {
    MilestoneKind.START: _l("Avvio del procedimento"),
    MilestoneKind.PRESENTATION: _l("Presentazione online"),
    MilestoneKind.ADMITTED: _l("Comunicazione degli ammessi"),
    MilestoneKind.TABLE: _l("Tavolo di co-programmazione"),
    MilestoneKind.SUBPROCEDURE: _l("Sub-procedimento"),
    MilestoneKind.RESTITUTION: _l("Restituzione pubblica"),
    MilestoneKind.OTHER: _l("Altra scadenza"),
}


class AttachmentKind(enum.StrEnum):
    MODELLO_A = "modello_a"
    SCHEDA_TECNICA = "scheda_tecnica"
    ALLEGATO_4 = "allegato_4"
    OTHER = "altro"

    @property
    def label(self):
        return {
            AttachmentKind.MODELLO_A: _l("Modello A – Domanda di partecipazione"),
            AttachmentKind.SCHEDA_TECNICA: _l("Scheda tecnica"),
            AttachmentKind.ALLEGATO_4: _l("Allegato 4 – DSAN (DPR 445/2000, artt. 46–47)"),
            AttachmentKind.OTHER: _l("Altro documento"),
        }[self]


class Procedure(db.Model):
    __tablename__ = "procedures"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ProcedureKind] = mapped_column(enum_column(ProcedureKind))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    authority: Mapped[Authority] = relationship()
    notice: Mapped[Notice | None] = relationship(back_populates="procedure", uselist=False)


notice_axes = link_table("notice", "axis", owner_table="notices", target_table="axes")
notice_districts = link_table("notice", "district", owner_table="notices", target_table="districts")

# The notice's texts. With the deadline, axes, districts, milestones and documents they are
# its substance, which changes only through an amendment (rettifica) once published.
TEXT_FIELDS = (
    "title",
    "summary",
    "legal_basis",
    "objectives",
    "requirements",
    "how_to_apply",
    "rup_name",
    "rup_role",
    "contact_email",
    "contact_pec",
    "contact_phone",
)

ALLOWED_MOVES = {
    NoticeState.DRAFT: {NoticeState.PUBLISHED},
    NoticeState.PUBLISHED: {NoticeState.CLOSED},
    NoticeState.CLOSED: {NoticeState.CONCLUDED},
    NoticeState.CONCLUDED: set(),
}


class Notice(db.Model):
    """The avviso of a procedure."""

    __tablename__ = "notices"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[NoticeState] = mapped_column(
        enum_column(NoticeState), default=NoticeState.DRAFT, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    how_to_apply: Mapped[str] = mapped_column(Text, default="")
    rup_name: Mapped[str] = mapped_column(String(200), default="")
    rup_role: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_pec: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    concluded_at: Mapped[datetime | None]
    admitted_published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    procedure: Mapped[Procedure] = relationship(back_populates="notice")
    axes: Mapped[list[Axis]] = relationship(secondary=notice_axes, order_by="Axis.position")
    districts: Mapped[list[District]] = relationship(
        secondary=notice_districts, order_by="District.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="notice", order_by="Milestone.starts_at", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="notice", order_by="Attachment.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="notice", order_by="Question.position", cascade="all, delete-orphan"
    )
    amendments: Mapped[list[Amendment]] = relationship(
        back_populates="notice", order_by="Amendment.number", cascade="all, delete-orphan"
    )

    # Lifecycle -------------------------------------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.state != NoticeState.DRAFT

    def deadline_passed(self, now: datetime | None = None) -> bool:
        return as_utc(now or utcnow()) >= as_utc(self.deadline_at)

    def accepts_applications(self, now: datetime | None = None) -> bool:
        """Checked on the server at the moment of the request, never trusted from a page."""
        return self.state == NoticeState.PUBLISHED and not self.deadline_passed(now)

    def publication_problems(self, now: datetime | None = None) -> list[str]:
        from flask_babel import gettext as _

        problems = []
        if not self.title.strip():
            problems.append(_("Manca il titolo."))
        if self.deadline_passed(now):
            problems.append(_("La scadenza è già passata: indicane una futura."))
        if not self.rup_name.strip():
            problems.append(_("Manca il responsabile del procedimento (RUP)."))
        if not (self.contact_email or self.contact_pec):
            problems.append(_("Manca un contatto (e-mail o PEC)."))
        if not self.axes:
            problems.append(_("Indica almeno un asse."))
        return problems

    def _move(self, to: NoticeState, *, by, reason: str | None = None) -> None:
        if to not in ALLOWED_MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        from_state = self.state
        self.state = to
        audit.record(self, "state", by=by, from_state=from_state, to_state=to, reason=reason)

    def publish(self, *, by, now: datetime | None = None) -> None:
        if self.state == NoticeState.DRAFT and self.publication_problems(now):
            raise IllegalTransition("; ".join(self.publication_problems(now)))
        self._move(NoticeState.PUBLISHED, by=by)
        self.published_at = naive_utc(now or utcnow())

    def close(self, *, by, now: datetime | None = None, reason: str | None = None) -> None:
        if self.state == NoticeState.PUBLISHED and not self.deadline_passed(now):
            raise IllegalTransition("deadline not passed")
        self._move(NoticeState.CLOSED, by=by, reason=reason)
        self.closed_at = naive_utc(now or utcnow())

    def conclude(self, *, by, now: datetime | None = None, reason: str | None = None) -> None:
        self._move(NoticeState.CONCLUDED, by=by, reason=reason)
        self.concluded_at = naive_utc(now or utcnow())



class Milestone(db.Model):
    """A dated step of the timeline (the deadline itself lives on the notice)."""

    __tablename__ = "notice_milestones"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MilestoneKind] = mapped_column(enum_column(MilestoneKind))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    all_day: Mapped[bool] = mapped_column(default=False)
    place: Mapped[str] = mapped_column(String(300), default="")
    internal: Mapped[bool] = mapped_column(default=False)
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("axes.id", ondelete="SET NULL"))

    notice: Mapped[Notice] = relationship(back_populates="milestones")
    axis: Mapped[Axis | None] = relationship()


class Attachment(db.Model):
    __tablename__ = "notice_attachments"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    title: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    position: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime] = mapped_column(default=now_column)

    notice: Mapped[Notice] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class Question(db.Model):
    """A question from the public and its answer (FAQ)."""

    __tablename__ = "notice_questions"
    public_content = True  # changes invalidate the cached public pages

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=False)
    asked_at: Mapped[datetime] = mapped_column(default=now_column)
    answered_at: Mapped[datetime | None]

    notice: Mapped[Notice] = relationship(back_populates="questions")


class Amendment(db.Model):
    """A rettifica: a change to a published notice, with its reason, shown publicly."""

    __tablename__ = "notice_amendments"
    public_content = True  # changes invalidate the cached public pages
    __table_args__ = (UniqueConstraint("notice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    notice: Mapped[Notice] = relationship(back_populates="amendments")
