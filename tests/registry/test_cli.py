"""`coprog runts import`, `show` and `check`."""

from __future__ import annotations

import json

from .helpers import PERSONAL_CF, entity_cf, row, write_csv


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["runts", *args])


def imported(app, tmp_path, rows):
    path = write_csv(tmp_path / "elenco.csv", rows)
    result = invoke(app, "import", str(path), "--snapshot-date", "2026-01-15")
    assert result.exit_code == 0, result.output + result.stderr
    return result


def test_import_prints_the_report(app, session, tmp_path):
    result = imported(app, tmp_path, [row(1), row(2), row(3, Sezione="Z")])
    out = result.stdout
    assert "Importato elenco.csv (csv, elenco del 15/01/2026" in out
    assert "Righe lette: 3" in out and "Inserite: 2" in out and "Scartate: 1" in out
    assert "riga 4: sezione «Z» non riconosciuta" in out
    assert "Colonne riconosciute: codice fiscale = «Codice fiscale»" in out
    again = imported(app, tmp_path, [row(1), row(2)])
    assert "Invariate: 2" in again.stdout and "Inserite: 0" in again.stdout


def test_import_of_an_unreadable_file_exits_1(app, session, tmp_path):
    result = invoke(app, "import", str(tmp_path / "assente.csv"))
    assert result.exit_code == 1
    assert "Impossibile leggere" in result.stderr


def test_import_without_mandatory_columns_exits_1(app, session, tmp_path):
    path = write_csv(tmp_path / "elenco.csv", [["x", "y"]], header=["Denominazione", "Comune"])
    result = invoke(app, "import", str(path))
    assert result.exit_code == 1
    assert "colonne obbligatorie non trovate: codice fiscale, sezione, data di iscrizione" in result.stderr


def test_show(app, session, tmp_path):
    imported(app, tmp_path, [row(1)])
    result = invoke(app, "show", entity_cf(1))
    assert result.exit_code == 0
    assert "Associazione Fittizia 1 ETS" in result.stdout
    assert "Sezione: a) Organizzazioni di volontariato" in result.stdout
    assert "Iscritto il: 15/03/2024" in result.stdout
    absent = invoke(app, "show", entity_cf(2))
    assert absent.exit_code == 1 and "non presente" in absent.stderr


def test_check_json(app, session, tmp_path):
    imported(app, tmp_path, [row(1, Iscritto_il="29/03/2025")])
    result = invoke(app, "check", entity_cf(1), "--deadline", "2025-09-29 12:00", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data == {
        "codice_fiscale": entity_cf(1),
        "verdict": "eligible",
        "reason": data["reason"],
        "registered_on": "2025-03-29",
        "section": "a",
        "snapshot_date": "2026-01-15",
    }
    assert "29/09/2025" in data["reason"]


def test_check_json_of_an_absent_entity(app, session, tmp_path):
    imported(app, tmp_path, [row(1)])
    result = invoke(app, "check", entity_cf(2), "--deadline", "2025-09-29 12:00", "--json")
    data = json.loads(result.stdout)
    assert data["verdict"] == "not_eligible" and data["registered_on"] is None
    assert data["snapshot_date"] == "2026-01-15"
    section_d = invoke(
        app, "check", entity_cf(2), "--deadline", "2025-09-29 12:00", "--declared-section", "IS", "--json"
    )
    assert json.loads(section_d.stdout)["verdict"] == "manual_check"


def test_check_continuity_and_flags(app, session, tmp_path):
    imported(app, tmp_path, [row(1, Iscritto_il="10/06/2025")])
    result = invoke(
        app, "check", entity_cf(1), "--deadline", "2025-09-29 12:00",
        "--earlier-registration", "2015-05-15", "--declared-section", "APS",
    )
    assert result.exit_code == 0, result.stderr
    assert "Esito: ammissibile" in result.stdout
    assert "va verificata" in result.stdout
    assert "Segnalazione: Sezione dichiarata b)" in result.stdout


def test_check_refuses_a_personal_code(app, session):
    result = invoke(app, "check", PERSONAL_CF, "--deadline", "2025-09-29 12:00")
    assert result.exit_code == 2
    assert "persona fisica" in result.stderr


def test_check_without_a_deadline_is_an_error(app, session):
    assert invoke(app, "check", entity_cf(1)).exit_code == 2


def test_check_deadline_is_rome_time(app, session, tmp_path):
    """00:30 on 29 Mar 2026 in Rome is 28 Mar in UTC: the Rome day counts."""
    imported(app, tmp_path, [row(1, Iscritto_il="29/09/2025")])
    result = invoke(app, "check", entity_cf(1), "--deadline", "2026-03-29 00:30", "--json")
    assert json.loads(result.stdout)["verdict"] == "eligible"
