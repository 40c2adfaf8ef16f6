"""The shipped presets say what the seeds and ISTAT say (parsed, no database)."""

from __future__ import annotations

import re

import pytest
from stdnum.it import iva

from coprog.territory.services import BOLOGNA_PRESET, read_preset

from .conftest import BARI_PRESET

SEED_002 = {  # centre code: (2024, 2025), seed 002 tables "NUMERO UTENTI LOTTO 1"
    "csm-borgo-reno": (47, 57),
    "csm-budrio": (23, 36),
    "csm-appennino-bolognese": (29, 30),
    "csm-navile": (53, 52),
    "csm-pianura-ovest": (27, 31),
    "csm-reno-lavino-samoggia": (81, 77),
    "csm-san-pietro-in-casale": (84, 90),
    "csm-san-donato-san-vitale": (97, 90),
    "csm-saragozza": (59, 70),
    "csm-savena-santo-stefano": (101, 117),
    "csm-savena-idice": (29, 31),
    "npia-bologna-est": (2, 4),
    "npia-bologna-ovest": (2, 4),
    "npia-pianura": (5, 5),
    "npia-ppee": (11, 9),
    "npia-sud": (None, 1),
}
PLACES = {  # centre code: (district, sub-area)
    "csm-navile": ("bologna", "bologna-ovest"),
    "csm-borgo-reno": ("bologna", "bologna-ovest"),
    "csm-saragozza": ("bologna", "bologna-ovest"),
    "csm-san-donato-san-vitale": ("bologna", "bologna-est"),
    "csm-savena-santo-stefano": ("bologna", "bologna-est"),
    "csm-budrio": ("pianura-est", None),
    "csm-san-pietro-in-casale": ("pianura-est", None),
    "csm-savena-idice": ("savena-idice", None),
    "npia-pianura": (None, None),
    "npia-ppee": (None, None),
    "npia-sud": (None, None),
}


@pytest.fixture(scope="module")
def preset():
    return read_preset(BOLOGNA_PRESET)


def comuni(preset):
    return [c for d in preset.districts for c in d["comuni"]]


def test_authority(preset):
    assert preset.authority["slug"] == "ausl-bologna"
    assert preset.authority["name"] == "Azienda USL di Bologna"
    assert iva.is_valid(preset.authority["fiscal_code"])
    assert preset.authority["website"] == "https://www.ausl.bologna.it"


def test_districts_and_sub_areas(preset):
    assert [d["name"] for d in preset.districts] == [
        "Città di Bologna",
        "Reno, Lavino e Samoggia",
        "Appennino Bolognese",
        "Savena Idice",
        "Pianura Est",
        "Pianura Ovest",
    ]
    sub_areas = [s for d in preset.districts for s in d["sub_areas"]]
    assert [s["name"] for s in sub_areas] == ["Bologna Est", "Bologna Ovest"]
    assert "Savena" in sub_areas[0]["description"] and "Navile" in sub_areas[1]["description"]


def test_exactly_45_comuni_with_unique_istat_codes_of_province_037(preset):
    codes = [c["istat"] for c in comuni(preset)]
    assert len(codes) == 45
    assert len(set(codes)) == 45
    assert all(re.fullmatch(r"037\d{3}", code) for code in codes)
    assert len({c["name"] for c in comuni(preset)}) == 45


def test_merged_comuni_have_their_current_codes(preset):
    by_name = {c["name"]: c["istat"] for c in comuni(preset)}
    assert by_name["Valsamoggia"] == "037061"
    assert by_name["Alto Reno Terme"] == "037062"
    assert by_name["Bologna"] == "037006"
    assert "Imola" not in by_name


def test_axes_in_table_day_order(preset):
    assert [(a["code"], a["name"]) for a in preset.axes] == [
        ("lavoro", "Formazione/Lavoro"),
        ("abitare", "Abitare"),
        ("socialita", "Socialità"),
    ]


def test_centres_carry_the_seed_002_figures(preset):
    figures = {c["code"]: (c["users"].get(2024), c["users"].get(2025)) for c in preset.centres}
    assert figures == SEED_002
    assert sum(c["users"].get(2024, 0) for c in preset.centres) == 650
    assert sum(c["users"].get(2025, 0) for c in preset.centres) == 704
    assert all("002" in c["source"] for c in preset.centres)


def test_centres_mapped_to_districts(preset):
    places = {c["code"]: (c.get("district"), c.get("sub_area")) for c in preset.centres}
    for code, place in PLACES.items():
        assert places[code] == place, code
    csm = [c for c in preset.centres if c["kind"] == "csm"]
    assert len(csm) == 11 and all(c.get("district") for c in csm)


def test_bari_example_preset():
    bari = read_preset(BARI_PRESET)
    assert bari.authority["slug"] == "asl-bari-esempio"
    assert len(bari.axes) == 4
    assert {c["istat"][:3] for d in bari.districts for c in d["comuni"]} == {"072"}
    assert all(not c["users"] for c in bari.centres)
    assert "Esempio" in bari.title
