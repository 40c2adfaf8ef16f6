"""`coprog subprocedures expire` writes down the expiry of overdue invitations."""

from __future__ import annotations

from datetime import timedelta

from coprog.core.time import naive_utc, utcnow
from coprog.subprocedures.models import InvitationState


def test_expire_command(app, session, invite):
    overdue, _ = invite(email="scaduto@esempio.it")
    pending, _ = invite(email="attivo@esempio.it")
    overdue.expires_at = naive_utc(utcnow() - timedelta(hours=1))
    session.commit()
    result = app.test_cli_runner().invoke(args=["subprocedures", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 inviti scaduti" in result.output and "scaduto@esempio.it" in result.output
    session.refresh(overdue)
    session.refresh(pending)
    assert overdue.state == InvitationState.EXPIRED and pending.state == InvitationState.SENT
