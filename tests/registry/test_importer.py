"""The RUNTS import: formats, header variants, malformed rows, idempotence, removals."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coprog.extensions import db
from coprog.registry import importer
from coprog.registry.importer import RuntsFileError, import_runts
from coprog.registry.models import RuntsEntity, RuntsImport, RuntsSection, RuntsStatus

from ..dbutil import statements_run
from .conftest import SNAPSHOT
from .helpers import HEADER, PERSONAL_CF, entity_cf, excel_row, row, write_csv, write_xlsx


def entity(code: str) -> RuntsEntity | None:
    return db.session.scalar(select(RuntsEntity).where(RuntsEntity.codice_fiscale == code))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_separators_and_encodings(tmp_path, run_import, delimiter, encoding):
    rows = [row(1, Denominazione="Società «Perché no», ETS"), row(2, Sezione="APS")]
    path = write_csv(tmp_path / "elenco.csv", rows, delimiter=delimiter, encoding=encoding)
    report = run_import(path)
    assert report.counts() == {
        "read": 2, "inserted": 2, "updated": 0, "unchanged": 0, "removed": 0, "rejected": 0
    }
    first = entity(entity_cf(1))
    assert first.denominazione == "Società «Perché no», ETS"
    assert first.sezione == RuntsSection.ODV and entity(entity_cf(2)).sezione == RuntsSection.APS
    assert first.registered_on == date(2024, 3, 15)
    assert first.cinque_per_mille is True and first.provincia == "BO"
    assert first.first_seen_snapshot == first.last_seen_snapshot == SNAPSHOT
    assert first.status == RuntsStatus.LISTED
    record = report.record
    assert record.file_format == "csv" and len(record.file_sha256) == 64 and record.finished_at


def test_xlsx(tmp_path, run_import):
    company = "01234560017"  # a code with a leading zero, kept by Excel as the number 1234560017
    rows = [excel_row(1), excel_row(2, registered=datetime(2023, 5, 2, 0, 0))]
    rows.append(excel_row(3))
    rows[2][HEADER.index("Codice fiscale")] = int(company)
    rows[2][HEADER.index("Repertorio")] = 4321  # a number cell
    path = write_xlsx(tmp_path / "elenco.xlsx", rows, title="Elenco enti iscritti al RUNTS")
    report = run_import(path)
    assert report.counts()["inserted"] == 3 and report.rejected == 0
    assert report.record.file_format == "xlsx"
    assert entity(entity_cf(2)).registered_on == date(2023, 5, 2)
    assert entity(company).repertorio == "4321"


def test_xlsx_second_import_is_unchanged(tmp_path, run_import):
    path = write_xlsx(tmp_path / "elenco.xlsx", [excel_row(n) for n in range(5)])
    run_import(path)
    again = run_import(path)
    assert (again.inserted, again.updated, again.unchanged, again.removed) == (0, 0, 5, 0)


@pytest.mark.parametrize(
    "header",
    [
        ["CF", "N. repertorio", "Ragione sociale", "SEZIONE", "Rappresentante legale",
         "Reti associative", "Comune sede legale", "Prov.", "Cinque per mille", "Data di iscrizione"],
        ["C.F.", "Numero repertorio", "Denominazione ente", "Sezione RUNTS", "Legale rappresentante",
         "Rete associativa", "Città", "Sigla provincia", "5 x 1000", "Data iscrizione"],
    ],
)
def test_header_variants(tmp_path, run_import, header):
    path = write_csv(tmp_path / "elenco.csv", [row(1)], header=header)
    report = run_import(path)
    assert report.columns.missing == [] and report.columns.ignored == []
    assert entity(entity_cf(1)).legale_rappresentante == "Maria Rossi"


def test_unknown_and_missing_optional_columns_are_reported(tmp_path, run_import):
    header = ["Codice fiscale", "Sezione", "Iscritto il", "Note"]
    path = write_csv(tmp_path / "elenco.csv", [[entity_cf(1), "a", "01/02/2023", "x"]], header=header)
    report = run_import(path)
    assert report.columns.ignored == ["Note"]
    assert "denominazione" in report.columns.missing
    assert report.record.columns["ignored"] == ["Note"]
    assert entity(entity_cf(1)).denominazione is None


@pytest.mark.parametrize("missing", ["Codice fiscale", "Sezione", "Iscritto il"])
def test_missing_mandatory_column_writes_nothing(tmp_path, session, missing):
    header = [name for name in HEADER if name != missing]
    rows = [[v for name, v in zip(HEADER, row(n), strict=True) if name != missing] for n in range(3)]
    path = write_csv(tmp_path / "elenco.csv", rows, header=header)
    with pytest.raises(RuntsFileError, match="colonne obbligatorie non trovate"):
        import_runts(path, snapshot_date=SNAPSHOT)
    session.rollback()
    assert count(RuntsEntity) == 0 and count(RuntsImport) == 0


def test_malformed_rows_are_reported_and_skipped(tmp_path, run_import):
    lines = [
        ";".join(HEADER),  # line 1
        ";".join(row(1)),  # 2: good
        ";".join(row(2, Codice_fiscale="12345678901")),  # 3: bad checksum
        ";".join(row(3, Codice_fiscale=PERSONAL_CF)),  # 4: a person's code
        ";".join(row(4, Sezione="Fondazione bancaria")),  # 5: unknown section
        ";".join(row(5, Iscritto_il="31/02/2024")),  # 6: bad date
        "",  # 7: empty line
        ";".join(row(6)[:5]),  # 8: wrong number of columns
        ";".join(row(7, Iscritto_il="")),  # 9: date missing
        ";".join(row(8, Iscritto_il="01/02/2026")),  # 10: after the snapshot
        ";".join(row(1)),  # 11: the code of line 2 again
        ";".join(row(9)),  # 12: good
        "",  # trailing empty lines are not rows
        "",
    ]
    path = tmp_path / "elenco.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = run_import(path)
    assert (report.read, report.inserted, report.rejected) == (11, 2, 9)
    reasons = {item["line"]: item["reason"] for item in report.record.rejected_rows}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "12345678901 non valido" in reasons[3]
    assert "persona fisica" in reasons[4]
    assert "sezione «Fondazione bancaria» non riconosciuta" == reasons[5]
    assert "«31/02/2024» non valida" in reasons[6]
    assert reasons[7] == "riga vuota"
    assert "numero di colonne errato (5 invece di 10)" == reasons[8]
    assert reasons[9] == "data di iscrizione mancante"
    assert "successiva" in reasons[10]
    assert "ripetuto (già alla riga 2)" in reasons[11]
    assert count(RuntsEntity) == 2


def test_duplicate_in_a_later_batch_is_rejected(tmp_path, run_import):
    rows = [row(n) for n in range(5)] + [row(0)]
    report = run_import(write_csv(tmp_path / "elenco.csv", rows), batch_size=2)
    assert (report.inserted, report.rejected) == (5, 1)
    assert report.rejected_rows == [{"line": 7, "reason": f"codice fiscale {entity_cf(0)} ripetuto nel file"}]


def test_stored_rejects_are_capped_but_counted(tmp_path, run_import, monkeypatch):
    monkeypatch.setattr(RuntsImport, "MAX_STORED_REJECTS", 3)
    rows = [row(n, Sezione="?") for n in range(5)]
    report = run_import(write_csv(tmp_path / "elenco.csv", rows))
    assert report.record.rejected == 5 and len(report.record.rejected_rows) == 3


def test_second_import_of_the_same_file_changes_nothing(tmp_path, run_import):
    path = write_csv(tmp_path / "elenco.csv", [row(n) for n in range(10)])
    run_import(path)
    before = {e.codice_fiscale: (e.row_hash, e.updated_at) for e in db.session.scalars(select(RuntsEntity))}
    report = run_import(path)
    assert report.counts() == {
        "read": 10, "inserted": 0, "updated": 0, "unchanged": 10, "removed": 0, "rejected": 0
    }
    assert not report.changed
    after = {e.codice_fiscale: (e.row_hash, e.updated_at) for e in db.session.scalars(select(RuntsEntity))}
    assert after == before


def test_changed_row_is_updated(tmp_path, run_import):
    run_import(write_csv(tmp_path / "v1.csv", [row(1), row(2)]))
    old_hash = entity(entity_cf(1)).row_hash
    report = run_import(
        write_csv(tmp_path / "v2.csv", [row(1, Denominazione="Nuovo nome ETS"), row(2)]),
        snapshot=date(2026, 2, 15),
    )
    assert (report.updated, report.unchanged) == (1, 1)
    changed = entity(entity_cf(1))
    db.session.refresh(changed)
    assert changed.denominazione == "Nuovo nome ETS" and changed.row_hash != old_hash
    assert changed.first_seen_snapshot == SNAPSHOT
    assert changed.last_seen_snapshot == date(2026, 2, 15)


def test_absent_row_is_marked_removed_and_comes_back(tmp_path, run_import):
    run_import(write_csv(tmp_path / "v1.csv", [row(1), row(2), row(3)]))
    report = run_import(write_csv(tmp_path / "v2.csv", [row(1), row(3)]), snapshot=date(2026, 2, 15))
    assert (report.removed, report.unchanged) == (1, 2)
    gone = entity(entity_cf(2))
    db.session.refresh(gone)
    assert gone.status == RuntsStatus.REMOVED and gone.removed_on_snapshot == date(2026, 2, 15)
    assert count(RuntsEntity) == 3  # never deleted
    back = run_import(write_csv(tmp_path / "v3.csv", [row(1), row(2), row(3)]), snapshot=date(2026, 3, 15))
    assert (back.updated, back.removed) == (1, 0)
    db.session.refresh(gone)
    assert gone.status == RuntsStatus.LISTED and gone.removed_on_snapshot is None


def test_rejected_row_of_a_listed_entity_does_not_remove_it(tmp_path, run_import):
    run_import(write_csv(tmp_path / "v1.csv", [row(1), row(2)]))
    report = run_import(
        write_csv(tmp_path / "v2.csv", [row(1), row(2, Iscritto_il="ieri")]), snapshot=date(2026, 2, 15)
    )
    assert (report.rejected, report.removed) == (1, 0)
    assert entity(entity_cf(2)).status == RuntsStatus.LISTED


def test_older_snapshot_is_refused(tmp_path, run_import, session):
    path = write_csv(tmp_path / "elenco.csv", [row(1)])
    run_import(path)
    with pytest.raises(RuntsFileError, match="più vecchio"):
        import_runts(path, snapshot_date=date(2025, 12, 1))


def test_snapshot_defaults_to_the_file_date(tmp_path, run_import):
    path = write_csv(tmp_path / "elenco.csv", [row(1)])
    stamp = datetime(2026, 1, 10, 12, 0).timestamp()
    os.utime(path, (stamp, stamp))
    assert run_import(path, snapshot=None).record.snapshot_date == date(2026, 1, 10)


@pytest.mark.parametrize(
    ("name", "content"),
    [("vuoto.csv", b""), ("rotto.xlsx", b"PK\x03\x04 not really a zip"), ("vecchio.xls", b"\xd0\xcf")],
)
def test_unreadable_files(tmp_path, session, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RuntsFileError):
        import_runts(path, snapshot_date=SNAPSHOT)


def test_missing_file(tmp_path, session):
    with pytest.raises(RuntsFileError, match="Impossibile leggere"):
        import_runts(tmp_path / "assente.csv", snapshot_date=SNAPSHOT)


def test_queries_per_batch_are_bounded(tmp_path, run_import, app):
    """Per batch: one SELECT, one INSERT, one UPDATE of the changed, one of the unchanged."""
    path = write_csv(tmp_path / "v1.csv", [row(n) for n in range(50)])
    run_import(path, batch_size=10)
    changed = [row(n, Comune="Imola") if n % 2 else row(n) for n in range(50)] + [row(n) for n in range(50, 100)]
    second = write_csv(tmp_path / "v2.csv", changed)
    with statements_run() as statements:
        report = run_import(second, snapshot=date(2026, 2, 1), batch_size=10)
    assert (report.inserted, report.updated, report.unchanged) == (50, 25, 25)
    batches = 10
    fixed = 8  # latest snapshot, record insert/update, removal, savepoints and commit
    assert len(statements) <= 4 * batches + fixed, "\n".join(statements)


def test_import_runs_in_constant_batches(tmp_path, run_import, monkeypatch):
    """Rows are written a batch at a time: the writer never holds more than a batch."""
    sizes = []
    original = importer.BatchWriter.flush

    def flush(self):
        sizes.append(len(self.rows))
        original(self)

    monkeypatch.setattr(importer.BatchWriter, "flush", flush)
    run_import(write_csv(tmp_path / "elenco.csv", [row(n) for n in range(25)]), batch_size=10)
    assert max(sizes) <= 10 and sum(sizes) == 25


def test_repeated_invalid_values_are_rejected_every_time(tmp_path, run_import):
    """Conversions are memoized per distinct value: a failed one is rejected again, with its
    reason, on every row that repeats it."""
    rows = [row(1, Sezione="Fondazione bancaria"), row(2), row(3, Sezione="Fondazione bancaria"),
            row(4, Iscritto_il="31/02/2024"), row(5, Iscritto_il="31/02/2024"), row(6)]
    report = run_import(write_csv(tmp_path / "elenco.csv", rows))
    assert (report.inserted, report.rejected) == (2, 4)
    reasons = {item["line"]: item["reason"] for item in report.record.rejected_rows}
    assert reasons[2] == reasons[4] == "sezione «Fondazione bancaria» non riconosciuta"
    assert "«31/02/2024» non valida" in reasons[5] and reasons[5] == reasons[6]


def test_memoized_conversions_are_bounded_and_still_exact(tmp_path, run_import, monkeypatch):
    """Past MEMO_LIMIT distinct values a field is converted without being remembered."""
    monkeypatch.setattr(importer, "MEMO_LIMIT", 2)
    places = [("Bologna", "bo"), ("Modena", "mo"), ("Imola", " BO "), ("Parma", "pr")]
    rows = [row(n, Comune=comune, Provincia=provincia, Sezione="abcdefg"[n % 7],
                Iscritto_il=f"{n + 1:02d}/03/2024", **{"5x1000": ("SI", "NO", "", "x")[n]})
            for n, (comune, provincia) in enumerate(places)]
    rows.append(row(9, Sezione="?"))
    rows.append(row(10, Sezione="?"))
    parse = importer.row_parser(importer.map_columns(HEADER), SNAPSHOT)
    memos = [cell.cell_contents for cell in parse.__closure__ if isinstance(cell.cell_contents, list)]
    report = run_import(write_csv(tmp_path / "elenco.csv", rows))
    assert (report.inserted, report.rejected) == (4, 2)
    imola = entity(entity_cf(2))
    assert (imola.comune, imola.provincia, imola.sezione) == ("Imola", "BO", RuntsSection.ENTI_FILANTROPICI)
    assert imola.registered_on == date(2024, 3, 3) and imola.cinque_per_mille is None
    assert entity(entity_cf(3)).cinque_per_mille is True and entity(entity_cf(1)).cinque_per_mille is False
    for values in rows[:4]:
        parse(values)
    plan = next(m for m in memos if m and isinstance(m[0], tuple))
    assert all(len(memo) <= 2 for _p, _i, _c, memo, _l in plan if memo is not None)


def test_excel_cells_are_not_confused_with_memoized_text(tmp_path, run_import):
    """Memoized by text only: a 1 in a cell is not the text "1", nor True."""
    rows = [excel_row(1), excel_row(2), excel_row(3)]
    flag = HEADER.index("5x1000")
    rows[0][flag], rows[1][flag], rows[2][flag] = True, "1", 1.5
    run_import(write_xlsx(tmp_path / "elenco.xlsx", rows))
    flags = [entity(entity_cf(n)).cinque_per_mille for n in (1, 2, 3)]
    assert flags == [True, True, None]
