"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup

from .permissions import can
from .time import to_rome


def rome_datetime(value: datetime | None, fmt: str = "d MMMM y, HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(to_rome(value), fmt, rebase=False)


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_rome(value).date()
    return format_date(value, "EEEE d MMMM y")


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_rome(value).date()
    return format_date(value, "d MMMM y")


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def paragraphs(text: str | None) -> Markup:
    """Plain text to escaped paragraphs: user text is never markup."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(block.split("\n"))) for block in blocks
    )


def icon(name: str, classes: str = "icon icon-sm", label: str | None = None) -> Markup:
    sprite = _sprite_url()
    aria = Markup('role="img" aria-label="{}"').format(label) if label else Markup('aria-hidden="true"')
    return Markup('<svg class="{}" {} focusable="false"><use href="{}#{}"></use></svg>').format(
        classes, aria, sprite, name
    )


PAGE_WINDOW = 2  # pages linked either side of the current one


def page_numbers(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the pages to link, None for a gap (macros/pagination.html)."""
    shown = sorted({1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def _sprite_url() -> str:
    """Built once per request: a page draws dozens of icons (40 on a page of search results)."""
    if "sprite_url" not in g:
        g.sprite_url = url_for("static", filename="vendor/bootstrap-italia/svg/sprites.svg")
    return g.sprite_url


def url_with_lang(lang: str) -> str:
    return url_for("pages.set_language", lang=lang, next=request.full_path.rstrip("?"))


def url_if(endpoint: str, **values) -> str | None:
    """The URL of an endpoint, or None while no blueprint registers it (the layout still renders)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def is_current(endpoint: str) -> bool:
    """True on the page of that endpoint (for aria-current in the navigation)."""
    return request.endpoint == endpoint


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        rome_datetime=rome_datetime,
        long_date=long_date,
        short_date=short_date,
        file_size=file_size,
        paragraphs=paragraphs,
    )
    app.jinja_env.globals.update(
        can=can, icon=icon, url_with_lang=url_with_lang, url_if=url_if, is_current=is_current,
        page_numbers=page_numbers,
    )

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale())}
