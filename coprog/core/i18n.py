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


def N_(text: str) -> str:
    """Mark a text for the catalogue without translating it now: for presets stored in the
    database in Italian (the source language) and translated when shown."""
    return text


class TranslatedLabel:
    """A model's label stored in Italian and shown in the reader's language.

    Preset labels (categories, resource types) are stored as their Italian msgid and come out
    of the catalogue when read; labels typed by staff have no catalogue entry and are shown as
    typed. The column is `stored_label`; open data use it, so their values do not change with
    the language of whoever asks first."""

    stored_label: str

    @property
    def label(self) -> str:
        from flask_babel import gettext

        return gettext(self.stored_label) if self.stored_label else ""

    @label.setter
    def label(self, value) -> None:
        self.stored_label = str(value)
