"""Who may do what with notices."""

from ..core.permissions import anyone, is_staff, rule

rule("notices.list")(anyone)
rule("notices.manage")(lambda user, notice=None: is_staff(user))
rule("notices.publish")(lambda user, notice=None: is_staff(user))


@rule("notices.view")
def view_notice(user, notice) -> bool:
    """Published, closed and concluded notices are public acts; drafts are for staff."""
    return notice is not None and (notice.is_public or is_staff(user))
