"""`coprog notices …`: operator commands for notices."""

from __future__ import annotations

import click
from flask import Flask

from ..core.time import to_rome
from ..extensions import db
from .services import all_notices, close_expired


def register(app: Flask) -> None:
    @app.cli.group("notices")
    def notices():
        """Avvisi: elenco e chiusura alla scadenza."""

    @notices.command("close-expired")
    def close_expired_command():
        """Chiude gli avvisi pubblicati il cui termine è scaduto (da eseguire periodicamente)."""
        closed = close_expired()
        db.session.commit()
        for notice in closed:
            click.echo(f"chiuso: {notice.procedure.slug} (scadenza {to_rome(notice.deadline_at):%d/%m/%Y %H:%M})")
        click.echo(f"{len(closed)} avvisi chiusi")

    @notices.command("list")
    def list_command():
        """Elenca gli avvisi con stato e scadenza."""
        for notice in all_notices():
            click.echo(
                f"{notice.procedure.slug:<30} {notice.state.value:<10} "
                f"{to_rome(notice.deadline_at):%d/%m/%Y %H:%M}  {notice.title[:60]}"
            )
