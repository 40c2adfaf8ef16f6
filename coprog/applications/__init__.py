"""Applications to a notice (Modello A + DSAN), co-opted subjects, protocol and receipts."""

from flask import Blueprint

bp = Blueprint("applications", __name__)
