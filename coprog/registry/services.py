"""RUNTS mirror use-cases: look an entity up, check its eligibility for a deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from .eligibility import Declared, Verdict, check_eligibility
from .importer import latest_snapshot_date
from .models import RuntsEntity


def normalise_code(code: str) -> str:
    return code.replace(" ", "").strip().upper()


def find_entity(code: str) -> RuntsEntity | None:
    return db.session.scalar(
        select(RuntsEntity).where(RuntsEntity.codice_fiscale == normalise_code(code))
    )


def check_entity(code: str, deadline: datetime, declared: Declared | None = None) -> Verdict:
    """The eligibility verdict for the entity with this codice fiscale, from the mirror."""
    code = normalise_code(code)
    declared = declared or Declared()
    if declared.codice_fiscale is None:
        declared = replace(declared, codice_fiscale=code)
    return check_eligibility(
        find_entity(code), declared, deadline, mirror_snapshot=latest_snapshot_date()
    )
