"""The network of a procedure: built from its published contributions outside any request,
stored in its NetworkSnapshot, and served from there (ARCHITECTURE.md, "Graphs").

Who rebuilds, and when:
- the contributions use-cases call `mark_network_stale` in their transaction; when a request's
  transaction that did so commits, a per-process worker thread rebuilds the procedure's
  network a moment later (`schedule`: changes made within `COPROG_NETWORK_DEBOUNCE` seconds
  of the first are built once), with its own app context and database session;
- a network page that finds its snapshot stale asks the same worker (it never waits for it);
- `coprog network rebuild` (for a timer) rebuilds what is stale, or was left behind by a
  process that died while building.

A rebuild is a job, not a use-case: it owns its transactions. It first claims the snapshot
(stale → false and `claimed_at` set, committed), then reads the contributions, computes, and
stores the result only if no newer build has stored one meanwhile (`built_at` is the claim
time: the moment of the data). A change that commits while it computes sets `stale` again, so
it is never lost: the next rebuild picks it up. A failure puts `stale` back. Until the result
is stored the pages say "in aggiornamento" (NetworkSnapshot.updating); a claim left without a
result for ABANDONED_AFTER was a process that died, and the timer builds it again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import Flask, current_app, has_request_context
from sqlalchemy import and_, event, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ...actors.models import Actor
from ...actors.services import public_name
from ...config import env_bool
from ...core import audit
from ...core.cache import public_content_changed
from ...core.sql import inserted_if_absent
from ...core.time import naive_utc, utcnow
from ...extensions import db
from ...notices.models import Procedure
from ...territory.models import Axis, Comune, District
from .. import graph as net
from ..models import (
    Contribution,
    ContributionState,
    NetworkSnapshot,
    ResourceType,
    contribution_collaborators,
)
from .contributions import mark_network_stale, published

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_SECONDS = 2.0
# A build takes seconds (about 4 s for 10,000 actors and 50,000 links: make bench-network), so a
# claim this old without a result belongs to a process that died.
ABANDONED_AFTER = timedelta(minutes=10)
LABEL_LENGTH = 120  # a resource is labelled by the start of its description


# Reading ----------------------------------------------------------------------------------------


def snapshot_of(procedure: Procedure) -> NetworkSnapshot | None:
    return db.session.scalar(select(NetworkSnapshot).where(NetworkSnapshot.procedure_id == procedure.id))


def network_records(procedure: Procedure) -> tuple[dict[int, net.ActorRecord], list[net.ResourceRecord]]:
    """The plain records `graph.build_network` takes, from the published contributions, in a
    fixed number of queries (the many-to-one lookups hit rows loaded here, not the database)."""
    contributions = published(procedure)
    collaborators: dict[int, list[int]] = {}
    link = contribution_collaborators
    rows = db.session.execute(
        select(link.c.contribution_id, link.c.actor_id)
        .join(Contribution, Contribution.id == link.c.contribution_id)
        .where(Contribution.id.in_(_published_ids(procedure)))
    )
    for contribution_id, actor_id in rows:
        collaborators.setdefault(contribution_id, []).append(actor_id)
    involved = select(Contribution.actor_id).where(Contribution.id.in_(_published_ids(procedure))).union(
        select(link.c.actor_id).where(link.c.contribution_id.in_(_published_ids(procedure)))
    )
    actors = db.session.scalars(
        select(Actor).where(Actor.id.in_(involved)).options(selectinload(Actor.co_opted_subject))
    )
    records = {a.id: net.ActorRecord(a.id, public_name(a), a.kind.value) for a in actors}
    names = _lookup_names(procedure)
    resources = [
        net.ResourceRecord(
            id=c.id, actor_id=c.actor_id, axis=names["axis"][c.axis_id],
            label=_shorten(c.description), collaborator_ids=tuple(collaborators.get(c.id, ())),
            details={
                "resource_type": names["type"][c.resource_type_id], "type_id": c.resource_type_id,
                "offer_mode": c.offer_mode.value,
                "district": names["district"][c.district_id],
                "comune": names["comune"].get(c.comune_id, "") if c.comune_id else "",
            },
        )
        for c in contributions
    ]
    return records, resources


def _published_ids(procedure: Procedure):
    return select(Contribution.id).where(
        Contribution.procedure_id == procedure.id, Contribution.state == ContributionState.APPROVED
    )


def _lookup_names(procedure: Procedure) -> dict[str, dict]:
    """Axis codes, resource type labels, district and comune names of the authority, by id."""
    authority_id = procedure.authority_id
    districts = list(db.session.execute(select(District.id, District.name).where(District.authority_id == authority_id)))
    return {
        "axis": dict(db.session.execute(select(Axis.id, Axis.code).where(Axis.authority_id == authority_id)).all()),
        "type": dict(db.session.execute(
            select(ResourceType.id, ResourceType.stored_label).where(ResourceType.authority_id == authority_id)).all()),
        "district": dict(districts),
        "comune": dict(db.session.execute(
            select(Comune.id, Comune.name).where(Comune.district_id.in_([d.id for d in districts]))).all()),
    }


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


# Rebuilding (a job: it commits) -----------------------------------------------------------------


def rebuild(procedure_id: int, *, force: bool = False) -> float | None:
    """Rebuild the procedure's network if it is stale (or `force`): the seconds it took, or
    None when there was nothing to do (not stale, or claimed by another process)."""
    claimed_at = _claim(procedure_id, force=force)
    if claimed_at is None:
        return None
    try:
        procedure = db.session.get(Procedure, procedure_id)
        if procedure is None:
            return None
        actors, resources = network_records(procedure)
        db.session.rollback()  # end the read transaction before the long computation
        started = time.perf_counter()
        data = net.build_network(actors, resources)
        seconds = time.perf_counter() - started
        _store(procedure_id, data, claimed_at, seconds)
        db.session.commit()
    except Exception:
        db.session.rollback()
        db.session.execute(_snapshots().update().where(_snapshots().c.procedure_id == procedure_id).values(stale=True))
        db.session.commit()
        raise
    return seconds


def _snapshots():
    return NetworkSnapshot.__table__


def _claim(procedure_id: int, *, force: bool) -> datetime | None:
    table = _snapshots()
    claimed_at = naive_utc(utcnow())
    where = [table.c.procedure_id == procedure_id]
    if not force:
        where.append(table.c.stale.is_(True))
    claim = {"stale": False, "claimed_at": claimed_at}
    claimed = db.session.execute(update(table).where(*where).values(**claim)).rowcount
    if not claimed and force:
        claimed = inserted_if_absent(db.session.connection(), table, procedure_id=procedure_id, **claim)
    db.session.commit()
    return claimed_at if claimed else None


def _store(procedure_id: int, data: dict, claimed_at: datetime, seconds: float) -> None:
    """Write the result unless a build claimed later has already written its own."""
    table = _snapshots()
    stats = {**data["stats"], "build_seconds": round(seconds, 3)}
    written = db.session.execute(
        update(table)
        .where(table.c.procedure_id == procedure_id, or_(table.c.built_at.is_(None), table.c.built_at < claimed_at))
        .values(graph={"nodes": data["nodes"], "links": data["links"]}, stats=stats, built_at=claimed_at,
                build_seconds=seconds)
    ).rowcount
    if written:
        public_content_changed()  # a Core statement: the cached pages would not see it


def procedures_to_rebuild(now: datetime | None = None) -> list[int]:
    """Procedures whose network is stale, never built, older than a change to their
    contributions, or claimed long ago without a result (a rebuild that died after its claim
    leaves one of the last two behind)."""
    snapshot = NetworkSnapshot
    latest = (
        select(func.max(Contribution.updated_at))
        .where(Contribution.procedure_id == snapshot.procedure_id)
        .scalar_subquery()
    )
    abandoned = and_(snapshot.claimed_at > snapshot.built_at,
                     snapshot.claimed_at < naive_utc(now or utcnow()) - ABANDONED_AFTER)
    query = select(snapshot.procedure_id).where(
        or_(snapshot.stale.is_(True), snapshot.built_at.is_(None), latest > snapshot.built_at, abandoned)
    ).order_by(snapshot.procedure_id)
    return list(db.session.scalars(query))


def procedures_with_networks() -> list[int]:
    """Every procedure with a snapshot or a contribution (for a forced rebuild of all)."""
    query = select(NetworkSnapshot.procedure_id).union(select(Contribution.procedure_id))
    return sorted(db.session.scalars(query))


# Asking for a rebuild ---------------------------------------------------------------------------


def request_rebuild(procedure: Procedure, *, by) -> NetworkSnapshot:
    """Staff's "Ricalcola ora": mark the network stale (the worker or the timer rebuilds it);
    audited. Flushes only."""
    mark_network_stale(procedure)
    snapshot = snapshot_of(procedure)
    audit.record(snapshot, "rebuild_requested", by=by)
    public_content_changed()  # the public page says "in aggiornamento" at once
    db.session.flush()
    return snapshot


def background_enabled(app: Flask) -> bool:
    """Off in tests (they share one connection between threads) unless told otherwise."""
    value = app.config.get("COPROG_NETWORK_BACKGROUND")
    if value is None:
        value = env_bool("NETWORK_BACKGROUND", not app.testing)
    return bool(value)


def schedule(procedure_ids: Iterable[int], app: Flask | None = None) -> bool:
    """Ask this process's worker to rebuild these networks soon; False when background
    rebuilds are off (the timer's `coprog network rebuild` does it then)."""
    app = app or current_app._get_current_object()
    if not background_enabled(app):
        return False
    worker = app.extensions.get("coprog_network_worker")
    if worker is None or worker.pid != os.getpid():  # a forked process needs its own thread
        worker = app.extensions["coprog_network_worker"] = RebuildWorker(app)
    worker.schedule(procedure_ids)
    return True


class RebuildWorker:
    """One daemon thread per process: waits for procedures to rebuild, lets the first request
    settle for the debounce time (collecting the others that arrive), then rebuilds them one
    by one in its own app context (and so its own database session)."""

    def __init__(self, app: Flask):
        self.app = app
        self.pid = os.getpid()
        self.debounce = float(app.config.get("COPROG_NETWORK_DEBOUNCE", DEFAULT_DEBOUNCE_SECONDS))
        self._pending: set[int] = set()
        self._due = 0.0
        self._busy = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="coprog-network", daemon=True)
        self._thread.start()

    def schedule(self, procedure_ids: Iterable[int]) -> None:
        with self._condition:
            if not self._pending:
                self._due = time.monotonic() + self.debounce
            self._pending.update(procedure_ids)
            self._condition.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is pending or running (for tests and orderly shutdowns)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
        return True

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending or (left := self._due - time.monotonic()) > 0:
                    self._condition.wait(None if not self._pending else left)
                batch, self._pending, self._busy = sorted(self._pending), set(), True
            try:
                self._rebuild(batch)
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()

    def _rebuild(self, batch: list[int]) -> None:
        with self.app.app_context():
            for procedure_id in batch:
                try:
                    seconds = rebuild(procedure_id)
                except Exception:
                    log.exception("network rebuild of procedure %s failed", procedure_id)
                else:
                    if seconds is not None:
                        log.info("network of procedure %s rebuilt in %.2f s", procedure_id, seconds)


# After a commit that made a network stale -------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _note_stale_networks(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, NetworkSnapshot) and obj.stale:
            session.info.setdefault("stale_networks", set()).add(obj.procedure_id)


@event.listens_for(Session, "after_commit")
def _rebuild_after_commit(session: Session) -> None:
    """Only for requests: a command (the demo loader, an import) ends before a background
    thread would finish, and the timer's `coprog network rebuild` is there for them."""
    procedure_ids = session.info.pop("stale_networks", None)
    if procedure_ids and has_request_context():
        schedule(procedure_ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_stale_networks(session: Session, previous_transaction) -> None:
    session.info.pop("stale_networks", None)


# Open data --------------------------------------------------------------------------------------

OPEN_ACTOR_METRICS = ("degree", "resources", "collaborators", "betweenness", "participation", "community", "roles")
OPEN_RESOURCE_FIELDS = ("actor", "axis", "resource_type", "offer_mode", "district", "comune")


def open_data(procedure: Procedure, snapshot: NetworkSnapshot | None) -> dict:
    """/dati/<slug>/rete.json: the stored network as node-link data, public names only (the
    labels were made with `public_name` at build time), with the definitions of the metrics."""
    graph = (snapshot.graph if snapshot is not None else None) or {"nodes": [], "links": []}
    return {
        "procedure": procedure.slug,
        "built_at": snapshot.built_at.isoformat() + "Z" if snapshot is not None and snapshot.built_at else None,
        "stale": snapshot.updating if snapshot is not None else True,
        "stats": (snapshot.stats or {}) if snapshot is not None else {},
        "definitions": DEFINITIONS,
        "nodes": [_open_node(node) for node in graph["nodes"]],
        "links": graph["links"],
    }


def _open_node(node: dict) -> dict:
    common = {"id": node["id"], "kind": node["kind"], "label": node["label"], "x": node["x"], "y": node["y"]}
    if node["kind"] == "actor":
        return {**common, "actor_kind": node["actor_kind"], "axes": node["axes"],
                "metrics": {key: node[key] for key in OPEN_ACTOR_METRICS}}
    return {**common, **{key: node[key] for key in OPEN_RESOURCE_FIELDS}, "metrics": {"community": node["community"]}}


DEFINITIONS = {
    "nodes": "actor: a subject (id a<n>); resource: a published contribution (id r<n>), linked to the actor offering it",
    "links": "offers: actor -> resource; collaboration: actor -- actor named together in contributions (weight: how many)",
    "degree": "links of the actor: resources offered + distinct partners",
    "betweenness": f"normalised shortest-path betweenness on the collaboration graph; estimated from "
                   f"{net.BETWEENNESS_SAMPLES} seeded sample actors when there are more",
    "community": f"Louvain on the weighted collaboration graph (seed {net.SEED}), numbered by size; "
                 "null for actors without collaborations",
    "participation": "participation coefficient 1 - sum_s (k_s/k)^2 over the communities of the actor's partners",
    "roles": f"ponte (bridge): participation >= {net.BRIDGE_MIN_PARTICIPATION} with at least "
             f"{net.BRIDGE_MIN_PARTNERS} partners; "
             f"intermediario (broker): betweenness > 0 in the top {net.BROKER_SHARE:.0%} of actors",
    "x, y": "layout position (units of the drawing, y downwards)",
}
