"""The mapping inside the public restitution: the districts shaded by their published resources
(an SVG drawn on the server from the committed boundaries), the stored network in small, and the
coverage matrix in compact form. Each comes with its text alternative; the full pages (the
interactive map, the network, the coverage) are linked from the template.

A render stays cheap, since the page is cached but rebuilt after any public change:
- the counts come from the coverage, computed in SQL by a fixed number of grouped queries;
- the district outlines (projected, simplified, as SVG path data) are made once per process
  from the authority's GeoJSON (`district_outlines`, cached like the GeoJSON itself);
- the network is read from its snapshot, at its stored positions: never recomputed here. A
  stale snapshot is shown as it is and handed to the background worker, as the network page does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from flask_babel import format_decimal
from flask_babel import gettext as _

from ...actors.models import ActorKind
from ...mapping import graph as net
from ...mapping.coverage_views import GAP_ICONS
from ...mapping.models import NetworkSnapshot
from ...mapping.services import network
from ...mapping.services.coverage import (
    LOW_RATIO,
    LOWEST,
    NO_RESOURCE,
    Capacity,
    Cell,
    Coverage,
    coverage,
    decimal,
    gap_sentence,
)
from ...notices.models import Notice
from ...territory.geo import places_of
from ...territory.models import District

# The map -----------------------------------------------------------------------------------------

MAP_WIDTH = 600  # units of the SVG's viewBox
MAP_PADDING = 8
SIMPLIFY = 1.0  # viewBox units (under a pixel at the width the page shows the map)
SHADED_CLASSES = 4  # classes of the light-to-dark scale for 1 or more resources (0 has its own)

Point = tuple[float, float]


@dataclass(frozen=True)
class Outline:
    """A district as the SVG draws it: its path data and where its figure is written."""

    path: str
    label_at: Point


@dataclass(frozen=True)
class Outlines:
    width: int
    height: int
    by_code: dict[str, Outline]
    attribution: str


@dataclass(frozen=True)
class ShadeStep:
    """A class of the scale: `shade` (the CSS class's number) for low..high resources."""

    shade: int
    low: int
    high: int


@dataclass(frozen=True)
class DistrictArea:
    district: District
    resources: int
    capacities: list[Capacity]  # per unit, never summed across units
    shade: int
    outline: Outline | None  # None: no boundary for this district (the table still lists it)


@dataclass(frozen=True)
class DistrictMap:
    width: int
    height: int
    areas: list[DistrictArea]
    steps: list[ShadeStep]
    attribution: str

    @property
    def drawn(self) -> list[DistrictArea]:
        return [area for area in self.areas if area.outline is not None]

    @property
    def resources(self) -> int:
        return sum(area.resources for area in self.areas)


def projection(bounds: tuple[float, float, float, float], width: float = MAP_WIDTH, padding: float = MAP_PADDING):
    """Equirectangular, x scaled by the cosine of the middle latitude (a degree of longitude is
    that much shorter than one of latitude), y downwards: a function of (lon, lat), and the
    height for `width`."""
    west, south, east, north = bounds
    shrink = math.cos(math.radians((south + north) / 2))
    scale = (width - 2 * padding) / max((east - west) * shrink, 1e-9)

    def project(lon: float, lat: float) -> Point:
        return padding + (lon - west) * shrink * scale, padding + (north - lat) * scale

    return project, round((north - south) * scale + 2 * padding)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: the points of the line that stray more than `tolerance` from the
    simplified line (the ends are always kept; a closed ring stays closed)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _distance(p: Point, a: Point, b: Point) -> float:
    """From p to the segment ab (to a, when a and b coincide: the ends of a closed ring)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _polygons(geometry: dict) -> list:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def _area_and_centroid(ring: Sequence[Point]) -> tuple[float, Point]:
    """Shoelace: the ring's (absolute) area and centroid."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area == 0:
        return 0.0, ring[0]
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _inside(point: Point, ring: Sequence[Point]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _label_point(ring: Sequence[Point]) -> Point:
    """The centroid of the district's largest ring; for a ring that curls around it, the
    middle of the widest stretch inside the ring on the centroid's horizontal line."""
    _area, centre = _area_and_centroid(ring)
    if _inside(centre, ring):
        return centre
    y = centre[1]
    crossings = sorted(
        x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True)
        if (y1 > y) != (y2 > y)
    )
    spans = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not spans:
        return centre
    left, right = max(spans, key=lambda s: s[1] - s[0])
    return (left + right) / 2, y


def _path(rings: list[list[Point]]) -> str:
    """SVG path data in whole units: "Mx y x y … Z" per ring (after M, pairs are line-tos)."""
    return "".join("M" + " ".join(f"{x:.0f} {y:.0f}" for x, y in ring[:-1]) + "Z" for ring in rings)


@lru_cache(maxsize=8)
def district_outlines(authority_slug: str) -> Outlines | None:
    """The districts of the authority's committed GeoJSON, projected to a MAP_WIDTH-wide SVG
    and simplified (a few KB in all), by district code; None without a GeoJSON."""
    places = places_of(authority_slug)
    if places is None:
        return None
    features = [f for f in places.collection["features"] if f["properties"]["kind"] == "distretto"]
    if not features:
        return None
    lons = [x for f in features for polygon in _polygons(f["geometry"]) for ring in polygon for x, _y in ring]
    lats = [y for f in features for polygon in _polygons(f["geometry"]) for ring in polygon for _x, y in ring]
    project, height = projection((min(lons), min(lats), max(lons), max(lats)))
    by_code = {}
    for feature in features:
        rings = []
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                simple = simplify([project(lon, lat) for lon, lat in ring], SIMPLIFY)
                if len(simple) >= 4:  # a closed triangle at least: smaller islands vanish at this scale
                    rings.append(simple)
        if rings:
            largest = max(rings, key=lambda r: _area_and_centroid(r)[0])
            x, y = _label_point(largest)
            by_code[feature["properties"]["code"]] = Outline(_path(rings), (round(x, 1), round(y, 1)))
    return Outlines(MAP_WIDTH, height, by_code, places.attribution)


def shade_steps(largest: int, classes: int = SHADED_CLASSES) -> list[ShadeStep]:
    """Equal steps from 1 to `largest` (a step per value while they are few): 0 resources has
    the lightest shade of its own, the last step ends at `largest`."""
    steps = [ShadeStep(0, 0, 0)]
    if largest <= 0:
        return steps
    width = math.ceil(largest / classes)
    for n in range(1, classes + 1):
        low, high = (n - 1) * width + 1, min(n * width, largest)
        if low > largest:
            break
        steps.append(ShadeStep(n, low, high))
    return steps


def shade_of(resources: int, steps: list[ShadeStep]) -> int:
    return next(step.shade for step in steps if step.low <= resources <= step.high)


def _capacities(cells: list[Cell]) -> list[Capacity]:
    """The district's declared capacity per unit over its axes (units compared without case,
    named as the first axis has it), by unit."""
    merged: dict[str, Capacity] = {}
    for cell in cells:
        for c in cell.capacities:
            key = c.unit.casefold()
            before = merged.get(key)
            merged[key] = c if before is None else Capacity(before.unit, before.total + c.total,
                                                            before.resources + c.resources)
    return sorted(merged.values(), key=lambda c: c.unit.casefold())


def district_map(result: Coverage) -> DistrictMap:
    """Published resources per district (from the coverage's cells), shaded, at the outlines."""
    outlines = district_outlines(result.procedure.authority.slug)
    counts = {d.id: sum(result.cell(d, a).resources for a in result.axes) for d in result.districts}
    steps = shade_steps(max(counts.values(), default=0))
    areas = [
        DistrictArea(
            district=d, resources=counts[d.id],
            capacities=_capacities([result.cell(d, a) for a in result.axes]),
            shade=shade_of(counts[d.id], steps),
            outline=outlines.by_code.get(d.code) if outlines is not None else None,
        )
        for d in result.districts
    ]
    if outlines is None:
        return DistrictMap(MAP_WIDTH, 0, areas, steps, "")
    return DistrictMap(outlines.width, outlines.height, areas, steps, outlines.attribution)


# The network ------------------------------------------------------------------------------------

SUMMARY_MAX_NODES = 150  # fewer than the network page's: the restitution shows it small
TOP_ACTORS = 5


@dataclass(frozen=True)
class CentralActor:
    label: str  # the public name, as stored at build time (actors.services.public_name)
    kind: str
    community: int | None
    degree: int
    resources: int
    roles: list[str]


@dataclass(frozen=True)
class NetworkSummary:
    snapshot: NetworkSnapshot | None
    drawing: net.Drawing | None  # None: never computed
    central: list[CentralActor]
    communities: list[tuple[str, str, int]]  # (css class, label, drawn actors)

    @property
    def stats(self) -> dict:
        return (self.snapshot.stats or {}) if self.snapshot is not None else {}

    community_class = staticmethod(net.community_class)  # the network page's colours

    @staticmethod
    def type_label(stored: str) -> str:
        """A resource type's stored (Italian) label in the reader's language, as the network
        page shows it (a plain call: the template's `_` would %-format the label)."""
        return _(stored)


def _kind_label(value: str) -> str:
    try:
        return str(ActorKind(value).label)
    except ValueError:
        return value


def _community_legend(actors: list[dict]) -> list[tuple[str, str, int]]:
    """The colours the drawing uses, in the network page's order and words."""
    counts: dict[str, int] = {}
    for actor in actors:
        key = net.community_class(actor["community"])
        counts[key] = counts.get(key, 0) + 1
    entries = [(f"net-c{n}", _("Comunità %(number)d", number=n), counts[f"net-c{n}"])
               for n in range(1, net.COLOURED_COMMUNITIES + 1) if f"net-c{n}" in counts]
    if "net-c-other" in counts:
        entries.append(("net-c-other", _("Altre comunità"), counts["net-c-other"]))
    if "net-c-none" in counts:
        entries.append(("net-c-none", _("Senza collaborazioni"), counts["net-c-none"]))
    return entries


def network_summary(notice: Notice) -> NetworkSummary:
    """The stored network, drawn small at its stored positions, and its most central actors.
    A stale snapshot is served and handed to the background worker (never waited for)."""
    procedure = notice.procedure
    snapshot = network.snapshot_of(procedure)
    if snapshot is not None and snapshot.stale:
        network.schedule([procedure.id])
    graph = snapshot.graph if snapshot is not None and snapshot.built_at is not None else None
    if not graph:
        return NetworkSummary(snapshot, None, [], [])
    nodes, links = graph["nodes"], graph["links"]
    drawn = net.drawing(nodes, links, max_nodes=SUMMARY_MAX_NODES, labels=0)
    ranked = sorted((n for n in nodes if n["kind"] == "actor"), key=net.actor_rank)[:TOP_ACTORS]
    central = [CentralActor(n["label"], _kind_label(n["actor_kind"]), n["community"], n["degree"],
                            n["resources"], list(n["roles"])) for n in ranked]
    return NetworkSummary(snapshot, drawn, central, _community_legend(drawn.actors))


# The coverage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    kind: str  # coverage.NO_RESOURCE or LOW_RATIO
    icon: str
    sentence: str


@dataclass(frozen=True)
class CoverageSummary:
    result: Coverage
    gaps: list[Gap]

    NO_RESOURCE: ClassVar[str] = NO_RESOURCE
    LOW_RATIO: ClassVar[str] = LOW_RATIO
    LOWEST: ClassVar[int] = LOWEST
    ICONS: ClassVar[dict[str, str]] = GAP_ICONS

    @staticmethod
    def ratio(cell: Cell) -> str:
        return decimal(cell.ratio)

    @staticmethod
    def number(value: int) -> str:
        return format_decimal(value)


def coverage_summary(result: Coverage) -> CoverageSummary:
    """The matrix as the coverage page computes it, its gaps in the page's words."""
    return CoverageSummary(result, [Gap(c.gap, GAP_ICONS[c.gap], gap_sentence(c)) for c in result.gaps])


# All three ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingSummary:
    map: DistrictMap
    network: NetworkSummary
    coverage: CoverageSummary


def mapping_summary(notice: Notice) -> MappingSummary:
    result = coverage(notice.procedure)  # latest year of the demand: one computation for map and matrix
    return MappingSummary(district_map(result), network_summary(notice), coverage_summary(result))
