"""Who may do what with the territory: its overview is public."""

from ..core.permissions import anyone, rule

rule("territory.view")(anyone)
