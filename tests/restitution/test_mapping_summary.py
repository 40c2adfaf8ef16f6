"""The mapping inside the public restitution (restitution/services/mapping_summary.py): the pure
parts (projection, simplification, the shade scale), the district map on the real territory of
AUSL Bologna with contributions in two districts (published ones only counted), the stored
network read and never recomputed (empty state before its first build), no personal names, and
the three drawings on the page with their titles, descriptions and tables."""

from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import select

from coprog.actors.services import resolve
from coprog.applications.models import CoOptedKind, CoOptedSubject
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.mapping import graph as net
from coprog.mapping.models import ContributionState
from coprog.mapping.services import network
from coprog.mapping.services.contributions import moderate
from coprog.restitution.services import mapping_summary as summary
from coprog.territory.models import Authority
from coprog.territory.services import BOLOGNA_PRESET, load_preset

from ..dbutil import statements_run
from ..factories import make_admitted, make_contribution, make_notice, make_user

# Pure parts --------------------------------------------------------------------------------------


def test_the_projection_shrinks_longitude_by_the_cosine_of_the_latitude():
    project, height = summary.projection((10.0, 59.0, 12.0, 61.0), width=200, padding=0)
    # at 60° a degree of longitude is half a degree of latitude: a 2° × 2° box is half as wide as tall
    assert project(10.0, 61.0) == (0.0, 0.0)
    x, y = project(12.0, 59.0)
    assert (round(x), round(y)) == (200, 400) and height == 400
    assert math.isclose(project(11.0, 60.0)[0], 100.0)


def test_simplify_keeps_the_shape_and_drops_what_nobody_sees():
    wobbly = [(x / 10, 0.01 * (-1) ** x) for x in range(101)]  # a line that wobbles by 0.01
    assert summary.simplify(wobbly, 0.5) == [(0.0, 0.01), (10.0, 0.01)]
    square = [(0, 0), (5, 0.2), (10, 0), (10, 10), (0, 10), (0, 0)]
    kept = summary.simplify(square, 0.5)
    assert kept == [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]  # closed, the wobble gone
    assert summary.simplify(square, 0.1) == square


def test_the_shade_scale():
    assert summary.shade_steps(0) == [summary.ShadeStep(0, 0, 0)]
    assert [(s.low, s.high) for s in summary.shade_steps(3)] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    steps = summary.shade_steps(10)
    assert [(s.shade, s.low, s.high) for s in steps] == [(0, 0, 0), (1, 1, 3), (2, 4, 6), (3, 7, 9), (4, 10, 10)]
    assert [summary.shade_of(n, steps) for n in (0, 1, 3, 4, 9, 10)] == [0, 1, 1, 2, 3, 4]


def test_the_district_outlines_are_small_and_inside_the_drawing():
    outlines = summary.district_outlines("ausl-bologna")
    assert set(outlines.by_code) == {"bologna", "reno-lavino-samoggia", "appennino-bolognese", "savena-idice",
                                     "pianura-est", "pianura-ovest"}
    assert outlines.width == summary.MAP_WIDTH and 400 < outlines.height < 900
    assert sum(len(o.path) for o in outlines.by_code.values()) < 6000  # a few KB for the whole map
    for outline in outlines.by_code.values():
        assert re.fullmatch(r"(M\d+ \d+( \d+ \d+)+Z)+", outline.path)
        x, y = outline.label_at
        assert 0 < x < outlines.width and 0 < y < outlines.height
    assert "CC BY 4.0" in outlines.attribution
    assert summary.district_outlines("ente-senza-confini") is None


# On the real territory ---------------------------------------------------------------------------


@pytest.fixture
def bologna(session):
    load_preset(BOLOGNA_PRESET)
    authority = session.scalar(select(Authority).where(Authority.slug == "ausl-bologna"))
    notice = make_notice(authority, published=True)
    return notice, make_user(Role.STAFF), {d.code: d for d in authority.districts}, authority.axes


def add(bologna, code, axis=0, *, approved=True, **fields):
    notice, staff, districts, axes = bologna
    district = districts[code]
    return make_contribution(notice, by=staff, approved=approved, district_id=district.id, axis_id=axes[axis].id,
                             comune=district.comuni[0], **fields)


@pytest.fixture
def two_districts(bologna):
    """Città di Bologna: three published on two axes (posti letto on both); Pianura Est: one
    published, one waiting, one rejected."""
    add(bologna, "bologna", 0, capacity=3, capacity_note="posti letto")
    add(bologna, "bologna", 1, capacity=2, capacity_note="Posti letto")
    add(bologna, "bologna", 1, capacity=1000, capacity_note="euro")
    add(bologna, "pianura-est", 2, capacity=None, description="Orto condiviso")
    add(bologna, "pianura-est", 2, approved=False, description="In attesa")
    rejected = add(bologna, "pianura-est", 2, approved=False, description="Respinto")
    moderate(rejected, ContributionState.REJECTED, "Doppione", by=bologna[1])
    return bologna


def test_published_resources_per_district(two_districts, app_ctx):
    notice, staff, districts, axes = two_districts
    result = summary.mapping_summary(notice)
    areas = {a.district.code: a for a in result.map.areas}
    assert {code: a.resources for code, a in areas.items()} == {
        "bologna": 3, "pianura-est": 1, "reno-lavino-samoggia": 0, "appennino-bolognese": 0,
        "savena-idice": 0, "pianura-ovest": 0,
    }  # the waiting and the rejected contribution are not counted
    assert result.map.resources == 4 == result.coverage.result.resources
    assert [a.district.code for a in result.map.drawn] == [d.code for d in result.coverage.result.districts]
    # capacities summed per unit over the axes (the unit without case), never across units
    assert [(c.unit.casefold(), c.total) for c in areas["bologna"].capacities] == [("euro", 1000), ("posti letto", 5)]
    assert areas["pianura-est"].capacities == []
    # the darkest shade for the most, the lightest for none
    assert (areas["bologna"].shade, areas["pianura-est"].shade, areas["savena-idice"].shade) == (3, 1, 0)
    assert result.map.steps[-1].high == 3


def test_no_boundaries_no_drawing_but_the_table(session, app_ctx):
    notice = make_notice(published=True)  # a small authority without a GeoJSON
    make_contribution(notice)
    result = summary.mapping_summary(notice)
    assert result.map.drawn == [] and result.map.attribution == ""
    assert [a.resources for a in result.map.areas] == [1, 0]


def test_a_fixed_number_of_queries(two_districts, app_ctx):
    notice = two_districts[0]

    def statements():
        db.session.expire_all()
        with statements_run() as seen:
            summary.mapping_summary(notice)
        return len(seen)

    few = statements()
    for n in range(12):
        add(two_districts, ("savena-idice", "pianura-ovest", "bologna")[n % 3], n % 3, capacity=n, capacity_note=f"u{n % 4}")
    assert statements() == few


# The network: read from its snapshot, never computed here -----------------------------------------


def test_before_its_first_build_the_network_is_an_empty_state(two_districts, app_ctx, monkeypatch):
    asked = []
    monkeypatch.setattr(network, "schedule", lambda ids, app=None: asked.append(list(ids)) or True)
    notice = two_districts[0]
    result = summary.network_summary(notice)
    assert result.snapshot is not None and result.snapshot.built_at is None
    assert result.drawing is None and result.central == [] and result.communities == []
    assert asked == [[notice.procedure.id]]  # handed to the background worker, not waited for


def test_the_stored_network_is_drawn_small_with_its_most_central_actors(two_districts, session, app_ctx, monkeypatch):
    notice, staff, districts, axes = two_districts
    session.commit()
    network.rebuild(notice.procedure.id, force=True)

    def never(*args, **kwargs):
        raise AssertionError("the network was recomputed while reading it")

    monkeypatch.setattr(net, "build_network", never)
    monkeypatch.setattr(network, "rebuild", never)
    result = summary.network_summary(notice)
    assert len(result.drawing.actors) == 4 and len(result.drawing.resources) == 4  # published only
    assert len(result.central) == 4 and all(a.kind == "Ente del Terzo settore" for a in result.central)
    assert result.communities == [("net-c-none", "Senza collaborazioni", 4)]
    stored = {n["id"]: (n["x"], n["y"]) for n in result.snapshot.graph["nodes"]}
    assert len(stored) == 8  # the drawing is the stored positions, scaled


def test_a_citizen_is_not_named_anywhere_in_the_restitution(bologna, session, client, app_ctx):
    notice, staff, districts, axes = bologna
    application = make_admitted(notice)
    citizen = CoOptedSubject(application=application, kind=CoOptedKind.CITIZEN, name="Mario Rossi")
    session.add(citizen)
    session.flush()
    actor = resolve(notice.procedure, f"co:{citizen.id}", by=staff)
    add(bologna, "bologna", 0, actor=actor, description="Un orto di quartiere")
    add(bologna, "pianura-est", 1, collaborators=[actor])
    session.commit()
    network.rebuild(notice.procedure.id, force=True)
    labels = [a.label for a in summary.network_summary(notice).central]
    assert "Cittadino (nome non pubblicato)" in labels and "Mario Rossi" not in labels
    html = client.get(f"/avvisi/{notice.procedure.slug}/restituzione").get_data(as_text=True)
    assert "Cittadino (nome non pubblicato)" in html and "Mario Rossi" not in html


# The page ----------------------------------------------------------------------------------------


def mapping_section(html: str) -> str:
    start = html.index('<section id="mappatura"')
    return html[start:html.index("</section>", start)]


def test_the_page_draws_the_map_the_network_and_the_coverage(two_districts, session, client):
    notice = two_districts[0]
    slug = notice.procedure.slug
    session.commit()
    url = f"/avvisi/{slug}/restituzione"
    before = mapping_section(client.get(url).get_data(as_text=True))
    assert "La rete non è ancora stata calcolata" in before  # the empty state

    network.rebuild(notice.procedure.id, force=True)  # stores the network: the cached page changes
    html = client.get(url).get_data(as_text=True)
    section = mapping_section(html)
    # the map: an image named by its title and description, a titled path per district
    assert 'role="img" aria-labelledby="mappatura-map-title mappatura-map-desc"' in section
    assert '<title id="mappatura-map-title">Risorse pubblicate per distretto</title>' in section
    desc = re.search(r'<desc id="mappatura-map-desc">([^<]*)</desc>', section).group(1)
    assert "Città di Bologna: 3;" in desc and "Pianura Est: 1;" in desc and "Pianura Ovest: 0." in desc
    assert len(re.findall(r'<path d="M[^"]+" class="coprog-district coprog-shade-\d"><title>', section)) == 6
    assert "<title>Città di Bologna: 3 risorse pubblicate</title>" in section
    assert "<title>Pianura Est: 1 risorsa pubblicata</title>" in section
    assert re.search(r'<th scope="row" lang="it">Città di Bologna</th>\s*<td class="text-end">3</td>\s*'
                     r'<td>1\.000 <span lang="it">euro</span>; 5 <span lang="it">posti letto</span></td>', section)
    assert "licenza CC BY 4.0" in section and f'href="/avvisi/{slug}/mappa"' in section
    # the network: the drawing at the stored positions and the table of the most central actors
    assert 'aria-labelledby="mappatura-net-title mappatura-net-desc"' in section
    drawing = section[section.index('<svg class="coprog-drawing coprog-network"'):]
    drawing = drawing[:drawing.index("</svg>")]
    assert drawing.count("<circle ") == 4 and drawing.count("<rect ") == 4
    assert "La rete non è ancora stata calcolata" not in section and f'href="/avvisi/{slug}/rete"' in section
    # the coverage: the gaps written in the cells and in words, the link to the whole page
    assert "Nessuna risorsa" in section and "Dove mancano risorse" in section
    assert "Pianura Ovest, asse Abitare: nessuna risorsa pubblicata" in section
    assert f'href="/avvisi/{slug}/copertura"' in section
    assert "In attesa" not in section and "Respinto" not in section
    # the open data stay in the documents' list
    assert f'href="/dati/{slug}/copertura.csv"' in html[html.index('id="documenti"'):]


def test_without_published_contributions_there_is_no_mapping_section(bologna, session, client):
    notice = bologna[0]
    add(bologna, "bologna", approved=False)
    session.commit()
    html = client.get(f"/avvisi/{notice.procedure.slug}/restituzione").get_data(as_text=True)
    assert 'id="mappatura"' not in html
