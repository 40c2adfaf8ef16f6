"""Procedures and their notices (avvisi), from draft to publication, amendments, FAQ."""

from flask import Blueprint

bp = Blueprint("notices", __name__)
