"""Home, language switch, accessibility statement, privacy notice."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for

from ..core.cache import public_page
from . import bp

# Update both when the statement and the notice are reviewed (AgID asks for the date).
ACCESSIBILITY_REVIEWED_ON = date(2026, 11, 22)
PRIVACY_UPDATED_ON = date(2026, 11, 22)


def _local_path(target: str | None) -> str:
    """Only same-site paths are followed after a switch (no open redirect)."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return "/"
    # Browsers read a backslash as "/" and drop tabs and newlines, so both could make "//host".
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.get("/")
@public_page
def home():
    from ..notices.services import public_notices

    return render_template("pages/home.html", notices=public_notices(limit=5))


@bp.get("/lingua/<lang>")
def set_language(lang: str):
    if lang not in current_app.config["COPROG_LANGUAGES"]:
        abort(404)
    session["lang"] = lang
    return redirect(_local_path(request.args.get("next")))


@bp.get("/accessibilita")
@public_page
def accessibility():
    return render_template("pages/accessibility.html", reviewed_on=ACCESSIBILITY_REVIEWED_ON)


@bp.get("/privacy")
@public_page
def privacy():
    return render_template("pages/privacy.html", updated_on=PRIVACY_UPDATED_ON)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (a JSON or CSV file
    opened in a tab): the site's icon, not a 404."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)
