from ..core.permissions import anyone, rule

rule("pages.view")(anyone)
