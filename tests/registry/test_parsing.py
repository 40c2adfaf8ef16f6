"""Headers, sections, dates and codes as the Ministry's list may write them."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from stdnum import luhn
from stdnum.it import iva

from coprog.registry.models import RuntsSection
from coprog.registry.parsing import (
    entity_code_problem,
    is_entity_code,
    map_columns,
    parse_date,
    parse_flag,
    parse_section,
)

from .helpers import PERSONAL_CF, entity_cf


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Codice fiscale", "codice_fiscale"),
        ("CF", "codice_fiscale"),
        ("C.F.", "codice_fiscale"),
        ("  CODICE  FISCALE ", "codice_fiscale"),
        ("Codice fiscale ente", "codice_fiscale"),
        ("Repertorio", "repertorio"),
        ("N. repertorio", "repertorio"),
        ("Numero di repertorio", "repertorio"),
        ("Denominazione", "denominazione"),
        ("Ragione sociale", "denominazione"),
        ("Sezione", "sezione"),
        ("Sezione RUNTS", "sezione"),
        ("Data iscrizione", "registered_on"),
        ("Iscritto il", "registered_on"),
        ("Data di iscrizione", "registered_on"),
        ("Comune", "comune"),
        ("Comune sede legale", "comune"),
        ("Provincia", "provincia"),
        ("Prov.", "provincia"),
        ("Rete associativa", "rete_associativa"),
        ("Reti associative", "rete_associativa"),
        ("Legale rappresentante", "legale_rappresentante"),
        ("Rappresentante legale", "legale_rappresentante"),
        ("5x1000", "cinque_per_mille"),
        ("5 x 1000", "cinque_per_mille"),
        ("Cinque per mille", "cinque_per_mille"),
        ("Iscritto al 5x1000", None),  # ambiguous: ignored
        ("CF legale rappresentante", None),  # ambiguous: ignored
        ("Partita IVA", None),
    ],
)
def test_header_matching(header, field):
    columns = map_columns([header])
    assert columns.indexes == ({field: 0} if field else {})
    assert columns.ignored == ([] if field else [header])


def test_column_map_reports_missing_and_ignored():
    columns = map_columns(["C.F.", "Sezione", "Iscritto il", "Note", None, "Codice fiscale"])
    assert columns.indexes == {"codice_fiscale": 0, "sezione": 1, "registered_on": 2}
    assert columns.missing_mandatory == []
    assert "denominazione" in columns.missing and "cinque_per_mille" in columns.missing
    assert columns.ignored == ["Note", "Codice fiscale"]  # the second CF column is not used


@pytest.mark.parametrize(
    ("value", "section"),
    [
        ("a", RuntsSection.ODV),
        ("A)", RuntsSection.ODV),
        ("ODV", RuntsSection.ODV),
        ("Organizzazioni di volontariato", RuntsSection.ODV),
        ("A) Organizzazioni di Volontariato", RuntsSection.ODV),
        ("b", RuntsSection.APS),
        ("APS", RuntsSection.APS),
        ("Associazioni di promozione sociale", RuntsSection.APS),
        ("C)", RuntsSection.ENTI_FILANTROPICI),
        ("EF", RuntsSection.ENTI_FILANTROPICI),
        ("Enti filantropici", RuntsSection.ENTI_FILANTROPICI),
        ("d", RuntsSection.IMPRESE_SOCIALI),
        ("IS", RuntsSection.IMPRESE_SOCIALI),
        ("Imprese sociali, incluse le cooperative sociali", RuntsSection.IMPRESE_SOCIALI),
        ("Cooperativa sociale", RuntsSection.IMPRESE_SOCIALI),
        ("E", RuntsSection.RETI_ASSOCIATIVE),
        ("RA", RuntsSection.RETI_ASSOCIATIVE),
        ("Reti associative", RuntsSection.RETI_ASSOCIATIVE),
        ("f", RuntsSection.MUTUO_SOCCORSO),
        ("SMS", RuntsSection.MUTUO_SOCCORSO),
        ("Società di mutuo soccorso", RuntsSection.MUTUO_SOCCORSO),
        ("g", RuntsSection.ALTRI_ENTI),
        ("Altri enti", RuntsSection.ALTRI_ENTI),
        ("Altri enti del Terzo settore", RuntsSection.ALTRI_ENTI),
        ("Sezione b", RuntsSection.APS),
        ("h", None),
        ("Fondazione", None),
        ("", None),
    ],
)
def test_sections(value, section):
    assert parse_section(value) == section


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/03/2024", date(2024, 3, 15)),
        ("5/3/2024", date(2024, 3, 5)),
        ("15-03-2024", date(2024, 3, 15)),
        ("15.03.2024", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("15/03/2024 00:00:00", date(2024, 3, 15)),
        (date(2024, 3, 15), date(2024, 3, 15)),
        (datetime(2024, 3, 15, 10, 30), date(2024, 3, 15)),
        (45366, date(2024, 3, 15)),  # an Excel serial number
        ("31/02/2024", None),
        ("15/03/24", None),
        ("marzo 2024", None),
        (None, None),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("SI", True), ("Sì", True), ("x", True), ("1", True), ("NO", False), ("0", False),
     ("", None), (None, None), ("boh", None), (True, True)],
)
def test_flags(value, expected):
    assert parse_flag(value) is expected


def test_entity_codes():
    assert entity_code_problem(entity_cf(1)) is None
    assert entity_code_problem(f" {entity_cf(1)} ") is None
    assert "persona fisica" in entity_code_problem(PERSONAL_CF)
    assert "non valido" in entity_code_problem("12345678901")
    assert "mancante" in entity_code_problem("")


def test_fast_entity_check_agrees_with_stdnum():
    rng = random.Random(7)
    for n in range(100_000):
        code = "".join(rng.choice("0123456789") for _ in range(11))
        if n % 2:
            code = code[:10] + luhn.calc_check_digit(code[:10])
        assert is_entity_code(code) == iva.is_valid(code), code
