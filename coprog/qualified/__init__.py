"""The list of qualified entities and the search that case managers use to build a Budget di
Salute project: qualification, entries and their services, search, shortlist, ETS updates,
exports and the HSDS and v1 APIs."""

from flask import Blueprint

bp = Blueprint("qualified", __name__)
