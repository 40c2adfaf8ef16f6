"""May an ETS take part in an art. 55 procedure? Pure functions over its RUNTS record.

The requirement (DOMAIN.md §3, step 3): registered in the RUNTS for at least 6 months at the
notice's deadline. ODV and APS that migrated from the old regional registers keep their
earlier registration date (continuity, Ministry of Labour note 2904 of 3 March 2023).
*Imprese sociali* (section d, social cooperatives included) are registered through the
Registro imprese, which the RUNTS list may not mirror: when missing, a person checks.

The verdict advises the RUP, who decides; every verdict carries its reason and evidence.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from flask_babel import gettext as _

from ..core.time import ROME, as_utc
from .models import RuntsSection, RuntsStatus

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
MANUAL_CHECK = "manual_check"

MINIMUM_MONTHS = 6
CONTINUITY_SECTIONS = frozenset({RuntsSection.ODV, RuntsSection.APS})
CONTINUITY_SOURCE = "nota del Ministero del lavoro n. 2904 del 3 marzo 2023"


class RegistryRecord(Protocol):
    """What the rules read of a mirrored entity (a RuntsEntity, or any look-alike)."""

    codice_fiscale: str
    sezione: RuntsSection
    repertorio: str | None
    denominazione: str | None
    registered_on: date
    status: RuntsStatus

    @property
    def snapshot_date(self) -> date: ...


@dataclass(frozen=True)
class Declared:
    """What the applicant declares (Modello A)."""

    codice_fiscale: str | None = None
    section: RuntsSection | None = None
    repertorio: str | None = None
    registered_on: date | None = None
    # ODV/APS migrated from the old regional registers: the earlier register and its date
    earlier_registration: date | None = None
    earlier_register: str | None = None
    # imprese sociali: their registration in the Registro imprese (REA, chamber of commerce)
    registro_imprese: str | None = None


@dataclass
class Verdict:
    verdict: str  # ELIGIBLE, NOT_ELIGIBLE or MANUAL_CHECK
    reason: str
    flags: list[str] = field(default_factory=list)  # declared data disagreeing with the RUNTS
    evidence: dict = field(default_factory=dict)


# Calendar months ----------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _last_day(year, month)))


def period_complete_on(registered_on: date, months: int = MINIMUM_MONTHS) -> date:
    """The day a registration has lasted `months` calendar months (art. 2963 c.c.): the day of
    the month `months` later that bears the same number, or that month's last day when it has
    no such day. Registered 29 Mar 2025 -> 29 Sep 2025; 31 Aug 2024 -> 28 Feb 2025."""
    return add_months(registered_on, months)


def latest_registration_date(deadline_day: date, months: int = MINIMUM_MONTHS) -> date:
    """The latest registration date whose `months` are complete by `deadline_day`.

    "At least 6 months before the deadline" means: the 6 calendar months counted from the
    registration are complete on or before the deadline's day (`period_complete_on`). So:

    - as a rule, the same day number 6 months earlier: deadline 29 Sep 2025 -> registered on
      or before 29 Mar 2025 (registered 30 Mar 2025 completes on 30 Sep: one day late);
    - when that month is shorter, its last day: deadline 29 or 30 Aug 2025 -> 28 Feb 2025,
      deadline 29 Aug 2024 -> 29 Feb 2024 (leap year);
    - when the deadline is the last day of its month, the last day of the month 6 months
      earlier, since every later day of that month also completes on the deadline: deadline
      28 Feb 2025 -> 31 Aug 2024; deadline 31 Aug 2025 -> 28 Feb 2025; 30 Sep -> 31 Mar.

    Only the deadline's calendar day in Europe/Rome counts (see `deadline_day`), not its hour.
    """
    earlier = add_months(deadline_day, -months)
    if deadline_day.day == _last_day(deadline_day.year, deadline_day.month):
        return earlier.replace(day=_last_day(earlier.year, earlier.month))
    return earlier


def deadline_day(deadline: datetime) -> date:
    """The deadline's calendar day in Europe/Rome (a naive value is taken as UTC)."""
    return as_utc(deadline).astimezone(ROME).date()


# The verdict --------------------------------------------------------------------------------------


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "–"


def _section_name(section: RuntsSection | None) -> str:
    return section.label if section else "–"


def _repertorio_key(value: str | None) -> str:
    return (value or "").strip().lstrip("0").upper()


def disagreements(record: RegistryRecord, declared: Declared) -> list[str]:
    """Notes on declared data that differ from the RUNTS record."""
    flags = []
    if declared.section and declared.section != record.sezione:
        flags.append(
            _(
                "Sezione dichiarata %(declared)s diversa da quella nel RUNTS: %(record)s.",
                declared=_section_name(declared.section),
                record=_section_name(record.sezione),
            )
        )
    if declared.repertorio and _repertorio_key(declared.repertorio) != _repertorio_key(
        record.repertorio
    ):
        flags.append(
            _(
                "Numero di repertorio dichiarato %(declared)s diverso da quello nel RUNTS: %(record)s.",
                declared=declared.repertorio,
                record=record.repertorio or "–",
            )
        )
    if declared.registered_on and declared.registered_on != record.registered_on:
        flags.append(
            _(
                "Data di iscrizione dichiarata %(declared)s diversa da quella nel RUNTS: %(record)s.",
                declared=_day(declared.registered_on),
                record=_day(record.registered_on),
            )
        )
    return flags


@dataclass(frozen=True)
class _Facts:
    record: RegistryRecord | None
    declared: Declared
    deadline: date
    latest: date  # latest registration date that satisfies the 6 months
    snapshot: date | None


def _not_listed(facts: _Facts) -> tuple[str, str]:
    record, snapshot = facts.record, _day(facts.snapshot)
    section = record.sezione if record else facts.declared.section
    if section == RuntsSection.IMPRESE_SOCIALI:
        return MANUAL_CHECK, _(
            "Impresa sociale non presente tra gli iscritti dell'elenco RUNTS del %(snapshot)s:"
            " l'iscrizione si verifica nel Registro imprese.",
            snapshot=snapshot,
        )
    if record is None:
        return NOT_ELIGIBLE, _(
            "Ente non presente nell'elenco RUNTS del %(snapshot)s.", snapshot=snapshot
        )
    return NOT_ELIGIBLE, _(
        "Ente cancellato dal RUNTS: non più presente nell'elenco del %(snapshot)s.",
        snapshot=snapshot,
    )


def _continuity(facts: _Facts) -> tuple[str, str] | None:
    """ODV/APS migrated from the old registers: the declared earlier registration counts."""
    earlier = facts.declared.earlier_registration
    if earlier is None or facts.record.sezione not in CONTINUITY_SECTIONS:
        return None
    if earlier > facts.latest:
        return NOT_ELIGIBLE, _(
            "Iscritto al RUNTS dal %(registered)s; anche contando l'iscrizione dichiarata nel"
            " registro precedente dal %(earlier)s, i 6 mesi si compiono il %(complete)s,"
            " dopo la scadenza del %(deadline)s.",
            registered=_day(facts.record.registered_on),
            earlier=_day(earlier),
            complete=_day(period_complete_on(earlier)),
            deadline=_day(facts.deadline),
        )
    return ELIGIBLE, _(
        "Iscritto al RUNTS dal %(registered)s, con continuità dall'iscrizione dichiarata nel"
        " registro precedente dal %(earlier)s (%(source)s): 6 mesi compiuti entro la scadenza"
        " del %(deadline)s. La data dichiarata va verificata.",
        registered=_day(facts.record.registered_on),
        earlier=_day(earlier),
        source=CONTINUITY_SOURCE,
        deadline=_day(facts.deadline),
    )


def _listed(facts: _Facts) -> tuple[str, str]:
    record = facts.record
    complete = period_complete_on(record.registered_on)
    if record.registered_on <= facts.latest:
        return ELIGIBLE, _(
            "Iscritto al RUNTS dal %(registered)s: 6 mesi compiuti il %(complete)s, entro la"
            " scadenza del %(deadline)s.",
            registered=_day(record.registered_on),
            complete=_day(complete),
            deadline=_day(facts.deadline),
        )
    continuity = _continuity(facts)
    if continuity:
        return continuity
    if record.sezione == RuntsSection.IMPRESE_SOCIALI:
        return MANUAL_CHECK, _(
            "Impresa sociale iscritta al RUNTS dal %(registered)s, meno di 6 mesi prima della"
            " scadenza del %(deadline)s: l'anzianità si verifica nel Registro imprese.",
            registered=_day(record.registered_on),
            deadline=_day(facts.deadline),
        )
    return NOT_ELIGIBLE, _(
        "Iscritto al RUNTS dal %(registered)s: i 6 mesi si compiono il %(complete)s, dopo la"
        " scadenza del %(deadline)s (serve l'iscrizione entro il %(latest)s).",
        registered=_day(record.registered_on),
        complete=_day(complete),
        deadline=_day(facts.deadline),
        latest=_day(facts.latest),
    )


def _continuity_flags(facts: _Facts) -> list[str]:
    record = facts.record
    if facts.declared.earlier_registration and record and record.sezione not in CONTINUITY_SECTIONS:
        return [
            _(
                "Dichiarata un'iscrizione precedente al RUNTS: la continuità vale solo per ODV"
                " e APS (sezioni a e b)."
            )
        ]
    return []


def _evidence(facts: _Facts) -> dict:
    record, declared = facts.record, facts.declared
    return {
        "codice_fiscale": record.codice_fiscale if record else declared.codice_fiscale,
        "snapshot_date": facts.snapshot,
        "status": str(record.status) if record else None,
        "registered_on": record.registered_on if record else None,
        "section": str(record.sezione) if record else None,
        "repertorio": record.repertorio if record else None,
        "denominazione": record.denominazione if record else None,
        "deadline_day": facts.deadline,
        "latest_registration": facts.latest,
        "earlier_registration": declared.earlier_registration,
        "earlier_register": declared.earlier_register,
        "registro_imprese": declared.registro_imprese,
    }


def check_eligibility(
    record: RegistryRecord | None,
    declared: Declared | None,
    deadline: datetime,
    *,
    mirror_snapshot: date | None = None,
) -> Verdict:
    """The verdict on an entity for a notice whose deadline is `deadline` (aware, UTC).

    `record` is the entity in the RUNTS mirror, None when absent; `mirror_snapshot` is the date
    of the latest imported list, cited when the entity is absent. The 6 months are counted as
    in `latest_registration_date` on the deadline's day in Europe/Rome.

    - listed, 6 months complete: eligible;
    - listed too recently: an ODV/APS with a declared earlier registration that completes the
      6 months is eligible (continuity; the reason says the date must be verified); an
      impresa sociale needs a manual check (its seniority is in the Registro imprese);
      anyone else is not eligible;
    - removed or absent: not eligible, except an impresa sociale (section d of the record,
      or declared when absent): manual check, through the Registro imprese;
    - declared section, repertorio or registration date that differ from the record are
      flagged, whatever the verdict.
    """
    declared = declared or Declared()
    day = deadline_day(deadline)
    snapshot = record.snapshot_date if record else mirror_snapshot
    facts = _Facts(record, declared, day, latest_registration_date(day), snapshot)
    listed = record is not None and record.status == RuntsStatus.LISTED
    verdict, reason = _listed(facts) if listed else _not_listed(facts)
    flags = (disagreements(record, declared) if record else []) + _continuity_flags(facts)
    return Verdict(verdict, reason, flags, _evidence(facts))
