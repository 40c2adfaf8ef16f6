"""Home, language switch, accessibility statement, privacy notice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session

from . import bp


def _local_path(target: str | None) -> str:
    """Only same-site paths are followed after a switch (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.get("/")
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
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")
