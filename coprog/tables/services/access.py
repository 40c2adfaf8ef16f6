"""On whose behalf a user registers people for a procedure's tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...applications.models import Application, ApplicationState
from ...core.roles import Role
from ...extensions import db
from ...notices.models import Notice, Procedure
from ...organisations.models import Membership
from ...subprocedures.models import Invitation, InvitationState, SubProcedure
from ..models import CO_OPTED_CATEGORY, ETS_CATEGORY, INVITED_CATEGORY, Registration


@dataclass(frozen=True)
class Party:
    """An admitted ETS (application set) or an invited body (invitation set) that registers
    its people; `categories` are the codes its registrations may take."""

    name: str
    application: Application | None = None
    invitation: Invitation | None = None

    @property
    def key(self) -> str:
        return f"app:{self.application.id}" if self.application else f"inv:{self.invitation.id}"

    @property
    def categories(self) -> tuple[str, ...]:
        if self.application is None:
            return (INVITED_CATEGORY,)
        # a co-opted subject takes part only when the ETS named it in its application
        return (ETS_CATEGORY, CO_OPTED_CATEGORY) if self.application.co_opted else (ETS_CATEGORY,)

    @property
    def organisation_id(self) -> int | None:
        return self.application.organisation_id if self.application else None

    @property
    def invitation_id(self) -> int | None:
        return self.invitation.id if self.invitation else None

    @property
    def procedure(self) -> Procedure:
        if self.application is not None:
            return self.application.notice.procedure
        return self.invitation.sub_procedure.procedure

    @property
    def co_opted_names(self) -> list[str]:
        return [c.name for c in self.application.co_opted] if self.application else []


def parties_of(user, procedure: Procedure | None = None) -> list[Party]:
    """The admitted applications of the user's organisations and the invitations the user
    accepted, in one procedure or in all of them."""
    if user is None:
        return []
    if user.role == Role.ETS:
        query = (
            select(Application)
            .join(Notice, Notice.id == Application.notice_id)
            .join(Membership, Membership.organisation_id == Application.organisation_id)
            .where(Application.state == ApplicationState.ADMITTED, Membership.user_id == user.id)
            .options(selectinload(Application.organisation), selectinload(Application.co_opted),
                     selectinload(Application.notice).selectinload(Notice.procedure))
            .order_by(Application.id)
        )
        if procedure is not None:
            query = query.where(Notice.procedure_id == procedure.id)
        return [Party(a.organisation.name, application=a) for a in db.session.scalars(query)]
    if user.role == Role.INVITED_BODY:
        query = (
            select(Invitation)
            .join(SubProcedure)
            .where(Invitation.state == InvitationState.ACCEPTED, Invitation.user_id == user.id)
            .options(selectinload(Invitation.sub_procedure).selectinload(SubProcedure.procedure))
            .order_by(Invitation.id)
        )
        if procedure is not None:
            query = query.where(SubProcedure.procedure_id == procedure.id)
        return [Party(i.body_name, invitation=i) for i in db.session.scalars(query)]
    return []


def registering_parties(user, procedure: Procedure) -> list[Party]:
    """The parties on whose behalf the user registers people for this procedure."""
    return parties_of(user, procedure)


def own_registrations_clause(user):
    """SQL condition: the registrations a non-staff user may see and cancel (rule
    `tables.change_registration`): those they made, those of their organisations, those of the
    invitations they accepted. Never another ETS's."""
    organisations = select(Membership.organisation_id).where(Membership.user_id == user.id)
    invitations = select(Invitation.id).where(Invitation.user_id == user.id)
    return or_(
        Registration.registered_by_id == user.id,
        Registration.organisation_id.in_(organisations),
        Registration.invitation_id.in_(invitations),
    )
