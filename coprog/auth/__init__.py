"""Users: sign-up of ETS users, e-mail verification, login with a rate limit, password reset."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Accedi per continuare.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

from . import permissions  # noqa: E402, F401  (registers the rules)
