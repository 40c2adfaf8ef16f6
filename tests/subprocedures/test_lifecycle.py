"""The lifecycles: sub-procedure draft -> open -> closed; invitations sent -> opened ->
accepted | declined, expired, revoked, sent again. Illegal moves raise; every move is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprog.core.audit import history
from coprog.core.time import utcnow
from coprog.notices.models import IllegalTransition
from coprog.subprocedures import services
from coprog.subprocedures.models import (
    DEFAULT_LEGAL_BASIS,
    InvitationState,
    SubProcedure,
    SubProcedureState,
)

from .conftest import invitation_data, make_subprocedure, token_of


def test_subprocedure_moves_forward_only(session, notice, staff):
    sub = make_subprocedure(notice, staff, opened=False)
    assert sub.state == SubProcedureState.DRAFT
    with pytest.raises(IllegalTransition):
        sub.close(by=staff)
    sub.open(by=staff)
    assert sub.opened_at is not None
    with pytest.raises(IllegalTransition):
        sub.open(by=staff)
    sub.close(by=staff, reason="Fine")
    with pytest.raises(IllegalTransition):
        sub.open(by=staff)
    actions = [(e.action, e.from_state, e.to_state) for e in history(sub)]
    assert actions == [("create", None, "draft"), ("state", "draft", "open"), ("state", "open", "closed")]


def test_default_legal_basis(session, notice):
    sub = SubProcedure(procedure=notice.procedure, title="T")
    session.add(sub)
    session.flush()
    assert sub.legal_basis == DEFAULT_LEGAL_BASIS == "L. 241/1990; art. 55 D.Lgs. 117/2017"


def test_no_invitations_before_opening(session, notice, staff):
    sub = make_subprocedure(notice, staff, opened=False)
    with pytest.raises(services.SubProcedureError):
        services.invite_body(sub, invitation_data(), by=staff)


def test_invitation_stores_only_a_hash_of_its_token(session, sub, staff, invite):
    invitation, path = invite()
    token = token_of(path)
    assert invitation.token_hash == services.hash_token(token) != token
    assert len(invitation.token_hash) == 64
    assert invitation.state == InvitationState.SENT
    assert (invitation.expires_at - invitation.sent_at) == timedelta(days=14)


def test_expiry_days_come_from_config(app, session, sub, staff):
    app.config["COPROG_INVITATION_DAYS"] = 3
    try:
        invitation = services.invite_body(sub, invitation_data(), by=staff)
    finally:
        app.config["COPROG_INVITATION_DAYS"] = 14
    assert invitation.expires_at - invitation.sent_at == timedelta(days=3)


def test_answered_invitations_cannot_move(session, sub, staff, invite):
    invitation, path = invite()
    services.decline_invitation(token_of(path), "No")
    for move in (lambda: invitation.revoke(by=staff),
                 lambda: invitation.decline(),
                 lambda: invitation.accept(staff),
                 lambda: invitation.renew("x" * 64, utcnow(), by=staff)):
        with pytest.raises(IllegalTransition):
            move()


def test_revoked_and_closed_invitations_cannot_be_answered(session, sub, staff, invite):
    first, _ = invite()
    first.revoke(by=staff)
    with pytest.raises(IllegalTransition):
        first.decline()
    second, _ = invite(email="altro@esempio.it")
    sub.close(by=staff)
    with pytest.raises(IllegalTransition):
        second.decline()
    with pytest.raises(IllegalTransition):
        second.renew("y" * 64, utcnow(), by=staff)


def test_expire_overdue_writes_the_state_once(session, sub, staff, invite):
    invitation, _ = invite()
    later = utcnow() + timedelta(days=15)
    assert invitation.shown_state() == InvitationState.SENT
    assert invitation.shown_state(later) == InvitationState.EXPIRED
    with pytest.raises(IllegalTransition):
        invitation.expire()  # not yet
    assert services.expire_overdue(later) == [invitation]
    assert invitation.state == InvitationState.EXPIRED
    assert services.expire_overdue(later) == []
    assert [e.action for e in history(invitation)] == ["invited", "expired"]


def test_expired_invitation_can_be_sent_again(session, sub, staff, invite):
    invitation, _ = invite()
    later = utcnow() + timedelta(days=15)
    services.expire_overdue(later)
    services.resend_invitation(invitation, by=staff, now=later)
    assert invitation.state == InvitationState.SENT
    assert invitation.times_sent == 2
    assert invitation.expires_at - invitation.sent_at == timedelta(days=14)
    assert invitation.can_be_answered(later)
