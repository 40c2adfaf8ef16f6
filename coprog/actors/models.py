"""Actor: one subject, whatever the path it came through (organisation, co-opted, invited)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import now_column
from ..extensions import db
from ..notices.models import enum_column


class ActorKind(enum.StrEnum):
    ETS = "ets"
    CO_OPTED = "cooptato"
    INVITED_BODY = "invitato"
    PUBLIC_SERVICE = "servizio_pubblico"
    OTHER = "altro"

    @property
    def label(self):
        return {
            ActorKind.ETS: _l("Ente del Terzo settore"),
            ActorKind.CO_OPTED: _l("Soggetto cooptato"),
            ActorKind.INVITED_BODY: _l("Soggetto invitato (sub-procedimento)"),
            ActorKind.PUBLIC_SERVICE: _l("Servizio pubblico"),
            ActorKind.OTHER: _l("Altro soggetto"),
        }[self]


class Actor(db.Model):
    """A subject that can contribute. At most one actor per organisation, co-opted subject or
    invitation (unique keys); subjects named only by text (a Comune's social services, a CSM)
    belong to a procedure and have none of the three."""

    __tablename__ = "actors"
    public_content = True  # actors are named in published minutes and in the network

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind), index=True)
    name: Mapped[str] = mapped_column(String(300))
    procedure_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    co_opted_subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("co_opted_subjects.id", ondelete="CASCADE"), unique=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("sub_procedure_invitations.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation = relationship("Organisation")
    co_opted_subject = relationship("CoOptedSubject")
    invitation = relationship("Invitation")

    def __repr__(self) -> str:
        return f"<Actor {self.id} {self.kind} {self.name!r}>"
