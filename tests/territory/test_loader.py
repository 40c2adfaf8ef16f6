"""load_preset: writes both presets, is idempotent, updates, and refuses bad files whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coprog.extensions import db
from coprog.territory.models import (
    Authority,
    Axis,
    CentreUserCount,
    Comune,
    District,
    ServiceCentre,
    SubArea,
)
from coprog.territory.services import (
    BOLOGNA_PRESET,
    PresetError,
    default_authority,
    load_preset,
)

from .conftest import BARI_PRESET

MODELS = (Authority, District, SubArea, Comune, Axis, ServiceCentre, CentreUserCount)


def row_counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def created(report) -> dict[str, int]:
    return {kind: tally.created for kind, tally in report.counts.items()}


def test_load_bologna(bologna):
    assert created(bologna) == {
        "authority": 1,
        "district": 6,
        "sub_area": 2,
        "comune": 45,
        "axis": 3,
        "centre": 16,
        "user_count": 31,
    }
    authority = default_authority()
    assert authority.slug == "ausl-bologna"
    assert len(authority.districts) == 6
    assert sum(len(d.comuni) for d in authority.districts) == 45
    assert [s.name for d in authority.districts for s in d.sub_areas] == [
        "Bologna Est",
        "Bologna Ovest",
    ]


def test_seed_totals_in_the_database(bologna):
    totals = dict(
        db.session.execute(
            select(CentreUserCount.year, func.sum(CentreUserCount.users)).group_by(
                CentreUserCount.year
            )
        ).all()
    )
    assert totals == {2024: 650, 2025: 704}
    navile = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == "csm-navile"))
    assert [(u.year, u.users) for u in navile.user_counts] == [(2024, 53), (2025, 52)]
    assert (navile.district.code, navile.sub_area.code) == ("bologna", "bologna-ovest")


def test_istat_codes_in_the_database(bologna):
    codes = db.session.scalars(select(Comune.istat_code)).all()
    assert len(codes) == 45 == len(set(codes))
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert {c.province for c in db.session.scalars(select(Comune))} == {"BO"}


def test_load_bari_beside_bologna(bologna, app_ctx):
    report = load_preset(BARI_PRESET)
    assert created(report)["axis"] == 4 and created(report)["comune"] == 5
    assert created(report)["user_count"] == 0
    assert default_authority().slug == "ausl-bologna"  # the first one loaded
    assert row_counts()["Authority"] == 2


def test_second_load_changes_nothing(bologna, app_ctx):
    before = row_counts()
    report = load_preset(BOLOGNA_PRESET)
    assert not report.changed
    assert all(t.created == t.updated == 0 for t in report.counts.values())
    assert report.counts["comune"].unchanged == 45
    assert report.counts["user_count"].unchanged == 31
    assert row_counts() == before


def test_corrected_file_updates_rows(bologna, app_ctx, bologna_text, write_preset):
    text = (
        bologna_text.replace(
            'code = "socialita"\nname = "Socialità"',
            'code = "socialita"\nname = "Socialità e affettività"',
        )
        .replace("users = { 2024 = 23, 2025 = 36 }", "users = { 2024 = 23, 2025 = 40 }")
        .replace('{ istat = "037011", name = "Casalecchio di Reno" },\n', "")
        .replace(
            '{ istat = "037001", name = "Anzola dell\'Emilia" },',
            '{ istat = "037001", name = "Anzola dell\'Emilia" },\n  { istat = "037011", name = "Casalecchio di Reno" },',
        )
    )
    report = load_preset(write_preset(text))
    assert {
        k: (t.created, t.updated) for k, t in report.counts.items() if t.created or t.updated
    } == {
        "axis": (0, 1),
        "user_count": (0, 1),
        "comune": (0, 1),
    }
    assert (
        db.session.scalar(select(Axis.name).where(Axis.code == "socialita"))
        == "Socialità e affettività"
    )
    casalecchio = db.session.scalar(select(Comune).where(Comune.istat_code == "037011"))
    assert casalecchio.district.code == "pianura-ovest"
    total = db.session.scalar(
        select(func.sum(CentreUserCount.users)).where(CentreUserCount.year == 2025)
    )
    assert total == 708


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


# (name, replace this, with that, expected message, line of: (fragment, occurrence) or None)
INVALID = [
    (
        "missing key",
        'short_name = "AUSL Bologna"\n',
        "",
        "authority.short_name: chiave obbligatoria mancante",
        ('slug = "ausl-bologna"', 1),
    ),
    (
        "missing districts",
        "[[districts",
        "[[districtz",
        "districts: chiave obbligatoria mancante",
        None,
    ),
    (
        "unknown key",
        "[[districts.sub_areas]]",
        "[[districts.subareas]]",
        "districts[1].subareas: chiave sconosciuta",
        ('code = "bologna"', 1),
    ),
    (
        "duplicate district code",
        'code = "pianura-ovest"\nname = "Pianura Ovest"\nposition = 6',
        'code = "pianura-est"\nname = "Pianura Ovest"\nposition = 6',
        'districts[6].code: "pianura-est" è duplicato',
        ('code = "pianura-est"', 2),
    ),
    (
        "duplicate comune ISTAT code",
        '{ istat = "037001", name',
        '{ istat = "037002", name',
        'districts[6].comuni[1].istat: "037002" è duplicato',
        ('istat = "037002"', 2),
    ),
    (
        "duplicate axis code",
        'code = "socialita"',
        'code = "abitare"',
        'axes[3].code: "abitare" è duplicato',
        ('code = "abitare"', 2),
    ),
    (
        "duplicate centre code",
        'code = "csm-budrio"',
        'code = "csm-borgo-reno"',
        'centres[2].code: "csm-borgo-reno" è duplicato',
        ('code = "csm-borgo-reno"', 2),
    ),
    (
        "centre in an unknown district",
        'kind = "csm"\ndistrict = "pianura-est"\nusers = { 2024 = 23',
        'kind = "csm"\ndistrict = "pianura-nord"\nusers = { 2024 = 23',
        'centres[2].district: distretto "pianura-nord" non definito nel file',
        ('district = "pianura-nord"', 1),
    ),
    (
        "centre in an unknown sub-area",
        'sub_area = "bologna-ovest"\nusers = { 2024 = 47',
        'sub_area = "bologna-centro"\nusers = { 2024 = 47',
        'centres[1].sub_area: sotto-area "bologna-centro" non definita nel distretto "bologna"',
        ('sub_area = "bologna-centro"', 1),
    ),
    (
        "ISTAT code of 5 digits",
        '"037006"',
        '"37006"',
        'districts[1].comuni[1].istat: valore "37006" non valido: un codice ISTAT ha 6 cifre',
        ('"37006"', 1),
    ),
    (
        "ISTAT code with a letter",
        '"037062"',
        '"03706A"',
        'districts[3].comuni[1].istat: valore "03706A" non valido',
        ('"03706A"', 1),
    ),
    (
        "bad fiscal code",
        '"02406911202"',
        '"02406911203"',
        'authority.fiscal_code: codice fiscale "02406911203" non valido',
        ('fiscal_code = "02406911203"', 1),
    ),
    (
        "negative user count",
        "users = { 2024 = 47, 2025 = 57 }",
        "users = { 2024 = -47, 2025 = 57 }",
        "centres[1].users.2024: deve essere un numero intero non negativo",
        ("users = { 2024 = -47", 1),
    ),
    (
        "position not a number",
        "position = 6",
        'position = "sei"',
        "districts[6].position: deve essere un numero intero",
        ('position = "sei"', 1),
    ),
    (
        "TOML syntax",
        "[[axes]]",
        "[[axes]",
        "sintassi TOML non valida",
        None,
    ),
]


@pytest.mark.parametrize(
    "old, new, message, where", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_file_is_refused_whole(
    app_ctx, bologna_text, write_preset, old, new, message, where
):
    assert old in bologna_text
    text = bologna_text.replace(old, new)
    before = row_counts()
    with pytest.raises(PresetError) as error:
        load_preset(write_preset(text))
    problems = error.value.problems
    matching = [p for p in problems if message in p]
    assert matching, problems
    if where is not None:
        assert matching[0].startswith(f"riga {line_of(text, *where)}, "), matching[0]
    assert "preset.toml" in str(error.value)
    assert row_counts() == before


def test_every_problem_is_listed(app_ctx, bologna_text, write_preset):
    text = bologna_text.replace('"037006"', '"37006"').replace(
        'code = "socialita"', 'code = "abitare"'
    )
    with pytest.raises(PresetError) as error:
        load_preset(write_preset(text))
    assert len(error.value.problems) == 2


def test_unreadable_file(app_ctx, tmp_path):
    with pytest.raises(PresetError) as error:
        load_preset(tmp_path / "nessuno.toml")
    assert "impossibile leggere il file" in str(error.value)


def test_valid_file_loads_without_a_request(session):
    """As `coprog demo` calls it: an app context, no request, no locale chosen."""
    report = load_preset(BOLOGNA_PRESET)
    assert report.counts["comune"].created == 45
