"""An organisation (an ETS, identified by its codice fiscale) and its members."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import now_column
from ..extensions import db


class MemberRole(enum.StrEnum):
    LEGAL_REPRESENTATIVE = "legale_rappresentante"
    DELEGATE = "delegato"

    @property
    def label(self):
        return {
            MemberRole.LEGAL_REPRESENTATIVE: _l("Legale rappresentante"),
            MemberRole.DELEGATE: _l("Delegato"),
        }[self]


class Organisation(db.Model):
    __tablename__ = "organisations"
    public_content = True  # the admitted list shows organisations

    id: Mapped[int] = mapped_column(primary_key=True)
    codice_fiscale: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    runts_section: Mapped[str | None] = mapped_column(String(1))
    repertorio: Mapped[str | None] = mapped_column(String(30))
    seat_comune: Mapped[str | None] = mapped_column(String(100))
    seat_province: Mapped[str | None] = mapped_column(String(60))
    pec: Mapped[str | None] = mapped_column(String(254))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    prefilled_from_runts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    members: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def has_member(self, user) -> bool:
        return user is not None and any(m.user_id == user.id for m in self.members)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(
        Enum(MemberRole, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(default=now_column)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user = relationship("User")
