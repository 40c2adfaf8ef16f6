"""The RUNTS mirror: one row per entity ever listed, and one row per import of the list."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import now_column
from ..extensions import db


def _enum_column(enum_class: type[enum.Enum], length: int) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class RuntsSection(enum.StrEnum):
    """The seven sections of the RUNTS (art. 46 CTS)."""

    ODV = "a"  # organizzazioni di volontariato
    APS = "b"  # associazioni di promozione sociale
    ENTI_FILANTROPICI = "c"
    IMPRESE_SOCIALI = "d"  # incl. cooperative sociali; listed through the Registro imprese
    RETI_ASSOCIATIVE = "e"
    MUTUO_SOCCORSO = "f"  # società di mutuo soccorso
    ALTRI_ENTI = "g"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]


SECTION_LABELS = {
    RuntsSection.ODV: "a) Organizzazioni di volontariato",
    RuntsSection.APS: "b) Associazioni di promozione sociale",
    RuntsSection.ENTI_FILANTROPICI: "c) Enti filantropici",
    RuntsSection.IMPRESE_SOCIALI: "d) Imprese sociali, incluse le cooperative sociali",
    RuntsSection.RETI_ASSOCIATIVE: "e) Reti associative",
    RuntsSection.MUTUO_SOCCORSO: "f) Società di mutuo soccorso",
    RuntsSection.ALTRI_ENTI: "g) Altri enti del Terzo settore",
}


class RuntsStatus(enum.StrEnum):
    LISTED = "listed"
    REMOVED = "removed"  # no longer in the latest list: kept, never deleted


class RuntsEntity(db.Model):
    """An entity as the latest imported list shows it.

    `row_hash` digests the listed values, so that an import recognises an unchanged row
    without comparing columns; `last_import_id` tells which import last saw the entity, and
    the import marks as removed the listed entities it did not see.
    """

    __tablename__ = "runts_entities"
    __table_args__ = (Index("ix_runts_entities_status_last_import", "status", "last_import_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    codice_fiscale: Mapped[str] = mapped_column(String(11), unique=True, index=True)
    repertorio: Mapped[str | None] = mapped_column(String(30))
    denominazione: Mapped[str | None] = mapped_column(String(500))
    sezione: Mapped[RuntsSection] = mapped_column(_enum_column(RuntsSection, 1))
    legale_rappresentante: Mapped[str | None] = mapped_column(String(200))
    rete_associativa: Mapped[str | None] = mapped_column(String(300))
    comune: Mapped[str | None] = mapped_column(String(100))
    provincia: Mapped[str | None] = mapped_column(String(60))
    cinque_per_mille: Mapped[bool | None]
    registered_on: Mapped[date]
    status: Mapped[RuntsStatus] = mapped_column(
        _enum_column(RuntsStatus, 10), default=RuntsStatus.LISTED
    )
    first_seen_snapshot: Mapped[date]
    last_seen_snapshot: Mapped[date]
    removed_on_snapshot: Mapped[date | None]
    last_import_id: Mapped[int | None]
    row_hash: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=now_column)

    @property
    def is_listed(self) -> bool:
        return self.status == RuntsStatus.LISTED

    @property
    def snapshot_date(self) -> date:
        """The date of the list the current state comes from."""
        return self.removed_on_snapshot or self.last_seen_snapshot


class RuntsImport(db.Model):
    """One import of the list: the file, its snapshot date, what it changed, what it rejected."""

    __tablename__ = "runts_imports"

    # Rejected rows kept in `rejected_rows` (the count in `rejected` is always exact).
    MAX_STORED_REJECTS = 1000

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(10))
    snapshot_date: Mapped[date] = mapped_column(index=True)
    started_at: Mapped[datetime] = mapped_column(default=now_column)
    finished_at: Mapped[datetime | None]
    rows_read: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    # [{"line": 12, "reason": "..."}], at most MAX_STORED_REJECTS
    rejected_rows: Mapped[list | None] = mapped_column(JSON)
    # {"mapped": {field: header}, "missing": [field], "ignored": [header]}
    columns: Mapped[dict | None] = mapped_column(JSON)
