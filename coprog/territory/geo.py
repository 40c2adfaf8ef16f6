"""The territory's places: comune boundaries and representative points, district boundaries.

They come from the GeoJSON beside the authority's preset (presets/<slug>.geojson, written by
presets/build_geojson.py from the ISTAT 2023 boundaries, CC BY 4.0), read once per process.
Nothing here calls another host: an address is placed at its comune's point (precise
geocoding, when configured, is the mapping's job).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from .services import PRESETS_DIR


@dataclass(frozen=True)
class Places:
    """The parsed file: points by ISTAT code, the features as they are, and the attribution."""

    points: dict[str, tuple[float, float]]  # istat: (longitude, latitude)
    collection: dict
    attribution: str

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of every boundary."""
        xs, ys = [], []
        for feature in self.collection["features"]:
            for x, y in _coordinates(feature["geometry"]):
                xs.append(x)
                ys.append(y)
        return min(xs), min(ys), max(xs), max(ys)

    def contains(self, longitude: float, latitude: float) -> bool:
        """Whether the point is inside one of the district boundaries (ray casting)."""
        return any(
            _in_geometry(longitude, latitude, f["geometry"])
            for f in self.collection["features"]
            if f["properties"]["kind"] == "distretto"
        )


def _coordinates(geometry: dict):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def _in_ring(x: float, y: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _in_geometry(x: float, y: float, geometry: dict) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return any(_in_ring(x, y, polygon[0]) and not any(_in_ring(x, y, hole) for hole in polygon[1:])
               for polygon in polygons)


@lru_cache(maxsize=8)
def places_of(authority_slug: str) -> Places | None:
    """The places of an authority, or None when its preset has no GeoJSON."""
    path = PRESETS_DIR / f"{authority_slug}.geojson"
    if not path.exists():
        return None
    collection = json.loads(path.read_text(encoding="utf-8"))
    points = {
        f["properties"]["istat"]: tuple(f["properties"]["point"])
        for f in collection["features"]
        if f["properties"]["kind"] == "comune"
    }
    return Places(points=points, collection=collection, attribution=collection.get("attribution", ""))


def comune_point(authority_slug: str, istat: str) -> tuple[float, float] | None:
    """(longitude, latitude) of the comune's representative point."""
    places = places_of(authority_slug)
    return places.points.get(istat) if places else None
