"""`coprog elenco …`: operator commands of the list of qualified entities.

`coprog elenco scadenze` is the daily job: a reminder before expiry, then expiry, both e-mailed
through the outbox. Other commands of the list join the same `elenco` group.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from .services.entries import reminder_days, run_expiry

elenco = AppGroup("elenco", help="Elenco dei soggetti qualificati.")


@elenco.command("scadenze")
@click.option("--oggi", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Il giorno da considerare (AAAA-MM-GG; di norma oggi, ora di Roma).")
def expiry_command(today):
    """Promemoria prima della scadenza e iscrizioni scadute (da eseguire ogni giorno)."""
    reminded, expired = run_expiry(today.date() if today else None)
    db.session.commit()
    click.echo(f"promemoria inviati: {reminded} (scadenza entro {reminder_days()} giorni); "
               f"iscrizioni scadute: {expired}")


def register(app: Flask) -> None:
    app.cli.add_command(elenco)
