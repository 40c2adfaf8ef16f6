"""The network of a procedure: built from the published contributions into its snapshot,
rebuilt when stale (by `coprog network rebuild`), served from storage by the page and by
/dati/<slug>/rete.json, and the staff's "Ricalcola ora"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from coprog.actors.models import Actor, ActorKind
from coprog.actors.services import name_actor, resolve
from coprog.applications.models import CoOptedKind, CoOptedSubject
from coprog.core.models import AuditEntry
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.mapping import graph as net
from coprog.mapping.models import ContributionState, NetworkSnapshot
from coprog.mapping.services import network
from coprog.mapping.services.contributions import mark_network_stale, moderate

from ..factories import make_admitted, make_contribution, make_notice, make_user

XSS = ("<img src=x onerror=alert(1)>", "${alert(2)}", "javascript:alert(3)")


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(published=True, by=staff)


def named(notice, name: str, staff) -> Actor:
    return name_actor(notice.procedure, ActorKind.OTHER, name, by=staff)


def rebuilt(session, notice) -> NetworkSnapshot:
    session.commit()
    network.rebuild(notice.procedure.id, force=True)
    snapshot = network.snapshot_of(notice.procedure)
    session.refresh(snapshot)
    return snapshot


def nodes_of(snapshot) -> dict[str, dict]:
    return {node["id"]: node for node in snapshot.graph["nodes"]}


# The snapshot ------------------------------------------------------------------------------------


def test_the_snapshot_holds_the_published_contributions_only(session, notice, staff):
    alfa, beta = named(notice, "Alfa", staff), named(notice, "Beta", staff)
    shown = make_contribution(notice, by=staff, actor=alfa, collaborators=[beta])
    hidden = make_contribution(notice, by=staff, actor=beta, approved=False, description="In attesa")
    snapshot = rebuilt(session, notice)
    nodes = nodes_of(snapshot)
    assert f"r{shown.id}" in nodes and f"r{hidden.id}" not in nodes
    assert nodes[f"a{alfa.id}"]["collaborators"] == 1 and nodes[f"a{beta.id}"]["resources"] == 0
    assert snapshot.stale is False and snapshot.built_at is not None and snapshot.build_seconds >= 0
    assert snapshot.stats["actors"] == 2 and snapshot.stats["resources"] == 1
    assert {"communities", "modularity", "build_seconds", "betweenness_samples"} <= set(snapshot.stats)
    assert all({"x", "y"} <= set(node) for node in nodes.values())


def test_co_opted_citizens_are_not_named(session, notice, staff):
    application = make_admitted(notice)
    citizen = CoOptedSubject(application=application, kind=CoOptedKind.CITIZEN, name="Mario Rossi")
    db.session.add(citizen)
    db.session.flush()
    actor = resolve(notice.procedure, f"co:{citizen.id}", by=staff)
    make_contribution(notice, by=staff, actor=actor)
    snapshot = rebuilt(session, notice)
    labels = [node["label"] for node in snapshot.graph["nodes"]]
    assert "Mario Rossi" not in labels
    assert "Cittadino (nome non pubblicato)" in labels


def test_a_change_marks_the_network_stale_and_the_command_rebuilds_it(app, session, notice, staff):
    first = make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    assert snapshot.stale is False
    second = make_contribution(notice, by=staff)
    session.commit()
    session.refresh(snapshot)
    assert snapshot.stale is True
    assert notice.procedure.id in network.procedures_to_rebuild()
    result = app.test_cli_runner().invoke(args=["network", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"{notice.procedure.slug}: rete ricalcolata" in result.output
    session.refresh(snapshot)
    assert snapshot.stale is False
    assert {f"r{first.id}", f"r{second.id}"} <= set(nodes_of(snapshot))
    assert notice.procedure.id not in network.procedures_to_rebuild()
    again = app.test_cli_runner().invoke(args=["network", "rebuild"])
    assert "nessuna rete da ricalcolare" in again.output


def test_the_command_rebuilds_one_procedure_or_all_on_request(app, session, notice, staff):
    make_contribution(notice, by=staff)
    rebuilt(session, notice)
    one = app.test_cli_runner().invoke(args=["network", "rebuild", "--procedure", notice.procedure.slug])
    assert one.exit_code == 0 and "rete ricalcolata" in one.output
    every = app.test_cli_runner().invoke(args=["network", "rebuild", "--all"])
    assert every.exit_code == 0 and notice.procedure.slug in every.output
    unknown = app.test_cli_runner().invoke(args=["network", "rebuild", "--procedure", "nessuno"])
    assert unknown.exit_code != 0 and "Nessun procedimento" in unknown.output


def test_a_change_during_the_build_is_not_lost(session, notice, staff, monkeypatch):
    make_contribution(notice, by=staff)
    session.commit()
    build = net.build_network

    def build_while_a_contribution_arrives(actors, resources):
        make_contribution(notice, by=staff)  # marks stale again, committed mid-build
        session.commit()
        return build(actors, resources)

    monkeypatch.setattr(net, "build_network", build_while_a_contribution_arrives)
    network.rebuild(notice.procedure.id)
    snapshot = network.snapshot_of(notice.procedure)
    session.refresh(snapshot)
    assert snapshot.graph["nodes"] and snapshot.stale is True  # stored, and still to redo


def test_a_failed_build_leaves_the_network_stale(session, notice, staff, monkeypatch):
    make_contribution(notice, by=staff)
    session.commit()

    def broken(actors, resources):
        raise RuntimeError("boom")

    monkeypatch.setattr(net, "build_network", broken)
    with pytest.raises(RuntimeError):
        network.rebuild(notice.procedure.id)
    snapshot = network.snapshot_of(notice.procedure)
    session.refresh(snapshot)
    assert snapshot.stale is True and snapshot.graph is None


def test_an_older_build_never_overwrites_a_newer_one(session, notice, staff):
    make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    newer = snapshot.built_at
    network._store(notice.procedure.id, {"nodes": [], "links": [], "stats": {}}, newer - timedelta(seconds=5), 0.1)
    session.commit()
    session.refresh(snapshot)
    assert snapshot.graph["nodes"] and snapshot.built_at == newer


def test_a_build_that_died_after_its_claim_is_found_again(session, notice, staff):
    contribution = make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    # what a killed process leaves: claimed (not stale) but a contribution newer than the build
    session.execute(update(NetworkSnapshot).where(NetworkSnapshot.id == snapshot.id).values(stale=False))
    contribution.updated_at = snapshot.built_at + timedelta(seconds=1)
    session.commit()
    assert notice.procedure.id in network.procedures_to_rebuild()


def test_a_claim_left_without_a_result_is_built_again_once_abandoned(session, notice, staff):
    make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    # what a process killed while computing leaves: its claim, no result, nothing stale
    claimed = snapshot.built_at + timedelta(seconds=1)
    session.execute(update(NetworkSnapshot).where(NetworkSnapshot.id == snapshot.id).values(claimed_at=claimed))
    session.commit()
    assert notice.procedure.id not in network.procedures_to_rebuild(now=claimed + timedelta(seconds=30))  # computing
    later = claimed + network.ABANDONED_AFTER + timedelta(seconds=1)
    assert notice.procedure.id in network.procedures_to_rebuild(now=later)


def test_a_rebuild_with_nothing_stale_does_nothing(session, notice, staff):
    make_contribution(notice, by=staff)
    rebuilt(session, notice)
    assert network.rebuild(notice.procedure.id) is None


# The page ----------------------------------------------------------------------------------------


def svg_of(html: str) -> str:
    start = html.index('<svg class="network-svg"')
    return html[start:html.index("</svg>", start)]


def drawn_actors(html: str) -> int:
    return svg_of(html).count('class="net-actor')


def page_of(client, notice, **params) -> str:
    response = client.get(f"/avvisi/{notice.procedure.slug}/rete", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_draws_the_stored_network_with_its_table(client, session, notice, staff):
    alfa, beta, gamma = (named(notice, n, staff) for n in ("Alfa", "Beta", "Gamma"))
    make_contribution(notice, by=staff, actor=alfa, collaborators=[beta, gamma])
    make_contribution(notice, by=staff, actor=beta, collaborators=[gamma])
    rebuilt(session, notice)
    html = page_of(client, notice)
    assert 'role="img"' in html and "<title id=\"network-svg-title\">" in html and "<desc id=" in html
    assert drawn_actors(html) == 3 and svg_of(html).count('class="net-resource') == 2
    assert "Rete calcolata il" in html and "in aggiornamento" not in html
    table = html[html.index('id="soggetti"'):]
    assert all(name in table for name in ("Alfa", "Beta", "Gamma"))
    assert "Ricalcola ora" not in html  # anonymous
    assert f"/dati/{notice.procedure.slug}/rete.json" in html


def test_a_stale_network_is_served_as_stored_and_says_so(client, session, notice, staff):
    make_contribution(notice, by=staff, description="Prima risorsa")
    rebuilt(session, notice)
    make_contribution(notice, by=staff, description="Seconda risorsa")
    session.commit()
    html = page_of(client, notice)
    assert "in aggiornamento" in html
    assert "Prima risorsa" in html and "Seconda risorsa" not in html


def test_while_a_rebuild_computes_the_page_and_the_data_say_so(client, session, notice, staff, monkeypatch):
    """The claim clears `stale` before the build: the pages must not call the old network
    current meanwhile."""
    make_contribution(notice, by=staff, description="Prima risorsa")
    rebuilt(session, notice)
    make_contribution(notice, by=staff, description="Seconda risorsa")
    session.commit()
    seen_meanwhile = {}
    build = net.build_network

    def build_while_the_public_looks(actors, resources):
        seen_meanwhile["page"] = page_of(client, notice)
        seen_meanwhile["data"] = client.get(f"/dati/{notice.procedure.slug}/rete.json").get_json()
        return build(actors, resources)

    monkeypatch.setattr(net, "build_network", build_while_the_public_looks)
    assert network.rebuild(notice.procedure.id) is not None
    assert "in aggiornamento" in seen_meanwhile["page"] and seen_meanwhile["data"]["stale"] is True
    assert "Seconda risorsa" not in seen_meanwhile["page"]  # the stored network, as it was
    html = page_of(client, notice)
    assert "Seconda risorsa" in html and "in aggiornamento" not in html
    assert client.get(f"/dati/{notice.procedure.slug}/rete.json").get_json()["stale"] is False


def test_a_network_never_built_says_it_will_come(client, session, notice, staff):
    make_contribution(notice, by=staff)
    session.commit()
    html = page_of(client, notice)
    assert "non è ancora stata calcolata" in html


def test_the_axis_filter_shows_that_axis_subnetwork(client, session, notice, staff):
    housing, work = notice.procedure.authority.axes[:2]
    alfa, beta, gamma = (named(notice, n, staff) for n in ("Alfa", "Beta", "Gamma"))
    make_contribution(notice, by=staff, actor=alfa, collaborators=[beta], axis_id=housing.id)
    make_contribution(notice, by=staff, actor=gamma, axis_id=work.id)
    rebuilt(session, notice)
    html = page_of(client, notice, asse=work.id)
    table = html[html.index('id="soggetti"'):]
    assert "Gamma" in table and "Alfa" not in table and "Beta" not in table
    assert drawn_actors(html) == 1
    assert 'aria-current="page"' in html[html.index("network-axes"):html.index("network-axes") + 2000]
    everything = page_of(client, notice, asse=999999)  # unknown axis: all of them
    assert all(n in everything for n in ("Alfa", "Beta", "Gamma"))


def test_the_table_is_sorted_and_paginated(client, session, notice, staff, monkeypatch):
    actors = [named(notice, f"Ente {i:02d}", staff) for i in range(7)]
    for actor in actors:
        make_contribution(notice, by=staff, actor=actor)
    rebuilt(session, notice)
    from coprog.mapping import network_views

    monkeypatch.setattr(network_views, "PAGE_SIZE", 3)
    first = page_of(client, notice, ordina="nome")
    names = re.findall(r'<th scope="row">(Ente \d\d)</th>', first)
    assert names == ["Ente 00", "Ente 01", "Ente 02"]
    assert "pagina 1 di 3" in first and 'aria-sort="ascending"' in first
    last = page_of(client, notice, ordina="nome", pagina=3)
    assert re.findall(r'<th scope="row">(Ente \d\d)</th>', last) == ["Ente 06"]
    assert "ordina=nome" in last and "pagina=2" in last
    beyond = page_of(client, notice, ordina="nome", pagina=99)
    assert re.findall(r'<th scope="row">(Ente \d\d)</th>', beyond) == ["Ente 06"]
    nonsense = page_of(client, notice, ordina="x", pagina="y")
    assert 'aria-sort="descending"' in nonsense  # by centrality, page 1


def test_a_big_network_draws_the_most_central_and_says_so(client, session, notice, staff, monkeypatch):
    hub = named(notice, "Capofila", staff)
    others = [named(notice, f"Ente {i}", staff) for i in range(6)]
    make_contribution(notice, by=staff, actor=hub, collaborators=others)
    rebuilt(session, notice)
    monkeypatch.setattr(net, "DRAW_MAX_NODES", 3)
    html = page_of(client, notice)
    assert "Il disegno mostra i 2 soggetti più centrali su 7" in html
    assert drawn_actors(html) == 2
    assert len(re.findall(r'<tr id="soggetto-', html)) == 7


def test_user_text_is_shown_as_text_in_the_drawing_and_the_table(client, session, notice, staff):
    actors = [named(notice, text, staff) for text in XSS]
    for actor, text in zip(actors, XSS, strict=True):
        make_contribution(notice, by=staff, actor=actor, description=text, collaborators=[a for a in actors if a is not actor][:1])
    rebuilt(session, notice)
    html = page_of(client, notice)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    svg = svg_of(html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg and "${alert(2)}" in svg and "javascript:alert(3)" in svg
    assert 'href="javascript:' not in html


def test_the_page_is_cached_and_a_rebuild_refreshes_it(client, session, notice, staff):
    make_contribution(notice, by=staff, description="Prima risorsa")
    rebuilt(session, notice)
    assert "Seconda risorsa" not in page_of(client, notice)
    make_contribution(notice, by=staff, description="Seconda risorsa")
    session.commit()
    assert "in aggiornamento" in page_of(client, notice)
    network.rebuild(notice.procedure.id)
    html = page_of(client, notice)
    assert "Seconda risorsa" in html and "in aggiornamento" not in html


def test_an_unpublished_notice_has_no_network_page(client, session, staff):
    draft = make_notice(published=False, by=staff)
    session.commit()
    assert client.get(f"/avvisi/{draft.procedure.slug}/rete").status_code in (302, 403, 404)
    assert client.get(f"/dati/{draft.procedure.slug}/rete.json").status_code in (302, 403, 404)
    assert client.get("/avvisi/nessuno/rete").status_code == 404


# Open data -----------------------------------------------------------------------------------------


def test_rete_json_is_node_link_with_public_names_and_published_data_only(client, session, notice, staff):
    application = make_admitted(notice)
    citizen = CoOptedSubject(application=application, kind=CoOptedKind.CITIZEN, name="Mario Rossi")
    db.session.add(citizen)
    db.session.flush()
    person = resolve(notice.procedure, f"co:{citizen.id}", by=staff)
    alfa = named(notice, XSS[0], staff)
    shown = make_contribution(notice, by=staff, actor=alfa, collaborators=[person], description=XSS[1])
    hidden = make_contribution(notice, by=staff, actor=alfa, approved=False, description="Non pubblicata")
    rebuilt(session, notice)
    response = client.get(f"/dati/{notice.procedure.slug}/rete.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert {"procedure", "built_at", "stale", "stats", "definitions", "nodes", "links"} <= set(data)
    nodes = {node["id"]: node for node in data["nodes"]}
    assert {node["kind"] for node in nodes.values()} == {"actor", "resource"}
    actor = nodes[f"a{alfa.id}"]
    assert actor["label"] == XSS[0] and set(actor["metrics"]) == set(network.OPEN_ACTOR_METRICS)
    assert nodes[f"a{person.id}"]["label"] == "Cittadino (nome non pubblicato)"
    assert "Mario Rossi" not in response.get_data(as_text=True)
    resource = nodes[f"r{shown.id}"]
    assert resource["label"] == XSS[1] and resource["actor"] == f"a{alfa.id}"
    assert f"r{hidden.id}" not in nodes and "Non pubblicata" not in response.get_data(as_text=True)
    kinds = {(link["source"], link["target"], link["kind"]) for link in data["links"]}
    assert (f"a{alfa.id}", f"r{shown.id}", "offers") in kinds
    assert any(k == "collaboration" for *_ends, k in kinds)
    assert data["stale"] is False and data["built_at"].endswith("Z")


def test_rete_json_before_any_build_is_empty_and_stale(client, session, notice, staff):
    make_contribution(notice, by=staff)
    session.commit()
    data = client.get(f"/dati/{notice.procedure.slug}/rete.json").get_json()
    assert data["nodes"] == [] and data["links"] == [] and data["stale"] is True


# "Ricalcola ora" ------------------------------------------------------------------------------------


def rebuild_url(notice) -> str:
    return f"/gestione/procedimenti/{notice.procedure.id}/rete/ricalcola"


def test_staff_see_the_button_and_it_schedules_a_rebuild(client, session, notice, staff, login_as):
    make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    user = login_as(Role.STAFF)
    html = page_of(client, notice)
    assert "Ricalcola ora" in html
    from ..conftest import csrf_token_from

    response = client.post(rebuild_url(notice), data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/avvisi/{notice.procedure.slug}/rete")
    session.refresh(snapshot)
    assert snapshot.stale is True
    entry = session.scalar(select(AuditEntry).where(AuditEntry.object_type == "NetworkSnapshot",
                                                   AuditEntry.object_id == snapshot.id))
    assert entry.action == "rebuild_requested" and entry.actor_id == user.id
    assert "aggiornamento programmato" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("role", [None, Role.ETS, Role.FACILITATOR])
def test_only_staff_may_ask_for_a_rebuild(client, session, notice, staff, login_as, role):
    make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    login_as(role)
    html = page_of(client, notice)
    assert "Ricalcola ora" not in html
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(rebuild_url(notice))
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == (302 if role is None else 403)
    if role is None:
        assert "/accedi" in response.headers["Location"]
    session.refresh(snapshot)
    assert snapshot.stale is False


def test_a_rebuild_for_an_unknown_procedure_is_404(client, session, login_as):
    login_as(Role.STAFF)
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.post("/gestione/procedimenti/999999/rete/ricalcola").status_code == 404
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True


def test_mark_stale_and_moderation_reach_the_snapshot(session, notice, staff):
    contribution = make_contribution(notice, by=staff)
    snapshot = rebuilt(session, notice)
    moderate(contribution, ContributionState.REJECTED, "Ritirato", by=staff)
    session.commit()
    session.refresh(snapshot)
    assert snapshot.stale is True
    network.rebuild(notice.procedure.id)
    session.refresh(snapshot)
    assert f"r{contribution.id}" not in nodes_of(snapshot)
    mark_network_stale(notice.procedure)
    assert snapshot.stale is True
