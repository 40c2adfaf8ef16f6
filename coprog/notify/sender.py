"""The outbox sender: claims due messages, delivers them over one SMTP connection, retries.

Safe to run in several processes at once: a message is claimed by moving its next_attempt_at
forward (a lease) in a statement that only matches it while it is still due, so a second
sender never picks it up. On PostgreSQL the due rows are locked with FOR UPDATE SKIP LOCKED
first, so concurrent senders take different rows instead of waiting on each other. A sender
that dies mid-batch leaves its messages to be picked up again when the lease expires.

This is a job, not a request: it owns its transactions and commits the claim, then each result.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, func, select, update

from ..core.time import as_utc, naive_utc, utcnow
from ..extensions import db
from .models import OutboxMessage, OutboxStatus

CLAIM_LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (
            f"presi in carico {self.claimed}, inviati {self.sent}, "
            f"da ritentare {self.retrying}, falliti {self.failed}"
        )


class SmtpUnavailable(Exception):
    """The server could not be reached or refused the session: every message waits."""


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most one hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


def send_pending(limit: int = 100, now: datetime | None = None) -> SendReport:
    now = as_utc(now) if now is not None else utcnow()
    report = SendReport()
    ids = claim_due(limit, now)
    report.claimed = len(ids)
    if not ids:
        return report
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ).all()
    with SmtpConnection(current_app.config) as smtp:
        for message in messages:
            _deliver(smtp, message, now, report)
            db.session.commit()
    return report


def _due(now: datetime):
    return and_(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= naive_utc(now),
    )


def claim_due(limit: int, now: datetime) -> list[int]:
    """Claim up to `limit` due messages for this sender and commit the claim."""
    candidates = (
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
        ids = list(db.session.scalars(candidates))
    else:
        ids = candidates.scalar_subquery()
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), _due(now))
        .values(next_attempt_at=naive_utc(now + CLAIM_LEASE))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def _deliver(smtp: SmtpConnection, message: OutboxMessage, now: datetime, report: SendReport):
    try:
        smtp.send(build_email(message, now))
    except SmtpUnavailable as exc:
        _record_failure(message, str(exc), now, report, permanent=False)
    except smtplib.SMTPException as exc:
        _record_failure(message, _describe(exc), now, report, permanent=_is_permanent(exc))
    else:
        message.mark_sent(naive_utc(now))
        report.sent += 1


def _record_failure(message, error: str, now: datetime, report: SendReport, *, permanent: bool):
    max_attempts = current_app.config["COPROG_OUTBOX_MAX_ATTEMPTS"]
    give_up = permanent or message.attempts + 1 >= max_attempts
    retry_at = None if give_up else naive_utc(now + retry_delay(message.attempts + 1))
    message.mark_attempt_failed(error, naive_utc(now), retry_at=retry_at)
    if give_up:
        report.failed += 1
        current_app.logger.warning(
            "E-mail %s to %s failed: %s", message.id, message.to_address, error
        )
    else:
        report.retrying += 1


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    """A 5xx reply for the sender, the data or every recipient will not change on a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {_text(msg)}" for to, (code, msg) in exc.recipients.items())
    code = getattr(exc, "smtp_code", None)
    if code is not None:
        return f"{type(exc).__name__}: {code} {_text(getattr(exc, 'smtp_error', ''))}"
    return f"{type(exc).__name__}: {exc}"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def build_email(message: OutboxMessage, now: datetime) -> EmailMessage:
    """A proper MIME message: UTF-8 text (and HTML alternative), Date and a stable Message-ID."""
    sender = current_app.config["COPROG_MAIL_FROM"]
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(as_utc(now))
    # Stable across retries, so a receiver can drop a duplicate after an uncertain delivery.
    created = as_utc(message.created_at).strftime("%Y%m%d%H%M%S")
    email["Message-ID"] = f"<outbox.{message.id}.{created}@{_mail_domain(sender)}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text, charset="utf-8", cte="quoted-printable")
    if message.body_html:
        email.add_alternative(
            message.body_html, subtype="html", charset="utf-8", cte="quoted-printable"
        )
    return email


def _mail_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


class SmtpConnection:
    """One SMTP connection for a batch, opened on first use and reopened if it drops."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.unavailable: str | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, email: EmailMessage) -> None:
        if self.unavailable:
            raise SmtpUnavailable(self.unavailable)
        smtp = self._open()
        envelope_from = parseaddr(self.config["COPROG_MAIL_FROM"])[1]
        try:
            smtp.send_message(email, from_addr=envelope_from)
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc
        except smtplib.SMTPException:  # a reply about this message: the connection is fine
            raise
        except OSError as exc:  # SMTPException is an OSError too, hence the order
            self.close()
            raise SmtpUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def _open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        try:
            self.smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            # Do not knock again for each message of the batch: they all wait for the next pass.
            self.unavailable = f"{type(exc).__name__}: {exc}"
            raise SmtpUnavailable(self.unavailable) from exc
        return self.smtp

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        host, port, timeout = c["COPROG_SMTP_HOST"], c["COPROG_SMTP_PORT"], c["COPROG_SMTP_TIMEOUT"]
        helo = urlsplit(c["COPROG_BASE_URL"]).hostname or "localhost"
        if c["COPROG_SMTP_SSL"]:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, local_hostname=helo, context=context
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout, local_hostname=helo)
        try:
            if c["COPROG_SMTP_STARTTLS"] and not c["COPROG_SMTP_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if c["COPROG_SMTP_USER"]:
                smtp.login(c["COPROG_SMTP_USER"], c["COPROG_SMTP_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({OutboxStatus(status).value: n for status, n in rows})
    return counts
