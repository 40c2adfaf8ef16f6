"""Small RUNTS lists written as CSV or .xlsx, and valid entity codes."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from stdnum import luhn

from coprog.registry.parsing import MINISTRY_HEADER

HEADER = list(MINISTRY_HEADER)
PERSONAL_CF = "RSSMRA85T10A562S"  # a valid codice fiscale of a (fictional) person


def entity_cf(n: int) -> str:
    """A valid 11-digit entity code, different for every n."""
    body = f"9{n:06d}{n % 100 + 1:03d}"
    return body + luhn.calc_check_digit(body)


def row(n: int, **overrides) -> list:
    values = {
        "Codice fiscale": entity_cf(n),
        "Repertorio": str(1000 + n),
        "Denominazione": f"Associazione Fittizia {n} ETS",
        "Sezione": "Organizzazioni di volontariato",
        "Legale rappresentante": "Maria Rossi",
        "Rete associativa": "",
        "Comune": "Bologna",
        "Provincia": "BO",
        "5x1000": "SI",
        "Iscritto il": "15/03/2024",
    }
    values.update({key.replace("_", " "): value for key, value in overrides.items()})
    return [values[name] for name in HEADER]


def write_csv(
    path: Path,
    rows: list[list],
    *,
    header: list[str] | None = HEADER,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], *, header: list[str] = HEADER, title: str | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def excel_row(n: int, registered: date = date(2024, 3, 15), **overrides) -> list:
    values = row(n, **overrides)
    values[HEADER.index("Iscritto il")] = registered
    return values
