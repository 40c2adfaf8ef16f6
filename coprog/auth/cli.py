"""`coprog users create|list|deactivate`: accounts made by the operator, verified at creation.

Messages are plain Italian strings: Flask-Babel's locale selector needs a request.
"""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import AppGroup

from ..core.roles import Role
from ..extensions import db
from . import services
from .forms import MAX_PASSWORD, MIN_PASSWORD

users = AppGroup("users", help="Gestione degli utenti.")


def _check_email(ctx, param, value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(f"indirizzo non valido ({exc})") from exc


def _check_password(value: str) -> str:
    if not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise click.UsageError(
            f"La password deve avere da {MIN_PASSWORD} a {MAX_PASSWORD} caratteri."
        )
    return value


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Ripeti la password")


@users.command("create")
@click.option(
    "--email", required=True, callback=_check_email, help="Indirizzo e-mail (anche nome utente)."
)
@click.option("--name", "full_name", required=True, help="Nome e cognome.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="Ruolo.")
@click.option("--admin", is_flag=True, help="Amministratore (solo ruolo staff).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Legge la password dalla prima riga dello standard input.",
)
def create_command(
    email: str, full_name: str, role: str, admin: bool, password_stdin: bool
) -> None:
    """Crea un utente attivo con indirizzo già verificato."""
    if not full_name.strip():
        raise click.BadParameter("il nome non può essere vuoto", param_hint="--name")
    password = _check_password(_read_password(password_stdin))
    try:
        user = services.create_user(email, full_name, Role(role), password, admin=admin)
    except services.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"Creato l'utente {user.email} ({user.role.value}{', amministratore' if admin else ''})."
    )


@users.command("list")
def list_command() -> None:
    """Elenca gli utenti."""
    rows = services.list_users()
    if not rows:
        click.echo("Nessun utente.")
        return
    for user in rows:
        flags = [
            "admin" if user.is_admin else "",
            "disattivato" if not user.active else "",
            "da verificare" if not user.email_verified else "",
            "demo" if user.is_demo else "",
        ]
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "mai"
        extra = ", ".join(f for f in flags if f)
        click.echo(
            f"{user.email:<40} {user.role.value:<13} {user.full_name:<30} ultimo accesso: {last}"
            + (f"  [{extra}]" if extra else "")
        )


@users.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Disattiva un utente: non potrà più accedere; le sue sessioni terminano."""
    try:
        user = services.deactivate_user(email)
    except services.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Disattivato l'utente {user.email}.")


def register(app: Flask) -> None:
    app.cli.add_command(users)
