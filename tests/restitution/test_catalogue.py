"""The open data catalogue of a procedure over HTTP: every dataset it lists downloads and parses,
with exactly the fields its data dictionary names; the DCAT-AP_IT JSON-LD, read by a real RDF
parser, names the licence, the publisher and distribution URLs that answer; what is not out
yet is said, and left out of the metadata; drafts and unknown procedures are not served."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from coprog.actors.models import ActorKind
from coprog.actors.services import name_actor
from coprog.applications.admission import publish_admitted_list
from coprog.core.roles import Role
from coprog.mapping.services import network
from coprog.restitution.catalogue import LICENCE_EU, LICENCE_URL, SPECS

from ..factories import make_contribution, make_notice
from .test_public import publish

# rdflib 7's JSON-LD parser builds a ConjunctiveGraph, which it deprecates itself
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

DCATAPIT = "http://dati.gov.it/onto/dcatapit#"
VCARD = ns.Namespace("http://www.w3.org/2006/vcard/ns#")
CC_BY = URIRef(LICENCE_URL)
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
FILES = {  # the file each endpoint serves, as the issue names them
    "applications.admitted_open_data": "ammessi.csv", "tables.figures_json": "partecipazione.json",
    "tables.figures_csv": "partecipazione.csv", "mapping.open_resources": "risorse.geojson",
    "mapping.network_json": "rete.json", "mapping.coverage_csv_data": "copertura.csv",
    "restitution.synthesis_json": "sintesi.json",
}


@pytest.fixture
def everything_out(session, notice, staff):
    """The notice with all its data out: the admitted list, a mapped resource offered with a
    partner (so the network has a link), the network built, the synthesis published."""
    partner = name_actor(notice.procedure, ActorKind.OTHER, "Cooperativa Partner", by=staff)
    make_contribution(notice, by=staff, collaborators=[partner])
    publish_admitted_list(notice, by=staff, now=notice.deadline_at + timedelta(days=1))
    publish(notice, staff)
    session.commit()
    network.rebuild(notice.procedure.id, force=True)
    return notice


def path_of(url: str) -> str:
    return urlsplit(str(url)).path


def graph_of(client, slug: str) -> Graph:
    response = client.get(f"/dati/{slug}/catalogo.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.headers["Content-Disposition"] == f'inline; filename="{slug}-catalogo.jsonld"'
    return Graph().parse(data=response.get_data(as_text=True), format="json-ld")


def download_links(html: str) -> set[str]:
    return {path_of(url) for url in re.findall(r'href="([^"]*/dati/[^"]+\.(?:csv|json|geojson))"', html)}


def documented(fields, prefix: str = "") -> set[str]:
    """The keys the dictionary names directly under `prefix` ("items[]." …); a name may list
    several keys ("items[].title, items[].description"; "nodes[].a, b" shares the prefix)."""
    keys = set()
    for field in fields:
        first, *others = field.name.split(", ")
        parent = first.rsplit(".", 1)[0] + "." if "." in first else ""
        for name in (first, *(parent + other if "." not in other else other for other in others)):
            if name.startswith(prefix):
                keys.add(re.split(r"[.\[]", name[len(prefix):])[0])
    return keys


def test_every_dataset_listed_downloads_and_parses_as_its_dictionary_says(client, everything_out):
    slug = everything_out.procedure.slug
    page = client.get(f"/dati/{slug}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Non ancora disponibile" not in html
    formats = {f"/dati/{slug}/{FILES[f.endpoint]}": f for spec in SPECS for f in spec.formats}
    assert download_links(html) == formats.keys() and len(formats) == 7
    for url, fmt in formats.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        if fmt.code == "CSV":
            header, *rows = list(csv.reader(io.StringIO(body), delimiter=";"))
            assert header == [field.name for field in fmt.fields], url
            assert rows and all(len(row) == len(header) for row in rows), url
        else:
            data = json.loads(body)
            assert set(data) == documented(fmt.fields), url
            _check_nested(url, data, fmt.fields)


def _check_nested(url: str, data: dict, fields) -> None:
    """The keys of the first element of each documented list, as the dictionary names them."""
    if url.endswith("partecipazione.json"):
        assert set(data["sessions"][0]) == documented(fields, "sessions[].")
    elif url.endswith("risorse.geojson"):
        for feature in data["features"]:
            assert set(feature) == documented(fields, "features[].")
            assert set(feature["properties"]) == documented(fields, "features[].properties.")
            assert feature["geometry"]["type"] == "Point"
    elif url.endswith("rete.json"):
        actor = next(n for n in data["nodes"] if n["kind"] == "actor")
        resource = next(n for n in data["nodes"] if n["kind"] == "resource")
        nodes = documented(fields, "nodes[].")
        assert set(actor) | set(resource) == nodes
        assert set(link for link in data["links"] for link in link) == documented(fields, "links[].")
    elif url.endswith("sintesi.json"):
        (item,) = data["items"]
        assert set(item) == documented(fields, "items[].")


def test_the_dcat_ap_it_metadata_name_licence_publisher_and_answering_distributions(client, everything_out):
    slug = everything_out.procedure.slug
    graph = graph_of(client, slug)
    (catalogue,) = graph.subjects(ns.RDF.type, ns.DCAT.Catalog)
    assert (catalogue, ns.RDF.type, URIRef(DCATAPIT + "Catalog")) in graph
    assert path_of(catalogue) == f"/dati/{slug}/"
    datasets = set(graph.objects(catalogue, ns.DCAT.dataset))
    assert len(datasets) == len(SPECS) and datasets == set(graph.subjects(ns.RDF.type, ns.DCAT.Dataset))
    links = download_links(client.get(f"/dati/{slug}/").get_data(as_text=True))
    downloads = set()
    for dataset in datasets:
        assert (dataset, ns.RDF.type, URIRef(DCATAPIT + "Dataset")) in graph
        assert graph.value(dataset, ns.DCTERMS.identifier) and graph.value(dataset, ns.DCTERMS.title).language == "it"
        assert graph.value(dataset, ns.DCTERMS.modified).datatype.endswith("#date")
        assert all(str(theme).startswith(THEMES) for theme in graph.objects(dataset, ns.DCAT.theme))
        for role in (ns.DCTERMS.publisher, ns.DCTERMS.rightsHolder):
            agent = graph.value(dataset, role)
            assert graph.value(agent, ns.FOAF.name) == Literal("Azienda di prova", lang="it")
            assert (agent, ns.RDF.type, URIRef(DCATAPIT + "Agent")) in graph and graph.value(agent, ns.DCTERMS.identifier)
        contact = graph.value(dataset, ns.DCAT.contactPoint)
        assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:info@esempio.it")
        distributions = list(graph.objects(dataset, ns.DCAT.distribution))
        assert distributions
        for distribution in distributions:
            assert graph.value(distribution, ns.DCTERMS.license) == CC_BY
            assert str(graph.value(distribution, ns.DCTERMS.format)).startswith(FILE_TYPES)
            assert graph.value(distribution, ns.DCAT.mediaType) is not None
            url = graph.value(distribution, ns.DCAT.downloadURL)
            assert url == graph.value(distribution, ns.DCAT.accessURL) and str(url).startswith("http://")
            downloads.add(path_of(url))
    assert (CC_BY, ns.OWL.sameAs, URIRef(LICENCE_EU)) in graph
    assert (CC_BY, ns.RDF.type, URIRef(DCATAPIT + "LicenseDocument")) in graph
    assert downloads == links  # the metadata and the page list the same files
    for url in downloads:
        assert client.get(url).status_code == 200, url


def test_what_is_not_out_yet_is_said_and_left_out_of_the_metadata(client, session, notice, staff):
    slug = notice.procedure.slug
    html = client.get(f"/dati/{slug}/").get_data(as_text=True)
    assert html.count("Non ancora disponibile") == 5  # all but the participation
    assert "Disponibile alla pubblicazione della sintesi." in html
    assert "Disponibile alla pubblicazione dell'elenco degli ammessi." in html
    assert download_links(html) == {f"/dati/{slug}/partecipazione.json", f"/dati/{slug}/partecipazione.csv"}
    assert client.get(f"/dati/{slug}/sintesi.json").status_code == 404
    graph = graph_of(client, slug)
    (dataset,) = graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    assert path_of(dataset) == f"/dati/{slug}/" and str(dataset).endswith("#partecipazione")
    assert {path_of(u) for u in graph.objects(None, ns.DCAT.downloadURL)} == download_links(html)

    publish(notice, staff, sources=False)  # the cached page follows the publication at once
    session.commit()
    html = client.get(f"/dati/{slug}/").get_data(as_text=True)
    assert "Disponibile alla pubblicazione della sintesi." not in html
    assert f"/dati/{slug}/sintesi.json" in download_links(html)
    assert client.get(f"/dati/{slug}/sintesi.json").status_code == 200
    assert len(set(graph_of(client, slug).subjects(ns.RDF.type, ns.DCAT.Dataset))) == 2


def test_the_restitution_and_the_notice_link_the_catalogue(client, notice):
    slug = notice.procedure.slug
    for page in (f"/avvisi/{slug}/restituzione", f"/avvisi/{slug}"):
        assert f'href="/dati/{slug}/"' in client.get(page).get_data(as_text=True), page


def test_unknown_and_draft_procedures_are_not_served(client, session, login_as):
    draft = make_notice(title="Bozza riservata")
    session.commit()
    for path in ("/dati/nessuno/", "/dati/nessuno/catalogo.jsonld"):
        assert client.get(path).status_code == 404
    slug = draft.procedure.slug
    for path in (f"/dati/{slug}/", f"/dati/{slug}/catalogo.jsonld"):
        response = client.get(path)  # as every page of a draft: the public is sent to sign in
        assert response.status_code == 302 and "/accedi" in response.headers["Location"]
    login_as(Role.ETS)
    for path in (f"/dati/{slug}/", f"/dati/{slug}/catalogo.jsonld"):
        assert client.get(path).status_code == 403
