"""Error pages: a clear page in the user's language, never a Python trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db

API_PREFIX = "/api/"


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(code: int, headers=()):
    """An API client gets JSON, never an HTML page: {"status": code, "message": in Italian},
    with the error's own headers (a 405 keeps its Allow)."""
    with force_locale("it"):
        messages = {404: _("Risorsa non trovata."), 405: _("Metodo non consentito: questa API è in sola lettura."),
                    500: _("Errore imprevisto del server.")}
        response = jsonify({"status": code, "message": messages.get(code, _("Richiesta non valida."))})
    response.status_code = code
    for name, value in headers:
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if _is_api():
            return _api_error(error.code, error.get_headers())
        template = f"errors/{error.code}.html"
        return render_template([template, "errors/generic.html"], error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unexpected error")
        if _is_api():
            return _api_error(500)
        return render_template("errors/500.html"), 500
