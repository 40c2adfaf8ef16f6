"""The page links every paginated list uses (macros/pagination.html, page_numbers)."""

from __future__ import annotations

import re

from coprog.core.templating import page_numbers

TEMPLATE = """{% from "macros/pagination.html" import pagination %}
{%- call(n) pagination(page, pages, "Pagine", **options) %}/elenco?pagina={{ n }}{% endcall %}"""


def links(app, page: int, pages: int, **options) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(TEMPLATE).render(page=page, pages=pages, options=options)


def test_page_numbers_keep_the_ends_and_a_window():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]
    assert page_numbers(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]  # the window reaches page 2: no gap after 1


def test_the_links_of_a_middle_page(app):
    html = links(app, 6, 20)
    hrefs = re.findall(r'href="/elenco\?pagina=(\d+)"', html)
    assert hrefs == ["5", "1", "4", "5", "6", "7", "8", "20", "7"]  # previous, the pages, next
    assert html.count("…") == 2 and 'aria-label="Pagine"' in html
    assert re.search(r'aria-current="page"><span class="visually-hidden">Pagina </span>6</a>', html)
    assert ">Precedente</a>" in html and ">Successiva</a>" in html


def test_one_page_has_no_links_and_the_ends_no_arrow(app):
    assert "<nav" not in links(app, 1, 1)
    first, last = links(app, 1, 3), links(app, 3, 3)
    assert "Precedente" not in first and "Successiva" in first
    assert "Successiva" not in last and "Precedente" in last


def test_anchor_and_htmx(app):
    html = links(app, 2, 3, anchor="#risultati", htmx_target="#ricerca", htmx_swap="outerHTML", classes="no-print")
    assert 'href="/elenco?pagina=3#risultati"' in html and 'hx-get="/elenco?pagina=3"' in html
    assert 'hx-target="#ricerca"' in html and 'hx-push-url="true"' in html
    assert 'class="pagination-wrapper no-print"' in html
