"""The network of issue 5: its metrics at 10,000 actors and 50,000 links, and its page.

1. Metrics, outside any request: `coprog.mapping.graph.build_network` (graph, Louvain,
   betweenness, roles, layout, node-link data) on a generated network with the structure of
   real ones: actors in local scenes (district x axis) of uneven size, activity heavy-tailed
   (a few actors offer much, most offer one thing), 85 % of the collaborations inside the
   scene. Every actor offers at least one resource; contributions are added until the graph
   has 50,000 links (offers + distinct collaborations). Median of 3 builds. Goal: <= 30 s.
2. The page, as bench/run.py does (gunicorn, same client, rounds interleaved with the bare
   Flask app, medians), on the demo data with its network built by `coprog network rebuild`:
   /avvisi/<slug>/rete as anonymous visitors get it (page cache), the same rendered at every
   request (COPROG_PAGE_CACHE=0: what staff and the first visitor after a change pay), and
   /dati/<slug>/rete.json. Goal: the page >= 30 % of the bare Flask app's req/s.
   With --grande the demo procedure's snapshot is replaced by the generated 10,000-actor
   network first: the page then serves that (its drawing capped, its table paginated).

    make bench-network
    python bench/mapping_network.py --rounds 3 --seconds 3
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run  # bench/run.py: servers, clients, medians

sys.path.insert(0, str(run.ROOT))

from coprog.mapping.graph import ActorRecord, ResourceRecord, build_network  # noqa: E402

ACTORS = 10_000
LINKS = 50_000
SCENES = 42  # 7 districts x 3 axes, each split in two
AXES = ("abitare", "socialita", "lavoro")
SLUG = "bds-bologna-2025"
PAGE = f"/avvisi/{SLUG}/rete"
DATA = f"/dati/{SLUG}/rete.json"
TARGETS = {
    "hello (Flask nudo)": ("baseline", "/"),
    "rete": ("coprog", PAGE),
    "rete, senza cache": ("uncached", PAGE),
    "rete, per nome p. 2, senza cache": ("uncached", PAGE + "?ordina=nome&pagina=2"),
    "rete.json": ("coprog", DATA),
    "rete.json, senza cache": ("uncached", DATA),
}


def generate(actors: int = ACTORS, links: int = LINKS, seed: int = 7):
    """Plain records for build_network: (actors by id, resources)."""
    rng = random.Random(seed)
    sizes = [rng.lognormvariate(0, 0.6) for _ in range(SCENES)]
    scene_of = _spread(sizes, actors)
    members: dict[int, list[int]] = {}
    activity = [rng.paretovariate(1.6) for _ in range(actors)]
    for actor, scene in enumerate(scene_of):
        members.setdefault(scene, []).append(actor)
    cumulative = {s: list(itertools.accumulate(activity[a] for a in m)) for s, m in members.items()}
    everyone = list(itertools.accumulate(activity))

    def partner(actor: int) -> int:
        scene = scene_of[actor] if rng.random() < 0.85 else rng.choice(list(members))
        return rng.choices(members[scene], cum_weights=cumulative[scene])[0]

    records = {a: ActorRecord(a, f"Soggetto {a}", "ets") for a in range(actors)}
    resources, pairs = [], set()
    for rid in itertools.count():
        if len(resources) + len(pairs) >= links:
            break
        actor = rid if rid < actors else rng.choices(range(actors), cum_weights=everyone)[0]
        wanted = 0 if rng.random() < 0.3 else rng.randint(1, 3)
        partners = {p for p in (partner(actor) for _ in range(wanted)) if p != actor}
        new = {tuple(sorted((actor, p))) for p in partners} - pairs
        if len(resources) + 1 + len(pairs) + len(new) > links:
            partners, new = set(), set()
        pairs |= new
        resources.append(ResourceRecord(rid, actor, AXES[scene_of[actor] % 3], f"Risorsa {rid}",
                                        tuple(sorted(partners)), {"resource_type": "Spazi", "type_id": 1,
                                                                  "offer_mode": "rete", "district": "", "comune": ""}))
    return records, resources


def _spread(weights: list[float], count: int) -> list[int]:
    """`count` scene numbers, each scene taking a share of them as large as its weight."""
    total = sum(weights)
    bounds = list(itertools.accumulate(w / total * count for w in weights))
    scene, out = 0, []
    for i in range(count):
        while scene < len(bounds) - 1 and i >= bounds[scene]:
            scene += 1
        out.append(scene)
    return out


def time_metrics(repeats: int) -> tuple[list[float], list[float], dict]:
    """Wall-clock and CPU seconds of each build (CPU shows what a busy machine hides)."""
    actors, resources = generate()
    times, cpu, network = [], [], None
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        network = build_network(actors, resources)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu, network


def prepare(env: dict, big: dict | None) -> None:
    subprocess.run([str(run.BIN / "coprog"), "network", "rebuild", "--all"], env=env, cwd=run.ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    if big is None:
        return
    os.environ.update(env)
    from sqlalchemy import select, update

    from coprog import create_app
    from coprog.core.cache import public_content_changed
    from coprog.extensions import db
    from coprog.mapping.models import NetworkSnapshot
    from coprog.notices.models import Procedure

    with create_app().app_context():
        procedure_id = db.session.scalar(select(Procedure.id).where(Procedure.slug == SLUG))
        db.session.execute(update(NetworkSnapshot).where(NetworkSnapshot.procedure_id == procedure_id).values(
            graph={"nodes": big["nodes"], "links": big["links"]}, stats=big["stats"], stale=False))
        public_content_changed()
        db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--grande", action="store_true", help="serve the generated 10,000-actor network")
    args = parser.parse_args()

    times, cpu, network = time_metrics(args.builds)
    stats = network["stats"]
    build = statistics.median(times)
    print(f"metriche: {stats['actors']} soggetti, {stats['resources']} risorse, {stats['links']} collegamenti "
          f"({stats['collaborations']} collaborazioni), {stats['communities']} comunità, modularità "
          f"{stats['modularity']}, betweenness su {stats['betweenness_samples']} sorgenti")
    print(f"costruzione: mediana {build:.1f} s su {len(times)} ({', '.join(f'{t:.1f}' for t in times)}); "
          f"CPU mediana {statistics.median(cpu):.1f} s; carico della macchina {os.getloadavg()[0]:.1f}; obiettivo <= 30 s",
          flush=True)

    load = run.load_wrk if shutil.which("wrk") else run.load_python
    print(f"client: {'wrk' if load is run.load_wrk else 'Python (wrk not installed)'}; "
          f"{args.connections} connections, {args.rounds} rounds x {args.seconds} s, gunicorn 2 workers"
          f"{'; rete generata da 10.000 soggetti' if args.grande else '; dati dimostrativi'}")
    with tempfile.TemporaryDirectory() as tmp:
        env = run.prepare_coprog(Path(tmp))
        env["COPROG_NETWORK_BACKGROUND"] = "0"  # the bench measures serving, not rebuilding
        prepare(env, network if args.grande else None)
        ports = {"baseline": run.free_port(), "coprog": run.free_port(), "uncached": run.free_port()}
        servers = [
            run.gunicorn("hello:app", ports["baseline"], dict(os.environ), run.ROOT / "bench"),
            run.gunicorn("coprog:create_app()", ports["coprog"], env, run.ROOT),
            run.gunicorn("coprog:create_app()", ports["uncached"], {**env, "COPROG_PAGE_CACHE": "0"}, run.ROOT),
        ]
        try:
            # a loaded machine takes long to boot six workers: wait longer than run.py does
            run.wait_for(ports["baseline"], timeout=120)
            run.wait_for(ports["coprog"], PAGE, timeout=120)
            run.wait_for(ports["uncached"], PAGE, timeout=120)
            results: dict[str, list] = {name: [] for name in TARGETS}
            for _ in range(args.rounds):
                for name, (server, path) in TARGETS.items():
                    results[name].append(load(ports[server], path, args.seconds, args.connections))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    medians = {name: run.median_result(rs) for name, rs in results.items()}
    run.report(medians)
    share = medians["rete"].rps / medians["hello (Flask nudo)"].rps
    print(f"pagina della rete / Flask nudo: {share:.0%} (obiettivo >= 30 %)")
    return 0 if share >= 0.30 and build <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
