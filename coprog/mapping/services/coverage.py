"""Coverage: for each district and axis, the published resources against the demand.

The demand is the number of people with a Budget di Salute in care at the authority's service
centres (CSM, NPIA…) in a year (seed 002, `CentreUserCount`), summed per district; it does not
depend on the axis, since every person's project (PTRI) spans the three axes. Centres that
belong to no district (e.g. an NPIA unit serving several) are counted in the total only, and
named, so that nobody is lost silently.

What is counted, and why:
- resources: the number of published contributions. It is the only figure that adds up across
  contributions, so the ratio "resources per 100 people with a BdS" uses it;
- capacity: each contribution states its own unit (posti letto, ore settimanali, euro…); it is
  summed per unit only ("posti dichiarati" by unit), never across units, and contributions
  without a capacity are just counted.

Every figure comes from a fixed number of grouped SQL queries, whatever the data size.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from ...extensions import db
from ...notices.models import Procedure
from ...territory.models import Axis, CentreUserCount, District, ServiceCentre
from ..models import Contribution, ContributionState

LOWEST = 3  # how many of the lowest ratios are pointed out (only when more cells have one)
NO_RESOURCE, LOW_RATIO = "none", "low"


class YearError(ValueError):
    """A year the demand figures do not cover; the message is for the user."""


@dataclass(frozen=True)
class Capacity:
    unit: str  # as first written; "" when the contributor gave none
    total: int
    resources: int  # how many resources declared it


@dataclass
class Cell:
    district: District
    axis: Axis
    resources: int = 0
    capacities: list[Capacity] = field(default_factory=list)
    people: int | None = None  # None: no demand figure for the district
    gap: str | None = None  # NO_RESOURCE or LOW_RATIO

    @property
    def ratio(self) -> float | None:
        """Resources per 100 people with a BdS; None where it means nothing (no people)."""
        return 100 * self.resources / self.people if self.people else None

    @property
    def without_capacity(self) -> int:
        return self.resources - sum(c.resources for c in self.capacities)


@dataclass
class Coverage:
    procedure: Procedure
    year: int | None  # None: no demand figures at all
    years: list[int]
    districts: list[District]
    axes: list[Axis]
    cells: dict[tuple[int, int], Cell]
    people_by_district: dict[int, int]
    unattributed: list[tuple[str, int]]  # centres without a district: (name, people)
    sources: list[str] = field(default_factory=list)  # where the demand figures come from

    def cell(self, district: District, axis: Axis) -> Cell:
        return self.cells[district.id, axis.id]

    @property
    def unattributed_people(self) -> int:
        return sum(n for _name, n in self.unattributed)

    @property
    def total_people(self) -> int:
        return sum(self.people_by_district.values()) + self.unattributed_people

    def axis_resources(self, axis: Axis) -> int:
        return sum(self.cell(d, axis).resources for d in self.districts)

    def axis_ratio(self, axis: Axis) -> float | None:
        return 100 * self.axis_resources(axis) / self.total_people if self.total_people else None

    @property
    def resources(self) -> int:
        return sum(c.resources for c in self.cells.values())

    @property
    def gaps(self) -> list[Cell]:
        """The cells without resources (most people first), then the lowest ratios."""
        empty = [c for c in self.ordered() if c.gap == NO_RESOURCE]
        low = [c for c in self.ordered() if c.gap == LOW_RATIO]
        return sorted(empty, key=lambda c: -(c.people or 0)) + sorted(low, key=lambda c: c.ratio)

    def ordered(self) -> list[Cell]:
        return [self.cell(d, a) for d in self.districts for a in self.axes]


def demand_years(authority_id: int) -> list[int]:
    query = (
        select(CentreUserCount.year).distinct()
        .join(ServiceCentre, ServiceCentre.id == CentreUserCount.centre_id)
        .where(ServiceCentre.authority_id == authority_id)
        .order_by(CentreUserCount.year)
    )
    return list(db.session.scalars(query))


def parse_year(value: str | None, years: list[int]) -> int | None:
    """The year asked for (the latest when none is): YearError if it is not one of `years`."""
    if value in (None, ""):
        return years[-1] if years else None
    try:
        year = int(value)
    except ValueError:
        year = None
    if year not in years:
        if not years:
            raise YearError(_("Non ci sono dati sulle persone con Budget di Salute."))
        raise YearError(_("Anno non disponibile: scegliere tra %(years)s.", years=", ".join(map(str, years))))
    return year


def coverage(procedure: Procedure, year: int | None = None) -> Coverage:
    """The matrix for the demand of `year` (default: the latest with figures)."""
    authority = procedure.authority
    years = demand_years(authority.id)
    if year is None and years:
        year = years[-1]
    districts = list(authority.districts)
    axes = _axes(procedure)
    people, unattributed = _demand(authority.id, year)
    cells = {
        (d.id, a.id): Cell(district=d, axis=a, people=people.get(d.id)) for d in districts for a in axes
    }
    for district_id, axis_id, count in db.session.execute(
        select(Contribution.district_id, Contribution.axis_id, func.count(Contribution.id))
        .where(*_published(procedure))
        .group_by(Contribution.district_id, Contribution.axis_id)
    ):
        if (district_id, axis_id) in cells:
            cells[district_id, axis_id].resources = count
    for district_id, axis_id, unit, total, count in _capacities(procedure):
        if (district_id, axis_id) in cells:
            cells[district_id, axis_id].capacities.append(Capacity(unit, int(total), count))
    result = Coverage(procedure, year, years, districts, axes, cells, people, unattributed,
                      _sources(authority.id, year))
    _mark_gaps(result)
    return result


def _published(procedure: Procedure):
    return Contribution.procedure_id == procedure.id, Contribution.state == ContributionState.APPROVED


def _axes(procedure: Procedure) -> list[Axis]:
    """The procedure's axes, and any other axis of the authority that has published resources."""
    notice = procedure.notice
    chosen = {a.id for a in notice.axes} if notice is not None and notice.axes else None
    used = set(db.session.scalars(select(Contribution.axis_id).distinct().where(*_published(procedure))))
    return [a for a in procedure.authority.axes if chosen is None or a.id in chosen or a.id in used]


def _capacities(procedure: Procedure):
    """(district, axis, unit, total, resources) per unit, the unit compared without case."""
    unit_key = func.lower(Contribution.capacity_note)
    query = (
        select(Contribution.district_id, Contribution.axis_id, func.min(Contribution.capacity_note),
               func.sum(Contribution.capacity), func.count(Contribution.id))
        .where(*_published(procedure), Contribution.capacity.is_not(None))
        .group_by(Contribution.district_id, Contribution.axis_id, unit_key)
        .order_by(Contribution.district_id, Contribution.axis_id, unit_key)
    )
    return db.session.execute(query).all()


def _demand(authority_id: int, year: int | None) -> tuple[dict[int, int], list[tuple[str, int]]]:
    """People with a BdS per district in `year`, and the centres that belong to no district."""
    if year is None:
        return {}, []
    def users(*columns):
        return (
            select(*columns, func.sum(CentreUserCount.users))
            .join(CentreUserCount, CentreUserCount.centre_id == ServiceCentre.id)
            .where(ServiceCentre.authority_id == authority_id, CentreUserCount.year == year)
            .group_by(*columns)
        )

    per_district = users(ServiceCentre.district_id).where(ServiceCentre.district_id.is_not(None))
    people = {district_id: int(n) for district_id, n in db.session.execute(per_district)}
    orphans = (users(ServiceCentre.id, ServiceCentre.name).where(ServiceCentre.district_id.is_(None))
               .order_by(ServiceCentre.name))
    return people, [(name, int(n)) for _id, name, n in db.session.execute(orphans)]


def _sources(authority_id: int, year: int | None) -> list[str]:
    query = (
        select(CentreUserCount.source).distinct()
        .join(ServiceCentre, ServiceCentre.id == CentreUserCount.centre_id)
        .where(ServiceCentre.authority_id == authority_id, CentreUserCount.year == year,
               CentreUserCount.source.is_not(None))
        .order_by(CentreUserCount.source)
    )
    return list(db.session.scalars(query)) if year is not None else []


def _mark_gaps(result: Coverage) -> None:
    """No resource on an axis in a district; then the LOWEST ratios, when more cells than
    that have one (else every cell would be among the lowest)."""
    rated = []
    for cell in result.ordered():
        if cell.resources == 0:
            cell.gap = NO_RESOURCE
        elif cell.ratio is not None:
            rated.append(cell)
    if len(rated) > LOWEST:
        for cell in sorted(rated, key=lambda c: c.ratio)[:LOWEST]:
            cell.gap = LOW_RATIO


# Words --------------------------------------------------------------------------------------------


def decimal(value: float | None) -> str:
    """One decimal, in the page's language (0,6 in Italian)."""
    return "" if value is None else format_decimal(round(value, 1), format="0.0")


def people_phrase(n: int) -> str:
    return ngettext("%(num)d persona con Budget di Salute", "%(num)d persone con Budget di Salute", n)


def gap_sentence(cell: Cell) -> str:
    """What the gap is, in words ("Pianura Est, asse Abitare: nessuna risorsa pubblicata per 36
    persone con Budget di Salute")."""
    where = _("%(district)s, asse %(axis)s", district=cell.district.name, axis=cell.axis.name)
    if cell.gap == NO_RESOURCE and cell.people:
        what = _("nessuna risorsa pubblicata per %(people)s", people=people_phrase(cell.people))
    elif cell.gap == NO_RESOURCE:
        what = _("nessuna risorsa pubblicata (nessun dato sulle persone con Budget di Salute del distretto)")
    else:
        resources = ngettext("%(num)d risorsa", "%(num)d risorse", cell.resources)
        what = _("%(resources)s per %(people)s (%(ratio)s ogni 100), tra i rapporti più bassi",
                 resources=resources, people=people_phrase(cell.people), ratio=decimal(cell.ratio))
    return f"{where}: {what}"


def capacity_text(cell: Cell) -> str:
    """The declared capacity per unit, for the open data: "3 posti letto | 2 alloggi" (a bare
    number when the unit was not given; "" without any capacity)."""
    return " | ".join(f"{c.total} {c.unit}".strip() for c in cell.capacities)


# Open data ----------------------------------------------------------------------------------------

CSV_HEADER = ("distretto", "asse", "risorse", "capacita", "persone_bds", "anno", "risorse_per_100")


def coverage_csv(result: Coverage) -> str:
    """One row per district and axis, semicolon-separated with decimal commas (as Italian
    spreadsheets expect), every cell safe from formula injection; empty where there is no figure."""
    from ...applications.admission import spreadsheet_safe

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for cell in result.ordered():
        ratio = cell.ratio
        row = (
            cell.district.name, cell.axis.name, cell.resources, capacity_text(cell),
            "" if cell.people is None else cell.people, result.year or "",
            "" if ratio is None else f"{round(ratio, 1):.1f}".replace(".", ","),
        )
        writer.writerow([spreadsheet_safe(value) for value in row])
    return out.getvalue()
