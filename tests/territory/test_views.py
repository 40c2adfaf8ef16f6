"""The public /territorio page: figures, accessible tables, empty state, bounded queries."""

from __future__ import annotations

import re

from coprog.extensions import db

from ..dbutil import statements_run
from .conftest import BARI_PRESET


def page(client) -> str:
    response = client.get("/territorio")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row(html: str, header: str) -> list[str]:
    """The cells of the table row whose header cell is `header`."""
    match = re.search(rf'<th scope="row"[^>]*>\s*{re.escape(header)}\s*</th>(.*?)</tr>', html, re.S)
    assert match, header
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)
    ]


def test_empty_state(client):
    html = page(client)
    assert "Nessun territorio caricato: usa `coprog territory load`" in html


def test_page_shows_districts_comuni_and_axes(client, bologna):
    html = page(client)
    assert "Azienda USL di Bologna" in html
    assert "6 distretti, 45 comuni." in html
    for name in (
        "Città di Bologna",
        "Reno, Lavino e Samoggia",
        "Pianura Ovest",
        "Bologna Est",
        "Bologna Ovest",
    ):
        assert name in html
    assert row(html, "Valsamoggia") == ["037061"]
    assert row(html, "Alto Reno Terme") == ["037062"]
    assert "Formazione/Lavoro" in html and "Socialità" in html


def test_page_shows_users_per_centre_district_and_total(client, bologna):
    html = page(client)
    assert row(html, "CSM Navile") == ["CSM", "Città di Bologna (Bologna Ovest)", "53", "52"]
    assert row(html, "NPIA Sud") == ["NPIA", "Più distretti", "–dato non disponibile", "1"]
    assert row(html, "Città di Bologna") == ["361", "394"]
    assert row(html, "Pianura Est") == ["107", "126"]
    assert row(html, "Servizi su più distretti") == ["16", "15"]
    assert html.count('<th scope="row">Totale</th>') == 1
    assert row(html, "Totale") == ["650", "704"]


def test_tables_are_accessible(client, bologna):
    html = page(client)
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tables) == 6 + 2  # comuni per district, centres, districts
    for table in tables:
        assert "<caption>" in table
        assert re.findall(r"<th(?=[\s>])(?![^>]*scope=)", table) == []


def test_only_the_first_authority_is_shown(client, bologna, app_ctx):
    from coprog.territory.services import load_preset

    load_preset(BARI_PRESET)
    db.session.commit()
    html = page(client)
    assert "ASL Bari" not in html and "Molfetta" not in html


def test_query_count_is_bounded(client, bologna):
    page(client)  # warm up (first-request work)
    with statements_run() as statements:
        page(client)
    # authority, districts, sub-areas, comuni, axes, centres, 3 aggregates (+ session/user)
    assert len(statements) <= 12, "\n".join(statements)
