"""`coprog demo`: load the demo data; `coprog demo accounts`: print the demo accounts."""

from __future__ import annotations

import click
from flask import Flask, current_app

from ..extensions import db
from . import content


def register(app: Flask) -> None:
    @app.cli.group("demo", invoke_without_command=True)
    @click.pass_context
    def demo(ctx):
        """Carica i dati dimostrativi (procedura AUSL Bologna 2025). Solo in modalità demo."""
        if ctx.invoked_subcommand is not None:
            return
        _require_demo_mode()
        from .loader import load_demo

        report = load_demo()
        db.session.commit()
        for item in report.created:
            click.echo(f"creato: {item}")
        click.echo(f"dati dimostrativi pronti ({len(report.created)} creati, {len(report.existing)} già presenti)")

    @demo.command("accounts")
    def accounts():
        """Elenca gli account dimostrativi."""
        _require_demo_mode()
        click.echo(f"Account dimostrativi (password per tutti: {content.DEMO_PASSWORD}):")
        for email, name, role, admin in content.ACCOUNTS:
            suffix = ", amministratore" if admin else ""
            click.echo(f"  {role:<13} {email:<32} {name}{suffix}")
        from .qualified import CASE_MANAGERS

        for _centre, email, name in CASE_MANAGERS:  # one per CSM, for the list of qualified entities
            click.echo(f"  {'case_manager':<13} {email:<32} {name}")


def _require_demo_mode() -> None:
    if not current_app.config["COPROG_DEMO"]:
        raise click.ClickException("I dati dimostrativi esistono solo in modalità demo: imposta COPROG_DEMO=1.")
