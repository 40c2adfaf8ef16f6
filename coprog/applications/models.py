"""An application (domanda di partecipazione) and its co-opted subjects.

Lifecycle, owned by the model: draft -> submitted -> admitted | excluded | integration
requested -> submitted again; before the deadline a submitted application may be withdrawn or
superseded by a new version. An illegal move raises IllegalTransition; moves are audited.
"""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import audit
from ..core.models import StoredFile, link_table, now_column
from ..core.time import naive_utc, utcnow
from ..extensions import db
from ..notices.models import IllegalTransition, Notice, enum_column
from ..organisations.models import Organisation
from ..territory.models import Axis, District


class ApplicationState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    INTEGRATION_REQUESTED = "integration_requested"
    ADMITTED = "admitted"
    EXCLUDED = "excluded"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {
    ApplicationState.DRAFT: _l("Bozza"),
    ApplicationState.SUBMITTED: _l("Presentata"),
    ApplicationState.SUPERSEDED: _l("Sostituita da una nuova versione"),
    ApplicationState.WITHDRAWN: _l("Ritirata"),
    ApplicationState.INTEGRATION_REQUESTED: _l("Integrazione richiesta"),
    ApplicationState.ADMITTED: _l("Ammessa"),
    ApplicationState.EXCLUDED: _l("Esclusa"),
}

ALLOWED_MOVES = {
    ApplicationState.DRAFT: {ApplicationState.SUBMITTED},
    ApplicationState.SUBMITTED: {
        ApplicationState.WITHDRAWN,
        ApplicationState.SUPERSEDED,
        ApplicationState.ADMITTED,
        ApplicationState.EXCLUDED,
        ApplicationState.INTEGRATION_REQUESTED,
    },
    ApplicationState.INTEGRATION_REQUESTED: {ApplicationState.SUBMITTED, ApplicationState.EXCLUDED},
    ApplicationState.ADMITTED: set(),
    ApplicationState.EXCLUDED: set(),
    ApplicationState.SUPERSEDED: set(),
    ApplicationState.WITHDRAWN: set(),
}


class CoOptedKind(enum.StrEnum):
    ASSOCIATION = "associazione"
    FOUNDATION = "fondazione"
    RELIGIOUS = "ente_religioso"
    COMPANY = "impresa"
    CITIZEN = "cittadino"
    INFORMAL_GROUP = "gruppo_informale"

    @property
    def label(self):
        return {
            CoOptedKind.ASSOCIATION: _l("Associazione"),
            CoOptedKind.FOUNDATION: _l("Fondazione"),
            CoOptedKind.RELIGIOUS: _l("Ente morale o religioso"),
            CoOptedKind.COMPANY: _l("Impresa"),
            CoOptedKind.CITIZEN: _l("Cittadino"),
            CoOptedKind.INFORMAL_GROUP: _l("Gruppo informale"),
        }[self]


application_axes = link_table("application", "axis", owner_table="applications", target_table="axes")
application_districts = link_table(
    "application", "district", owner_table="applications", target_table="districts"
)

# What the applicant writes (Modello A); the submitted content's SHA-256 is computed over these.
TEXT_FIELDS = (
    "applicant_role",
    "legal_rep_name",
    "legal_rep_cf",
    "legal_rep_role",
    "pec",
    "email",
    "phone",
    "declared_section",
    "declared_repertorio",
    "earlier_register",
    "registro_imprese",
    "experience",
    "table_contact_name",
    "table_contact_email",
    "table_contact_phone",
)
DATE_FIELDS = ("declared_registered_on", "earlier_registered_on")
DECLARATIONS = ("dsan_no_exclusion", "dsan_no_conflict", "dsan_accepts_notice", "dsan_truthful", "privacy_ack")


class ProtocolCounter(db.Model):
    """The last protocol number given per notice: incremented in the submitting transaction,
    so numbers are unique and without gaps (a refused submission rolls the increment back)."""

    __tablename__ = "protocol_counters"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("notice_id", "protocol_number"),)
    public_content = True  # the admitted list is public

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[ApplicationState] = mapped_column(
        enum_column(ApplicationState), default=ApplicationState.DRAFT, index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    protocol_number: Mapped[int | None]
    submitted_at: Mapped[datetime | None]
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    applicant_role: Mapped[str] = mapped_column(String(30), default="legale_rappresentante")
    legal_rep_name: Mapped[str] = mapped_column(String(200), default="")
    legal_rep_cf: Mapped[str] = mapped_column(String(16), default="")
    legal_rep_role: Mapped[str] = mapped_column(String(200), default="")
    pec: Mapped[str] = mapped_column(String(254), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    declared_section: Mapped[str] = mapped_column(String(1), default="")
    declared_repertorio: Mapped[str] = mapped_column(String(30), default="")
    declared_registered_on: Mapped[date | None]
    earlier_register: Mapped[str] = mapped_column(String(300), default="")
    earlier_registered_on: Mapped[date | None]
    registro_imprese: Mapped[str] = mapped_column(String(100), default="")
    experience: Mapped[str] = mapped_column(Text, default="")
    table_contact_name: Mapped[str] = mapped_column(String(200), default="")
    table_contact_email: Mapped[str] = mapped_column(String(254), default="")
    table_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    dsan_no_exclusion: Mapped[bool] = mapped_column(default=False)
    dsan_no_conflict: Mapped[bool] = mapped_column(default=False)
    dsan_accepts_notice: Mapped[bool] = mapped_column(default=False)
    dsan_truthful: Mapped[bool] = mapped_column(default=False)
    privacy_ack: Mapped[bool] = mapped_column(default=False)
    signed_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    eligibility: Mapped[dict | None] = mapped_column(JSON)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    integration_due: Mapped[datetime | None]
    integration_answer: Mapped[str | None] = mapped_column(Text)
    integration_answered_at: Mapped[datetime | None]
    integration_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))

    notice: Mapped[Notice] = relationship()
    organisation: Mapped[Organisation] = relationship()
    axes: Mapped[list[Axis]] = relationship(secondary=application_axes, order_by="Axis.position")
    districts: Mapped[list[District]] = relationship(
        secondary=application_districts, order_by="District.position"
    )
    signed_file: Mapped[StoredFile | None] = relationship(foreign_keys=[signed_file_id])
    integration_file: Mapped[StoredFile | None] = relationship(foreign_keys=[integration_file_id])
    co_opted: Mapped[list[CoOptedSubject]] = relationship(
        back_populates="application", order_by="CoOptedSubject.id", cascade="all, delete-orphan"
    )

    @property
    def editable(self) -> bool:
        return self.state == ApplicationState.DRAFT

    def move(self, to: ApplicationState, *, by, reason: str | None = None, now: datetime | None = None):
        if to not in ALLOWED_MOVES[self.state]:
            raise IllegalTransition(f"{self.state} -> {to}")
        from_state, self.state = self.state, to
        if to in (ApplicationState.ADMITTED, ApplicationState.EXCLUDED, ApplicationState.INTEGRATION_REQUESTED):
            self.decided_at = naive_utc(now or utcnow())
            self.decision_reason = reason
        audit.record(self, "state", by=by, from_state=from_state, to_state=to, reason=reason)

    def content(self) -> dict:
        """What was declared, as plain data: the receipt's SHA-256 is computed over it."""
        data = {name: getattr(self, name) for name in (*TEXT_FIELDS, *DECLARATIONS)}
        data.update({name: (getattr(self, name) or None) and getattr(self, name).isoformat() for name in DATE_FIELDS})
        data["notice"] = self.notice.procedure.slug
        data["organisation"] = self.organisation.codice_fiscale
        data["axes"] = sorted(a.code for a in self.axes)
        data["districts"] = sorted(d.code for d in self.districts)
        data["co_opted"] = [c.content() for c in self.co_opted]
        data["signed_file_sha256"] = self.signed_file.sha256 if self.signed_file else None
        data["version"] = self.version
        return data

    def content_digest(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class CoOptedSubject(db.Model):
    """A private non-ETS subject named by the applying ETS (soggetto cooptato)."""

    __tablename__ = "co_opted_subjects"
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CoOptedKind] = mapped_column(enum_column(CoOptedKind))
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(16))
    contact: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="co_opted")

    def content(self) -> dict:
        return {"kind": self.kind.value, "name": self.name, "code": self.code, "contact": self.contact, "role": self.role}
