"""Load test of the participation figures over 300 sessions x 100 attendees (issue 4).

The demo procedure gets 300 more sessions, each with 100 registrations all checked in (30,000
people, bulk-inserted: the figures are what is measured, not the registration). Then, as in
bench/run.py (same gunicorn, same client, rounds interleaved with the bare Flask app, medians):

- the public figures page as anonymous visitors get it (served from the page cache, which any
  change to the data invalidates);
- the same page rendered at every request (COPROG_PAGE_CACHE=0): what staff, who always see
  fresh data, and the first visitor after a change pay;
- /dati/<slug>/partecipazione.json, cached and not.

Goal: the figures page >= 30 % of the bare Flask app's req/s.

    make bench-tables
    python bench/tables_figures.py --rounds 3 --seconds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import run  # bench/run.py: servers, clients, medians

SESSIONS = 300
ATTENDEES = 100
SLUG = "bds-bologna-2025"
PAGE = f"/avvisi/{SLUG}/tavoli/partecipazione"
DATA = f"/dati/{SLUG}/partecipazione.json"
TARGETS = {
    "hello (Flask nudo)": ("baseline", "/"),
    "partecipazione": ("coprog", PAGE),
    "partecipazione, senza cache": ("uncached", PAGE),
    "partecipazione.json": ("coprog", DATA),
    "partecipazione.json, senza cache": ("uncached", DATA),
}


def add_sessions(env: dict, sessions: int, attendees: int) -> None:
    """300 sessions of the demo procedure's groups, each with its registrations checked in."""
    os.environ.update(env)
    from sqlalchemy import insert, select

    from coprog import create_app
    from coprog.core.time import naive_utc, utcnow
    from coprog.extensions import db
    from coprog.notices.models import Procedure
    from coprog.tables.models import Attendance, Registration, RegistrationState
    from coprog.tables.services import planning

    app = create_app()
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.slug == SLUG))
        groups = planning.groups_of(procedure)
        categories = planning.categories_of(procedure)
        start = naive_utc(utcnow()) - timedelta(days=400)
        for n in range(sessions):
            group = groups[n % len(groups)]
            starts = start + timedelta(days=n)
            session = planning.save_session(procedure, None, {
                "axis_id": group.axis_id, "group_ids": [group.id], "starts_at": starts,
                "ends_at": starts + timedelta(hours=3), "place": f"Sala {n}",
            }, by=None)
            rows = [{
                "session_id": session.id, "group_id": group.id, "category_id": categories[i % 3].id,
                "full_name": f"Persona {n}-{i}", "email": f"p{n}-{i}@bench.invalid", "affiliation": "Bench",
                "person_key": f"p{n}-{i}@bench.invalid", "search_text": f"persona {n}-{i} bench",
                "state": RegistrationState.CONFIRMED.value, "is_walk_in": False, "created_at": starts,
            } for i in range(attendees)]
            db.session.execute(insert(Registration.__table__), rows)
            ids = db.session.scalars(select(Registration.id).where(Registration.session_id == session.id))
            db.session.execute(insert(Attendance.__table__), [
                {"registration_id": rid, "session_id": session.id, "checked_in_at": starts} for rid in ids
            ])
        db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    args = parser.parse_args()
    load = run.load_wrk if shutil.which("wrk") else run.load_python
    print(f"client: {'wrk' if load is run.load_wrk else 'Python (wrk not installed)'}; "
          f"{args.connections} connections, {args.rounds} rounds x {args.seconds} s, gunicorn 2 workers; "
          f"{args.sessions} sessions x {ATTENDEES} attendees")
    with tempfile.TemporaryDirectory() as tmp:
        env = run.prepare_coprog(Path(tmp))
        add_sessions(env, args.sessions, ATTENDEES)
        ports = {"baseline": run.free_port(), "coprog": run.free_port(), "uncached": run.free_port()}
        servers = [
            run.gunicorn("hello:app", ports["baseline"], dict(os.environ), run.ROOT / "bench"),
            run.gunicorn("coprog:create_app()", ports["coprog"], env, run.ROOT),
            run.gunicorn("coprog:create_app()", ports["uncached"], {**env, "COPROG_PAGE_CACHE": "0"}, run.ROOT),
        ]
        try:
            run.wait_for(ports["baseline"])
            run.wait_for(ports["coprog"], PAGE)
            run.wait_for(ports["uncached"], PAGE)
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
    share = medians["partecipazione"].rps / medians["hello (Flask nudo)"].rps
    print(f"pagina della partecipazione / Flask nudo: {share:.0%} (obiettivo >= 30 %)")
    return 0 if share >= 0.30 else 1


if __name__ == "__main__":
    sys.exit(main())
