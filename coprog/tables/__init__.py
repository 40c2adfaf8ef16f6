"""District tables per axis (tavoli di co-programmazione): planning, registrations, check-in at
the door, minutes (verbale) and the participation figures."""

from flask import Blueprint

bp = Blueprint("tables", __name__)
