"""One URL serves the full page or, for an htmx request, just its fragment."""

from __future__ import annotations

from flask import render_template

from ..extensions import htmx


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    if htmx and not htmx.boosted:
        return render_template(fragment, **context)
    return render_template(page, **context)
