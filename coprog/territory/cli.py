"""`coprog territory load FILE` and `coprog territory show`."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from .services import PresetError, default_authority, kind_label, load_preset, territory_overview

territory = AppGroup("territory", help="Territorio: autorità, distretti, comuni, assi, servizi.")


def in_default_locale(command):
    """Messages in the default language: a command has no request to choose one from."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return run


@territory.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_default_locale
def load_command(file: Path) -> None:
    """Carica (o aggiorna) il territorio da un file preset TOML."""
    try:
        report = load_preset(file)
    except PresetError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(1) from exc
    db.session.commit()
    click.echo(
        _("Caricato %(name)s (%(authority)s)", name=file.name, authority=report.authority.name)
    )
    for line in report.lines():
        click.echo(f"  {line}")


def _years(values: dict[int, int], years: list[int]) -> str:
    return ", ".join(f"{year}: {values.get(year, '–')}" for year in years)


def _show_territory(overview) -> None:
    authority = overview.authority
    click.echo(f"{authority.name} ({authority.short_name})")
    click.echo(
        _("Distretti: %(n)s, comuni: %(c)s", n=len(authority.districts), c=overview.comuni_count)
    )
    for district in authority.districts:
        subs = ", ".join(s.name for s in district.sub_areas)
        extra = f" [{subs}]" if subs else ""
        click.echo(f"  {district.name}: {len(district.comuni)} " + _("comuni") + extra)
    click.echo(_("Assi: %(axes)s", axes=", ".join(a.name for a in authority.axes)))


def _show_centres(overview) -> None:
    click.echo(_("Servizi: %(n)s", n=len(overview.centres)))
    for centre, users in overview.centres:
        place = [p.name for p in (centre.district, centre.sub_area) if p] or [_("più distretti")]
        click.echo(
            f"  {centre.name} ({kind_label(centre.kind)}, {' / '.join(place)}) {_years(users, overview.years)}"
        )
    click.echo(_("Utenti BdS per anno: %(totals)s", totals=_years(overview.totals, overview.years)))


@territory.command("show")
@in_default_locale
def show_command() -> None:
    """Mostra il territorio caricato."""
    authority = default_authority()
    if authority is None:
        click.echo(_("Nessun territorio caricato: usa `coprog territory load`"))
        return
    overview = territory_overview(authority)
    _show_territory(overview)
    _show_centres(overview)


def register(app: Flask) -> None:
    app.cli.add_command(territory)
