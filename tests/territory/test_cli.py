"""`coprog territory load` and `coprog territory show` through Flask's CLI runner."""

from __future__ import annotations

from sqlalchemy import func, select

from coprog.extensions import db
from coprog.territory.models import Authority, Comune
from coprog.territory.services import BOLOGNA_PRESET


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["territory", *args])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_load_prints_the_report_and_commits(app, session):
    result = invoke(app, "load", str(BOLOGNA_PRESET))
    assert result.exit_code == 0, result.output
    assert "Caricato ausl-bologna.toml (Azienda USL di Bologna)" in result.output
    assert "comuni: 45 creati, 0 aggiornati, 0 invariati" in result.output
    assert count(Comune) == 45

    again = invoke(app, "load", str(BOLOGNA_PRESET))
    assert "comuni: 0 creati, 0 aggiornati, 45 invariati" in again.output


def test_load_invalid_file_exits_1_and_writes_nothing(app, session, bologna_text, write_preset):
    path = write_preset(bologna_text.replace('"037006"', '"37006"'), "rotto.toml")
    result = invoke(app, "load", str(path))
    assert result.exit_code == 1
    assert "File rotto.toml non valido" in result.stderr
    assert 'valore "37006" non valido' in result.stderr
    assert count(Authority) == 0


def test_show_empty_then_loaded(app, session):
    assert "Nessun territorio caricato" in invoke(app, "show").output
    invoke(app, "load", str(BOLOGNA_PRESET))
    output = invoke(app, "show").output
    assert "Azienda USL di Bologna (AUSL Bologna)" in output
    assert "Distretti: 6, comuni: 45" in output
    assert "Città di Bologna: 1 comuni [Bologna Est, Bologna Ovest]" in output
    assert "Assi: Formazione/Lavoro, Abitare, Socialità" in output
    assert "CSM Navile (CSM, Città di Bologna / Bologna Ovest) 2024: 53, 2025: 52" in output
    assert "NPIA Sud (NPIA, più distretti) 2024: –, 2025: 1" in output
    assert "Utenti BdS per anno: 2024: 650, 2025: 704" in output
