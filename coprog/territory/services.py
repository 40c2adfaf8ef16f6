"""Territory use-cases: load a preset file, find the authority, build the overview.

A preset is a TOML file (see presets/ausl-bologna.toml). `load_preset` validates it whole
before writing anything, then upserts every row by its natural key and flushes; the caller
commits. Loading the same file twice changes nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from stdnum.it import codicefiscale, iva

from ..extensions import db
from .models import Authority, Axis, CentreUserCount, Comune, District, ServiceCentre, SubArea

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
BOLOGNA_PRESET = PRESETS_DIR / "ausl-bologna.toml"

CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ISTAT = re.compile(r"^\d{6}$")
PROVINCE = re.compile(r"^[A-Z]{2}$")
YEAR = re.compile(r"^(19|20)\d\d$")

KIND_LABELS = {"csm": _l("CSM"), "npia": _l("NPIA"), "serdp": _l("SerDP")}


# Errors ----------------------------------------------------------------------------------------


class PresetError(Exception):
    """A preset that cannot be loaded; `problems` lists every problem found, one a line."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = problems
        super().__init__(
            "\n".join([_("File %(name)s non valido:", name=self.path.name), *problems])
        )


class _Source:
    """The file's lines, to point each problem at the line holding the offending value."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def line_of(self, key: str, value: Any, occurrence: int = 1) -> int | None:
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        rendered = f'"{value}"' if isinstance(value, str) else str(value)
        pattern = re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=\s*{re.escape(rendered)}")
        seen = 0
        for number, line in enumerate(self.lines, start=1):
            if pattern.search(line):
                seen += 1
                if seen == occurrence:
                    return number
        return None

    def key_line(self, key: str, after: int | None) -> int | None:
        """The first line from `after` on that sets `key` (for values too complex to match)."""
        if after is None:
            return None
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(after, len(self.lines) + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return after


class _Problems:
    def __init__(self, source: _Source):
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str, line: int | None = None) -> None:
        prefix = _("riga %(line)s, ", line=line) if line else ""
        self.items.append(f"{prefix}{where}: {message}")

    def at_value(self, where: str, key: str, value: Any, message: str, occurrence: int = 1) -> None:
        self.add(f"{where}.{key}", message, self.source.line_of(key, value, occurrence))


# Schema ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A scalar key of a preset table: its type, whether required, its format."""

    name: str
    required: bool = False
    type: type = str
    pattern: re.Pattern | None = None
    column: Any = None  # the model column, for the maximum length
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None

    @property
    def max_length(self) -> int | None:
        return getattr(getattr(self.column, "type", None), "length", None)


def _fiscal_code_problem(code: str) -> str | None:
    """An entity's codice fiscale has 11 digits (partita IVA checksum), a person's 16 characters."""
    valid = iva.is_valid(code) if len(code) == 11 else codicefiscale.is_valid(code)
    return None if valid else _('codice fiscale "%(code)s" non valido', code=code)


AUTHORITY_FIELDS = (
    Field("slug", True, pattern=CODE, column=Authority.slug),
    Field("name", True, column=Authority.name),
    Field("short_name", True, column=Authority.short_name),
    Field("department", column=Authority.department),
    Field("fiscal_code", column=Authority.fiscal_code, check=_fiscal_code_problem),
    Field("website", column=Authority.website),
    Field("email", column=Authority.email),
    Field("pec", column=Authority.pec),
    Field("address", column=Authority.address),
)
DISTRICT_FIELDS = (
    Field("code", True, pattern=CODE, column=District.code),
    Field("name", True, column=District.name),
    Field("position", type=int),
    Field("province", pattern=PROVINCE),
)
SUB_AREA_FIELDS = (
    Field("code", True, pattern=CODE, column=SubArea.code),
    Field("name", True, column=SubArea.name),
    Field("description"),
    Field("position", type=int),
)
COMUNE_FIELDS = (
    Field("istat", True, pattern=ISTAT),
    Field("name", True, column=Comune.name),
    Field("province", pattern=PROVINCE),
)
AXIS_FIELDS = (
    Field("code", True, pattern=CODE, column=Axis.code),
    Field("name", True, column=Axis.name),
    Field("description"),
    Field("position", type=int),
)
CENTRE_FIELDS = (
    Field("code", True, pattern=CODE, column=ServiceCentre.code),
    Field("name", True, column=ServiceCentre.name),
    Field("kind", True, pattern=CODE, column=ServiceCentre.kind),
    Field("district", pattern=CODE),
    Field("sub_area", pattern=CODE),
    Field("source", column=CentreUserCount.source),
)
PRESET_FIELDS = (Field("title"), Field("example", type=bool))
USER_COUNTS_FIELDS = (Field("source", column=CentreUserCount.source),)
TOP_LEVEL_KEYS = {"preset", "authority", "districts", "axes", "centres", "user_counts"}

FORMAT_MESSAGES = {
    CODE: _l("usa solo lettere minuscole, cifre e trattini"),
    ISTAT: _l('un codice ISTAT ha 6 cifre (es. "037006")'),
    PROVINCE: _l("una sigla di provincia ha 2 lettere maiuscole"),
}
TYPE_NAMES = {str: _l("un testo"), int: _l("un numero intero"), bool: _l("true o false")}


def _anchor(item: dict) -> tuple[str, Any]:
    """The identifying key of a table, used to find its line."""
    for key in ("code", "istat", "slug", "name"):
        if isinstance(item.get(key), str):
            return key, item[key]
    return "", None


def _check_value(spec: Field, value: Any, where: str, problems: _Problems) -> bool:
    def fail(message: str) -> bool:
        problems.at_value(where, spec.name, value, message)
        return False

    if not isinstance(value, spec.type) or (spec.type is int and isinstance(value, bool)):
        return fail(_("deve essere %(type)s", type=TYPE_NAMES[spec.type]))
    if spec.type is str and not value.strip():
        return fail(_("non può essere vuoto"))
    if spec.max_length and len(value) > spec.max_length:
        return fail(_("troppo lungo (massimo %(n)s caratteri)", n=spec.max_length))
    if spec.pattern and not spec.pattern.match(value):
        return fail(
            _(
                'valore "%(value)s" non valido: %(hint)s',
                value=value,
                hint=FORMAT_MESSAGES[spec.pattern],
            )
        )
    problem = spec.check(value) if spec.check else None
    if problem:
        return fail(problem)
    return True


def _check_table(
    item: Any, fields: Iterable[Field], where: str, problems: _Problems, nested: Iterable[str] = ()
) -> dict | None:
    """Check one TOML table against its fields; return its known scalar values, or None."""
    if not isinstance(item, dict):
        problems.add(where, _("deve essere una tabella TOML"))
        return None
    fields = tuple(fields)
    known = {spec.name for spec in fields} | set(nested)
    line = problems.source.line_of(*_anchor(item))
    for key in sorted(set(item) - known):
        problems.add(
            f"{where}.{key}",
            _("chiave sconosciuta"),
            problems.source.line_of(key, item[key]) or line,
        )
    values, valid = {}, True
    for spec in fields:
        if spec.name not in item:
            if spec.required:
                problems.add(f"{where}.{spec.name}", _("chiave obbligatoria mancante"), line)
                valid = False
            continue
        if _check_value(spec, item[spec.name], where, problems):
            values[spec.name] = item[spec.name]
        else:
            valid = False
    return values if valid else None


def _check_list(data: dict, key: str, where: str, problems: _Problems, required: bool) -> list:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(
                f"{where}{key}", _("chiave obbligatoria mancante: serve almeno un elemento")
            )
        return []
    if not isinstance(value, list):
        problems.add(f"{where}{key}", _("deve essere un elenco di tabelle ([[%(key)s]])", key=key))
        return []
    return value


def _check_unique(items: list[tuple[str, dict]], key: str, problems: _Problems) -> None:
    """Report the second and later items that repeat a value of `key`."""
    seen: dict[Any, int] = defaultdict(int)
    for where, values in items:
        value = values.get(key)
        seen[value] += 1
        if seen[value] > 1:
            problems.at_value(
                where, key, value, _('"%(value)s" è duplicato', value=value), seen[value]
            )


# Validation ------------------------------------------------------------------------------------


@dataclass
class Preset:
    """A validated preset: plain values, ready to be written."""

    authority: dict
    districts: list[dict] = field(default_factory=list)  # each with "sub_areas" and "comuni"
    axes: list[dict] = field(default_factory=list)
    centres: list[dict] = field(default_factory=list)  # each with "users": {year: n}
    title: str | None = None


def _with_positions(items: list[dict]) -> list[dict]:
    for index, item in enumerate(items, start=1):
        item.setdefault("position", index)
    return items


def _check_children(
    parent: dict,
    key: str,
    fields: tuple[Field, ...],
    prefix: str,
    problems: _Problems,
    required: bool,
) -> list[tuple[str, dict]]:
    """Check the list of tables `parent[key]`; `prefix` locates the parent ("" or "districts[2].")."""
    checked = []
    for index, item in enumerate(_check_list(parent, key, prefix, problems, required), start=1):
        item_where = f"{prefix}{key}[{index}]"
        values = _check_table(item, fields, item_where, problems)
        if values is not None:
            checked.append((item_where, values))
    return checked


def _check_districts(data: dict, problems: _Problems) -> list[dict]:
    districts = []
    all_comuni = []
    for index, item in enumerate(_check_list(data, "districts", "", problems, True), start=1):
        where = f"districts[{index}]"
        values = _check_table(
            item, DISTRICT_FIELDS, where, problems, nested=("sub_areas", "comuni")
        )
        if values is None:
            continue
        sub_areas = _check_children(
            item, "sub_areas", SUB_AREA_FIELDS, f"{where}.", problems, False
        )
        comuni = _check_children(item, "comuni", COMUNE_FIELDS, f"{where}.", problems, True)
        _check_unique(sub_areas, "code", problems)
        all_comuni += comuni
        for _where, comune in comuni:
            if "province" in values:
                comune.setdefault("province", values["province"])
        values["sub_areas"] = _with_positions([v for _w, v in sub_areas])
        values["comuni"] = [v for _w, v in comuni]
        districts.append((where, values))
    _check_unique(districts, "code", problems)
    _check_unique(all_comuni, "istat", problems)
    return _with_positions([v for _w, v in districts])


def _check_users(item: dict, where: str, problems: _Problems) -> dict[int, int]:
    users = item.get("users", {})
    if not isinstance(users, dict):
        problems.add(
            f"{where}.users", _("deve essere una tabella anno = numero, es. { 2025 = 57 }")
        )
        return {}
    counts = {}
    line = problems.source.key_line("users", after=problems.source.line_of(*_anchor(item)))
    for year, number in users.items():
        if not YEAR.match(year):
            problems.add(f"{where}.users", _('"%(year)s" non è un anno', year=year), line)
        elif not isinstance(number, int) or isinstance(number, bool) or number < 0:
            problems.add(
                f"{where}.users.{year}", _("deve essere un numero intero non negativo"), line
            )
        else:
            counts[int(year)] = number
    return counts


def _check_centre_place(
    values: dict, districts: dict[str, dict], where: str, problems: _Problems
) -> None:
    code, sub_area = values.get("district"), values.get("sub_area")
    if code is not None and code not in districts:
        problems.at_value(
            where, "district", code, _('distretto "%(code)s" non definito nel file', code=code)
        )
    elif sub_area is not None and code is None:
        problems.at_value(
            where, "sub_area", sub_area, _("una sotto-area richiede anche il distretto")
        )
    elif sub_area is not None and sub_area not in {s["code"] for s in districts[code]["sub_areas"]}:
        problems.at_value(
            where,
            "sub_area",
            sub_area,
            _(
                'sotto-area "%(code)s" non definita nel distretto "%(district)s"',
                code=sub_area,
                district=code,
            ),
        )


def _check_centres(
    data: dict, districts: list[dict], default_source: str | None, problems: _Problems
) -> list[dict]:
    by_code = {d["code"]: d for d in districts}
    centres = []
    for index, item in enumerate(_check_list(data, "centres", "", problems, False), start=1):
        where = f"centres[{index}]"
        values = _check_table(item, CENTRE_FIELDS, where, problems, nested=("users",))
        if values is None:
            continue
        _check_centre_place(values, by_code, where, problems)
        values["users"] = _check_users(item, where, problems)
        values.setdefault("source", default_source)
        centres.append((where, values))
    _check_unique(centres, "code", problems)
    return [v for _w, v in centres]


def _check_header(data: dict, problems: _Problems) -> tuple[dict | None, str | None, str | None]:
    for key in sorted(set(data) - TOP_LEVEL_KEYS):
        problems.add(key, _("chiave sconosciuta"))
    if "authority" not in data:
        problems.add("authority", _("tabella obbligatoria mancante ([authority])"))
        authority = None
    else:
        authority = _check_table(data["authority"], AUTHORITY_FIELDS, "authority", problems)
    meta = _check_table(data.get("preset", {}), PRESET_FIELDS, "preset", problems) or {}
    counts = (
        _check_table(data.get("user_counts", {}), USER_COUNTS_FIELDS, "user_counts", problems) or {}
    )
    return authority, meta.get("title"), counts.get("source")


def parse_preset(text: str, path: Path | str = "preset.toml") -> Preset:
    """Validate a preset's text; raise PresetError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(path, [_("sintassi TOML non valida: %(error)s", error=str(exc))]) from exc
    problems = _Problems(_Source(text))
    authority, title, source = _check_header(data, problems)
    districts = _check_districts(data, problems)
    axes_checked = _check_children(data, "axes", AXIS_FIELDS, "", problems, True)
    _check_unique(axes_checked, "code", problems)
    centres = _check_centres(data, districts, source, problems)
    if problems.items:
        raise PresetError(path, problems.items)
    axes = _with_positions([v for _w, v in axes_checked])
    return Preset(authority=authority, districts=districts, axes=axes, centres=centres, title=title)


def read_preset(path: Path | str) -> Preset:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetError(
            path, [_("impossibile leggere il file: %(error)s", error=str(exc))]
        ) from exc
    return parse_preset(text, path)


# Writing ---------------------------------------------------------------------------------------

KINDS = (
    ("authority", _l("autorità")),
    ("district", _l("distretti")),
    ("sub_area", _l("sotto-aree")),
    ("comune", _l("comuni")),
    ("axis", _l("assi")),
    ("centre", _l("servizi")),
    ("user_count", _l("conteggi utenti")),
)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadReport:
    """What a load did, per kind of row."""

    path: Path
    authority: Authority | None = None
    counts: dict[str, Tally] = field(
        default_factory=lambda: {kind: Tally() for kind, _label in KINDS}
    )

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated for t in self.counts.values())

    def lines(self) -> list[str]:
        return [
            _(
                "%(label)s: %(created)s creati, %(updated)s aggiornati, %(unchanged)s invariati",
                label=label,
                created=self.counts[kind].created,
                updated=self.counts[kind].updated,
                unchanged=self.counts[kind].unchanged,
            )
            for kind, label in KINDS
        ]


def _upsert(report: LoadReport, kind: str, existing: Any, model: type, values: dict) -> Any:
    """Create the row, or set the values that differ; count which it was."""
    tally = report.counts[kind]
    if existing is None:
        row = model(**values)
        db.session.add(row)
        tally.created += 1
        return row
    changed = {key: value for key, value in values.items() if getattr(existing, key) != value}
    for key, value in changed.items():
        setattr(existing, key, value)
    if changed:
        tally.updated += 1
    else:
        tally.unchanged += 1
    return existing


def _existing(model: type, key: Any, *where: Any) -> dict:
    """Existing rows of `model` matching `where`, by natural key (`key` maps a row to it)."""
    return {key(row): row for row in db.session.scalars(select(model).where(*where))}


def _write_authority(preset: Preset, report: LoadReport) -> Authority:
    existing = db.session.scalar(
        select(Authority).where(Authority.slug == preset.authority["slug"])
    )
    values = {spec.name: preset.authority.get(spec.name) for spec in AUTHORITY_FIELDS}
    authority = _upsert(report, "authority", existing, Authority, values)
    db.session.flush()
    return authority


def _write_districts(
    preset: Preset, authority: Authority, report: LoadReport
) -> dict[str, District]:
    existing = _existing(District, lambda d: d.code, District.authority_id == authority.id)
    districts = {
        item["code"]: _upsert(
            report,
            "district",
            existing.get(item["code"]),
            District,
            {
                "authority_id": authority.id,
                "code": item["code"],
                "name": item["name"],
                "position": item["position"],
            },
        )
        for item in preset.districts
    }
    db.session.flush()
    return districts


def _write_sub_areas(preset: Preset, districts: dict[str, District], report: LoadReport) -> dict:
    ids = [d.id for d in districts.values()]
    existing = _existing(SubArea, lambda s: (s.district_id, s.code), SubArea.district_id.in_(ids))
    sub_areas = {}
    for item in preset.districts:
        district_id = districts[item["code"]].id
        for sub in item["sub_areas"]:
            values = {
                "district_id": district_id,
                **{k: sub.get(k) for k in ("code", "name", "description", "position")},
            }
            key = (district_id, sub["code"])
            sub_areas[(item["code"], sub["code"])] = _upsert(
                report, "sub_area", existing.get(key), SubArea, values
            )
    db.session.flush()
    return sub_areas


def _write_comuni(preset: Preset, districts: dict[str, District], report: LoadReport) -> None:
    codes = [c["istat"] for d in preset.districts for c in d["comuni"]]
    existing = _existing(Comune, lambda c: c.istat_code, Comune.istat_code.in_(codes))
    for item in preset.districts:
        for comune in item["comuni"]:
            values = {
                "istat_code": comune["istat"],
                "name": comune["name"],
                "province": comune.get("province"),
                "district_id": districts[item["code"]].id,
            }
            _upsert(report, "comune", existing.get(comune["istat"]), Comune, values)


def _write_axes(preset: Preset, authority: Authority, report: LoadReport) -> None:
    existing = _existing(Axis, lambda a: a.code, Axis.authority_id == authority.id)
    for item in preset.axes:
        values = {
            "authority_id": authority.id,
            **{k: item.get(k) for k in ("code", "name", "description", "position")},
        }
        _upsert(report, "axis", existing.get(item["code"]), Axis, values)


def _write_centres(
    preset: Preset, authority: Authority, districts: dict, sub_areas: dict, report: LoadReport
) -> dict[str, ServiceCentre]:
    existing = _existing(
        ServiceCentre, lambda c: c.code, ServiceCentre.authority_id == authority.id
    )
    centres = {}
    for item in preset.centres:
        district = districts.get(item.get("district"))
        sub_area = sub_areas.get((item.get("district"), item.get("sub_area")))
        values = {
            "authority_id": authority.id,
            "code": item["code"],
            "name": item["name"],
            "kind": item["kind"],
            "district_id": district.id if district else None,
            "sub_area_id": sub_area.id if sub_area else None,
        }
        centres[item["code"]] = _upsert(
            report, "centre", existing.get(item["code"]), ServiceCentre, values
        )
    db.session.flush()
    return centres


def _write_user_counts(
    preset: Preset, centres: dict[str, ServiceCentre], report: LoadReport
) -> None:
    ids = [c.id for c in centres.values()]
    existing = _existing(
        CentreUserCount, lambda u: (u.centre_id, u.year), CentreUserCount.centre_id.in_(ids)
    )
    for item in preset.centres:
        centre_id = centres[item["code"]].id
        for year, users in sorted(item["users"].items()):
            values = {
                "centre_id": centre_id,
                "year": year,
                "users": users,
                "source": item.get("source"),
            }
            _upsert(report, "user_count", existing.get((centre_id, year)), CentreUserCount, values)


def write_preset(preset: Preset, path: Path | str = "preset.toml") -> LoadReport:
    """Upsert a validated preset by natural keys and flush. Rows not in the file are kept."""
    report = LoadReport(Path(path))
    authority = _write_authority(preset, report)
    districts = _write_districts(preset, authority, report)
    sub_areas = _write_sub_areas(preset, districts, report)
    _write_comuni(preset, districts, report)
    _write_axes(preset, authority, report)
    centres = _write_centres(preset, authority, districts, sub_areas, report)
    _write_user_counts(preset, centres, report)
    db.session.flush()
    report.authority = authority
    return report


def load_preset(path: Path | str) -> LoadReport:
    """Validate the preset file, then upsert it (flush only: the caller commits).

    Raises PresetError, having written nothing, when the file is invalid.
    """
    return write_preset(read_preset(path), path)


# Reading ---------------------------------------------------------------------------------------


def default_authority() -> Authority | None:
    """The platform serves one authority for now: the first one loaded."""
    return db.session.scalar(select(Authority).order_by(Authority.id).limit(1))


@dataclass
class Overview:
    """Everything the territory page shows, fetched in a fixed number of queries."""

    authority: Authority
    years: list[int]
    centres: list[tuple[ServiceCentre, dict[int, int]]]
    districts: list[tuple[District | None, dict[int, int]]]
    totals: dict[int, int]

    @property
    def comuni_count(self) -> int:
        return sum(len(d.comuni) for d in self.authority.districts)


def _load_authority(authority_id: int) -> Authority:
    options = (
        selectinload(Authority.districts).selectinload(District.sub_areas),
        selectinload(Authority.districts).selectinload(District.comuni),
        selectinload(Authority.axes),
    )
    return db.session.scalars(
        select(Authority).where(Authority.id == authority_id).options(*options)
    ).one()


def _users_by(group: Any, authority_id: int) -> dict[Any, dict[int, int]]:
    """Sum of users per (group, year) for the authority's centres, in one GROUP BY query."""
    query = (
        select(group, CentreUserCount.year, func.sum(CentreUserCount.users))
        .join(ServiceCentre, CentreUserCount.centre_id == ServiceCentre.id)
        .where(ServiceCentre.authority_id == authority_id)
        .group_by(group, CentreUserCount.year)
    )
    result: dict[Any, dict[int, int]] = defaultdict(dict)
    for key, year, users in db.session.execute(query):
        result[key][year] = int(users)
    return result


def _centres(authority_id: int) -> list[ServiceCentre]:
    query = (
        select(ServiceCentre)
        .where(ServiceCentre.authority_id == authority_id)
        .options(joinedload(ServiceCentre.district), joinedload(ServiceCentre.sub_area))
        .outerjoin(District, ServiceCentre.district_id == District.id)
        .order_by(
            District.position.is_(None), District.position, ServiceCentre.kind, ServiceCentre.name
        )
    )
    return list(db.session.scalars(query))


def territory_overview(authority: Authority) -> Overview:
    """The authority with its districts, axes and centres, and BdS users per year."""
    authority = _load_authority(authority.id)
    per_centre = _users_by(ServiceCentre.id, authority.id)
    per_district = _users_by(ServiceCentre.district_id, authority.id)
    totals = _users_by(ServiceCentre.authority_id, authority.id).get(authority.id, {})
    districts = [(d, per_district[d.id]) for d in authority.districts if d.id in per_district]
    if None in per_district:
        districts.append((None, per_district[None]))
    return Overview(
        authority=authority,
        years=sorted(totals),
        centres=[(c, per_centre.get(c.id, {})) for c in _centres(authority.id)],
        districts=districts,
        totals=totals,
    )


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.upper()))
