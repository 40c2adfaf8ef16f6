from ..core.permissions import is_staff, rule
from ..core.roles import Role


@rule("organisations.register")
def register(user, obj=None) -> bool:
    """Entities are registered by the people of ETS accounts."""
    return user is not None and user.role == Role.ETS


@rule("organisations.view")
def view(user, organisation) -> bool:
    return is_staff(user) or (organisation is not None and organisation.has_member(user))
