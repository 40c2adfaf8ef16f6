"""Contributions and what is derived from them.

- ResourceType: the taxonomy of resources, per authority (configurable; the preset comes from
  seed 002: spaces, housing, work placements and internships, training, social activities,
  volunteers, funding, professional roles, competences).
- Contribution: an actor offers a resource of a type on an axis (what), in a way (how: co-
  production, support, making available, networking, funding), in a place (district, comune,
  address, and the point where it is drawn), with a capacity and an availability period; the
  actors it would collaborate with. It comes online (an ETS for itself or its co-opted
  subjects, an invited body) or from a table (a facilitator turning a Part 2 direction of the
  verbale into contributions). Staff moderate it: submitted -> approved (published) or
  rejected, with a reason; the contributor is notified.
- NetworkSnapshot: the actor–resource network of a procedure with its metrics and layout,
  computed outside the request when contributions change and served from storage.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import audit
from ..core.i18n import N_, TranslatedLabel
from ..core.models import link_table, now_column
from ..core.time import naive_utc, utcnow
from ..extensions import db
from ..notices.models import IllegalTransition, enum_column

DEFAULT_RESOURCE_TYPES = (  # Italian msgids, translated when shown (TranslatedLabel)
    ("spazi", N_("Spazi")),
    ("abitazioni", N_("Abitazioni e alloggi")),
    ("inserimenti_lavorativi", N_("Inserimenti lavorativi e tirocini")),
    ("formazione", N_("Formazione")),
    ("attivita_sociali", N_("Attività sociali")),
    ("volontariato", N_("Volontariato")),
    ("finanziamenti", N_("Finanziamenti")),
    ("figure_professionali", N_("Figure professionali")),
    ("competenze", N_("Competenze")),
)


class OfferMode(enum.StrEnum):
    """How a resource is offered (DOMAIN.md §4)."""

    CO_PRODUCTION = "coproduzione"
    SUPPORT = "sostegno"
    MAKING_AVAILABLE = "messa_a_disposizione"
    NETWORKING = "rete"
    FUNDING = "finanziamento"

    @property
    def label(self):
        return {
            OfferMode.CO_PRODUCTION: _l("Co-produzione"),
            OfferMode.SUPPORT: _l("Sostegno"),
            OfferMode.MAKING_AVAILABLE: _l("Messa a disposizione"),
            OfferMode.NETWORKING: _l("Messa in rete"),
            OfferMode.FUNDING: _l("Finanziamento"),
        }[self]


class ContributionState(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self):
        return {
            ContributionState.SUBMITTED: _l("In attesa di moderazione"),
            ContributionState.APPROVED: _l("Pubblicato"),
            ContributionState.REJECTED: _l("Non pubblicato"),
        }[self]


CONTRIBUTION_MOVES = {
    ContributionState.SUBMITTED: {ContributionState.APPROVED, ContributionState.REJECTED},
    ContributionState.APPROVED: {ContributionState.REJECTED},  # withdrawn from publication
    ContributionState.REJECTED: {ContributionState.SUBMITTED},  # corrected and sent again
}


class ContributionSource(enum.StrEnum):
    ONLINE = "online"
    TABLE = "tavolo"

    @property
    def label(self):
        return {ContributionSource.ONLINE: _l("Online"), ContributionSource.TABLE: _l("Al tavolo")}[self]


class Placement(enum.StrEnum):
    """How precisely the point is known: the address geocoded, the comune's point, the district's."""

    ADDRESS = "indirizzo"
    COMUNE = "comune"
    DISTRICT = "distretto"


class ResourceType(TranslatedLabel, db.Model):
    __tablename__ = "resource_types"
    __table_args__ = (UniqueConstraint("authority_id", "code"),)
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    stored_label: Mapped[str] = mapped_column("label", String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


contribution_collaborators = link_table(
    "contribution", "actor", owner_table="contributions", target_table="actors"
)


class Contribution(db.Model):
    __tablename__ = "contributions"
    __table_args__ = (Index("ix_contributions_procedure_state", "procedure_id", "state"),)
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id"))
    resource_type_id: Mapped[int] = mapped_column(ForeignKey("resource_types.id"))
    description: Mapped[str] = mapped_column(Text)
    offer_mode: Mapped[OfferMode] = mapped_column(enum_column(OfferMode))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    comune_id: Mapped[int | None] = mapped_column(ForeignKey("comuni.id"))
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float]
    longitude: Mapped[float]
    placement: Mapped[Placement] = mapped_column(enum_column(Placement, 20))
    capacity: Mapped[int | None]
    capacity_note: Mapped[str] = mapped_column(String(120), default="")  # the unit: places, hours…
    available_from: Mapped[date | None]
    available_until: Mapped[date | None]
    state: Mapped[ContributionState] = mapped_column(
        enum_column(ContributionState, 20), default=ContributionState.SUBMITTED
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[ContributionSource] = mapped_column(
        enum_column(ContributionSource, 20), default=ContributionSource.ONLINE
    )
    # from a table: the Part 2 direction of the verbale it was taken from
    direction_id: Mapped[int | None] = mapped_column(
        ForeignKey("table_minutes_directions.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(ForeignKey("table_sessions.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    procedure = relationship("Procedure")
    actor = relationship("Actor")
    axis = relationship("Axis")
    resource_type: Mapped[ResourceType] = relationship()
    district = relationship("District")
    comune = relationship("Comune")
    collaborators = relationship("Actor", secondary=contribution_collaborators, order_by="Actor.name")
    created_by = relationship("User", foreign_keys=[created_by_id])
    direction = relationship("Direction")
    session = relationship("TableSession")

    @property
    def is_published(self) -> bool:
        return self.state == ContributionState.APPROVED

    def move(self, to: ContributionState, *, by, reason: str | None = None, now: datetime | None = None) -> None:
        if to not in CONTRIBUTION_MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        from_state, self.state = self.state, to
        if to in (ContributionState.APPROVED, ContributionState.REJECTED):
            self.decided_at, self.decided_by_id = naive_utc(now or utcnow()), getattr(by, "id", None)
            self.decision_reason = reason
        audit.record(self, "state", by=by, from_state=from_state, to_state=to, reason=reason)


class NetworkSnapshot(db.Model):
    """The latest network of a procedure: nodes (actors and resources, with their metrics and
    positions), links, and when it was built from which data. `stale` is set in the same
    transaction as any change to the procedure's contributions; a rebuild clears it when it
    begins (its claim, at `claimed_at`) and stores its result with `built_at` = that moment."""

    __tablename__ = "network_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), unique=True)
    stale: Mapped[bool] = mapped_column(default=True)
    claimed_at: Mapped[datetime | None]
    built_at: Mapped[datetime | None]
    build_seconds: Mapped[float | None]
    graph: Mapped[dict | None] = mapped_column(JSON)  # node-link: {"nodes": [...], "links": [...]}
    stats: Mapped[dict | None] = mapped_column(JSON)  # counts, communities, modularity…

    @property
    def updating(self) -> bool:
        """What the pages call "in aggiornamento": changes wait for a rebuild, or a rebuild
        has begun and not stored its result yet (the stored network is not the latest)."""
        return self.stale or self.claim_pending

    @property
    def claim_pending(self) -> bool:
        return self.claimed_at is not None and (self.built_at is None or self.claimed_at > self.built_at)


class GeocodedAddress(db.Model):
    """A Nominatim answer, kept so that an address is asked once for every worker: the
    normalised query, and the point found (both None when the server found nothing)."""

    __tablename__ = "geocoded_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(400), unique=True)
    longitude: Mapped[float | None]
    latitude: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=now_column)
