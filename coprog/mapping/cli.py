"""`coprog network …`: operator commands for the network of actors and resources."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from ..extensions import db
from ..notices.models import Procedure
from .services import network


def register(app: Flask) -> None:
    @app.cli.group("network")
    def network_group():
        """Rete dei soggetti e delle risorse."""

    @network_group.command("rebuild")
    @click.option("--procedure", "slug", metavar="SLUG", help="Ricalcola la rete di questo procedimento, anche se aggiornata.")
    @click.option("--all", "everything", is_flag=True, help="Ricalcola tutte le reti, anche quelle aggiornate.")
    def rebuild_command(slug: str | None, everything: bool):
        """Ricalcola le reti da aggiornare (per un timer, ad es. ogni 5 minuti)."""
        if slug:
            procedure = db.session.scalar(select(Procedure).where(Procedure.slug == slug))
            if procedure is None:
                raise click.ClickException(f"Nessun procedimento «{slug}».")
            ids = [procedure.id]
        else:
            # stale, never built, or left behind by a build that died: rebuilt regardless
            ids = network.procedures_with_networks() if everything else network.procedures_to_rebuild()
        slugs = dict(db.session.execute(select(Procedure.id, Procedure.slug).where(Procedure.id.in_(ids))).all())
        db.session.rollback()
        failed = 0
        for procedure_id in ids:
            try:
                seconds = network.rebuild(procedure_id, force=True)
            except Exception as error:  # one broken network must not stop the others
                failed += 1
                click.echo(f"{slugs[procedure_id]}: errore ({error})", err=True)
                continue
            click.echo(f"{slugs[procedure_id]}: rete ricalcolata in {seconds:.2f} s")
        if not ids:
            click.echo("nessuna rete da ricalcolare")
        if failed:
            raise click.exceptions.Exit(1)
