"""Queueing e-mail: the message joins the caller's transaction, so no change means no e-mail."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import select

from ..core.time import naive_utc, utcnow
from ..extensions import db
from .models import OutboxMessage


def queue_email(to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render templates/notify/<template>.txt (and .html if present) and add it to the outbox.

    The row is added to the current session and flushed: it is committed or rolled back
    together with the change that caused it.
    """
    context.setdefault("site_name", current_app.config["COPROG_SITE_NAME"])
    message = OutboxMessage(
        to_address=to.strip(),
        subject=" ".join(str(subject).split())[:255],
        body_text=render_template(f"notify/{template}.txt", **context),
        body_html=_render_optional(f"notify/{template}.html", **context),
        template=template,
        next_attempt_at=naive_utc(utcnow()),
    )
    db.session.add(message)
    db.session.flush()
    return message


def _render_optional(name: str, **context) -> str | None:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return None
    return render_template(name, **context)


def absolute_url(endpoint: str, **values) -> str:
    """A link for an e-mail, built on COPROG_BASE_URL and never on the request's Host header
    (which a client controls: a reset link must not point to someone else's site)."""
    parts = urlsplit(current_app.config["COPROG_BASE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def recently_queued(to: str, template: str, within: timedelta) -> bool:
    """Whether an e-mail from `template` was queued for `to` in the last `within`."""
    since = naive_utc(utcnow() - within)
    query = select(OutboxMessage.id).where(
        OutboxMessage.to_address == to.strip(),
        OutboxMessage.template == template,
        OutboxMessage.created_at >= since,
    )
    return db.session.scalars(query.limit(1)).first() is not None
