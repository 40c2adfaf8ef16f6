"""RUNTS mirror use-cases: look an entity up, check its eligibility for a deadline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from .eligibility import Declared, Verdict, check_eligibility
from .importer import latest_snapshot_date
from .models import RuntsEntity, RuntsImport


def normalise_code(code: str) -> str:
    return code.replace(" ", "").strip().upper()


def find_entity(code: str) -> RuntsEntity | None:
    return db.session.scalar(
        select(RuntsEntity).where(RuntsEntity.codice_fiscale == normalise_code(code))
    )


def latest_import() -> RuntsImport | None:
    return db.session.scalar(
        select(RuntsImport)
        .where(RuntsImport.finished_at.is_not(None))
        .order_by(RuntsImport.snapshot_date.desc(), RuntsImport.id.desc())
        .limit(1)
    )


def mirror_snapshot_date() -> date | None:
    return latest_snapshot_date()


def check_entity(code: str, deadline: datetime, declared: Declared | None = None) -> Verdict:
    """The eligibility verdict for the entity with this codice fiscale, from the mirror."""
    code = normalise_code(code)
    declared = declared or Declared()
    if declared.codice_fiscale is None:
        declared = Declared(**{**declared.__dict__, "codice_fiscale": code})
    return check_eligibility(
        find_entity(code), declared, deadline, mirror_snapshot=mirror_snapshot_date()
    )
