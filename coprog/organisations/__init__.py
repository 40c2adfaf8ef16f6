"""Organisations (ETS) and the people who act for them."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)
