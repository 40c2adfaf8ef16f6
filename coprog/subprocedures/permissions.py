"""Who may do what with sub-procedures. The invited body acts through its e-mailed link
(the token is the permission), so only the staff side is declared here."""

from ..core.permissions import is_staff, rule

rule("subprocedures.manage")(lambda user, obj=None: is_staff(user))
