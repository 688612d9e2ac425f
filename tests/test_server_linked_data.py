"""Linked data on a real `diplograph serve`: every minted IRI dereferences (HTML for browsers, RDF
for the rest, extension twins), labels are escaped in HTML, the IRIs stay the same whatever host
serves them, the VoID description and the dumps (with their validators) describe the store."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse
from support import FIXTURES, MINI
from w3c_protocol import diplograph_server

from diplograph.loader import read_article
from diplograph.ontology import iris, ontology_quads
from diplograph.ontology.vocab import DG, ID_BASE, ONTOLOGY_GRAPH, RDFS, SEM
from diplograph.store import EmbeddedStore

TOKEN = "linked-t0ken"
ARTICLE = read_article(MINI)
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
HOSTILE = "<script>alert('pwned')</script> envoy"
ENVOY = iris.entity("envoy")
MEETING = iris.event("mini", "envoy-meets-speaker")
SPAN = next(q.subject.value for q in ARTICLE.quads if "/char/" in q.subject.value)
# One IRI of every kind the loader mints.
MINTED = [iris.article("mini"), iris.article_text("mini"), SPAN, iris.credit("mini", "reporter-a"), ENVOY, MEETING,
          iris.role("mini", "envoy-meets-speaker", "initiator", "envoy"), iris.claim("mini", "no-talks"),
          iris.figure("mini", "soldiers"), iris.quotation("mini", "calm"), iris.graph("mini")]
RDF_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
TWINS = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
         ".rdf": "application/rdf+xml", ".html": "text/html"}


def store_with(folder: Path, annotation: Path) -> Path:
    """A store in `folder` holding the ontology and one article."""
    article = read_article(annotation)
    store = EmbeddedStore(folder / "store")
    store.replace_graphs({ONTOLOGY_GRAPH: ontology_quads(), article.graph: article.quads})
    store.close()
    return folder / "store"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with diplograph_server(store_with(tmp_path_factory.mktemp("linked"), MINI), token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The mini article with a label that is a script, behind a public base URL, cutting at 15 rows
    (the envoy's description and its role's fit, the meeting's does not)."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "mini.txt").write_bytes((FIXTURES / "mini.txt").read_bytes())
    text = MINI.read_text(encoding="utf-8").replace("{label: The envoy,", f'{{label: "{HOSTILE}",')
    assert HOSTILE in text
    (folder / "mini.yaml").write_text(text, encoding="utf-8")
    with diplograph_server(store_with(folder, folder / "mini.yaml"), "--base-url", "https://data.example.org/kg",
                           "--max-rows", "15") as running:
        yield running


def path_of(iri: str) -> str:
    return "/id/" + iri[len(ID_BASE):]


def rdf(reply) -> rdflib.Graph:
    return rdflib.Graph().parse(data=reply.body, format=reply.media_type)


def test_an_entity_iri_dereferences_to_turtle_with_its_labels(server):
    reply = server.request("GET", path_of(ENVOY), headers={"Accept": "text/turtle"})
    assert reply.status == 200, reply.text
    assert reply.media_type == "text/turtle" and reply.headers["vary"] == "Accept"
    graph = rdf(reply)
    envoy, meeting = rdflib.URIRef(ENVOY), rdflib.URIRef(MEETING)
    assert (envoy, rdflib.RDFS.label, rdflib.Literal("The envoy", lang="en")) in graph  # its own triples
    assert (meeting, rdflib.URIRef(SEM + "hasActor"), envoy) in graph  # triples pointing to it
    assert (meeting, rdflib.RDFS.label, rdflib.Literal("The envoy meets the speaker in Beirut", lang="en")) in graph
    assert (rdflib.URIRef(DG + "Person"), rdflib.RDFS.label, None) in graph  # labels of what it links to
    assert not list(graph.triples((meeting, rdflib.URIRef(SEM + "hasPlace"), None)))  # nothing more of others


@pytest.mark.parametrize("iri", MINTED, ids=[i[len(ID_BASE):] for i in MINTED])
def test_every_kind_of_minted_iri_dereferences(server, iri):
    reply = server.request("GET", path_of(iri))
    assert reply.status == 200, reply.text
    assert reply.media_type == "text/turtle"  # what a client that accepts anything gets
    assert any(str(s) == iri or str(o) == iri for s, _, o in rdf(reply))


def test_an_article_graph_dereferences_to_its_size_and_dump(server):
    graph = rdf(server.request("GET", path_of(ARTICLE.graph)))
    subject = rdflib.URIRef(ARTICLE.graph)
    assert graph.value(subject, VOID.triples).toPython() == len(ARTICLE.quads)
    assert str(graph.value(subject, VOID.dataDump)).endswith("/dumps/mini.nq.gz")
    assert graph.value(subject, VOID.rootResource) == rdflib.URIRef(iris.article("mini"))


@pytest.mark.parametrize("accept", RDF_TYPES)
def test_a_description_comes_in_every_rdf_format(server, accept):
    reply = server.request("GET", path_of(MEETING), headers={"Accept": accept})
    assert reply.status == 200 and reply.media_type == accept
    turtle = rdf(server.request("GET", path_of(MEETING), headers={"Accept": "text/turtle"}))
    assert isomorphic(rdf(reply), turtle)


@pytest.mark.parametrize("extension", TWINS)
def test_an_extension_twin_has_its_format_whatever_the_accept_header(server, extension):
    reply = server.request("GET", path_of(ENVOY) + extension, headers={"Accept": "image/png"})
    assert reply.status == 200, reply.text
    assert reply.media_type == TWINS[extension]
    assert "vary" not in reply.headers


def test_a_browser_gets_a_page_titled_by_the_label_with_links_to_this_server(server):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    reply = server.request("GET", path_of(MEETING), headers={"Accept": accept})
    assert reply.status == 200 and reply.media_type == "text/html"
    page = reply.text
    assert "<title>The envoy meets the speaker in Beirut · diplograph</title>" in page
    assert f'href="{path_of(ENVOY)}"' in page and ">The envoy</a>" in page  # linked by its label
    assert 'href="/ontology#Meeting"' in page  # the ontology's terms too
    assert "2024-11-11</span> <small>xsd:date</small>" in page  # literals with their datatype
    assert "<small>@en</small>" in page  # and their language
    assert f'<link rel="alternate" type="text/turtle" href="{path_of(MEETING)}.ttl">' in page
    assert "script-src" not in reply.headers["content-security-policy"]  # no script may run


def test_the_ontology_and_its_terms_dereference_to_the_ontology_document(server):
    graph = rdf(server.request("GET", "/ontology", headers={"Accept": "text/turtle"}))
    assert (rdflib.URIRef(DG + "Meeting"), rdflib.RDF.type, rdflib.OWL.Class) in graph
    page = server.request("GET", "/ontology", headers={"Accept": "text/html"}).text
    # /ontology#Meeting in a browser lands on the term's section.
    assert re.search(r'<section id="Meeting">\s*<h2>', page)
    assert server.request("GET", "/ontology.nt").media_type == "application/n-triples"


@pytest.mark.parametrize("path", ["/id/entity/nobody", "/id/", "/id/entity/a%20b", "/id/entity/envoy/more",
                                  "/ontologies", "/id/entity/envoy.exe"])
def test_unknown_iri_is_404(server, path):
    reply = server.request("GET", path, headers={"Accept": "text/html"})
    assert reply.status == 404
    assert reply.media_type == "text/plain" and len(reply.text.splitlines()) == 1


def test_a_resource_in_no_acceptable_format_is_406(server):
    reply = server.request("GET", path_of(ENVOY), headers={"Accept": "image/png, application/pdf"})
    assert reply.status == 406
    assert "text/turtle" in reply.text


def test_iris_stay_the_same_whatever_host_serves_them(server):
    reply = server.request("GET", path_of(ENVOY), headers={"Host": "mirror.example:9999", "Accept": "text/turtle"})
    assert (rdflib.URIRef(ENVOY), rdflib.RDFS.label, None) in rdf(reply)
    assert "mirror.example" not in reply.text


def test_a_hostile_label_is_escaped_in_html(hostile_server):
    role = iris.role("mini", "envoy-meets-speaker", "initiator", "envoy")
    for iri in (ENVOY, role):  # its own page and a page linking to it
        page = hostile_server.request("GET", path_of(iri), headers={"Accept": "text/html"}).text
        assert "<script>" not in page
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; envoy" in page
    turtle = hostile_server.request("GET", path_of(ENVOY), headers={"Accept": "text/turtle"})
    assert (rdflib.URIRef(ENVOY), rdflib.RDFS.label, rdflib.Literal(HOSTILE, lang="en")) in rdf(turtle)


def test_with_a_base_url_html_links_point_to_the_served_host(hostile_server):
    page = hostile_server.request("GET", path_of(ENVOY) + ".html").text
    assert 'href="https://data.example.org/kg/ontology#Person"' in page
    assert 'href="https://data.example.org/kg/id/entity/envoy.ttl"' in page
    void = rdf(hostile_server.request("GET", "/.well-known/void"))
    assert (None, VOID.sparqlEndpoint, rdflib.URIRef("https://data.example.org/kg/sparql")) in void


def test_a_description_longer_than_the_row_cap_says_so(hostile_server):
    reply = hostile_server.request("GET", path_of(MEETING), headers={"Accept": "text/html"})
    assert reply.headers["x-diplograph-truncated"] == "true"
    assert "Only the first 15 statements are shown." in reply.text


def test_void_describes_the_dataset_its_article_graphs_and_vocabularies(server):
    reply = server.request("GET", "/.well-known/void")
    assert reply.status == 200 and reply.media_type == "text/turtle"
    graph = rdf(reply)
    (dataset,) = graph.subjects(VOID.sparqlEndpoint, rdflib.URIRef(server.url))
    assert graph.value(dataset, VOID.triples).toPython() == len(ARTICLE.quads) + len(ontology_quads())
    assert str(graph.value(dataset, VOID.dataDump)).endswith("/dumps/all.nq.gz")
    assert list(graph.objects(dataset, VOID.subset)) == [rdflib.URIRef(ARTICLE.graph)]
    assert graph.value(rdflib.URIRef(ARTICLE.graph), VOID.triples).toPython() == len(ARTICLE.quads)
    vocabularies = set(map(str, graph.objects(dataset, VOID.vocabulary)))
    assert {"https://w3id.org/diplograph/ontology", SEM, RDFS} <= vocabularies


def test_the_service_description_void_and_dumps_link_to_each_other(server):
    base = f"http://{server.host}:{server.port}"
    service = server.request("GET", "/sparql")
    assert f'<{base}/.well-known/void>; rel="describedby"' in service.headers["link"]
    assert (None, rdflib.RDFS.seeAlso, rdflib.URIRef(f"{base}/.well-known/void")) in rdf(service)
    void = server.request("GET", "/.well-known/void")
    assert f'<{base}/sparql>; rel="service-desc"' in void.headers["link"]
    dump = server.request("GET", "/dumps/all.nq.gz")
    assert f'<{base}/.well-known/void>; rel="describedby"' in dump.headers["link"]


def dump_quads(reply) -> set[Quad]:
    assert reply.status == 200, reply.text
    assert reply.media_type == "application/gzip"
    return set(parse(gzip.decompress(reply.body), format=RdfFormat.N_QUADS))


def test_the_dumps_are_gzipped_nquads_of_the_store_and_of_one_article(server):
    assert dump_quads(server.request("GET", "/dumps/mini.nq.gz")) == set(ARTICLE.quads)
    assert dump_quads(server.request("GET", "/dumps/all.nq.gz")) == set(ARTICLE.quads) | set(ontology_quads())
    assert server.request("GET", "/dumps/nobody.nq.gz").status == 404


def test_dump_answers_304_when_unchanged(server):
    first = server.request("GET", "/dumps/mini.nq.gz")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = server.request("GET", "/dumps/mini.nq.gz", headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    since = server.request("GET", "/dumps/mini.nq.gz", headers={"If-Modified-Since": modified})
    assert since.status == 304


def test_a_dump_changes_when_the_store_changes_and_only_then(server):
    before = {name: server.request("GET", f"/dumps/{name}.nq.gz").headers["etag"] for name in ("all", "mini")}
    added = f"<{ENVOY}> <{RDFS}comment> \"added\""
    assert server.update(f"INSERT DATA {{ GRAPH <{ARTICLE.graph}> {{ {added} }} }}").status == 204
    try:
        changed = server.request("GET", "/dumps/mini.nq.gz", headers={"If-None-Match": before["mini"]})
        assert changed.status == 200 and changed.headers["etag"] != before["mini"]
        assert Quad(NamedNode(ENVOY), NamedNode(RDFS + "comment"), Literal("added"),
                    NamedNode(ARTICLE.graph)) in dump_quads(changed)
        # A write elsewhere leaves an article's dump as it was: its ETag is its content's.
        assert server.update("INSERT DATA { GRAPH <urn:x:other> { <urn:x:a> <urn:x:b> <urn:x:c> } }").status == 204
        same = server.request("GET", "/dumps/mini.nq.gz", headers={"If-None-Match": changed.headers["etag"]})
        assert same.status == 304
    finally:
        assert server.update(f"DELETE DATA {{ GRAPH <{ARTICLE.graph}> {{ {added} }} }} ; "
                             "DROP SILENT GRAPH <urn:x:other>").status == 204
    after = {name: server.request("GET", f"/dumps/{name}.nq.gz").headers["etag"] for name in ("all", "mini")}
    assert after == before


def void_of(server) -> tuple[rdflib.Graph, rdflib.URIRef]:
    graph = rdf(server.request("GET", "/.well-known/void"))
    (dataset,) = graph.subjects(VOID.sparqlEndpoint, rdflib.URIRef(server.url))
    return graph, dataset


COUNTED = iris.graph("counted")
NEW_VOCABULARY = "http://example.org/new-vocabulary#"
ADDED = f"<urn:x:a> <{NEW_VOCABULARY}term> <urn:x:c> , <urn:x:d>"


@pytest.mark.parametrize("write, undo", [
    # A Graph Store PUT and DELETE name their graph; a SPARQL update may or may not.
    ("PUT", "DELETE"),
    (f"INSERT DATA {{ GRAPH <{COUNTED}> {{ {ADDED} }} }}", f"DROP GRAPH <{COUNTED}>"),
    (f"INSERT {{ GRAPH <{COUNTED}> {{ {ADDED} }} }} WHERE {{}}",
     f"DELETE {{ GRAPH <{COUNTED}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{COUNTED}> {{ ?s ?p ?o }} }}"),
])
def test_void_follows_every_write_graph_sizes_and_vocabularies(server, write, undo):
    graph, dataset = void_of(server)
    total = graph.value(dataset, VOID.triples).toPython()
    token = {"Authorization": f"Bearer {TOKEN}"}
    if write == "PUT":
        body = ADDED + " ."
        assert server.request("PUT", f"/store?graph={COUNTED}", body,
                              {"Content-Type": "text/turtle", **token}).status in (201, 204)
    else:
        assert server.update(write).status == 204
    graph, dataset = void_of(server)
    assert graph.value(dataset, VOID.triples).toPython() == total + 2
    assert graph.value(rdflib.URIRef(COUNTED), VOID.triples).toPython() == 2
    assert NEW_VOCABULARY in set(map(str, graph.objects(dataset, VOID.vocabulary)))
    if undo == "DELETE":
        assert server.request("DELETE", f"/store?graph={COUNTED}", headers=token).status == 204
    else:
        assert server.update(undo).status == 204
    graph, dataset = void_of(server)
    assert graph.value(dataset, VOID.triples).toPython() == total
    assert graph.value(rdflib.URIRef(COUNTED), VOID.triples) is None
    assert NEW_VOCABULARY not in set(map(str, graph.objects(dataset, VOID.vocabulary)))


def test_void_counts_a_graph_named_by_a_relative_iri(server):
    graph, dataset = void_of(server)
    total = graph.value(dataset, VOID.triples).toPython()
    # Resolved against the endpoint's URL by the store: the server must not take the text as the name.
    assert server.update("INSERT DATA { GRAPH <relative/x:y> { <urn:x:a> <urn:x:b> <urn:x:c> } }").status == 204
    try:
        graph, dataset = void_of(server)
        assert graph.value(dataset, VOID.triples).toPython() == total + 1
    finally:
        assert server.update("DROP GRAPH <relative/x:y>").status == 204
    graph, dataset = void_of(server)
    assert graph.value(dataset, VOID.triples).toPython() == total
