"""Language: Italian by default, English on request (kept in the session)."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    """The session's language; outside a request (CLI, e-mails from a command) the default."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in current_app.config["COPROG_LANGUAGES"] else default


def select_timezone() -> str:
    return "Europe/Rome"
