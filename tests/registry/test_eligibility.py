"""The eligibility rules, one table of cases (issue 3 point 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from coprog.core.time import rome_datetime
from coprog.registry.eligibility import (
    ELIGIBLE,
    MANUAL_CHECK,
    NOT_ELIGIBLE,
    Declared,
    check_eligibility,
    deadline_day,
    latest_registration_date,
    period_complete_on,
)
from coprog.registry.models import RuntsSection, RuntsStatus

A, B, D, G = RuntsSection.ODV, RuntsSection.APS, RuntsSection.IMPRESE_SOCIALI, RuntsSection.ALTRI_ENTI
SNAPSHOT = date(2026, 1, 15)


@dataclass
class Record:
    registered_on: date
    sezione: RuntsSection = A
    status: RuntsStatus = RuntsStatus.LISTED
    codice_fiscale: str = "91234560017"
    repertorio: str | None = "12345"
    denominazione: str | None = "Associazione di prova ETS"
    snapshot_date: date = SNAPSHOT


def rome(day: str, at: str = "12:00") -> datetime:
    hour, minute = (int(part) for part in at.split(":"))
    return rome_datetime(date.fromisoformat(day), time(hour, minute))


def d(text: str) -> date:
    return date.fromisoformat(text)


CASES = [
    # (id, record, declared, deadline, verdict)
    ("exactly 6 months", Record(d("2025-03-29")), None, rome("2025-09-29"), ELIGIBLE),
    ("one day short", Record(d("2025-03-30")), None, rome("2025-09-29"), NOT_ELIGIBLE),
    ("29 Feb, leap year, deadline 29 Aug", Record(d("2024-02-29")), None, rome("2024-08-29"), ELIGIBLE),
    ("1 Mar, leap year, deadline 29 Aug", Record(d("2024-03-01")), None, rome("2024-08-29"), NOT_ELIGIBLE),
    ("29 Feb, deadline 31 Aug 2024", Record(d("2024-02-29")), None, rome("2024-08-31"), ELIGIBLE),
    ("28 Feb, non-leap, deadline 31 Aug", Record(d("2025-02-28")), None, rome("2025-08-31"), ELIGIBLE),
    ("1 Mar, non-leap, deadline 31 Aug", Record(d("2025-03-01")), None, rome("2025-08-31"), NOT_ELIGIBLE),
    ("28 Feb, non-leap, deadline 29 Aug", Record(d("2025-02-28")), None, rome("2025-08-29"), ELIGIBLE),
    ("31 Aug completes on 28 Feb", Record(d("2024-08-31")), None, rome("2025-02-28"), ELIGIBLE),
    ("31 Aug not complete on 27 Feb", Record(d("2024-08-31")), None, rome("2025-02-27"), NOT_ELIGIBLE),
    ("31 Mar completes on 30 Sep", Record(d("2025-03-31")), None, rome("2025-09-30"), ELIGIBLE),
    # daylight saving: 29 Mar 2026 (clocks go forward that night), 25 Oct 2026 (back)
    ("DST start, 12:00", Record(d("2025-09-29")), None, rome("2026-03-29"), ELIGIBLE),
    ("DST start, 12:00, one day short", Record(d("2025-09-30")), None, rome("2026-03-29"), NOT_ELIGIBLE),
    ("DST end, 12:00", Record(d("2026-04-25")), None, rome("2026-10-25"), ELIGIBLE),
    ("DST end, 12:00, one day short", Record(d("2026-04-26")), None, rome("2026-10-25"), NOT_ELIGIBLE),
    # 00:30 in Rome is still the day before in UTC: the Rome day counts
    ("00:30 Rome, 29 Mar 2026", Record(d("2025-09-29")), None, rome("2026-03-29", "00:30"), ELIGIBLE),
    ("00:30 Rome, 26 Oct 2025", Record(d("2025-04-26")), None, rome("2025-10-26", "00:30"), ELIGIBLE),
    # continuity for ODV/APS migrated from the regional registers
    ("continuity ODV", Record(d("2025-06-10")), Declared(earlier_registration=d("2015-05-15")),
     rome("2025-09-29"), ELIGIBLE),
    ("continuity APS", Record(d("2025-06-10"), B), Declared(earlier_registration=d("2025-03-29")),
     rome("2025-09-29"), ELIGIBLE),
    ("continuity, earlier date too late", Record(d("2025-06-10")),
     Declared(earlier_registration=d("2025-03-30")), rome("2025-09-29"), NOT_ELIGIBLE),
    ("continuity only for ODV/APS", Record(d("2025-06-10"), G),
     Declared(earlier_registration=d("2015-05-15")), rome("2025-09-29"), NOT_ELIGIBLE),
    # imprese sociali count through the Registro imprese
    ("section d not in the mirror", None, Declared(section=D), rome("2025-09-29"), MANUAL_CHECK),
    ("section d registered recently", Record(d("2025-06-10"), D), None, rome("2025-09-29"), MANUAL_CHECK),
    ("section d listed long ago", Record(d("2023-01-10"), D), None, rome("2025-09-29"), ELIGIBLE),
    ("section d removed", Record(d("2023-01-10"), D, RuntsStatus.REMOVED), None, rome("2025-09-29"),
     MANUAL_CHECK),
    ("removed", Record(d("2023-01-10"), status=RuntsStatus.REMOVED), None, rome("2025-09-29"), NOT_ELIGIBLE),
    ("absent", None, Declared(section=A), rome("2025-09-29"), NOT_ELIGIBLE),
    ("absent, nothing declared", None, None, rome("2025-09-29"), NOT_ELIGIBLE),
]


@pytest.mark.parametrize(
    ("record", "declared", "deadline", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_verdict(record, declared, deadline, expected):
    verdict = check_eligibility(record, declared, deadline, mirror_snapshot=SNAPSHOT)
    assert verdict.verdict == expected, verdict.reason
    assert verdict.reason
    assert verdict.evidence["snapshot_date"] == SNAPSHOT
    assert verdict.evidence["deadline_day"] == deadline_day(deadline)


def test_continuity_says_the_declared_date_must_be_verified():
    verdict = check_eligibility(
        Record(d("2025-06-10")), Declared(earlier_registration=d("2015-05-15")), rome("2025-09-29")
    )
    assert "va verificata" in verdict.reason and "2904" in verdict.reason
    assert "15/05/2015" in verdict.reason
    assert verdict.evidence["earlier_registration"] == d("2015-05-15")


def test_continuity_for_other_sections_is_flagged():
    verdict = check_eligibility(
        Record(d("2025-06-10"), G), Declared(earlier_registration=d("2015-05-15")), rome("2025-09-29")
    )
    assert any("solo per ODV e APS" in flag for flag in verdict.flags)


def test_reasons_cite_the_dates():
    eligible = check_eligibility(Record(d("2025-03-29")), None, rome("2025-09-29"))
    assert "29/03/2025" in eligible.reason and "29/09/2025" in eligible.reason
    short = check_eligibility(Record(d("2025-03-30")), None, rome("2025-09-29"))
    assert "30/09/2025" in short.reason and "entro il 29/03/2025" in short.reason
    absent = check_eligibility(None, None, rome("2025-09-29"), mirror_snapshot=SNAPSHOT)
    assert "non presente" in absent.reason and "15/01/2026" in absent.reason
    removed = check_eligibility(
        Record(d("2023-01-10"), status=RuntsStatus.REMOVED), None, rome("2025-09-29")
    )
    assert "cancellato" in removed.reason


def test_declared_data_that_disagree_are_flagged():
    declared = Declared(section=B, repertorio="999", registered_on=d("2023-01-01"))
    verdict = check_eligibility(Record(d("2023-02-01")), declared, rome("2025-09-29"))
    assert verdict.verdict == ELIGIBLE
    assert len(verdict.flags) == 3
    section, repertorio, registered = verdict.flags
    assert "Sezione dichiarata b)" in section and "a) Organizzazioni" in section
    assert "999" in repertorio and "12345" in repertorio
    assert "01/01/2023" in registered and "01/02/2023" in registered


def test_declared_data_that_agree_are_not_flagged():
    declared = Declared(section=A, repertorio="012345", registered_on=d("2023-02-01"))
    verdict = check_eligibility(Record(d("2023-02-01")), declared, rome("2025-09-29"))
    assert verdict.flags == []


def test_evidence_of_an_absent_entity_names_the_declared_code():
    verdict = check_eligibility(
        None, Declared(codice_fiscale="91234560017"), rome("2025-09-29"), mirror_snapshot=None
    )
    assert verdict.evidence["codice_fiscale"] == "91234560017"
    assert verdict.evidence["registered_on"] is None and verdict.evidence["snapshot_date"] is None


@pytest.mark.parametrize(
    ("deadline", "latest"),
    [
        ("2025-09-29", "2025-03-29"),
        ("2025-08-31", "2025-02-28"),
        ("2024-08-31", "2024-02-29"),
        ("2024-08-29", "2024-02-29"),
        ("2025-08-29", "2025-02-28"),
        ("2025-08-30", "2025-02-28"),
        ("2025-02-28", "2024-08-31"),
        ("2024-02-29", "2023-08-31"),
        ("2024-02-28", "2023-08-28"),
        ("2025-09-30", "2025-03-31"),
        ("2026-01-15", "2025-07-15"),
    ],
)
def test_latest_registration_date(deadline, latest):
    assert latest_registration_date(d(deadline)) == d(latest)


def test_latest_registration_date_agrees_with_counting_forward():
    """For every deadline over four years: the latest date is the last whose 6 months are
    complete by the deadline (art. 2963 c.c.), and the next day's are not."""
    deadline = d("2023-01-01")
    while deadline < d("2027-01-01"):
        latest = latest_registration_date(deadline)
        assert period_complete_on(latest) <= deadline
        assert period_complete_on(latest + timedelta(days=1)) > deadline
        deadline += timedelta(days=1)


def test_deadline_day_is_the_rome_day():
    assert deadline_day(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == d("2026-03-29")
    assert deadline_day(datetime(2025, 10, 25, 22, 30, tzinfo=UTC)) == d("2025-10-26")
    assert deadline_day(datetime(2025, 10, 25, 21, 59)) == d("2025-10-25")  # naive = UTC
