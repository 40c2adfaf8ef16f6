"""`coprog subprocedures …`: operator commands for sub-procedures."""

from __future__ import annotations

import click
from flask import Flask

from ..extensions import db
from .services import expire_overdue


def register(app: Flask) -> None:
    @app.cli.group("subprocedures")
    def subprocedures():
        """Sub-procedimenti: inviti a soggetti diversi dagli ETS."""

    @subprocedures.command("expire")
    def expire_command():
        """Segna come scaduti gli inviti senza risposta oltre il termine (da eseguire periodicamente)."""
        expired = expire_overdue()
        db.session.commit()
        for invitation in expired:
            click.echo(f"scaduto: {invitation.body_name} <{invitation.email}>")
        click.echo(f"{len(expired)} inviti scaduti")
