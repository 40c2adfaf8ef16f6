"""Public restitution: the synthesis of a procedure (per axis and cross-cutting), each item traced
to the table sessions and contributions it came from, the final document (*documento di
sintesi*), the transparency page and the open data catalogue."""

from flask import Blueprint

bp = Blueprint("restitution", __name__)
