"""Who may do what with the list of qualified entities: staff decide; case managers (and staff)
search and read entries, with their contacts, and never write; an ETS keeps its own entry's
services and availability; the public reads nothing of a contact."""

from __future__ import annotations

from ..core.permissions import is_staff, rule
from ..core.roles import Role


@rule("qualified.decide")
def decide(user, obj=None) -> bool:
    return is_staff(user)


@rule("qualified.search")
def search(user, obj=None) -> bool:
    return is_staff(user) or (user is not None and user.role == Role.CASE_MANAGER)


@rule("qualified.keep_entry")
def keep_entry(user, entry=None) -> bool:
    """The members of the entry's organisation (its services, availability, contacts)."""
    if user is None or user.role != Role.ETS:
        return False
    return entry is None or entry.organisation.has_member(user)


@rule("qualified.api_keys")
def api_keys(user, obj=None) -> bool:
    """Issue and revoke the keys of the v1 API (for the authority's own systems)."""
    return is_staff(user)
