"""`coprog tables …`: operator commands for the tables."""

from __future__ import annotations

import click
from flask import Flask

from ..extensions import db
from .services.registrations import send_reminders


def register(app: Flask) -> None:
    @app.cli.group("tables")
    def tables():
        """Tavoli di co-programmazione."""

    @tables.command("remind")
    def remind_command():
        """Accoda il promemoria per gli incontri di domani (una volta per iscrizione; da eseguire ogni giorno)."""
        sent = send_reminders()
        db.session.commit()
        click.echo(f"{sent} promemoria accodati")
