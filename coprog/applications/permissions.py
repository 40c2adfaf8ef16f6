"""An ETS user sees and changes only its own organisations' applications; staff see all."""

from ..core.permissions import is_staff, rule
from ..core.roles import Role


@rule("applications.apply")
def apply(user, notice=None) -> bool:
    return user is not None and user.role == Role.ETS


@rule("applications.view")
def view(user, application) -> bool:
    return application is not None and (is_staff(user) or application.organisation.has_member(user))


@rule("applications.edit")
def edit(user, application) -> bool:
    return (
        application is not None
        and user is not None
        and user.role == Role.ETS
        and application.organisation.has_member(user)
    )


@rule("applications.review")
def review(user, obj=None) -> bool:
    """The RUP and the staff evaluate applications."""
    return is_staff(user)
