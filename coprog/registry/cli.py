"""`coprog runts import FILE`, `coprog runts show CF`, `coprog runts check CF --deadline ...`."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.time import rome_to_utc
from ..extensions import db
from .eligibility import ELIGIBLE, MANUAL_CHECK, NOT_ELIGIBLE, Declared, Verdict
from .importer import ImportReport, RuntsFileError, import_runts
from .models import RuntsEntity
from .parsing import FIELD_LABELS, entity_code_problem, parse_section
from .services import check_entity, find_entity, normalise_code

SHOWN_REJECTS = 20
VERDICT_LABELS = {
    ELIGIBLE: "ammissibile",
    NOT_ELIGIBLE: "non ammissibile",
    MANUAL_CHECK: "da verificare",
}
COUNT_LABELS = {
    "read": "Righe lette",
    "inserted": "Inserite",
    "updated": "Aggiornate",
    "unchanged": "Invariate",
    "removed": "Non più iscritte (segnate come cancellate)",
    "rejected": "Scartate",
}

runts = AppGroup(
    "runts", help="RUNTS: importa l'elenco degli iscritti, consulta un ente, verifica i requisiti."
)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "–"


# import -------------------------------------------------------------------------------------------


def _column_lines(report: ImportReport) -> list[str]:
    columns = report.columns
    mapped = ", ".join(
        f"{FIELD_LABELS[name]} = «{columns.headers[index]}»"
        for name, index in columns.indexes.items()
    )
    lines = [f"Colonne riconosciute: {mapped}"]
    if columns.missing:
        lines.append(
            "Colonne non trovate: " + ", ".join(FIELD_LABELS[name] for name in columns.missing)
        )
    if columns.ignored:
        lines.append("Colonne ignorate: " + ", ".join(f"«{h}»" for h in columns.ignored))
    return lines


def _report_lines(report: ImportReport) -> list[str]:
    record = report.record
    lines = [
        f"Importato {record.file_name} ({record.file_format}, elenco del"
        f" {_day(record.snapshot_date)}, SHA-256 {record.file_sha256[:16]}…)",
        *_column_lines(report),
    ]
    lines += [f"{COUNT_LABELS[key]}: {value}" for key, value in report.counts().items()]
    if report.rejected_rows:
        shown = report.rejected_rows[:SHOWN_REJECTS]
        lines.append(f"Prime {len(shown)} righe scartate:")
        lines += [f"  riga {item['line']}: {item['reason']}" for item in shown]
    return lines


@runts.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--snapshot-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Data dell'elenco (AAAA-MM-GG); se manca, la data del file.",
)
def import_command(file: Path, snapshot_date: datetime | None) -> None:
    """Importa l'elenco degli enti iscritti al RUNTS (.xlsx o CSV)."""
    try:
        report = import_runts(file, snapshot_date=snapshot_date.date() if snapshot_date else None)
    except RuntsFileError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(1) from exc
    db.session.commit()
    for line in _report_lines(report):
        click.echo(line)


# show ---------------------------------------------------------------------------------------------


def _code_argument(ctx, param, value: str) -> str:
    problem = entity_code_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return normalise_code(value)


def _entity_lines(entity: RuntsEntity) -> list[str]:
    state = (
        "iscritto"
        if entity.is_listed
        else f"cancellato (non più nell'elenco del {_day(entity.removed_on_snapshot)})"
    )
    flag = {True: "sì", False: "no", None: "–"}[entity.cinque_per_mille]
    return [
        f"{entity.codice_fiscale} {entity.denominazione or '–'}",
        f"  Stato: {state}",
        f"  Sezione: {entity.sezione.label}",
        f"  Repertorio: {entity.repertorio or '–'}",
        f"  Iscritto il: {_day(entity.registered_on)}",
        f"  Sede: {entity.comune or '–'} ({entity.provincia or '–'})",
        f"  Legale rappresentante: {entity.legale_rappresentante or '–'}",
        f"  Rete associativa: {entity.rete_associativa or '–'}",
        f"  5x1000: {flag}",
        f"  Visto negli elenchi dal {_day(entity.first_seen_snapshot)}"
        f" al {_day(entity.last_seen_snapshot)}",
    ]


@runts.command("show")
@click.argument("code", callback=_code_argument)
def show_command(code: str) -> None:
    """Mostra un ente del RUNTS dal suo codice fiscale."""
    entity = find_entity(code)
    if entity is None:
        click.echo(f"{code}: non presente nell'elenco RUNTS importato", err=True)
        raise click.exceptions.Exit(1)
    for line in _entity_lines(entity):
        click.echo(line)


# check --------------------------------------------------------------------------------------------


def _section_option(ctx, param, value: str | None):
    if value is None:
        return None
    section = parse_section(value)
    if section is None:
        raise click.BadParameter(f"sezione «{value}» non riconosciuta (a–g, ODV, APS, …)")
    return section


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value else None


def verdict_json(code: str, verdict: Verdict) -> str:
    evidence = verdict.evidence
    registered = evidence["registered_on"]
    snapshot = evidence["snapshot_date"]
    return json.dumps(
        {
            "codice_fiscale": code,
            "verdict": verdict.verdict,
            "reason": verdict.reason,
            "registered_on": registered.isoformat() if registered else None,
            "section": evidence["section"],
            "snapshot_date": snapshot.isoformat() if snapshot else None,
        },
        ensure_ascii=False,
    )


def _verdict_lines(code: str, verdict: Verdict) -> list[str]:
    evidence = verdict.evidence
    lines = [
        f"{code} {evidence['denominazione'] or ''}".rstrip(),
        f"Esito: {VERDICT_LABELS[verdict.verdict]}",
        f"Motivo: {verdict.reason}",
    ]
    lines += [f"Segnalazione: {flag}" for flag in verdict.flags]
    lines.append(
        f"Evidenze: elenco RUNTS del {_day(evidence['snapshot_date'])}, sezione"
        f" {evidence['section'] or '–'}, iscritto il {_day(evidence['registered_on'])},"
        f" scadenza {_day(evidence['deadline_day'])}, iscrizione richiesta entro il"
        f" {_day(evidence['latest_registration'])}"
    )
    return lines


DATE = click.DateTime(formats=["%Y-%m-%d"])


@runts.command("check")
@click.argument("code", callback=_code_argument)
@click.option(
    "--deadline",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d %H:%M"]),
    help="Scadenza dell'avviso, ora di Roma (\"AAAA-MM-GG HH:MM\").",
)
@click.option("--earlier-registration", type=DATE, help="ODV/APS: iscrizione al registro precedente.")
@click.option("--declared-section", callback=_section_option, help="Sezione dichiarata.")
@click.option("--declared-repertorio", help="Numero di repertorio dichiarato.")
@click.option("--declared-registration", type=DATE, help="Data di iscrizione dichiarata.")
@click.option("--json", "as_json", is_flag=True, help="Solo un oggetto JSON su stdout.")
def check_command(
    code: str,
    deadline: datetime,
    earlier_registration: datetime | None,
    declared_section,
    declared_repertorio: str | None,
    declared_registration: datetime | None,
    as_json: bool,
) -> None:
    """Verifica i requisiti RUNTS di un ente per la scadenza di un avviso."""
    declared = Declared(
        codice_fiscale=code,
        section=declared_section,
        repertorio=declared_repertorio,
        registered_on=_as_date(declared_registration),
        earlier_registration=_as_date(earlier_registration),
    )
    verdict = check_entity(code, rome_to_utc(deadline), declared)
    if as_json:
        click.echo(verdict_json(code, verdict))
        return
    for line in _verdict_lines(code, verdict):
        click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(runts)
