"""The outbox, delivered to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from coprog.core.time import as_utc, naive_utc, utcnow
from coprog.notify.models import OutboxMessage, OutboxStatus
from coprog.notify.sender import claim_due, retry_delay, send_pending
from coprog.notify.services import absolute_url, queue_email
from tests.factories import make_user

NAME = "Zoë D'Àngelo <b>"
SUBJECT = "Conferma l'indirizzo – perché è necessario"


def queue(to="destinataria@esempio.it", template="verify_email", **context):
    context.setdefault("user", SimpleNamespace(full_name=NAME))
    context.setdefault("link", "http://coprog.test/verifica-email/abc")
    context.setdefault("hours", 24)
    return queue_email(to, SUBJECT, template, **context)


def count_outbox(session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_queue_renders_text_and_html(app_ctx, session):
    message = queue()
    assert message.id is not None
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert NAME in message.body_text  # plain text is not escaped
    assert "http://coprog.test/verifica-email/abc" in message.body_text
    assert "Zoë D&#39;Àngelo &lt;b&gt;" in message.body_html  # HTML is
    assert message.template == "verify_email"


def test_queue_without_html_template(app_ctx, session):
    message = queue(template="reset_password", minutes=60)
    assert message.body_html is None
    assert "60 minuti" in message.body_text


def test_absolute_url_uses_base_url_not_request_host(app, session):
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert absolute_url("auth.login") == "http://coprog.test/accedi"


def test_rolled_back_change_queues_nothing(app_ctx, session):
    make_user(email="rollback@esempio.it")
    queue(to="rollback@esempio.it")
    session.rollback()
    assert count_outbox(session) == 0
    assert send_pending().claimed == 0


def test_committed_change_queues_the_message(app_ctx, session):
    make_user(email="commit@esempio.it")
    queue(to="commit@esempio.it")
    session.commit()
    assert count_outbox(session) == 1


def test_delivered_with_headers_and_utf8_body(app_ctx, session, smtp_server):
    message = queue()
    session.commit()

    report = send_pending()

    assert (report.claimed, report.sent, report.retrying, report.failed) == (1, 1, 0, 0)
    session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    assert message.attempts == 1 and message.last_error is None
    [envelope] = smtp_server.handler.envelopes
    assert envelope.mail_from == "noreply@coprog.example.it"
    assert envelope.rcpt_tos == ["destinataria@esempio.it"]
    [mail] = smtp_server.handler.messages()
    assert mail["Subject"] == SUBJECT
    assert mail["From"] == "Co-programmazione AUSL <noreply@coprog.example.it>"
    assert mail["To"] == "destinataria@esempio.it"
    assert mail["Date"] is not None
    assert mail["Message-ID"].startswith(f"<outbox.{message.id}.")
    assert mail["Message-ID"].endswith("@coprog.example.it>")
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    assert NAME in text.get_content()
    assert "&lt;b&gt;" in mail.get_body(("html",)).get_content()


def test_one_connection_per_batch(app_ctx, session, smtp_server):
    for n in range(3):
        queue(to=f"dest{n}@esempio.it", template="reset_password", minutes=60)
    session.commit()

    assert send_pending().sent == 3

    assert len(smtp_server.handler.envelopes) == 3
    assert len(set(smtp_server.handler.peers)) == 1
    assert count_pending(session) == 0


def count_pending(session) -> int:
    query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
    return session.scalar(query)


def test_limit_per_pass(app_ctx, session, smtp_server):
    for n in range(3):
        queue(to=f"dest{n}@esempio.it")
    session.commit()
    assert send_pending(limit=2).sent == 2
    assert send_pending(limit=2).sent == 1


def test_smtp_down_then_retried_and_delivered(app_ctx, session, stopped_smtp_server):
    message = queue()
    session.commit()
    now = utcnow()

    report = send_pending(now=now)

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    session.refresh(message)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert as_utc(message.next_attempt_at) == as_utc(naive_utc(now + timedelta(minutes=1)))
    # Not due yet: nothing is tried.
    assert send_pending(now=now + timedelta(seconds=30)).claimed == 0

    stopped_smtp_server.start()
    report = send_pending(now=now + timedelta(minutes=1, seconds=1))

    assert report.sent == 1
    session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert len(stopped_smtp_server.handler.envelopes) == 1


def test_connection_failure_is_tried_once_per_batch(app_ctx, session, stopped_smtp_server):
    for n in range(3):
        queue(to=f"dest{n}@esempio.it")
    session.commit()
    report = send_pending()
    assert (report.claimed, report.retrying) == (3, 3)


def test_failed_after_max_attempts(app_ctx, session, stopped_smtp_server):
    message = queue()
    session.commit()
    now = utcnow()
    reports = []
    for _ in range(3):  # COPROG_OUTBOX_MAX_ATTEMPTS is 3 in these tests
        reports.append(send_pending(now=now))
        session.refresh(message)
        now = as_utc(message.next_attempt_at) + timedelta(seconds=1)

    assert [r.retrying for r in reports] == [1, 1, 0]
    assert reports[-1].failed == 1
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    assert message.last_error
    assert send_pending(now=now + timedelta(days=1)).claimed == 0


def test_permanent_refusal_fails_at_once_and_others_go_through(app_ctx, session, smtp_server):
    smtp_server.handler.refuse.add("nessuno@esempio.it")
    refused = queue(to="nessuno@esempio.it")
    accepted = queue(to="qualcuno@esempio.it")
    session.commit()

    report = send_pending()

    assert (report.sent, report.failed) == (1, 1)
    session.refresh(refused)
    session.refresh(accepted)
    assert refused.status == OutboxStatus.FAILED and "550" in refused.last_error
    assert accepted.status == OutboxStatus.SENT


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(20) == timedelta(hours=1)


def test_claimed_messages_are_not_claimed_again(app_ctx, session):
    first, second = queue(), queue(to="altra@esempio.it")
    session.commit()
    now = utcnow()

    assert claim_due(10, now) == [first.id, second.id]
    # A second sender running at the same moment finds nothing to take.
    assert claim_due(10, now) == []
    # A sender that died mid-batch: its messages come back once the lease expires.
    assert claim_due(10, now + timedelta(minutes=11)) == [first.id, second.id]


@pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.FAILED])
def test_only_pending_messages_are_claimed(app_ctx, session, status):
    message = queue()
    message.status = status
    session.commit()
    assert claim_due(10, utcnow() + timedelta(days=1)) == []
