"""Territory: the authority, its districts, comuni, sub-areas, axes and service centres."""

from flask import Blueprint

bp = Blueprint("territory", __name__)
