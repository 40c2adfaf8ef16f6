"""Coverage: the district × axis matrix against hand-computed figures, on a small authority (one
district with demand, one without, a centre that belongs to no district, two years) and on the
real territory of AUSL Bologna (seed 002's CSM/NPIA figures); the gaps in words; the open data;
the year switch; the page for the public only, refreshed as soon as a contribution is approved."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from coprog.core.roles import Role
from coprog.extensions import db
from coprog.mapping.models import Contribution, ContributionState
from coprog.mapping.services.contributions import moderate
from coprog.mapping.services.coverage import (
    CSV_HEADER,
    LOW_RATIO,
    NO_RESOURCE,
    YearError,
    coverage,
    coverage_csv,
    gap_sentence,
    parse_year,
)
from coprog.territory.models import CentreUserCount, ServiceCentre

from ..dbutil import statements_run
from ..factories import make_authority, make_contribution, make_notice, make_user

# A small world -----------------------------------------------------------------------------------


def _centre(authority, code, district, users: dict[int, int]):
    centre = ServiceCentre(authority_id=authority.id, code=code, name=code.upper().replace("-", " "),
                           kind="csm", district_id=district.id if district else None)
    db.session.add(centre)
    db.session.flush()
    for year, n in users.items():
        db.session.add(CentreUserCount(centre_id=centre.id, year=year, users=n, source="Dati di prova"))
    db.session.flush()
    return centre


@pytest.fixture
def world(session):
    """Distretto Nord: 50 people in 2025 (40 in 2024) at two centres; Distretto Sud: no centre;
    NPIA TUTTI serves both (3 people in 2025, 2 in 2024)."""
    authority = make_authority("ente-copertura")
    nord, sud = authority.districts
    _centre(authority, "csm-nord", nord, {2024: 30, 2025: 35})
    _centre(authority, "npia-nord", nord, {2024: 10, 2025: 15})
    _centre(authority, "npia-tutti", None, {2024: 2, 2025: 3})
    notice = make_notice(authority, published=True)
    staff = make_user(Role.STAFF)
    abitare, lavoro = authority.axes
    return notice, staff, nord, sud, abitare, lavoro


def _add(notice, staff, district, axis, *, capacity=None, unit="", approved=True, **fields):
    return make_contribution(notice, by=staff, approved=approved, district_id=district.id, axis_id=axis.id,
                             capacity=capacity, capacity_note=unit, **fields)


def _populate(world):
    notice, staff, nord, sud, abitare, lavoro = world
    _add(notice, staff, nord, abitare, capacity=3, unit="posti letto")
    _add(notice, staff, nord, abitare, capacity=2, unit="Posti letto")  # the same unit
    _add(notice, staff, nord, abitare)  # no capacity: counted, not summed
    _add(notice, staff, nord, abitare, capacity=1000, unit="euro")  # never added to places
    _add(notice, staff, sud, abitare, capacity=4, unit="alloggi")
    _add(notice, staff, nord, lavoro, capacity=9, unit="posti", approved=False)  # waiting: not counted
    rejected = _add(notice, staff, nord, lavoro, capacity=9, unit="posti", approved=False)
    moderate(rejected, ContributionState.REJECTED, "Doppione", by=staff)


def test_the_matrix_against_hand_computed_figures(world):
    _populate(world)
    notice, staff, nord, sud, abitare, lavoro = world
    result = coverage(notice.procedure)
    assert result.year == 2025 and result.years == [2024, 2025]
    assert [d.code for d in result.districts] == ["nord", "sud"]
    cell = result.cell(nord, abitare)
    assert (cell.resources, cell.people, cell.ratio, cell.without_capacity) == (4, 50, 8.0, 1)
    assert [(c.unit.casefold(), c.total, c.resources) for c in cell.capacities] == [("euro", 1000, 1), ("posti letto", 5, 2)]
    assert cell.gap is None
    # a district without demand figures: the resources are counted, no ratio
    south = result.cell(sud, abitare)
    assert (south.resources, south.people, south.ratio, south.gap) == (1, None, None, None)
    # nothing published on an axis: a gap, with or without people
    assert (result.cell(nord, lavoro).resources, result.cell(nord, lavoro).gap) == (0, NO_RESOURCE)
    assert result.cell(sud, lavoro).gap == NO_RESOURCE
    # the centre without a district is in the total only
    assert result.people_by_district == {nord.id: 50}
    assert result.unattributed == [("NPIA TUTTI", 3)]
    assert result.total_people == 53 and result.resources == 5
    assert result.axis_resources(abitare) == 5 and round(result.axis_ratio(abitare), 2) == 9.43
    assert result.axis_resources(lavoro) == 0 and result.axis_ratio(lavoro) == 0
    # fewer rated cells than the lowest pointed out: none is "among the lowest"
    assert all(c.gap != LOW_RATIO for c in result.ordered())


def test_the_year_switch(world):
    _populate(world)
    notice, staff, nord, sud, abitare, lavoro = world
    result = coverage(notice.procedure, 2024)
    assert result.year == 2024
    assert result.cell(nord, abitare).people == 40 and result.cell(nord, abitare).ratio == 10.0
    assert result.unattributed == [("NPIA TUTTI", 2)] and result.total_people == 42
    assert parse_year("2024", result.years) == 2024
    assert parse_year(None, result.years) == parse_year("", result.years) == 2025
    for bad in ("1999", "duemila", "2024.5"):
        with pytest.raises(YearError, match="scegliere tra 2024, 2025"):
            parse_year(bad, result.years)
    with pytest.raises(YearError):
        parse_year("2025", [])


def test_zero_resources_and_no_demand_at_all(session):
    notice = make_notice(published=True)  # an authority without service centres
    result = coverage(notice.procedure)
    assert result.year is None and result.years == [] and result.total_people == 0
    assert result.resources == 0
    assert all(c.resources == 0 and c.gap == NO_RESOURCE and c.ratio is None for c in result.ordered())
    assert len(result.gaps) == len(result.districts) * len(result.axes) == 4
    assert "nessun dato sulle persone" in gap_sentence(result.gaps[0])
    rows = list(csv.reader(io.StringIO(coverage_csv(result)), delimiter=";"))
    assert rows[1][2:] == ["0", "", "", "", ""]


def test_gap_sentences(world):
    _populate(world)
    notice, staff, nord, sud, abitare, lavoro = world
    result = coverage(notice.procedure)
    # the empty cells, the one with people first
    assert [gap_sentence(c) for c in result.gaps] == [
        "Distretto Nord, asse Formazione/Lavoro: nessuna risorsa pubblicata per 50 persone con Budget di Salute",
        "Distretto Sud, asse Formazione/Lavoro: nessuna risorsa pubblicata (nessun dato sulle persone con Budget "
        "di Salute del distretto)",
    ]


# The real territory: seed 002's figures ------------------------------------------------------------


@pytest.fixture
def bologna(session):
    from coprog.territory.models import Authority
    from coprog.territory.services import BOLOGNA_PRESET, load_preset

    load_preset(BOLOGNA_PRESET)
    authority = session.scalar(select(Authority).where(Authority.slug == "ausl-bologna"))
    notice = make_notice(authority, published=True)
    districts = {d.code: d for d in authority.districts}
    axes = {a.code: a for a in authority.axes}
    return notice, make_user(Role.STAFF), districts, axes


def test_seed_002_demand_and_the_lowest_ratios(bologna):
    notice, staff, districts, axes = bologna
    for code, count in (("bologna", 1), ("pianura-est", 1), ("reno-lavino-samoggia", 1),
                        ("appennino-bolognese", 1), ("savena-idice", 2)):
        for _ in range(count):
            _add(notice, staff, districts[code], axes["abitare"], comune=districts[code].comuni[0])
    result = coverage(notice.procedure)
    # seed 002, 2025: the CSM and NPIA of each district; NPIA Pianura, PPEE and Sud in no district
    assert {d.code: result.people_by_district[d.id] for d in result.districts} == {
        "bologna": 394, "reno-lavino-samoggia": 77, "appennino-bolognese": 30, "savena-idice": 31,
        "pianura-est": 126, "pianura-ovest": 31,
    }
    assert result.unattributed == [("NPIA PPEE", 9), ("NPIA Pianura", 5), ("NPIA Sud", 1)]
    assert result.total_people == 704  # seed 002: "Totale n. utenti 704"
    assert coverage(notice.procedure, 2024).total_people == 650  # and 650 in 2024
    abitare = axes["abitare"]
    low = [c.district.code for c in result.gaps if c.gap == LOW_RATIO]
    assert low == ["bologna", "pianura-est", "reno-lavino-samoggia"]  # 0.25, 0.79, 1.30 per 100
    assert result.cell(districts["appennino-bolognese"], abitare).gap is None
    sentences = [gap_sentence(c) for c in result.gaps]
    assert sentences[0] == (
        "Città di Bologna, asse Formazione/Lavoro: nessuna risorsa pubblicata per 394 persone con Budget di Salute"
    )
    assert "Pianura Ovest, asse Abitare: nessuna risorsa pubblicata per 31 persone con Budget di Salute" in sentences
    assert sentences[-3:] == [
        "Città di Bologna, asse Abitare: 1 risorsa per 394 persone con Budget di Salute (0,3 ogni 100), "
        "tra i rapporti più bassi",
        "Pianura Est, asse Abitare: 1 risorsa per 126 persone con Budget di Salute (0,8 ogni 100), "
        "tra i rapporti più bassi",
        "Reno, Lavino e Samoggia, asse Abitare: 1 risorsa per 77 persone con Budget di Salute (1,3 ogni 100), "
        "tra i rapporti più bassi",
    ]


def test_a_fixed_number_of_queries(world):
    notice, staff, nord, sud, abitare, lavoro = world

    def statements():
        db.session.expire_all()
        with statements_run() as seen:
            coverage(notice.procedure)
        return len(seen)

    _add(notice, staff, nord, abitare, capacity=1, unit="posti")
    few = statements()
    for n in range(30):
        _add(notice, staff, (nord, sud)[n % 2], (abitare, lavoro)[n % 3 % 2], capacity=n, unit=f"unità {n % 4}")
    assert statements() == few


# Open data -----------------------------------------------------------------------------------------


def test_csv_shape_and_spreadsheet_safe_cells(world, client, session):
    _populate(world)
    notice, staff, nord, sud, abitare, lavoro = world
    nord.name = "=HYPERLINK(\"http://x\")"  # a cell a spreadsheet would run
    _add(notice, staff, sud, lavoro, capacity=2, unit="@posti")
    session.commit()
    response = client.get(f"/dati/{notice.procedure.slug}/copertura.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))
    assert tuple(rows[0]) == CSV_HEADER == ("distretto", "asse", "risorse", "capacita", "persone_bds", "anno",
                                            "risorse_per_100")
    assert len(rows) == 1 + 2 * 2 and all(len(row) == 7 for row in rows)
    by_cell = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert by_cell["'=HYPERLINK(\"http://x\")", "Abitare"] == ["4", "1000 euro | 5 Posti letto", "50", "2025", "8,0"]
    assert by_cell["'=HYPERLINK(\"http://x\")", "Formazione/Lavoro"] == ["0", "", "50", "2025", "0,0"]
    assert by_cell["Distretto Sud", "Abitare"] == ["1", "4 alloggi", "", "2025", ""]
    assert by_cell["Distretto Sud", "Formazione/Lavoro"] == ["1", "2 @posti", "", "2025", ""]
    assert all(cell[:1] not in "=+-@" or cell == "" for row in rows for cell in row)
    # another year, named in the file; a year without figures is refused
    older = client.get(f"/dati/{notice.procedure.slug}/copertura.csv?anno=2024")
    assert older.status_code == 200
    assert ";40;2024;10,0" in older.get_data(as_text=True)
    refused = client.get(f"/dati/{notice.procedure.slug}/copertura.csv?anno=1990")
    assert refused.status_code == 422 and "Anno non disponibile" in refused.get_data(as_text=True)


# The page ----------------------------------------------------------------------------------------


def test_the_page_shows_the_matrix_the_gaps_and_the_unattributed_centres(world, client, session):
    _populate(world)
    notice, staff, nord, sud, abitare, lavoro = world
    session.commit()
    html = client.get(f"/avvisi/{notice.procedure.slug}/copertura").get_data(as_text=True)
    assert 'id="coverage-matrix"' in html and "anno 2025" in html
    assert "4 risorse" in html and "8,0 ogni 100 persone" in html
    assert "5 <span lang=\"it\">Posti letto</span>" in html and "1.000 <span lang=\"it\">euro</span>" in html
    assert html.count("coverage-gap-none") == 2 and html.count("Nessuna risorsa") == 2
    assert "Distretto Nord, asse Formazione/Lavoro: nessuna risorsa pubblicata per 50 persone con Budget di Salute" in html
    assert "NPIA TUTTI (3)" in html and "di cui 3 in carico a servizi non attribuiti a un distretto" in html
    assert "Dati di prova" in html  # the source of the demand figures
    assert '<option value="2025" selected>' in html


def test_the_year_switch_on_the_page(world, client, session):
    _populate(world)
    notice, *_rest = world
    session.commit()
    html = client.get(f"/avvisi/{notice.procedure.slug}/copertura?anno=2024").get_data(as_text=True)
    assert '<option value="2024" selected>' in html and "anno 2024" in html and "10,0 ogni 100 persone" in html
    assert "/copertura.csv?anno=2024" in html


def test_a_year_without_figures_is_refused_beside_the_field(world, client, session):
    _populate(world)
    notice, *_rest = world
    session.commit()
    response = client.get(f"/avvisi/{notice.procedure.slug}/copertura?anno=<b>1999</b>")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-describedby="anno-error"' in html
    assert 'id="anno-error">Anno non disponibile: scegliere tra 2024, 2025.</div>' in html
    assert "anno 2025" in html and "<b>1999</b>" not in html  # the latest year instead; nothing echoed raw


def test_free_text_is_shown_as_text(world, client, session):
    notice, staff, nord, sud, abitare, lavoro = world
    _add(notice, staff, nord, abitare, capacity=1, unit="<script>alert(1)</script>")
    nord.name = "<img src=x onerror=alert(2)>"
    session.commit()
    html = client.get(f"/avvisi/{notice.procedure.slug}/copertura").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_page_is_public_and_read_only(world, client, login_as, session):
    notice, staff, nord, sud, abitare, lavoro = world
    draft = make_notice(nord.authority)  # not published
    _add(notice, staff, nord, abitare, approved=False)  # waiting: nobody sees it counted
    session.commit()
    slug = notice.procedure.slug
    for role in (None, Role.ETS, Role.STAFF):
        login_as(role)
        page = client.get(f"/avvisi/{slug}/copertura")
        assert page.status_code == 200 and "0 risorse pubblicate" in page.get_data(as_text=True)
        assert client.post(f"/avvisi/{slug}/copertura").status_code in (400, 405)
        assert client.post(f"/dati/{slug}/copertura.csv").status_code in (400, 405)
    # a notice that is not public: anonymous visitors are sent to sign in, others refused
    for path in (f"/avvisi/{draft.procedure.slug}/copertura", f"/dati/{draft.procedure.slug}/copertura.csv"):
        assert client.get(path).status_code == 200  # staff (still signed in) may read it
        login_as(Role.ETS)
        assert client.get(path).status_code == 403
        login_as(None)
        response = client.get(path)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"]
        login_as(Role.STAFF)
    assert client.get("/avvisi/nessuno/copertura").status_code == 404


def test_approving_a_contribution_changes_the_public_pages_at_once(world, client, session, app):
    notice, staff, nord, sud, abitare, lavoro = world
    assert app.config["COPROG_PAGE_CACHE"]
    slug = notice.procedure.slug
    before = client.get(f"/avvisi/{slug}/copertura").get_data(as_text=True)
    assert "0 risorse pubblicate" in before
    assert "Distretto Nord;Abitare;0;;50;2025;0,0" in client.get(f"/dati/{slug}/copertura.csv").get_data(as_text=True)
    assert 'id="mappatura"' not in client.get(f"/avvisi/{slug}").get_data(as_text=True)
    contribution = make_contribution(notice, by=staff, approved=False, district_id=nord.id, axis_id=abitare.id)
    session.commit()
    assert "0 risorse pubblicate" in client.get(f"/avvisi/{slug}/copertura").get_data(as_text=True)
    moderate(contribution, ContributionState.APPROVED, None, by=staff)
    session.commit()
    after = client.get(f"/avvisi/{slug}/copertura").get_data(as_text=True)
    assert "1 risorsa pubblicata" in after and "2,0 ogni 100 persone" in after
    assert "Distretto Nord;Abitare;1;10;50;2025;2,0" in client.get(f"/dati/{slug}/copertura.csv").get_data(as_text=True)
    detail = client.get(f"/avvisi/{slug}").get_data(as_text=True)
    assert 'id="mappatura"' in detail and 'href="#mappatura"' in detail
    for path in (f"/avvisi/{slug}/mappa", f"/avvisi/{slug}/rete", f"/avvisi/{slug}/copertura",
                 f"/dati/{slug}/risorse.geojson", f"/dati/{slug}/rete.json", f"/dati/{slug}/copertura.csv"):
        assert f'href="{path}"' in detail
    assert session.scalar(select(Contribution.state).where(Contribution.id == contribution.id)) == ContributionState.APPROVED
