"""Sub-procedures (sub-procedimento, L. 241/1990): the PA invites bodies that are not ETS."""

from flask import Blueprint

bp = Blueprint("subprocedures", __name__)
