"""Use-cases of sub-procedures. They flush, never commit: the view commits once per request.

Invitations travel as single-use links: a random token goes in the e-mail, only its SHA-256
is stored. Every time-dependent use-case takes `now`, so tests need no clock tricks.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..auth.services import find_user_by_email, normalize_email, send_verification
from ..core import audit
from ..core.roles import Role
from ..core.time import as_utc, naive_utc, utcnow
from ..extensions import db
from ..notices.models import Procedure
from ..notify.services import absolute_url, queue_email
from .models import (
    BodyKind,
    Invitation,
    InvitationContact,
    InvitationState,
    SubProcedure,
    SubProcedureState,
)


class SubProcedureError(ValueError):
    """A refusal with a message for the user."""


class DuplicateInvitation(SubProcedureError):
    pass


class InvalidInvitationToken(Exception):
    """The link is unknown (forged, or replaced by a newer one): `gone` is False. The link was
    real but can no longer be used (answered, expired, revoked, sub-procedure closed): True."""

    def __init__(self, invitation: Invitation | None = None):
        super().__init__("gone" if invitation is not None else "invalid")
        self.invitation = invitation

    @property
    def gone(self) -> bool:
        return self.invitation is not None


# Queries ---------------------------------------------------------------------------------------


def subprocedures_of(procedure: Procedure) -> list[SubProcedure]:
    query = (
        select(SubProcedure)
        .where(SubProcedure.procedure_id == procedure.id)
        .options(selectinload(SubProcedure.invitations))
        .order_by(SubProcedure.created_at, SubProcedure.id)
    )
    return list(db.session.scalars(query))


def invitations_of(sub: SubProcedure) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(Invitation.sub_procedure_id == sub.id)
        .options(selectinload(Invitation.contacts), selectinload(Invitation.user))
        .order_by(Invitation.id)
    )
    return list(db.session.scalars(query))


def state_counts(invitations: list[Invitation], now: datetime | None = None) -> dict[InvitationState, int]:
    counts = dict.fromkeys(InvitationState, 0)
    for invitation in invitations:
        counts[invitation.shown_state(now)] += 1
    return counts


def already_invited(sub: SubProcedure, email: str) -> bool:
    query = select(func.count(Invitation.id)).where(
        Invitation.sub_procedure_id == sub.id, Invitation.email == normalize_email(email)
    )
    return db.session.scalar(query) > 0


# Sub-procedures --------------------------------------------------------------------------------


def create_subprocedure(procedure: Procedure, data: dict, *, by) -> SubProcedure:
    sub = SubProcedure(
        procedure=procedure,
        title=data["title"].strip(),
        purpose=data["purpose"].strip(),
        legal_basis=data["legal_basis"].strip(),
        state=SubProcedureState.DRAFT,
        created_by_id=by.id if by else None,
    )
    db.session.add(sub)
    db.session.flush()
    audit.record(sub, "create", by=by, to_state=SubProcedureState.DRAFT)
    return sub


# Tokens ----------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random single-use token and the hash that is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def expiry_from(now: datetime) -> datetime:
    return naive_utc(as_utc(now) + timedelta(days=current_app.config["COPROG_INVITATION_DAYS"]))


def invitation_link(token: str) -> str:
    return absolute_url("subprocedures.invitation_page", token=token)


# Invitations (staff) ---------------------------------------------------------------------------


def invite_body(sub: SubProcedure, data: dict, *, by, now: datetime | None = None) -> Invitation:
    """Invite a body: the invitation and its e-mail are saved together, or neither."""
    now = as_utc(now or utcnow())
    if not sub.is_open:
        raise SubProcedureError(_("Si possono invitare soggetti solo quando il sub-procedimento è aperto."))
    email = normalize_email(data["email"])
    if already_invited(sub, email):
        raise DuplicateInvitation(
            _("Questo indirizzo è già stato invitato a questo sub-procedimento: per mandare un "
              "nuovo collegamento usa «Invia di nuovo» nell'elenco degli inviti.")
        )
    token, token_hash = new_token()
    invitation = Invitation(
        sub_procedure=sub,
        body_kind=BodyKind(data["body_kind"]),
        body_name=data["body_name"].strip(),
        tax_code=data.get("tax_code") or None,
        email=email,
        state=InvitationState.SENT,
        token_hash=token_hash,
        invited_by_id=by.id if by else None,
        sent_at=naive_utc(now),
        expires_at=expiry_from(now),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(invitation, "invited", by=by, to_state=InvitationState.SENT)
    _send_invitation(invitation, token)
    return invitation


def resend_invitation(invitation: Invitation, *, by, now: datetime | None = None) -> None:
    """A new link and a new expiry; the old link stops working."""
    now = as_utc(now or utcnow())
    token, token_hash = new_token()
    invitation.renew(token_hash, expiry_from(now), by=by, now=now)
    db.session.flush()
    _send_invitation(invitation, token)


def revoke_invitation(invitation: Invitation, *, by, reason: str | None = None, now: datetime | None = None) -> None:
    invitation.revoke(by=by, reason=reason or None, now=now)
    db.session.flush()


def expire_overdue(now: datetime | None = None) -> list[Invitation]:
    """Write down the expiry of every pending invitation past its date (run on a timer)."""
    now = as_utc(now or utcnow())
    query = select(Invitation).where(
        Invitation.state.in_([InvitationState.SENT, InvitationState.OPENED]),
        Invitation.expires_at <= naive_utc(now),
    )
    expired = list(db.session.scalars(query))
    for invitation in expired:
        invitation.expire(now=now)
    db.session.flush()
    return expired


def _send_invitation(invitation: Invitation, token: str) -> None:
    sub = invitation.sub_procedure
    queue_email(
        invitation.email,
        _("Invito al sub-procedimento: %(title)s", title=sub.title),
        "subprocedure_invitation",
        invitation=invitation,
        sub=sub,
        notice=sub.procedure.notice,
        authority=sub.procedure.authority,
        link=invitation_link(token),
        expires_at=invitation.expires_at,
    )


# The link (invited body) -----------------------------------------------------------------------


def invitation_for_token(token: str, *, now: datetime | None = None, lock: bool = False) -> Invitation:
    """The invitation a link answers, if it can still be answered; else InvalidInvitationToken.

    With `lock`, the row stays locked until commit (PostgreSQL): two answers sent at once
    are applied one after the other, and the second finds the link used."""
    if not token or len(token) > 200:
        raise InvalidInvitationToken()
    query = select(Invitation).where(Invitation.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    invitation = db.session.scalar(query)
    if invitation is None:
        raise InvalidInvitationToken()
    if not invitation.can_be_answered(now):
        raise InvalidInvitationToken(invitation)
    return invitation


def open_invitation(token: str, *, now: datetime | None = None) -> Invitation:
    invitation = invitation_for_token(token, now=now)
    invitation.mark_opened(now=now)
    db.session.flush()
    return invitation


@dataclass(frozen=True)
class Acceptance:
    invitation: Invitation
    user: User
    created: bool  # a new account was made for the first contact
    signed_in: bool  # the new account may be signed in now (its address is the invited one)


class PasswordNeeded(SubProcedureError):
    pass


def accept_invitation(
    token: str, contacts: list[dict], password: str | None, *, now: datetime | None = None
) -> Acceptance:
    """Accept with one or more contact persons; the first gets the account (invited_body).

    An existing account with the first contact's address is linked, never replaced. A new
    account whose address is the invited one is verified by construction (the link proved
    the mailbox) and may be signed in; any other address gets the usual verification e-mail.
    """
    now = as_utc(now or utcnow())
    invitation = invitation_for_token(token, now=now, lock=True)
    first = contacts[0]
    user = find_user_by_email(first["email"])
    created = user is None
    if created:
        if not password:
            raise PasswordNeeded(_("Scegli una password per l'account del primo referente."))
        user = _new_invited_user(invitation, first, password, now=now)
    save_contacts(invitation, contacts)
    invitation.accept(user, now=now)
    db.session.flush()
    signed_in = created and user.email_verified
    return Acceptance(invitation=invitation, user=user, created=created, signed_in=signed_in)


def _new_invited_user(invitation: Invitation, contact: dict, password: str, *, now: datetime) -> User:
    email = normalize_email(contact["email"])
    verified = email == invitation.email
    user = User(
        email=email,
        full_name=contact["full_name"].strip(),
        role=Role.INVITED_BODY,
        email_verified_at=naive_utc(now) if verified else None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        user, "registered", by=user, to_state="verified" if verified else "unverified",
        details={"invitation_id": invitation.id},
    )
    if not verified:
        send_verification(user)
    return user


def save_contacts(invitation: Invitation, contacts: list[dict]) -> None:
    invitation.contacts = [
        InvitationContact(
            position=position,
            full_name=row["full_name"].strip(),
            role=(row.get("role") or "").strip(),
            email=normalize_email(row["email"]),
            phone=(row.get("phone") or "").strip(),
        )
        for position, row in enumerate(contacts)
    ]


def decline_invitation(token: str, reason: str | None, *, now: datetime | None = None) -> Invitation:
    invitation = invitation_for_token(token, now=now, lock=True)
    invitation.decline(reason=(reason or "").strip() or None, now=now)
    db.session.flush()
    return invitation
