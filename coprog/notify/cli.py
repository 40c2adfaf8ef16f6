"""`coprog outbox send` and `coprog outbox status`."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db
from .sender import send_pending, status_counts

outbox = AppGroup("outbox", help="Coda della posta in uscita.")


@outbox.command("send")
@click.option("--loop", is_flag=True, help="Resta attivo e invia a intervalli regolari.")
@click.option(
    "--interval",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Secondi tra due passate.",
)
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Messaggi per passata.",
)
def send_command(loop: bool, interval: int, limit: int) -> None:
    """Invia i messaggi in attesa (una passata, o di continuo con --loop)."""
    if not loop:
        click.echo(f"Posta in uscita: {send_pending(limit=limit)}.")
        return
    click.echo(f"Invio continuo ogni {interval} secondi (Ctrl+C per fermare).")
    try:
        while True:
            _one_pass(limit)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Interrotto.")


def _one_pass(limit: int) -> None:
    """A failed pass (database briefly down, …) is logged; the loop goes on."""
    try:
        report = send_pending(limit=limit)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Outbox pass failed")
        return
    if report.claimed:
        click.echo(f"Posta in uscita: {report}.")


@outbox.command("status")
def status_command() -> None:
    """Conta i messaggi per stato."""
    labels = {"pending": "in attesa", "sent": "inviati", "failed": "falliti"}
    for status, count in status_counts().items():
        click.echo(f"{labels[status]:<10} {count}")


def register(app: Flask) -> None:
    app.cli.add_command(outbox)
