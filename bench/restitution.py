"""Bench of the public restitution page at national scale: 100 procedures, 2,000 table sessions,
100,000 contributions.

1. A generator fills a fresh database (schema and territory preset, no demo) with bulk inserts
   (Core executemany; primary keys assigned here, so nothing is read back): 100 co-programming
   procedures, each with its notice (published, then closed at its deadline, as after the
   tables) and milestones, its table categories and groups; 2,000 sessions in all (10 to 30
   per procedure), each with about 20 registrations by category (a few waitlisted, cancelled
   or walk-ins), most of them checked in, and a published verbale; 100,000 contributions in all
   (85 % published; by the procedure's actors, a few of whom offer much; on an axis, of a
   resource type, in a comune at its own point; a fifth of them from a table); for each
   procedure a published synthesis of 31 items (per axis 3 actor categories, 4 directions,
   2 interventions; 3 cross-cutting directions, 1 perspective), each linked to 1-4 sessions and
   2-8 published contributions of its axis. Procedures differ in size (log-normal), the totals
   are exact. Prints how long it took.
2. One render of the page of the procedure of median size, in this process and uncached: its
   time and its SQL statements (median of several renders).
3. As bench/run.py does (gunicorn, same client, rounds interleaved with the bare Flask app,
   medians): that page, /avvisi/<slug>/restituzione, as anonymous visitors get it (page cache)
   and rendered at every request (COPROG_PAGE_CACHE=0: what staff and the first visitor after
   a change pay).

Goals: the cached page >= 30 % of the bare Flask app's req/s and its p95 <= 3 x the bare app's.

    make bench-restitution
    python bench/restitution.py --rounds 3 --seconds 3
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import run  # bench/run.py: servers, clients, medians

sys.path.insert(0, str(run.ROOT))

from sqlalchemy import event, func, insert, select  # noqa: E402

from coprog import create_app  # noqa: E402
from coprog.actors.models import Actor, ActorKind  # noqa: E402
from coprog.extensions import db  # noqa: E402
from coprog.mapping.models import (  # noqa: E402
    Contribution,
    ContributionSource,
    ContributionState,
    OfferMode,
    Placement,
)
from coprog.mapping.services.contributions import resource_types_of  # noqa: E402
from coprog.notices.models import (  # noqa: E402
    Milestone,
    MilestoneKind,
    Notice,
    NoticeState,
    Procedure,
    ProcedureKind,
    notice_axes,
    notice_districts,
)
from coprog.restitution.models import (  # noqa: E402
    ItemKind,
    Synthesis,
    SynthesisItem,
    SynthesisSource,
    SynthesisState,
)
from coprog.tables.models import (  # noqa: E402
    DEFAULT_CATEGORIES,
    Attendance,
    Minutes,
    MinutesState,
    Registration,
    RegistrationState,
    Shift,
    TableCategory,
    TableGroup,
    TableSession,
    table_group_districts,
    table_session_groups,
)
from coprog.territory.geo import comune_point  # noqa: E402
from coprog.territory.services import BOLOGNA_PRESET, default_authority, load_preset  # noqa: E402

PROCEDURES = 100
SESSIONS = 2_000
CONTRIBUTIONS = 100_000
PEOPLE = (12, 28)  # registrations per session: about 20
CATEGORY_WEIGHTS = (15, 25, 45, 10, 5)  # in DEFAULT_CATEGORIES' order: AUSL, social services, ETS, …
ITEMS = ((ItemKind.ACTORS, 3), (ItemKind.DIRECTION, 4), (ItemKind.INTERVENTION, 2))  # per axis
WHOLE = ((ItemKind.CROSS_CUTTING, 3), (ItemKind.PERSPECTIVE, 1))
START = datetime(2024, 1, 8, 9, 0)  # the first notice's publication (naive UTC, as stored)
JITTER = 0.02  # degrees around the comune's point
BATCH = 20_000


def spread(rng: random.Random, total: int, parts: int, sigma: float, low: int) -> list[int]:
    """`parts` sizes of log-normal weights, each at least `low`, summing to exactly `total`."""
    weights = [rng.lognormvariate(0, sigma) for _ in range(parts)]
    scale = (total - low * parts) / sum(weights)
    sizes = [low + int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


class Generator:
    """Rows of every table, kept in memory with their ids, then written in bulk in the order
    they first appeared (parents first: SQLite checks the foreign keys)."""

    def __init__(self, authority, seed: int):
        self.rng = random.Random(seed)
        self.rows: dict = defaultdict(list)
        self.next_id: dict = {}
        self.authority_id = authority.id
        self.axes = [a.id for a in authority.axes]
        self.districts = [d.id for d in authority.districts]
        self.comuni = [(c.id, d.id, comune_point(authority.slug, c.istat_code) or (11.34, 44.49))
                       for d in authority.districts for c in d.comuni]
        self.types = [t.id for t in resource_types_of(authority)]

    def add(self, table, **row) -> int | None:
        if "id" in table.c:
            if table not in self.next_id:
                self.next_id[table] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.rows[table].append(row)
        return row.get("id")

    def write(self) -> dict[str, int]:
        """executemany per table and batch (every row of a table has the same keys)."""
        for table, rows in self.rows.items():
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(table), rows[start:start + BATCH])
        return {table.name: len(rows) for table, rows in self.rows.items()}

    def procedure(self, n: int, sessions: int, contributions: int) -> None:
        rng = self.rng
        published = START + timedelta(days=3 * n)
        deadline = published + timedelta(days=30)
        procedure = self.add(Procedure.__table__, slug=f"coprogrammazione-{n + 1:03d}", kind=ProcedureKind.CO_PROGRAMMING,
                             authority_id=self.authority_id, created_at=published - timedelta(days=10))
        notice = self.add(Notice.__table__, procedure_id=procedure, state=NoticeState.CLOSED,
                          title=f"Avviso di co-programmazione n. {n + 1}: Budget di Salute",
                          summary="Avviso pubblico di co-programmazione. " * 5, rup_name=f"Responsabile {n + 1}",
                          contact_email=f"rup{n + 1}@bench.invalid", deadline_at=deadline, published_at=published,
                          closed_at=deadline, updated_at=deadline)
        for axis in self.axes:
            self.add(notice_axes, notice_id=notice, axis_id=axis)
        for district in self.districts:
            self.add(notice_districts, notice_id=notice, district_id=district)
        tables_from = deadline + timedelta(days=14)
        restitution = tables_from + timedelta(days=150)
        for kind, at, internal in ((MilestoneKind.PRESENTATION, published + timedelta(days=7), False),
                                   (MilestoneKind.ADMITTED, deadline + timedelta(days=7), False),
                                   (MilestoneKind.TABLE, tables_from, False),
                                   (MilestoneKind.OTHER, tables_from + timedelta(days=60), True),
                                   (MilestoneKind.RESTITUTION, restitution, False)):
            self.add(Milestone.__table__, notice_id=notice, kind=kind, title=str(kind.label), starts_at=at,
                     ends_at=at + timedelta(hours=3), all_day=False, place="Sala del consiglio", internal=internal)
        categories = [self.add(TableCategory.__table__, procedure_id=procedure, code=code, label=str(label),
                               position=position) for position, (code, label) in enumerate(DEFAULT_CATEGORIES)]
        groups: dict[int, list[int]] = {}
        for axis in self.axes:
            for position, district in enumerate(rng.sample(self.districts, 2)):
                group = self.add(TableGroup.__table__, procedure_id=procedure, axis_id=axis,
                                 name=f"Tavolo {axis}-{district}", position=position)
                self.add(table_group_districts, table_group_id=group, district_id=district)
                groups.setdefault(axis, []).append(group)
        by_axis = self._sessions(procedure, sessions, tables_from, groups, categories)
        published_by_axis = self._contributions(procedure, contributions, published, by_axis)
        self._synthesis(procedure, restitution, by_axis, published_by_axis)

    def _sessions(self, procedure: int, count: int, tables_from: datetime, groups: dict, categories: list) -> dict:
        rng, by_axis = self.rng, defaultdict(list)
        for s in range(count):
            axis = self.axes[s % len(self.axes)]
            group = groups[axis][s // len(self.axes) % len(groups[axis])]
            starts = tables_from + timedelta(days=120 * s // count, hours=rng.choice((0, 5)))
            ends = starts + timedelta(hours=3)
            session = self.add(TableSession.__table__, procedure_id=procedure, axis_id=axis, title="",
                               starts_at=starts, ends_at=ends, shift=Shift.MORNING, place=f"Sala {s + 1}",
                               capacity=30, created_at=tables_from, updated_at=tables_from)
            self.add(table_session_groups, table_session_id=session, table_group_id=group)
            by_axis[axis].append(session)
            for i in range(rng.randint(*PEOPLE)):
                state = rng.choices(list(RegistrationState), weights=(88, 7, 5))[0]
                walk_in = state == RegistrationState.CONFIRMED and rng.random() < 0.05
                key = None if state == RegistrationState.CANCELLED else f"p{session}-{i}@bench.invalid"
                registration = self.add(
                    Registration.__table__, session_id=session, group_id=group,
                    category_id=rng.choices(categories, weights=CATEGORY_WEIGHTS)[0], full_name=f"Persona {session}-{i}",
                    email=f"p{session}-{i}@bench.invalid", affiliation="Ente", person_key=key,
                    search_text=f"persona {session}-{i} ente", state=state, is_walk_in=walk_in,
                    created_at=starts - timedelta(days=rng.randint(1, 20)),
                )
                if walk_in or (state == RegistrationState.CONFIRMED and rng.random() < 0.85):
                    self.add(Attendance.__table__, registration_id=registration, session_id=session,
                             checked_in_at=starts + timedelta(minutes=rng.randint(0, 30)))
            self.add(Minutes.__table__, session_id=session, state=MinutesState.PUBLISHED, notes="",
                     approved_at=ends + timedelta(days=2), published_at=ends + timedelta(days=3),
                     updated_at=ends + timedelta(days=3))
        return by_axis

    def _contributions(self, procedure: int, count: int, published: datetime, sessions: dict) -> dict:
        rng = self.rng
        actors = [self.add(Actor.__table__, kind=rng.choices((ActorKind.ETS, ActorKind.OTHER, ActorKind.PUBLIC_SERVICE),
                                                             weights=(70, 20, 10))[0],
                           name=f"Ente {procedure}-{a}", procedure_id=procedure, created_at=published)
                  for a in range(max(20, count // 4))]
        activity = list(itertools.accumulate(rng.paretovariate(1.5) for _ in actors))
        by_axis = defaultdict(list)
        for k in range(count):
            axis = rng.choice(self.axes)
            comune, district, (longitude, latitude) = rng.choice(self.comuni)
            state = rng.choices(list(ContributionState), weights=(10, 85, 5))[0]
            from_table = rng.random() < 0.2
            created = published + timedelta(days=rng.randint(40, 160))
            contribution = self.add(
                Contribution.__table__, procedure_id=procedure, actor_id=rng.choices(actors, cum_weights=activity)[0],
                axis_id=axis, resource_type_id=rng.choice(self.types), description=f"Risorsa {k + 1}: " + "offerta " * 8,
                offer_mode=rng.choice(list(OfferMode)), district_id=district, comune_id=comune, address="",
                longitude=longitude + rng.uniform(-JITTER, JITTER), latitude=latitude + rng.uniform(-JITTER, JITTER),
                placement=Placement.ADDRESS, capacity=rng.choice((None, rng.randint(1, 40))), capacity_note="",
                state=state, decided_at=None if state == ContributionState.SUBMITTED else created + timedelta(days=5),
                source=ContributionSource.TABLE if from_table else ContributionSource.ONLINE,
                session_id=rng.choice(sessions[axis]) if from_table and sessions[axis] else None,
                created_at=created, updated_at=created,
            )
            if state == ContributionState.APPROVED:
                by_axis[axis].append(contribution)
        return by_axis

    def _synthesis(self, procedure: int, at: datetime, sessions: dict, contributions: dict) -> None:
        rng = self.rng
        synthesis = self.add(Synthesis.__table__, procedure_id=procedure, state=SynthesisState.PUBLISHED,
                             introduction="Sintesi degli esiti dei tavoli di co-programmazione. " * 4,
                             approved_at=at - timedelta(days=2), published_at=at, updated_at=at)
        every_session = [s for group in sessions.values() for s in group]
        every_contribution = [c for group in contributions.values() for c in group]
        plan = [(kind, axis, count) for axis in self.axes for kind, count in ITEMS]
        plan += [(kind, None, count) for kind, count in WHOLE]
        for kind, axis, count in plan:
            for position in range(count):
                item = self.add(SynthesisItem.__table__, synthesis_id=synthesis, kind=kind, axis_id=axis,
                                title=f"{kind.label} {position + 1}: una voce della sintesi", description="Descrizione. " * 10,
                                position=position)
                for session in rng.sample(pool := sessions[axis] if axis else every_session, min(rng.randint(1, 4), len(pool))):
                    self.add(SynthesisSource.__table__, item_id=item, session_id=session, contribution_id=None)
                pool = contributions[axis] if axis else every_contribution
                for contribution in rng.sample(pool, min(rng.randint(2, 8), len(pool))):
                    self.add(SynthesisSource.__table__, item_id=item, session_id=None, contribution_id=contribution)


def generate(env: dict, seed: int = 11) -> dict:
    """Fill the database of `env`; the slug and sizes of the procedure of median size, the row
    counts, the seconds it took."""
    os.environ.update(env)
    started = time.perf_counter()
    rng = random.Random(seed)
    sessions = spread(rng, SESSIONS, PROCEDURES, 0.35, low=10)
    contributions = spread(rng, CONTRIBUTIONS, PROCEDURES, 0.5, low=100)
    median = sorted(range(PROCEDURES), key=lambda n: (contributions[n], n))[PROCEDURES // 2]
    with create_app().app_context():
        load_preset(BOLOGNA_PRESET)
        generator = Generator(default_authority(), seed)
        for n in range(PROCEDURES):
            generator.procedure(n, sessions[n], contributions[n])
        built = time.perf_counter() - started
        counts = generator.write()
        db.session.commit()
    return {"slug": f"coprogrammazione-{median + 1:03d}", "sessions": sessions[median],
            "contributions": contributions[median], "counts": counts, "built": built,
            "seconds": time.perf_counter() - started}


def render(env: dict, path: str, repeats: int = 9) -> tuple[float, int, int]:
    """The page rendered in this process, uncached, after a first render: median milliseconds,
    SQL statements per render, bytes."""
    os.environ.update(env)
    os.environ["COPROG_PAGE_CACHE"] = "0"
    try:
        app = create_app()
    finally:
        del os.environ["COPROG_PAGE_CACHE"]
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    client = app.test_client()
    times, counts, size = [], [], 0
    for n in range(repeats + 1):
        statements[0] = 0
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, f"{path}: {response.status_code}"
        size = len(response.data)
        if n:  # the first one compiles the templates
            times.append(elapsed)
            counts.append(statements[0])
    return statistics.median(times), round(statistics.median(counts)), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(f"{run.client_line(args.connections, args.rounds, args.seconds)}; {PROCEDURES} procedures, "
          f"{SESSIONS:,} sessions, {CONTRIBUTIONS:,} contributions", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        env = run.prepare_coprog(Path(tmp), demo=False)
        schema = time.perf_counter() - started
        data = generate(env)
        counts = data["counts"]
        print(f"generazione: {data['seconds']:.1f} s ({data['built']:.1f} s le righe in memoria, il resto gli INSERT; "
              f"schema a parte: {schema:.1f} s); {counts['table_registrations']:,} iscrizioni, "
              f"{counts['table_attendances']:,} presenze, {counts['actors']:,} soggetti, "
              f"{counts['synthesis_items']:,} voci di sintesi con {counts['synthesis_sources']:,} fonti", flush=True)
        page = f"/avvisi/{data['slug']}/restituzione"
        took, statements, size = render(env, page)
        print(f"pagina misurata: {page} ({data['sessions']} incontri, {data['contributions']:,} contributi); "
              f"un rendering senza cache: {took:.0f} ms, {statements} istruzioni SQL, {size:,} byte", flush=True)
        targets = {"hello (Flask nudo)": ("baseline", "/"), "restituzione": ("coprog", page),
                   "restituzione, senza cache": ("uncached", page)}
        medians = run.measure(env, targets, page, args.rounds, args.seconds, args.connections, timeout=120)
    run.report(medians)
    hello, cached, uncached = (medians[name] for name in targets)
    for name, r in (("restituzione", cached), ("restituzione, senza cache", uncached)):
        print(f"{name} / Flask nudo: req/s {r.rps / hello.rps:.0%}, p95 x{r.p95_ms / hello.p95_ms:.1f}")
    print("obiettivo della pagina in cache: req/s >= 30 %, p95 <= 3 x")
    return 0 if cached.rps >= 0.30 * hello.rps and cached.p95_ms <= 3 * hello.p95_ms else 1


if __name__ == "__main__":
    sys.exit(main())
