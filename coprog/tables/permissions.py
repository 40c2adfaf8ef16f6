"""Who may do what with the tables.

- Staff plan the tables, register anyone, see every registration and figure, publish minutes.
- A facilitator checks people in and writes the minutes of the sessions they facilitate only.
- An ETS admitted to the procedure registers its people (and its co-opted subjects); a body
  that accepted an invitation of the procedure's sub-procedure registers its own people; each
  sees and cancels only the registrations it made or that belong to its organisation.
- The public sees the calendar, the figures and the published minutes (counts, no names).
"""

from __future__ import annotations

from ..core.permissions import is_staff, rule
from ..core.roles import Role


@rule("tables.plan")
def plan(user, procedure=None) -> bool:
    return is_staff(user)


@rule("tables.facilitate")
def facilitate(user, session) -> bool:
    """Check-in, walk-ins and the minutes of one session."""
    if session is None or user is None:
        return False
    return is_staff(user) or (user.role == Role.FACILITATOR and session.is_facilitated_by(user))


@rule("tables.facilitator_home")
def facilitator_home(user, obj=None) -> bool:
    return user is not None and user.role in (Role.FACILITATOR, Role.STAFF)


@rule("tables.register")
def register(user, procedure) -> bool:
    """Register people for the procedure's tables: staff, admitted ETS, invited bodies."""
    if user is None or procedure is None:
        return False
    if is_staff(user):
        return True
    from .services.access import registering_parties

    return bool(registering_parties(user, procedure))


@rule("tables.my_registrations")
def my_registrations(user, obj=None) -> bool:
    return user is not None and user.role in (Role.ETS, Role.INVITED_BODY)


@rule("tables.change_registration")
def change_registration(user, registration) -> bool:
    """Cancel a registration: staff, whoever made it, or a member of its organisation, or the
    invited body it belongs to."""
    if user is None or registration is None:
        return False
    if is_staff(user) or registration.registered_by_id == user.id:
        return True
    if registration.organisation is not None and registration.organisation.has_member(user):
        return True
    return registration.invitation is not None and registration.invitation.user_id == user.id


@rule("tables.publish_minutes")
def publish_minutes(user, minutes=None) -> bool:
    return is_staff(user)
