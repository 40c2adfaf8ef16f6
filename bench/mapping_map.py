"""Bench of the resource map (issue 5): the page must not grow with the resources, their GeoJSON
must stay compact.

The demo procedure gets published resources bulk-inserted (not through the use-cases: the map is
what is measured), up to 100 in one copy of the demo database and up to 100,000 in another, by
5,000 actors, in every district, comune, axis, type and way of offering, each at its own point
(a precise address near its comune's point: the worst case for compression; resources placed at
the comune's point repeat their coordinates and compress better). Each size has its own
gunicorn as in bench/run.py, measured in interleaved rounds so that machine noise hits both alike:

- the map page rendered at every request (COPROG_PAGE_CACHE=0, as staff always get it and the
  first visitor after a change): its HTML size and its server time (p50 and p95 of sequential
  requests on one connection, medians over the rounds);
- the map's GeoJSON (/avvisi/<slug>/mappa/risorse.geojson): bytes per resource, raw and
  gzipped (level 6, what a reverse proxy sends), and its server time.

Goals: the page's time and size at 100,000 resources <= 2 x at 100 (the page embeds no
resource); the GeoJSON <= 40 bytes per resource gzipped.

    make bench-map
    python bench/mapping_map.py --rounds 3 --seconds 2
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import run  # bench/run.py: servers, clients, medians

SLUG = "bds-bologna-2025"
PAGE = f"/avvisi/{SLUG}/mappa"
DATA = f"/avvisi/{SLUG}/mappa/risorse.geojson"
SIZES = (100, 100_000)
ACTORS = 5_000
JITTER = 0.02  # degrees around the comune's point
BATCH = 10_000


def fill_up_to(env: dict, target: int, seed: int = 5) -> int:
    """Insert published resources into the demo procedure until it has `target`; returns how
    many it has."""
    os.environ.update(env)
    from sqlalchemy import func, insert, select

    from coprog import create_app
    from coprog.actors.models import Actor, ActorKind
    from coprog.core.time import naive_utc, utcnow
    from coprog.extensions import db
    from coprog.mapping.models import (
        Contribution,
        ContributionSource,
        ContributionState,
        OfferMode,
        Placement,
        ResourceType,
    )
    from coprog.notices.models import Procedure
    from coprog.territory.geo import comune_point

    app = create_app()
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.slug == SLUG))
        published = select(func.count(Contribution.id)).where(
            Contribution.procedure_id == procedure.id, Contribution.state == ContributionState.APPROVED
        )
        missing = target - db.session.scalar(published)
        if missing <= 0:
            return db.session.scalar(published)
        authority = procedure.authority
        actors = _bench_actors(db, procedure, Actor, ActorKind, select, insert)
        axes = [axis.id for axis in authority.axes]
        kinds = list(db.session.scalars(select(ResourceType.id).where(ResourceType.authority_id == authority.id)))
        comuni = [(c.id, d.id, comune_point(authority.slug, c.istat_code)) for d in authority.districts for c in d.comuni]
        rng = random.Random(seed + target)
        now = naive_utc(utcnow())
        rows = []
        for n in range(missing):
            comune_id, district_id, (longitude, latitude) = rng.choice(comuni)
            rows.append({
                "procedure_id": procedure.id, "actor_id": rng.choice(actors), "axis_id": rng.choice(axes),
                "resource_type_id": rng.choice(kinds), "description": f"Risorsa di prova {n}",
                "offer_mode": rng.choice(list(OfferMode)), "district_id": district_id, "comune_id": comune_id,
                "address": "", "longitude": longitude + rng.uniform(-JITTER, JITTER),
                "latitude": latitude + rng.uniform(-JITTER, JITTER), "placement": Placement.ADDRESS,
                "capacity": rng.choice((None, rng.randint(1, 40))), "capacity_note": "",
                "state": ContributionState.APPROVED, "source": ContributionSource.ONLINE,
                "created_at": now, "updated_at": now,
            })
            if len(rows) == BATCH:
                db.session.execute(insert(Contribution.__table__), rows)
                rows = []
        if rows:
            db.session.execute(insert(Contribution.__table__), rows)
        db.session.commit()
        return db.session.scalar(published)


def _bench_actors(db, procedure, Actor, ActorKind, select, insert) -> list[int]:  # noqa: N803 (classes)
    """ACTORS subjects named by text in the procedure, created once."""
    query = select(Actor.id).where(Actor.procedure_id == procedure.id, Actor.name.like("Ente di prova %"))
    found = list(db.session.scalars(query))
    if not found:
        db.session.execute(insert(Actor.__table__), [
            {"kind": ActorKind.OTHER, "name": f"Ente di prova {n}", "procedure_id": procedure.id}
            for n in range(ACTORS)
        ])
        found = list(db.session.scalars(query))
    return found


def fetch(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, f"{path}: {response.status}"
    return body


def timed(port: int, path: str, seconds: int, at_least: int = 3) -> list[float]:
    """Milliseconds of sequential requests for `seconds` (at least `at_least` of them): the
    GeoJSON of 100,000 resources takes longer than run.load_python's timeout on a busy machine."""
    times: list[float] = []
    stop = time.monotonic() + seconds
    while len(times) < at_least or time.monotonic() < stop:
        started = time.perf_counter()
        fetch(port, path)
        times.append((time.perf_counter() - started) * 1000)
    return times


def sizes_and_data(port: int, size: int, seconds: int) -> dict:
    """The page's HTML size; the GeoJSON's size raw and gzipped, and its time."""
    page = fetch(port, PAGE)
    data = fetch(port, DATA)
    features = data.count(b'"type":"Feature"')
    assert features == size, f"{features} features, expected {size}"
    return {
        "size": size,
        "html_bytes": len(page),
        "data_bytes": len(data),
        "data_gzip": len(gzip.compress(data, compresslevel=6)),
        "data_p50": statistics.median(timed(port, DATA, seconds)),
        "page": [],
    }


def report(rows: list[dict]) -> bool:
    print(f"{'risorse':>9} {'HTML pagina':>12} {'pagina p50':>11} {'p95':>8} "
          f"{'GeoJSON':>12} {'gzip':>10} {'B/risorsa gzip':>15} {'GeoJSON p50':>12}")
    for r in rows:
        page = run.median_result(r["page"])
        r["page_p50"] = page.p50_ms
        print(f"{r['size']:>9,} {r['html_bytes']:>10,} B {page.p50_ms:>8.1f} ms {page.p95_ms:>5.1f} ms "
              f"{r['data_bytes']:>10,} B {r['data_gzip']:>8,} B {r['data_gzip'] / r['size']:>15.1f} "
              f"{r['data_p50']:>9.1f} ms")
    small, large = rows[0], rows[-1]
    time_ratio = large["page_p50"] / small["page_p50"]
    size_ratio = large["html_bytes"] / small["html_bytes"]
    per_resource = large["data_gzip"] / large["size"]
    print(f"pagina della mappa, {large['size']:,} / {small['size']:,} risorse: tempo x{time_ratio:.2f}, "
          f"HTML x{size_ratio:.2f} (obiettivo <= 2)")
    print(f"GeoJSON della mappa: {per_resource:.1f} byte per risorsa compresso (obiettivo <= 40)")
    return time_ratio <= 2 and size_ratio <= 2 and per_resource <= 40


def databases(folder: Path) -> list[dict]:
    """The demo once, filled to each size in a copy of its database: one environment per size."""
    first = folder / str(SIZES[0])
    first.mkdir()
    base = run.prepare_coprog(first)
    envs = []
    for size in SIZES:
        here = folder / str(size)
        if here != first:
            here.mkdir()
            shutil.copy(first / "bench.db", here / "bench.db")
        env = {**base, "COPROG_INSTANCE_PATH": str(here), "COPROG_DATABASE_URL": f"sqlite:///{here / 'bench.db'}",
               "COPROG_PAGE_CACHE": "0"}
        assert fill_up_to(env, size) == size
        envs.append(env)
    return envs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    args = parser.parse_args()
    print(f"gunicorn 2 workers per size, pages rendered at every request (COPROG_PAGE_CACHE=0); "
          f"{args.rounds} rounds x {args.seconds} s of sequential requests, sizes interleaved; {ACTORS:,} actors")
    with tempfile.TemporaryDirectory() as tmp:
        envs = databases(Path(tmp))
        ports = [run.free_port() for _ in SIZES]
        servers = [run.gunicorn("coprog:create_app()", port, env, run.ROOT) for port, env in zip(ports, envs, strict=True)]
        try:
            for port in ports:
                run.wait_for(port, PAGE)
            rows = [sizes_and_data(port, size, args.seconds) for port, size in zip(ports, SIZES, strict=True)]
            for _ in range(args.rounds):
                for port, row in zip(ports, rows, strict=True):
                    row["page"].append(run.load_python(port, PAGE, args.seconds, 1))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    return 0 if report(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
