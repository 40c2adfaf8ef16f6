"""The list of qualified entities (elenco di soggetti qualificati, seed 003 b–c; L.R. 3/2023
art. 17 c.3) and the services each entity offers to the Budget di Salute projects.

- QualifiedEntry: an entity on the list of a procedure of kind "elenco_qualificati" (an open
  notice: applications at any time until its closing date). It is requested with an application
  (the same engine as the co-programming: RUNTS check, declarations, signed form), then staff
  qualify it with a validity period and a review date, or refuse, suspend, remove it, always with
  a reason, audited and notified. A qualified entry past its validity is expired: it leaves the
  searches and the API until renewed.
- EntryService: one service of an entry: axis, type (the authority's resource taxonomy, the same
  as the mapping's), description, targets (adults of the CSM, minors of NPIA, people of the
  SerDP), the districts and comuni covered, the place where it is offered (placed as the
  mapping places addresses), capacity and the places available now with the date the ETS last
  said so, notes on access, links to the entity's mapped resources. Its `search_text` (name,
  service and description, lower-case and without accents) is what the full-text index of
  each database reads, so that SQLite and PostgreSQL find the same services.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import link_table, now_column
from ..extensions import db
from ..notices.models import IllegalTransition, Procedure, enum_column

__all__ = ["EntryService", "EntryState", "IllegalTransition", "QualifiedEntry", "Target"]


class EntryState(enum.StrEnum):
    REQUESTED = "requested"  # applied, waiting for the decision
    QUALIFIED = "qualified"
    REFUSED = "refused"
    SUSPENDED = "suspended"
    REMOVED = "removed"
    EXPIRED = "expired"

    @property
    def label(self):
        return {
            EntryState.REQUESTED: _l("In istruttoria"),
            EntryState.QUALIFIED: _l("Qualificato"),
            EntryState.REFUSED: _l("Non qualificato"),
            EntryState.SUSPENDED: _l("Sospeso"),
            EntryState.REMOVED: _l("Cancellato"),
            EntryState.EXPIRED: _l("Scaduto"),
        }[self]


ENTRY_MOVES = {
    EntryState.REQUESTED: {EntryState.QUALIFIED, EntryState.REFUSED},
    EntryState.QUALIFIED: {EntryState.QUALIFIED, EntryState.SUSPENDED, EntryState.REMOVED, EntryState.EXPIRED},
    EntryState.SUSPENDED: {EntryState.QUALIFIED, EntryState.REMOVED},
    EntryState.EXPIRED: {EntryState.QUALIFIED, EntryState.REMOVED},  # renewed, or taken off
    EntryState.REFUSED: {EntryState.REQUESTED},  # a new application
    EntryState.REMOVED: {EntryState.REQUESTED},
}


class Target(enum.StrEnum):
    """Whom a service is for: the three services of the Department of Mental Health."""

    ADULTS = "adulti_csm"
    MINORS = "minori_npia"
    ADDICTIONS = "serdp"

    @property
    def label(self):
        return {
            Target.ADULTS: _l("Adulti dei Centri di salute mentale (CSM)"),
            Target.MINORS: _l("Minori della Neuropsichiatria dell'infanzia e dell'adolescenza (NPIA)"),
            Target.ADDICTIONS: _l("Persone seguite dal Servizio per le dipendenze (SerDP)"),
        }[self]

    @property
    def short_label(self):
        return {Target.ADULTS: _l("Adulti (CSM)"), Target.MINORS: _l("Minori (NPIA)"),
                Target.ADDICTIONS: _l("Dipendenze (SerDP)")}[self]


class QualifiedEntry(db.Model):
    __tablename__ = "qualified_entries"
    __table_args__ = (
        UniqueConstraint("procedure_id", "organisation_id"),
        Index("ix_qualified_entries_search", "procedure_id", "state", "valid_until"),
    )
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    state: Mapped[EntryState] = mapped_column(enum_column(EntryState, 20), default=EntryState.REQUESTED)
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    review_on: Mapped[date | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None]  # the reminder before expiry, sent once per validity
    # For case managers only (never public): the desk that answers them, not a person's own data.
    contact_desk: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    procedure: Mapped[Procedure] = relationship()
    organisation = relationship("Organisation")
    application = relationship("Application")
    services: Mapped[list[EntryService]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryService.id"
    )

    def move(self, to: EntryState) -> None:
        if to not in ENTRY_MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        self.state = to


entry_service_districts = link_table("entry_service", "district", owner_table="entry_services",
                                     target_table="districts")
entry_service_comuni = link_table("entry_service", "comune", owner_table="entry_services", target_table="comuni")
entry_service_contributions = link_table("entry_service", "contribution", owner_table="entry_services",
                                         target_table="contributions")


class EntryService(db.Model):
    __tablename__ = "entry_services"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        CheckConstraint("available IS NULL OR available >= 0", name="available"),
        Index("ix_entry_services_filters", "axis_id", "resource_type_id"),
        Index("ix_entry_services_place", "latitude", "longitude"),
    )
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("qualified_entries.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id"))
    resource_type_id: Mapped[int] = mapped_column(ForeignKey("resource_types.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    for_adults: Mapped[bool] = mapped_column(default=False)
    for_minors: Mapped[bool] = mapped_column(default=False)
    for_addictions: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(String(300), default="")
    comune_id: Mapped[int | None] = mapped_column(ForeignKey("comuni.id"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    capacity: Mapped[int | None]
    available: Mapped[int | None]  # places free now, as the ETS last said
    availability_updated_at: Mapped[datetime | None]
    step_free: Mapped[bool] = mapped_column(default=False)
    public_transport: Mapped[str] = mapped_column(String(300), default="")
    access_notes: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    entry: Mapped[QualifiedEntry] = relationship(back_populates="services")
    axis = relationship("Axis")
    resource_type = relationship("ResourceType")
    comune = relationship("Comune")
    districts = relationship("District", secondary=entry_service_districts, order_by="District.position")
    comuni = relationship("Comune", secondary=entry_service_comuni, order_by="Comune.name")
    contributions = relationship("Contribution", secondary=entry_service_contributions)

    @property
    def targets(self) -> list[Target]:
        flags = ((Target.ADULTS, self.for_adults), (Target.MINORS, self.for_minors),
                 (Target.ADDICTIONS, self.for_addictions))
        return [target for target, on in flags if on]


class ApiKey(db.Model):
    """A key for the read-only v1 API, issued and revoked by staff (for the health authority's
    own systems). Only its SHA-256 is kept: the key is shown once, when it is issued."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(12), index=True)  # shown in lists, to tell keys apart
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None
