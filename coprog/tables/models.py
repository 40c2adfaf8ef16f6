"""Tables of a procedure: groups per axis, sessions, registrations, attendance, minutes.

- A TableGroup is a table of one axis for one or more districts or sub-areas (seed 002:
  "Appennino e Reno Lavino Samoggia", "Bologna Ovest"). People register per group.
- A TableSession is one meeting (date, shift with start and end, place or link, capacity,
  facilitators) of one or more groups of the same axis: a merged session (Socialità: Bologna
  Est + Ovest; the afternoon plenary of Savena Idice, Pianura Est and Pianura Ovest) hosts
  several groups, whose people registered per group.
- A Registration is one person for one session and one of its groups, with a category
  (configurable per procedure: AUSL, Servizi sociali, Privato sociale – ETS, …). It is
  confirmed, waitlisted (capacity reached) or cancelled. A walk-in is a registration made at
  the door by the facilitator. `person_key` (e-mail, else the name, normalised) is unique per
  session among the registrations not cancelled: the same person is never registered twice.
- An Attendance is the check-in of one registration (unique): a double tap or a resubmitted
  request never counts anyone twice; undo deletes it (audited).
- Minutes (verbale) of a session: Part 1 findings (needs, critical points, aspirations),
  Part 2 directions (who can contribute, what can be put in place, how to collaborate, with the
  actors named), free notes; draft -> approved -> published.

Figures are always computed from registrations and attendances, never stored as totals.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.approval import ApprovalFlow
from ..core.i18n import N_, TranslatedLabel
from ..core.models import link_table, now_column
from ..core.time import naive_utc, utcnow
from ..extensions import db
from ..notices.models import Procedure, enum_column
from ..territory.models import Axis, District, SubArea

# Categories every procedure starts with (seed 002 counts the first three); staff may rename
# them and add others. The codes tie a category to who registers: an ETS registers its people
# as "ets" and its co-opted subjects as "cooptato", an invited body as "invitato".
DEFAULT_CATEGORIES = (
    ("ausl", N_("AUSL")),
    ("servizi_sociali", N_("Servizi sociali – Comuni/Unioni")),
    ("ets", N_("Privato sociale – ETS")),
    ("cooptato", N_("Soggetto cooptato")),
    ("invitato", N_("Soggetto invitato")),
)
ETS_CATEGORY, CO_OPTED_CATEGORY, INVITED_CATEGORY = "ets", "cooptato", "invitato"


class Shift(enum.StrEnum):
    MORNING = "mattina"
    AFTERNOON = "pomeriggio"
    EVENING = "sera"
    FULL_DAY = "giornata"

    @property
    def label(self):
        return {
            Shift.MORNING: _l("Mattina"),
            Shift.AFTERNOON: _l("Pomeriggio"),
            Shift.EVENING: _l("Sera"),
            Shift.FULL_DAY: _l("Intera giornata"),
        }[self]


class TableCategory(TranslatedLabel, db.Model):
    """A category of participants, per procedure (registrations and attendance by category)."""

    __tablename__ = "table_categories"
    __table_args__ = (UniqueConstraint("procedure_id", "code"),)
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    stored_label: Mapped[str] = mapped_column("label", String(120))
    position: Mapped[int] = mapped_column(default=0)

    procedure: Mapped[Procedure] = relationship()


table_group_districts = link_table(
    "table_group", "district", owner_table="table_groups", target_table="districts"
)
table_group_sub_areas = link_table(
    "table_group", "sub_area", owner_table="table_groups", target_table="sub_areas"
)
table_session_groups = link_table(
    "table_session", "table_group", owner_table="table_sessions", target_table="table_groups"
)
table_session_facilitators = Table(
    "table_session_facilitators",
    db.metadata,
    Column("table_session_id", ForeignKey("table_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TableGroup(db.Model):
    """A table of one axis for one or more districts or sub-areas; people register per group."""

    __tablename__ = "table_groups"
    __table_args__ = (UniqueConstraint("procedure_id", "axis_id", "name"),)
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    procedure: Mapped[Procedure] = relationship()
    axis: Mapped[Axis] = relationship()
    districts: Mapped[list[District]] = relationship(
        secondary=table_group_districts, order_by="District.position"
    )
    sub_areas: Mapped[list[SubArea]] = relationship(
        secondary=table_group_sub_areas, order_by="SubArea.position"
    )
    sessions: Mapped[list[TableSession]] = relationship(
        secondary=table_session_groups, back_populates="groups", order_by="TableSession.starts_at"
    )


class TableSession(db.Model):
    """One meeting of one or more groups of the same axis."""

    __tablename__ = "table_sessions"
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    ends_at: Mapped[datetime]
    shift: Mapped[Shift] = mapped_column(enum_column(Shift, 20))
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    calendar_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    procedure: Mapped[Procedure] = relationship()
    axis: Mapped[Axis] = relationship()
    groups: Mapped[list[TableGroup]] = relationship(
        secondary=table_session_groups, back_populates="sessions", order_by="TableGroup.position"
    )
    facilitators = relationship("User", secondary=table_session_facilitators, order_by="User.full_name")
    minutes: Mapped[Minutes | None] = relationship(
        back_populates="session", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_merged(self) -> bool:
        return len(self.groups) > 1

    def is_facilitated_by(self, user) -> bool:
        return user is not None and any(f.id == user.id for f in self.facilitators)

    def has_started(self, now: datetime | None = None) -> bool:
        return naive_utc(now or utcnow()) >= self.starts_at

    def has_ended(self, now: datetime | None = None) -> bool:
        return naive_utc(now or utcnow()) >= self.ends_at


class RegistrationState(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {
            RegistrationState.CONFIRMED: _l("Iscritto"),
            RegistrationState.WAITLISTED: _l("In lista d'attesa"),
            RegistrationState.CANCELLED: _l("Iscrizione annullata"),
        }[self]


class Registration(db.Model):
    """One person registered for a session, in one of its groups, with a category."""

    __tablename__ = "table_registrations"
    public_content = True  # the public figures count registrations
    __table_args__ = (
        UniqueConstraint("session_id", "person_key"),
        Index("ix_table_registrations_session_state", "session_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("table_sessions.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("table_groups.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("table_categories.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    affiliation: Mapped[str] = mapped_column(String(300), default="")  # entity, Comune, service
    # e-mail (lower case) or "nome:<name>"; NULL once cancelled, so a cancelled person may
    # register again; unique per session otherwise
    person_key: Mapped[str | None] = mapped_column(String(260))
    # name and affiliation folded (lower case, no accents) for the search at the door
    search_text: Mapped[str] = mapped_column(String(520), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("sub_procedure_invitations.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[RegistrationState] = mapped_column(
        enum_column(RegistrationState, 20), default=RegistrationState.CONFIRMED
    )
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]

    session: Mapped[TableSession] = relationship()
    group: Mapped[TableGroup] = relationship()
    category: Mapped[TableCategory] = relationship()
    organisation = relationship("Organisation")
    invitation = relationship("Invitation")
    registered_by = relationship("User")
    attendance: Mapped[Attendance | None] = relationship(
        back_populates="registration", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.state != RegistrationState.CANCELLED


class Attendance(db.Model):
    """The check-in of one registration: at most one (unique), with the time and who did it."""

    __tablename__ = "table_attendances"
    public_content = True  # the public figures count attendance

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("table_registrations.id", ondelete="CASCADE"), unique=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("table_sessions.id", ondelete="CASCADE"), index=True
    )  # the registration's, kept here so that counts need no join
    checked_in_at: Mapped[datetime] = mapped_column(default=now_column)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship(back_populates="attendance")


class MinutesState(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self):
        return {
            MinutesState.DRAFT: _l("Bozza"),
            MinutesState.APPROVED: _l("Approvato"),
            MinutesState.PUBLISHED: _l("Pubblicato"),
        }[self]


MINUTES_MOVES = {
    MinutesState.DRAFT: {MinutesState.APPROVED},
    MinutesState.APPROVED: {MinutesState.DRAFT, MinutesState.PUBLISHED},  # reopen for changes
    MinutesState.PUBLISHED: set(),
}


class FindingKind(enum.StrEnum):
    """Part 1 of the method (seed 002): what happens today when a need arises on the axis."""

    NEED = "bisogno"
    CRITICAL_POINT = "criticita"
    ASPIRATION = "aspirazione"

    @property
    def label(self):
        return {
            FindingKind.NEED: _l("Bisogni"),
            FindingKind.CRITICAL_POINT: _l("Criticità"),
            FindingKind.ASPIRATION: _l("Aspirazioni"),
        }[self]


class Minutes(ApprovalFlow, db.Model):
    """The verbale of a session; its Part 1 and Part 2 are records, so that the synthesis and
    the resource mapping can point to them."""

    __tablename__ = "table_minutes"
    public_content = True
    MOVES = MINUTES_MOVES

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("table_sessions.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[MinutesState] = mapped_column(enum_column(MinutesState, 20), default=MinutesState.DRAFT)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=now_column, onupdate=now_column)

    session: Mapped[TableSession] = relationship(back_populates="minutes")
    findings: Mapped[list[Finding]] = relationship(
        back_populates="minutes", order_by="Finding.position", cascade="all, delete-orphan"
    )
    directions: Mapped[list[Direction]] = relationship(
        back_populates="minutes", order_by="Direction.position", cascade="all, delete-orphan"
    )

    @property
    def editable(self) -> bool:
        return self.state == MinutesState.DRAFT

    @property
    def is_published(self) -> bool:
        return self.state == MinutesState.PUBLISHED


class Finding(db.Model):
    """A Part 1 record: a need, a critical point or an aspiration."""

    __tablename__ = "table_minutes_findings"
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("table_minutes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind, 20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    minutes: Mapped[Minutes] = relationship(back_populates="findings")


direction_actors = link_table(
    "direction", "actor", owner_table="table_minutes_directions", target_table="actors"
)


class Direction(db.Model):
    """A Part 2 record: who can contribute (the actors named, and in words), what can be put
    in place, how to collaborate. The resource mapping turns it into contributions."""

    __tablename__ = "table_minutes_directions"
    public_content = True

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("table_minutes.id", ondelete="CASCADE"), index=True)
    who: Mapped[str] = mapped_column(Text, default="")
    what: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    minutes: Mapped[Minutes] = relationship(back_populates="directions")
    actors = relationship("Actor", secondary=direction_actors, order_by="Actor.name")
