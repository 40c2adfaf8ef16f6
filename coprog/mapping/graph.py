"""The actor–resource network as pure functions: build the graph, compute the metrics of each
actor, lay it out for drawing, and turn it into node-link data. No database, no Flask: the
service feeds plain records in and stores what comes out; the bench times the same function.

The graph (networkx) has an actor node per subject ("a<actor id>") and a resource node per
published contribution ("r<contribution id>"); an "offers" edge joins a resource to its actor,
and a "collaboration" edge joins the actor of a contribution to each of its collaborators
(weight: how many contributions the pair shares).

Metrics are computed on the actors' collaboration graph. Resources are leaves hanging from
one actor: they never lie on a path between two other nodes and always sit in their actor's
community, so adding them would only inflate the numbers of actors that offer much.

- degree: the actor's links in the whole graph (resources offered + distinct partners);
- betweenness: Brandes' shortest-path betweenness, normalised as networkx does, estimated
  from `BETWEENNESS_SAMPLES` seeded sources when there are more actors (exact below): 500
  sources keep 10,000 actors and 50,000 links within a few seconds (bench/mapping_network.py);
- community: Louvain (seeded) on the weighted collaboration graph, numbered 1, 2, … by size;
  an actor without collaborations has none (`None`): a community of one says nothing;
- participation coefficient (Guimerà & Amaral 2005): P = 1 − Σ_s (k_s / k)², k_s being the
  actor's collaborations that land in community s: 0 when all stay in one community, at most
  0.5 when they split evenly between two, closer to 1 the more communities they reach;
- "ponte" (bridge): P ≥ BRIDGE_MIN_PARTICIPATION (0.4). With two communities that means at
  least about 28 % of the actor's collaborations reach the other one: one stray link out of
  four or five (P 0.32–0.38) is not a bridge, a 3/2 or 2/1 split is. Guimerà & Amaral place
  their "connector" thresholds between 0.30 (hubs) and 0.62 (non-hubs) for large networks;
  the networks of a procedure are small and sparse, where one value in that band reads well.
  It also takes at least BRIDGE_MIN_PARTNERS (3) partners: with two, every actor whose two
  partners sit in different communities would be a bridge, which in a network of a few dozen
  actors is half of them (the demo's), and says little; a two-partner actor that really
  joins two groups has a high betweenness: a broker, likely;
- "intermediario" (broker): betweenness > 0 and among the top decile of the actors (at least
  one actor; ties at the cut included): those through whom many shortest paths between
  other actors pass.

Layout: spring layout is O(n²) per iteration, so it runs per community on at most
`LAYOUT_CORE` of its most central actors; the other actors of a large community are placed
near their already placed neighbours (breadth first), resources on a small ring around their
actor, and the communities are packed in rows, each in a disc whose area grows with its size.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

SEED = 20251215  # the restitution's date: any fixed value makes every build repeatable
BETWEENNESS_SAMPLES = 500
DEEP_LEVELS = 40  # beyond this many breadth-first levels betweenness runs node by node
BRIDGE_MIN_PARTICIPATION = 0.4
BRIDGE_MIN_PARTNERS = 3
BROKER_SHARE = 0.10
LAYOUT_CORE = 100
SPRING_ITERATIONS = 40
NODE_SPACING = 12.0  # layout units per node: a community of n nodes gets a disc of area ~ n
RESOURCE_RING = 0.45  # resources sit this many node spacings from their actor
BRIDGE, BROKER = "ponte", "intermediario"


def actor_node(actor_id: int) -> str:
    return f"a{actor_id}"


def resource_node(resource_id: int) -> str:
    return f"r{resource_id}"


@dataclass(frozen=True)
class ActorRecord:
    """An actor as the network shows it: its public name and its kind (ets, cooptato…)."""

    id: int
    label: str
    kind: str


@dataclass(frozen=True)
class ResourceRecord:
    """A published contribution: who offers it, with whom, on which axis; `details` are
    copied as they are onto the resource node (type, offer mode, comune…)."""

    id: int
    actor_id: int
    axis: str
    label: str
    collaborator_ids: tuple[int, ...] = ()
    details: Mapping = field(default_factory=dict)


# Building ---------------------------------------------------------------------------------------


def build_graph(actors: Mapping[int, ActorRecord], resources: Iterable[ResourceRecord]) -> nx.Graph:
    """The actor–resource graph; nodes are added in id order so that seeded results repeat.
    Every actor of `actors` is a node; a resource's actor and collaborators must be among them."""
    graph = nx.Graph()
    resources = sorted(resources, key=lambda r: r.id)
    unknown = {i for r in resources for i in (r.actor_id, *r.collaborator_ids)} - actors.keys()
    if unknown:
        raise ValueError(f"actors missing from the records: {sorted(unknown)[:5]}")
    for actor_id in sorted(actors):
        actor = actors[actor_id]
        graph.add_node(actor_node(actor_id), kind="actor", actor_id=actor_id, label=actor.label, actor_kind=actor.kind)
    for resource in resources:
        owner = actor_node(resource.actor_id)
        node = resource_node(resource.id)
        graph.add_node(node, kind="resource", resource_id=resource.id, label=resource.label, axis=resource.axis,
                       actor=owner, **resource.details)
        graph.add_edge(owner, node, kind="offers", axes={resource.axis})
        for partner_id in sorted(set(resource.collaborator_ids) - {resource.actor_id}):
            partner = actor_node(partner_id)
            if graph.has_edge(owner, partner):
                data = graph.edges[owner, partner]
                data["weight"] += 1
                data["axes"].add(resource.axis)
            else:
                graph.add_edge(owner, partner, kind="collaboration", weight=1, axes={resource.axis})
    return graph


def collaboration_graph(graph: nx.Graph) -> nx.Graph:
    """The actors and their collaborations (a copy: the algorithms read it many times)."""
    actors = [n for n, kind in graph.nodes(data="kind") if kind == "actor"]
    collab = nx.Graph()
    collab.add_nodes_from(actors)
    collab.add_edges_from(
        (u, v, {"weight": d["weight"]}) for u, v, d in graph.edges(data=True) if d["kind"] == "collaboration"
    )
    return collab


# Metrics ----------------------------------------------------------------------------------------


def communities(collab: nx.Graph, *, seed: int = SEED) -> dict[str, int | None]:
    """Louvain communities of the actors with collaborations, numbered from 1 by decreasing
    size (ties by their first node); actors without collaborations get None."""
    linked = _induced(collab, [n for n in collab if collab.degree(n) > 0])
    found = nx.community.louvain_communities(linked, weight="weight", seed=seed) if linked.number_of_edges() else []
    ordered = sorted((sorted(c, key=_node_order) for c in found), key=lambda c: (-len(c), _node_order(c[0])))
    numbering: dict[str, int | None] = dict.fromkeys(collab)
    for number, members in enumerate(ordered, start=1):
        for node in members:
            numbering[node] = number
    return numbering


def _induced(graph: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph on `nodes` as a plain graph: networkx's subgraph views filter every
    neighbour on every walk, which the algorithms here pay many times over."""
    keep = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from((u, v, d) for u in nodes for v, d in graph.adj[u].items() if v in keep)
    return sub


def _node_order(node: str) -> tuple[str, int]:
    return node[0], int(node[1:])


def modularity(collab: nx.Graph, community_of: Mapping[str, int | None]) -> float:
    """Newman's modularity of the partition (actors without collaborations on their own)."""
    if collab.number_of_edges() == 0:
        return 0.0
    groups: dict = defaultdict(set)
    for node, number in community_of.items():
        groups[number if number is not None else ("alone", node)].add(node)
    return nx.community.modularity(collab, groups.values(), weight="weight")


def betweenness(collab: nx.Graph, *, seed: int = SEED, samples: int = BETWEENNESS_SAMPLES) -> tuple[dict[str, float], int]:
    """Normalised betweenness (as networkx's `betweenness_centrality`), exact up to `samples`
    actors, else estimated from `samples` seeded sources and rescaled as networkx does; returns
    it and the number of sources used.

    Brandes' algorithm with each breadth-first level done by numpy over the whole frontier:
    networkx's pure-Python loop takes ~80 ms a source on 10,000 actors, this ~5 ms, which
    buys 500 sources (a steadier estimate) in a few seconds."""
    order = sorted(collab, key=_node_order)
    n = len(order)
    if n <= 2:
        return dict.fromkeys(order, 0.0), n
    exact = n <= samples
    sources = list(range(n)) if exact else sorted(random.Random(seed).sample(range(n), samples))
    indptr, indices = _adjacency(collab, order)
    first, depth = _dependencies(indptr, indices, sources[0])
    # numpy pays per breadth-first level: on long chains (rare in collaboration networks,
    # whose paths are short) plain Python, which pays per node, is faster
    total = first
    if depth <= DEEP_LEVELS:
        for source in sources[1:]:
            total += _dependencies(indptr, indices, source)[0]
    else:
        lists = np.split(indices, indptr[1:-1])
        neighbours = [row.tolist() for row in lists]
        for source in sources[1:]:
            total += _dependencies_by_node(neighbours, source)
    k = len(sources)
    if exact:
        scale = np.full(n, 1.0 / ((n - 1) * (n - 2)))
    else:  # a source never counts its own paths: it has one sample fewer (networkx 3.5+)
        scale = np.full(n, 1.0 / (k * (n - 2)))
        scale[sources] = 1.0 / ((k - 1) * (n - 2))
    values = total * scale
    return {node: float(values[i]) for i, node in enumerate(order)}, k


def _adjacency(collab: nx.Graph, order: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The graph as compressed rows: the neighbours of node i are indices[indptr[i]:indptr[i+1]]."""
    index = {node: i for i, node in enumerate(order)}
    degrees = np.fromiter((collab.degree(node) for node in order), dtype=np.int64, count=len(order))
    indptr = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(degrees, out=indptr[1:])
    indices = np.fromiter((index[m] for node in order for m in collab[node]), dtype=np.int64, count=int(indptr[-1]))
    return indptr, indices


def _dependencies(indptr: np.ndarray, indices: np.ndarray, source: int) -> tuple[np.ndarray, int]:
    """Brandes: the dependency of `source` on every node (0 for the source itself), and the
    number of breadth-first levels; each level is done by numpy over the whole frontier."""
    n = len(indptr) - 1
    distance = np.full(n, -1, dtype=np.int64)
    distance[source] = 0
    sigma = np.zeros(n)  # number of shortest paths from the source
    sigma[source] = 1.0
    frontier, depth, levels = np.array([source]), 0, []
    while frontier.size:
        starts = indptr[frontier]
        lengths = indptr[frontier + 1] - starts
        count = int(lengths.sum())
        if count == 0:
            break
        # the positions of all the frontier's neighbours in `indices`, in one array
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(count)
        neighbours, parents = indices[offsets], np.repeat(frontier, lengths)
        distance[neighbours[distance[neighbours] == -1]] = depth + 1
        following = np.flatnonzero(distance == depth + 1)  # unique, cheaper than np.unique
        on_path = distance[neighbours] == depth + 1
        v, w = parents[on_path], neighbours[on_path]
        sigma += np.bincount(w, weights=sigma[v], minlength=n)
        levels.append((v, w))
        frontier, depth = following, depth + 1
    delta = np.zeros(n)
    for v, w in reversed(levels):  # deepest first: delta[w] is complete when w's level is read
        delta += np.bincount(v, weights=sigma[v] / sigma[w] * (1.0 + delta[w]), minlength=n)
    delta[source] = 0.0
    return delta, depth


def _dependencies_by_node(neighbours: list[list[int]], source: int) -> np.ndarray:
    """The same as `_dependencies`, one node at a time (Brandes 2001, as networkx does it)."""
    n = len(neighbours)
    distance, sigma = [-1] * n, [0.0] * n
    distance[source], sigma[source] = 0, 1.0
    order, parents, queue = [], [[] for _ in range(n)], [source]
    for v in queue:  # the list grows while it is read: a breadth-first queue
        order.append(v)
        for w in neighbours[v]:
            if distance[w] < 0:
                distance[w] = distance[v] + 1
                queue.append(w)
            if distance[w] == distance[v] + 1:
                sigma[w] += sigma[v]
                parents[w].append(v)
    delta = [0.0] * n
    for w in reversed(order):
        for v in parents[w]:
            delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
    delta[source] = 0.0
    return np.array(delta)


def participation(collab: nx.Graph, community_of: Mapping[str, int | None]) -> dict[str, float]:
    """Participation coefficient of each actor over its collaborations (unweighted links)."""
    result = {}
    for node in collab:
        degree = collab.degree(node)
        if degree == 0:
            result[node] = 0.0
            continue
        per_community: dict = defaultdict(int)
        for partner in collab[node]:
            number = community_of[partner]
            per_community[number if number is not None else ("alone", partner)] += 1
        result[node] = 1.0 - sum((count / degree) ** 2 for count in per_community.values())
    return result


def brokers(values: Mapping[str, float], *, share: float = BROKER_SHARE) -> set[str]:
    """The top `share` of the actors by betweenness (at least one, ties at the cut
    included), among those with betweenness > 0."""
    positive = sorted((v for v in values.values() if v > 0), reverse=True)
    if not positive:
        return set()
    top = max(1, math.ceil(share * len(values)))
    cut = positive[min(top, len(positive)) - 1]
    return {node for node, v in values.items() if v > 0 and v >= cut}


def bridges(collab: nx.Graph, participation_of: Mapping[str, float],
            *, threshold: float = BRIDGE_MIN_PARTICIPATION) -> set[str]:
    return {node for node, p in participation_of.items()
            if p >= threshold - 1e-9 and collab.degree(node) >= BRIDGE_MIN_PARTNERS}


# Layout -----------------------------------------------------------------------------------------


def layout(graph: nx.Graph, collab: nx.Graph, community_of: Mapping[str, int | None],
           rank: Mapping[str, float], *, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions of every node (layout units, y down), computed community by community."""
    rng = random.Random(seed)
    groups: dict = defaultdict(list)
    for node in collab:
        groups[community_of[node]].append(node)
    resources_of: dict[str, list[str]] = defaultdict(list)
    for node, owner in graph.nodes(data="actor"):
        if owner is not None:
            resources_of[owner].append(node)
    by_rank = lambda n: (-rank.get(n, 0.0), _node_order(n))  # noqa: E731
    discs = []
    for number in sorted(groups, key=lambda g: (g is None, g or 0)):
        members = sorted(groups[number], key=by_rank)
        size = len(members) + sum(len(resources_of[a]) for a in members)
        if number is None:
            local = _grid(members)
        else:
            local = _community_layout(collab, members, rng, seed)
        discs.append((math.sqrt(size) * NODE_SPACING, local, members))
    positions: dict[str, tuple[float, float]] = {}
    for (radius, local, members), (cx, cy) in zip(discs, _pack([d[0] for d in discs]), strict=True):
        for node in members:
            x, y = local[node]
            positions[node] = (cx + x * radius, cy + y * radius)
            _ring(positions, node, sorted(resources_of[node], key=_node_order))
    return positions


def _community_layout(collab: nx.Graph, members: list[str], rng: random.Random, seed: int) -> dict[str, tuple[float, float]]:
    """Unit-disc positions of a community's actors (most central first): spring layout for
    the core, the rest next to their placed neighbours."""
    core = members[:LAYOUT_CORE]
    if len(core) == 1:
        placed = {core[0]: (0.0, 0.0)}
    else:
        raw = nx.spring_layout(_induced(collab, core), seed=seed, iterations=SPRING_ITERATIONS)
        placed = {n: (float(p[0]), float(p[1])) for n, p in raw.items()}
    rest = set(members) - placed.keys()
    if rest:
        _place_near_neighbours(collab, placed, rest, rng)
    return _to_unit_disc(placed)


def _place_near_neighbours(collab: nx.Graph, placed: dict, rest: set[str], rng: random.Random) -> None:
    """Breadth first from the placed core through the community (`rest`): each node at the
    mean of its placed neighbours, jittered; nodes not reached (rare: Louvain parts need not
    be connected) on an outer ring."""
    sub = collab.adj
    spread = _extent(placed) or 1.0
    jitter = spread / math.sqrt(len(placed) + len(rest)) * 0.8
    frontier = sorted({m for n in placed for m in sub[n] if m in rest}, key=_node_order)
    while frontier:
        following = set()
        for node in frontier:
            near = [placed[m] for m in sub[node] if m in placed]
            mx = sum(p[0] for p in near) / len(near)
            my = sum(p[1] for p in near) / len(near)
            angle = rng.uniform(0, 2 * math.pi)
            placed[node] = (mx + jitter * math.cos(angle), my + jitter * math.sin(angle))
            rest.discard(node)
            following.update(m for m in sub[node] if m in rest)
        frontier = sorted(following - placed.keys(), key=_node_order)
    for i, node in enumerate(sorted(rest, key=_node_order)):
        angle = 2 * math.pi * i / len(rest)
        placed[node] = (spread * 1.1 * math.cos(angle), spread * 1.1 * math.sin(angle))


def _extent(points: Mapping[str, tuple[float, float]]) -> float:
    if not points:
        return 0.0
    cx = sum(p[0] for p in points.values()) / len(points)
    cy = sum(p[1] for p in points.values()) / len(points)
    return max(math.hypot(p[0] - cx, p[1] - cy) for p in points.values())


def _to_unit_disc(points: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    cx = sum(p[0] for p in points.values()) / len(points)
    cy = sum(p[1] for p in points.values()) / len(points)
    extent = _extent(points) or 1.0
    margin = 0.85  # room for the resources' rings at the edge
    return {n: ((x - cx) / extent * margin, (y - cy) / extent * margin) for n, (x, y) in points.items()}


def _grid(members: list[str]) -> dict[str, tuple[float, float]]:
    """Actors without collaborations: a square grid inside the unit disc, most active first."""
    side = math.ceil(math.sqrt(len(members)))
    step = 1.4 / max(side - 1, 1)
    offset = (side - 1) * step / 2
    return {node: ((i % side) * step - offset, (i // side) * step - offset) for i, node in enumerate(members)}


def _ring(positions: dict, actor: str, resources: list[str]) -> None:
    x, y = positions[actor]
    radius = NODE_SPACING * RESOURCE_RING
    for i, node in enumerate(resources):
        angle = 2 * math.pi * i / len(resources) - math.pi / 2
        positions[node] = (x + radius * math.cos(angle), y + radius * math.sin(angle))


def _pack(radii: list[float]) -> list[tuple[float, float]]:
    """Centres for discs of the given radii (largest first), in rows of a roughly square area."""
    if not radii:
        return []
    gap = NODE_SPACING
    width = max(max(2 * r for r in radii), math.sqrt(sum((2 * r + gap) ** 2 for r in radii)) * 1.15)
    centres, x, y, row_height = [], 0.0, 0.0, 0.0
    for r in radii:
        if x > 0 and x + 2 * r > width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        centres.append((x + r, y + r))
        x += 2 * r + gap
        row_height = max(row_height, 2 * r)
    return centres


# The whole build --------------------------------------------------------------------------------


def build_network(actors: Mapping[int, ActorRecord], resources: Iterable[ResourceRecord],
                  *, seed: int = SEED, samples: int = BETWEENNESS_SAMPLES) -> dict:
    """Graph, metrics and layout as node-link data: {"nodes": [...], "links": [...], "stats": {...}}."""
    graph = build_graph(actors, resources)
    collab = collaboration_graph(graph)
    community_of = communities(collab, seed=seed)
    between, used = betweenness(collab, seed=seed, samples=samples)
    part = participation(collab, community_of)
    roles = {BRIDGE: bridges(collab, part), BROKER: brokers(between)}
    positions = layout(graph, collab, community_of, between, seed=seed)
    nodes = [_node(graph, node, community_of, between, part, roles, positions) for node in graph]
    links = [_link(u, v, data) for u, v, data in graph.edges(data=True)]
    return {"nodes": nodes, "links": links, "stats": _stats(graph, collab, community_of, used, seed)}


def _node(graph, node, community_of, between, part, roles, positions) -> dict:
    data = graph.nodes[node]
    x, y = positions[node]
    out = {"id": node, **{k: v for k, v in data.items()}, "x": round(x, 1), "y": round(y, 1)}
    if data["kind"] == "actor":
        offered = sum(1 for m in graph[node] if graph.nodes[m]["kind"] == "resource")
        axes = sorted({a for m in graph[node] for a in graph.edges[node, m]["axes"]})
        out.update(
            degree=graph.degree(node), resources=offered, collaborators=graph.degree(node) - offered,
            betweenness=round(between[node], 6), participation=round(part[node], 4),
            community=community_of[node], roles=[r for r in (BRIDGE, BROKER) if node in roles[r]], axes=axes,
        )
    else:
        out.update(community=community_of.get(data["actor"]))
    return out


def _link(u: str, v: str, data: Mapping) -> dict:
    source, target = (u, v) if data["kind"] == "collaboration" or u.startswith("a") else (v, u)
    link = {"source": source, "target": target, "kind": data["kind"], "axes": sorted(data["axes"])}
    if data["kind"] == "collaboration":
        link["weight"] = data["weight"]
    return link


def _stats(graph: nx.Graph, collab: nx.Graph, community_of, samples: int, seed: int) -> dict:
    sizes: dict[int, int] = defaultdict(int)
    for number in community_of.values():
        if number is not None:
            sizes[number] += 1
    return {
        "actors": collab.number_of_nodes(),
        "resources": graph.number_of_nodes() - collab.number_of_nodes(),
        "collaborations": collab.number_of_edges(),
        "links": graph.number_of_edges(),
        "communities": len(sizes),
        "community_sizes": [sizes[n] for n in sorted(sizes)],
        "without_collaborations": sum(1 for n in community_of.values() if n is None),
        "modularity": round(modularity(collab, community_of), 4),
        "betweenness_samples": samples,
        "betweenness_exact": samples >= collab.number_of_nodes(),
        "seed": seed,
    }


# Reading the stored network ---------------------------------------------------------------------

DRAW_MAX_NODES = 400  # a drawing beyond this is a blot: the table lists everything
DRAW_LABELS = 12  # the most central drawn actors are named on the drawing
DRAW_WIDTH = 1000.0
DRAW_PADDING = 40.0
COLOURED_COMMUNITIES = 10  # the palette's size (static/css/mapping-network.css)


def subnetwork(nodes: list[dict], links: list[dict], axis: str | None) -> tuple[list[dict], list[dict]]:
    """The part of the network on one axis: its resources, the links made by contributions on
    it, and the actors at their ends. Metrics stay those of the whole network."""
    if axis is None:
        return nodes, links
    kept_links = [link for link in links if axis in link["axes"]]
    ends = {end for link in kept_links for end in (link["source"], link["target"])}
    return [node for node in nodes if node["id"] in ends], kept_links


def actor_rank(node: dict) -> tuple:
    """Most central first: betweenness, then degree, then id (stable)."""
    return -node["betweenness"], -node["degree"], _node_order(node["id"])


@dataclass
class Drawing:
    """What the SVG shows: nodes with drawing coordinates, their links, and what was left out."""

    width: float
    height: float
    actors: list[dict]
    resources: list[dict]
    links: list[tuple[float, float, float, float, str]]
    labels: list[dict]
    total_actors: int
    total_resources: int


def drawing(nodes: list[dict], links: list[dict], *, max_nodes: int = DRAW_MAX_NODES,
            labels: int = DRAW_LABELS) -> Drawing:
    """The most central actors with their resources, at most `max_nodes` nodes in all, scaled
    to a DRAW_WIDTH-wide canvas at their stored positions."""
    actors = sorted((n for n in nodes if n["kind"] == "actor"), key=actor_rank)
    resources_of: dict[str, list[dict]] = defaultdict(list)
    for node in nodes:
        if node["kind"] == "resource":
            resources_of[node["actor"]].append(node)
    shown_actors, shown_resources = [], []
    for actor in actors:
        if len(shown_actors) + len(shown_resources) >= max_nodes:
            break
        shown_actors.append(actor)
        room = max_nodes - len(shown_actors) - len(shown_resources)
        shown_resources.extend(resources_of[actor["id"]][:room])
    shown = shown_actors + shown_resources
    total_resources = sum(len(r) for r in resources_of.values())
    if not shown:
        return Drawing(DRAW_WIDTH, 0.0, [], [], [], [], len(actors), total_resources)
    place, (width, height) = _canvas([(n["x"], n["y"]) for n in shown])
    placed = {n["id"]: {**n, "px": place(n["x"], n["y"])} for n in shown}
    drawn_links = [
        (*placed[link["source"]]["px"], *placed[link["target"]]["px"], link["kind"])
        for link in links
        if link["source"] in placed and link["target"] in placed
    ]
    return Drawing(
        width=width, height=height,
        actors=[placed[n["id"]] for n in shown_actors], resources=[placed[n["id"]] for n in shown_resources],
        links=drawn_links, labels=_labels([placed[n["id"]] for n in shown_actors], labels),
        total_actors=len(actors), total_resources=total_resources,
    )


LABEL_CHARS = 32  # labels are cut to this many characters (the template's truncate)
LABEL_FONT = 13.0  # canvas units (static/css/mapping-network.css)


def _labels(actors: list[dict], wanted: int) -> list[dict]:
    """The most central actors whose labels (drawn right of and above the node) overlap no
    label already chosen: a name half hidden under another helps nobody."""
    chosen, boxes = [], []
    for actor in actors:
        if len(chosen) == wanted:
            break
        x, y = actor["px"][0] + 8, actor["px"][1] - 8
        width = min(len(actor["label"]), LABEL_CHARS) * LABEL_FONT * 0.58
        box = (x, y - LABEL_FONT, x + width, y + 3)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            chosen.append(actor)
            boxes.append(box)
    return chosen


def _canvas(points: list[tuple[float, float]]):
    """A function from layout units to canvas units (uniform scale, padded), and the size."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    scale = min((DRAW_WIDTH - 2 * DRAW_PADDING) / span, 4.0)  # a few nodes are not blown up
    left, top = min(xs), min(ys)
    inner_w, inner_h = (max(xs) - left) * scale, (max(ys) - top) * scale
    offset_x = (DRAW_WIDTH - inner_w) / 2

    def place(x: float, y: float) -> tuple[float, float]:
        return round(offset_x + (x - left) * scale, 1), round(DRAW_PADDING + (y - top) * scale, 1)

    return place, (DRAW_WIDTH, round(max(inner_h + 2 * DRAW_PADDING, 240.0), 1))


def community_class(number: int | None) -> str:
    """The CSS class of a community's colour: the largest ones have their own."""
    if number is None:
        return "net-c-none"
    return f"net-c{number}" if number <= COLOURED_COMMUNITIES else "net-c-other"


SORTS = {
    "centralita": actor_rank,
    "grado": lambda n: (-n["degree"], *actor_rank(n)),
    "risorse": lambda n: (-n["shown_resources"], *actor_rank(n)),
    "comunita": lambda n: (n["community"] is None, n["community"] or 0, *actor_rank(n)),
    "nome": lambda n: (n["label"].casefold(), _node_order(n["id"])),
}
DEFAULT_SORT = "centralita"


def actor_rows(nodes: list[dict], sort: str) -> list[dict]:
    """The actors of a (sub)network with their resources in it, in the order asked for."""
    resources_of: dict[str, list[dict]] = defaultdict(list)
    for node in nodes:
        if node["kind"] == "resource":
            resources_of[node["actor"]].append(node)
    rows = [
        {**node, "shown": resources_of[node["id"]], "shown_resources": len(resources_of[node["id"]])}
        for node in nodes
        if node["kind"] == "actor"
    ]
    return sorted(rows, key=SORTS.get(sort, SORTS[DEFAULT_SORT]))
