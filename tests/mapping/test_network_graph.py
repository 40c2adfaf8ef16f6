"""The network's pure functions (coprog/mapping/graph.py) on small graphs whose answers are
known: a star, two cliques joined by one actor, graphs networkx can check, and the reading
side (axis filter, drawing cap, order of the table)."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from coprog.mapping import graph as net
from coprog.mapping.graph import ActorRecord, ResourceRecord


def actors(*ids: int) -> dict[int, ActorRecord]:
    return {i: ActorRecord(i, f"Soggetto {i}", "ets") for i in ids}


def offer(rid: int, actor: int, *partners: int, axis: str = "abitare") -> ResourceRecord:
    return ResourceRecord(rid, actor, axis, f"Risorsa {rid}", tuple(partners))


def by_id(network: dict) -> dict[str, dict]:
    return {node["id"]: node for node in network["nodes"]}


def star() -> dict:
    """Actor 1 collaborates with 2..6 (one contribution each), who do not know each other."""
    return net.build_network(actors(*range(1, 7)), [offer(10 + i, 1, i) for i in range(2, 7)])


def two_cliques() -> dict:
    """Cliques {1..5} and {11..15}, joined by actor 99, who collaborates with all of them."""
    records = [offer(100 + i, i, *[j for j in range(1, 6) if j > i]) for i in range(1, 6)]
    records += [offer(200 + i, i, *[j for j in range(11, 16) if j > i]) for i in range(11, 16)]
    records += [offer(300, 99, *range(1, 6)), offer(301, 99, *range(11, 16))]
    return net.build_network(actors(*range(1, 6), *range(11, 16), 99), records)


def test_star_centre_is_the_only_broker_and_no_bridge():
    nodes = by_id(star())
    centre = nodes["a1"]
    assert centre["betweenness"] == pytest.approx(1.0)
    assert centre["roles"] == [net.BROKER]
    assert centre["degree"] == 5 + 5  # five resources offered, five partners
    assert (centre["resources"], centre["collaborators"]) == (5, 5)
    for leaf in ("a2", "a3", "a4", "a5", "a6"):
        assert nodes[leaf]["betweenness"] == 0
        assert nodes[leaf]["roles"] == []
        assert nodes[leaf]["degree"] == 1
    assert {n["community"] for n in nodes.values() if n["kind"] == "actor"} == {1}


def test_the_actor_joining_two_cliques_is_the_bridge_between_two_communities():
    network = two_cliques()
    nodes = by_id(network)
    assert network["stats"]["communities"] == 2
    left = {nodes[f"a{i}"]["community"] for i in range(1, 6)}
    right = {nodes[f"a{i}"]["community"] for i in range(11, 16)}
    assert len(left) == len(right) == 1 and left != right
    joiner = nodes["a99"]
    assert joiner["participation"] == pytest.approx(0.5)
    assert set(joiner["roles"]) == {net.BRIDGE, net.BROKER}
    others = [n for key, n in nodes.items() if n["kind"] == "actor" and key != "a99"]
    assert all(n["roles"] == [] for n in others)
    assert all(n["betweenness"] == 0 for n in others)
    assert network["stats"]["modularity"] > 0.3


def test_two_partners_in_two_communities_do_not_make_a_bridge():
    """Cliques {1..4} and {11..14}; actor 50 has one partner in each (P = 0.5), actor 60 has
    two in one and one in the other (P = 0.44): 60 is a bridge, 50 is not (two partners)."""
    records = [offer(100 + i, i, *[j for j in range(1, 5) if j > i]) for i in range(1, 5)]
    records += [offer(200 + i, i, *[j for j in range(11, 15) if j > i]) for i in range(11, 15)]
    records += [offer(300, 50, 1, 11), offer(301, 60, 2, 3, 12)]
    nodes = by_id(net.build_network(actors(1, 2, 3, 4, 11, 12, 13, 14, 50, 60), records))
    assert nodes["a50"]["participation"] == pytest.approx(0.5) and net.BRIDGE not in nodes["a50"]["roles"]
    assert nodes["a60"]["participation"] == pytest.approx(4 / 9, abs=1e-4) and net.BRIDGE in nodes["a60"]["roles"]


def test_resources_take_their_actors_community_and_sit_beside_it():
    nodes = by_id(two_cliques())
    for node in nodes.values():
        if node["kind"] == "resource":
            owner = nodes[node["actor"]]
            assert node["community"] == owner["community"]
            distance = math.hypot(node["x"] - owner["x"], node["y"] - owner["y"])
            assert distance == pytest.approx(net.NODE_SPACING * net.RESOURCE_RING, abs=0.2)


def test_actors_without_collaborations_have_no_community_and_no_role():
    network = net.build_network(actors(1, 2, 3), [offer(1, 1, 2), offer(2, 3)])
    nodes = by_id(network)
    assert nodes["a3"]["community"] is None and nodes["a3"]["roles"] == []
    assert nodes["a1"]["community"] == nodes["a2"]["community"] == 1
    assert network["stats"]["without_collaborations"] == 1
    assert network["stats"]["communities"] == 1


def test_the_same_seed_gives_the_same_network():
    records = [offer(i, i % 40, (i * 7) % 40, (i * 13) % 40) for i in range(1, 120)]
    first = net.build_network(actors(*range(40)), records)
    second = net.build_network(actors(*range(40)), list(reversed(records)))
    assert first == second
    other_seed = net.build_network(actors(*range(40)), records, seed=1)
    assert [n["community"] for n in other_seed["nodes"]] or True  # runs with any seed


def test_collaborations_are_weighted_and_carry_their_axes():
    network = net.build_network(actors(1, 2), [offer(1, 1, 2, axis="abitare"), offer(2, 2, 1, axis="lavoro")])
    [collaboration] = [link for link in network["links"] if link["kind"] == "collaboration"]
    assert collaboration["weight"] == 2
    assert collaboration["axes"] == ["abitare", "lavoro"]
    offers = [link for link in network["links"] if link["kind"] == "offers"]
    assert {(link["source"], link["target"]) for link in offers} == {("a1", "r1"), ("a2", "r2")}


def test_a_collaborator_unknown_to_the_records_is_refused():
    with pytest.raises(ValueError):
        net.build_graph(actors(1), [offer(1, 1, 2)])


def test_an_empty_procedure_builds_an_empty_network():
    network = net.build_network({}, [])
    assert network["nodes"] == [] and network["links"] == []
    assert network["stats"]["actors"] == 0


# Betweenness ------------------------------------------------------------------------------------


def labelled(graph: nx.Graph) -> nx.Graph:
    graph = nx.convert_node_labels_to_integers(graph)
    return nx.relabel_nodes(graph, {i: f"a{i}" for i in graph})


@pytest.mark.parametrize("graph", [nx.karate_club_graph(), nx.les_miserables_graph(), nx.barbell_graph(5, 2),
                                   nx.path_graph(4), nx.cycle_graph(7)], ids=["karate", "miserables", "barbell", "path", "cycle"])
def test_exact_betweenness_is_networkx_s(graph):
    graph = labelled(graph)
    mine, used = net.betweenness(graph)
    assert used == graph.number_of_nodes()
    reference = nx.betweenness_centrality(graph)
    assert all(mine[node] == pytest.approx(reference[node], abs=1e-12) for node in graph)


def test_sampled_betweenness_is_seeded_and_close_to_the_exact_one():
    graph = labelled(nx.les_miserables_graph())
    first, used = net.betweenness(graph, samples=40)
    again, _ = net.betweenness(graph, samples=40)
    assert used == 40 and first == again
    exact = nx.betweenness_centrality(graph)
    top = max(exact, key=exact.get)
    assert max(first, key=first.get) == top
    assert first[top] == pytest.approx(exact[top], rel=0.35)


def test_brokers_are_the_top_decile_with_ties_and_never_zero():
    values = {f"a{i}": 0.0 for i in range(20)}
    assert net.brokers(values) == set()
    values.update(a1=0.5, a2=0.3, a3=0.3, a4=0.1)
    assert net.brokers(values) == {"a1", "a2", "a3"}  # top 2 of 20, the tie at the cut kept


# Layout -----------------------------------------------------------------------------------------


def test_a_large_community_is_not_laid_out_all_at_once(monkeypatch):
    sizes = []
    original = nx.spring_layout

    def spy(graph, **kwargs):
        sizes.append(graph.number_of_nodes())
        return original(graph, **kwargs)

    monkeypatch.setattr(nx, "spring_layout", spy)
    records = [offer(i, i, i + 1) for i in range(0, 600)]  # one long chain: one or a few communities
    network = net.build_network(actors(*range(601)), records)
    assert sizes and max(sizes) <= net.LAYOUT_CORE
    positions = [(n["x"], n["y"]) for n in network["nodes"]]
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in positions)
    assert len(set(positions)) > 0.95 * len(positions)  # no pile of nodes on one point


# Reading ----------------------------------------------------------------------------------------


def test_the_axis_subnetwork_keeps_that_axis_resources_links_and_actors():
    network = net.build_network(actors(1, 2, 3), [offer(1, 1, 2, axis="abitare"), offer(2, 3, 2, axis="lavoro")])
    nodes, links = net.subnetwork(network["nodes"], network["links"], "lavoro")
    assert {n["id"] for n in nodes} == {"a2", "a3", "r2"}
    assert all("lavoro" in link["axes"] for link in links) and len(links) == 2
    assert net.subnetwork(network["nodes"], network["links"], None) == (network["nodes"], network["links"])


def test_the_drawing_keeps_the_most_central_actors_within_the_cap():
    network = two_cliques()
    drawn = net.drawing(network["nodes"], network["links"], max_nodes=5, labels=2)
    assert drawn.actors[0]["id"] == "a99"
    assert len(drawn.actors) + len(drawn.resources) == 5
    assert drawn.total_actors == 11
    assert drawn.labels[0]["id"] == "a99" and len(drawn.labels) <= 2
    assert all(label in drawn.actors for label in drawn.labels)
    ids = {n["id"] for n in drawn.actors + drawn.resources}
    coordinates = {(n["px"][0], n["px"][1]): n["id"] for n in drawn.actors + drawn.resources}
    for x1, y1, x2, y2, _kind in drawn.links:
        assert coordinates[(x1, y1)] in ids and coordinates[(x2, y2)] in ids
    for node in drawn.actors + drawn.resources:
        assert 0 <= node["px"][0] <= drawn.width and 0 <= node["px"][1] <= drawn.height


def test_labels_never_overlap():
    network = net.build_network(actors(*range(1, 60)), [offer(i, i, i % 7 + 1, (i * 3) % 59 + 1) for i in range(1, 60)])
    drawn = net.drawing(network["nodes"], network["links"], labels=40)
    boxes = []
    for actor in drawn.labels:
        x, y = actor["px"][0] + 8, actor["px"][1] - 8
        boxes.append((x, y - net.LABEL_FONT, x + min(len(actor["label"]), net.LABEL_CHARS) * net.LABEL_FONT * 0.58, y + 3))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_actor_rows_sort_by_the_column_asked_and_fall_back_to_centrality():
    network = two_cliques()
    by_centrality = net.actor_rows(network["nodes"], "centralita")
    assert by_centrality[0]["id"] == "a99"
    by_name = net.actor_rows(network["nodes"], "nome")
    assert [r["label"] for r in by_name] == sorted((r["label"] for r in by_name), key=str.casefold)
    assert net.actor_rows(network["nodes"], "nonsense") == by_centrality
    by_resources = net.actor_rows(network["nodes"], "risorse")
    assert by_resources[0]["id"] == "a99" and by_resources[0]["shown_resources"] == 2


def test_community_colours_beyond_the_palette_share_one_class():
    assert net.community_class(1) == "net-c1"
    assert net.community_class(net.COLOURED_COMMUNITIES + 1) == "net-c-other"
    assert net.community_class(None) == "net-c-none"


def test_betweenness_on_a_long_chain_is_right_and_quick():
    """Paths longer than DEEP_LEVELS switch to the node-by-node loop: same values."""
    graph = labelled(nx.path_graph(net.DEEP_LEVELS * 3))
    mine, _ = net.betweenness(graph)
    reference = nx.betweenness_centrality(graph)
    assert all(mine[node] == pytest.approx(reference[node], abs=1e-12) for node in graph)
    sampled, used = net.betweenness(graph, samples=30)
    assert used == 30 and max(sampled, key=sampled.get) in {f"a{i}" for i in range(40, 80)}
