"""Who may do what with the restitution: staff compose, approve and publish the synthesis;
the public reads it once published."""

from __future__ import annotations

from ..core.permissions import is_staff, rule


@rule("restitution.compose")
def compose(user, obj=None) -> bool:
    return is_staff(user)
