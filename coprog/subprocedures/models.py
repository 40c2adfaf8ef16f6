"""The sub-procedure of a procedure and its invitations.

A sub-procedure moves draft -> open -> closed. An invitation moves
sent -> opened -> accepted | declined, and any pending one may expire, be revoked or be sent
again (a new single-use link). Each model owns its lifecycle: an illegal move raises
IllegalTransition and every move writes an audit row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core import audit
from ..core.models import now_column
from ..core.time import as_utc, naive_utc, utcnow
from ..extensions import db
from ..notices.models import IllegalTransition, Procedure, enum_column

DEFAULT_LEGAL_BASIS = "L. 241/1990; art. 55 D.Lgs. 117/2017"


class SubProcedureState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self):
        return {
            SubProcedureState.DRAFT: _l("Bozza"),
            SubProcedureState.OPEN: _l("Aperto"),
            SubProcedureState.CLOSED: _l("Chiuso"),
        }[self]


class BodyKind(enum.StrEnum):
    PUBLIC_BODY = "ente_pubblico"
    FOUNDATION = "fondazione"
    COMPANY = "impresa"
    HOUSING_AGENCY = "ente_abitare_pubblico"
    CULTURAL_BODY = "ente_culturale"
    TRAINING_BODY = "ente_formazione"
    OTHER = "altro"

    @property
    def label(self):
        return BODY_KIND_LABELS[self]


BODY_KIND_LABELS = {
    BodyKind.PUBLIC_BODY: _l("Ente pubblico"),
    BodyKind.FOUNDATION: _l("Fondazione"),
    BodyKind.COMPANY: _l("Impresa"),
    BodyKind.HOUSING_AGENCY: _l("Ente per l'abitare pubblico (ACER)"),
    BodyKind.CULTURAL_BODY: _l("Ente culturale"),
    BodyKind.TRAINING_BODY: _l("Ente di formazione"),
    BodyKind.OTHER: _l("Altro"),
}


class InvitationState(enum.StrEnum):
    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self):
        return INVITATION_STATE_LABELS[self]

    @property
    def pending(self) -> bool:
        return self in (InvitationState.SENT, InvitationState.OPENED)


INVITATION_STATE_LABELS = {
    InvitationState.SENT: _l("Inviato"),
    InvitationState.OPENED: _l("Aperto"),
    InvitationState.ACCEPTED: _l("Accettato"),
    InvitationState.DECLINED: _l("Rifiutato"),
    InvitationState.EXPIRED: _l("Scaduto"),
    InvitationState.REVOKED: _l("Revocato"),
}

SUBPROCEDURE_MOVES = {
    SubProcedureState.DRAFT: {SubProcedureState.OPEN},
    SubProcedureState.OPEN: {SubProcedureState.CLOSED},
    SubProcedureState.CLOSED: set(),
}

_PENDING_MOVES = {
    InvitationState.OPENED,
    InvitationState.ACCEPTED,
    InvitationState.DECLINED,
    InvitationState.EXPIRED,
    InvitationState.REVOKED,
    InvitationState.SENT,  # sent again, with a new link
}
INVITATION_MOVES = {
    InvitationState.SENT: _PENDING_MOVES,
    InvitationState.OPENED: _PENDING_MOVES - {InvitationState.OPENED},
    InvitationState.EXPIRED: {InvitationState.SENT, InvitationState.REVOKED},
    InvitationState.ACCEPTED: set(),
    InvitationState.DECLINED: set(),
    InvitationState.REVOKED: set(),
}


def _stamp(now: datetime | None) -> datetime:
    return naive_utc(now or utcnow())


class SubProcedure(db.Model):
    """A sub-procedimento opened on a procedure to involve bodies that are not ETS."""

    __tablename__ = "sub_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default=DEFAULT_LEGAL_BASIS)
    state: Mapped[SubProcedureState] = mapped_column(
        enum_column(SubProcedureState), default=SubProcedureState.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    procedure: Mapped[Procedure] = relationship()
    created_by: Mapped[User | None] = relationship()
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="sub_procedure", order_by="Invitation.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state == SubProcedureState.OPEN

    def _move(self, to: SubProcedureState, *, by, reason: str | None = None) -> None:
        if to not in SUBPROCEDURE_MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        from_state, self.state = self.state, to
        audit.record(self, "state", by=by, from_state=from_state, to_state=to, reason=reason)

    def open(self, *, by, now: datetime | None = None) -> None:
        self._move(SubProcedureState.OPEN, by=by)
        self.opened_at = _stamp(now)

    def close(self, *, by, now: datetime | None = None, reason: str | None = None) -> None:
        self._move(SubProcedureState.CLOSED, by=by, reason=reason)
        self.closed_at = _stamp(now)


class Invitation(db.Model):
    """An invitation of one body, by e-mail, with a single-use link that expires.

    Only the SHA-256 of the link's token is stored: whoever reads the database cannot answer.
    """

    __tablename__ = "sub_procedure_invitations"
    __table_args__ = (UniqueConstraint("sub_procedure_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_procedure_id: Mapped[int] = mapped_column(
        ForeignKey("sub_procedures.id", ondelete="CASCADE"), index=True
    )
    body_kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    body_name: Mapped[str] = mapped_column(String(300))
    tax_code: Mapped[str | None] = mapped_column(String(16))  # CF / P.IVA, 11 digits
    email: Mapped[str] = mapped_column(String(254))
    state: Mapped[InvitationState] = mapped_column(
        enum_column(InvitationState), default=InvitationState.SENT, index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(default=now_column)
    expires_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    times_sent: Mapped[int] = mapped_column(default=1)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    sub_procedure: Mapped[SubProcedure] = relationship(back_populates="invitations")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    contacts: Mapped[list[InvitationContact]] = relationship(
        back_populates="invitation", order_by="InvitationContact.position",
        cascade="all, delete-orphan",
    )

    # Lifecycle -------------------------------------------------------------------------------

    def is_expired(self, now: datetime | None = None) -> bool:
        return as_utc(now or utcnow()) >= as_utc(self.expires_at)

    def shown_state(self, now: datetime | None = None) -> InvitationState:
        """The state as staff should read it: a pending invitation past its expiry is expired,
        even before `expire_overdue` has written it down."""
        if self.state.pending and self.is_expired(now):
            return InvitationState.EXPIRED
        return self.state

    def can_be_answered(self, now: datetime | None = None) -> bool:
        return self.state.pending and not self.is_expired(now) and self.sub_procedure.is_open

    def _move(self, to: InvitationState, *, by, reason: str | None = None, details=None) -> None:
        if to not in INVITATION_MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        from_state, self.state = self.state, to
        action = "resent" if to == InvitationState.SENT else str(to)
        audit.record(
            self, action, by=by, from_state=from_state, to_state=to, reason=reason, details=details
        )

    def _require_answerable(self, now: datetime | None) -> None:
        if not self.can_be_answered(now):
            raise IllegalTransition(f"{self.state}: the invitation cannot be answered")

    def mark_opened(self, *, now: datetime | None = None) -> bool:
        """The link was followed: recorded the first time only. True when recorded now."""
        if self.state != InvitationState.SENT or not self.can_be_answered(now):
            return False
        self._move(InvitationState.OPENED, by=None)
        self.opened_at = _stamp(now)
        return True

    def accept(self, user: User, *, now: datetime | None = None) -> None:
        self._require_answerable(now)
        self._move(InvitationState.ACCEPTED, by=user, details={"user_id": user.id})
        self.user_id = user.id
        self.answered_at = _stamp(now)

    def decline(self, *, reason: str | None = None, now: datetime | None = None) -> None:
        self._require_answerable(now)
        self._move(InvitationState.DECLINED, by=None, reason=reason)
        self.decline_reason = reason
        self.answered_at = _stamp(now)

    def expire(self, *, now: datetime | None = None) -> None:
        if not self.is_expired(now):
            raise IllegalTransition("not expired yet")
        self._move(InvitationState.EXPIRED, by=None)

    def revoke(self, *, by, reason: str | None = None, now: datetime | None = None) -> None:
        self._move(InvitationState.REVOKED, by=by, reason=reason)
        self.revoked_at = _stamp(now)

    def renew(self, token_hash: str, expires_at: datetime, *, by, now: datetime | None = None) -> None:
        """A new link replaces the old one, which stops working at once."""
        if not self.sub_procedure.is_open:
            raise IllegalTransition("sub-procedure not open")
        self._move(InvitationState.SENT, by=by, details={"expires_at": naive_utc(expires_at).isoformat()})
        self.token_hash = token_hash
        self.expires_at = naive_utc(expires_at)
        self.sent_at = _stamp(now)
        self.opened_at = None
        self.times_sent += 1


class InvitationContact(db.Model):
    """A contact person named by the invited body when it accepts."""

    __tablename__ = "sub_procedure_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("sub_procedure_invitations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")

    invitation: Mapped[Invitation] = relationship(back_populates="contacts")
