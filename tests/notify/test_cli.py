"""`coprog outbox send|status`."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from coprog.notify.models import OutboxMessage, OutboxStatus
from coprog.notify.services import queue_email


def queue_two(session):
    for n in range(2):
        queue_email(
            f"cli{n}@esempio.it",
            "Prova",
            "verify_email",
            user=SimpleNamespace(full_name="Prova"),
            link="http://coprog.test/x",
            hours=24,
        )
    session.commit()


def statuses(session):
    session.expire_all()
    return sorted(m.status.value for m in session.scalars(select(OutboxMessage)))


def test_send_one_pass(app, app_ctx, session, smtp_server):
    queue_two(session)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "inviati 2" in result.output
    assert len(smtp_server.handler.envelopes) == 2
    assert statuses(session) == ["sent", "sent"]


def test_send_loop_until_interrupted(app, app_ctx, session, smtp_server, monkeypatch):
    queue_two(session)
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr("coprog.notify.cli.time.sleep", fake_sleep)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--loop", "--interval", "7"])
    assert result.exit_code == 0, result.output
    assert sleeps == [7]
    assert "inviati 2" in result.output and "Interrotto" in result.output
    assert len(smtp_server.handler.envelopes) == 2


def test_send_with_server_down_reports_retry(app, app_ctx, session, stopped_smtp_server):
    queue_two(session)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "da ritentare 2" in result.output
    assert statuses(session) == ["pending", "pending"]


def test_status_counts(app, app_ctx, session):
    queue_two(session)
    first = session.scalars(select(OutboxMessage)).first()
    first.status = OutboxStatus.FAILED
    session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert "in attesa  1" in result.output
    assert "inviati    0" in result.output
    assert "falliti    1" in result.output
