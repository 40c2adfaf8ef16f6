"""Resource mapping: contributions (who / what / how, for an axis and a place), moderated by
staff, drawn as a map, a network of actors and a coverage matrix against the demand."""

from flask import Blueprint

bp = Blueprint("mapping", __name__)
