from ..core.permissions import rule, signed_in

rule("auth.view_profile")(signed_in)
