"""Who may do what with the resource mapping.

- An ETS admitted to the procedure contributes for itself and for its co-opted subjects; a body
  that accepted an invitation of the procedure's sub-procedure contributes for itself; staff
  contribute for anyone. Contributors see and change (until published) their own only.
- A facilitator turns the Part 2 directions of the verbali of their sessions into contributions.
- Staff moderate (approve / reject with a reason), see unpublished contributions on the map
  and in the lists, and rebuild the network.
- The public sees published contributions only: map, network, coverage, open data.
"""

from __future__ import annotations

from ..core.permissions import can, is_staff, rule
from ..core.roles import Role


@rule("mapping.contribute")
def contribute(user, procedure) -> bool:
    if user is None or procedure is None:
        return False
    if is_staff(user):
        return True
    from ..tables.services.access import registering_parties

    return bool(registering_parties(user, procedure))


@rule("mapping.my_contributions")
def my_contributions(user, obj=None) -> bool:
    """The page of one's own contributions: ETS users and invited bodies (whether or not they
    take part in a procedure yet: the page says who may contribute)."""
    return user is not None and user.role in (Role.ETS, Role.INVITED_BODY)


@rule("mapping.contribute_at_table")
def contribute_at_table(user, session) -> bool:
    """Contributions taken from the verbale of a session: its facilitators and staff."""
    return can("tables.facilitate", session, user=user)


@rule("mapping.moderate")
def moderate(user, obj=None) -> bool:
    return is_staff(user)


@rule("mapping.change_contribution")
def change_contribution(user, contribution) -> bool:
    """See and change one's own contribution: whoever submitted it, or the members of the
    organisation (or the invited body) it is offered by; staff."""
    if user is None or contribution is None:
        return False
    if is_staff(user) or contribution.created_by_id == user.id:
        return True
    actor = contribution.actor
    if actor.organisation is not None and actor.organisation.has_member(user):
        return True
    if actor.co_opted_subject is not None and actor.co_opted_subject.application.organisation.has_member(user):
        return True
    return actor.invitation is not None and actor.invitation.user_id == user.id
