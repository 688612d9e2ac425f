"""The Graph Store at /store on a real `diplograph serve`: reads for everyone, writes with the
update token only (the same refusals as SPARQL updates), multipart uploads merged in one write,
and every write seen at once by queries (the workers' checkpoint is renewed)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
import rdflib
from rdflib.compare import isomorphic
from w3c_protocol import diplograph_server, mini_store

TOKEN = "gr4ph-token"
GRAPH = "http://example.org/graphs/people"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle; charset=utf-8"}
ALICE = '@prefix ex: <http://example.org/> . ex:alice ex:name "Alice" ; ex:knows [ ex:name "Bob" ] .'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with diplograph_server(mini_store(tmp_path_factory.mktemp("graphstore")), token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    with diplograph_server(mini_store(tmp_path_factory.mktemp("graphstore-ro"))) as running:
        yield running


@pytest.fixture
def people(server):
    """The graph GRAPH holding ALICE; removed afterwards."""
    assert server.request("PUT", at(GRAPH), ALICE, {**TURTLE, **AUTH}).status in (201, 204)
    yield GRAPH
    server.request("DELETE", at(GRAPH), headers=AUTH)


def at(graph: str) -> str:
    return "/store?" + urllib.parse.urlencode({"graph": graph})


def turtle(reply) -> rdflib.Graph:
    assert reply.status == 200, reply.text
    return rdflib.Graph().parse(data=reply.body, format=reply.media_type)


def count(server, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    reply = server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


def test_put_then_get_gives_the_same_graph(server, people):
    got = turtle(server.request("GET", at(people), headers={"Accept": "text/turtle"}))
    assert isomorphic(got, rdflib.Graph().parse(data=ALICE, format="turtle"))


def test_a_write_through_the_store_is_seen_by_the_next_query(server):
    assert server.request("PUT", at(GRAPH), ALICE, {**TURTLE, **AUTH}).status == 201
    try:
        assert count(server, GRAPH) == 3
    finally:
        assert server.request("DELETE", at(GRAPH), headers=AUTH).status == 204
    assert count(server, GRAPH) == 0
    assert server.request("GET", at(GRAPH)).status == 404


def test_gsp_multipart_post_merges_files(server, people):
    boundary = "diplograph-boundary"
    parts = [("more.ttl", "text/turtle", '<http://example.org/alice> <http://example.org/age> 42 .'),
             ("more.nt", "", '<http://example.org/alice> <http://example.org/city> "Paris" .'),
             ("more.jsonld", "application/ld+json",
              '{"@id": "http://example.org/carol", "http://example.org/name": "Carol"}')]
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="file{i}"; filename="{name}"\r\n'
                   + (f"Content-Type: {media_type}\r\n" if media_type else "") + f"\r\n{data}\r\n"
                   for i, (name, media_type, data) in enumerate(parts)) + f"--{boundary}--\r\n"
    reply = server.request("POST", at(people), body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                     **AUTH})
    assert reply.status == 204, reply.text
    graph = turtle(server.request("GET", at(people)))
    ex = rdflib.Namespace("http://example.org/")
    assert graph.value(ex.alice, ex.name) == rdflib.Literal("Alice")  # kept
    assert graph.value(ex.alice, ex.age).toPython() == 42  # added, from each file
    assert graph.value(ex.alice, ex.city) == rdflib.Literal("Paris")  # typed by its extension
    assert graph.value(ex.carol, ex.name) == rdflib.Literal("Carol")
    assert len(graph) == 6


def test_a_multipart_post_with_one_bad_file_changes_nothing(server, people):
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="a"; filename="a.ttl"\r\n'
            f'Content-Type: text/turtle\r\n\r\n<http://example.org/x> <http://example.org/y> 1 .\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="b"; filename="b.ttl"\r\n'
            f'Content-Type: text/turtle\r\n\r\nthis is not turtle\r\n--{boundary}--\r\n')
    reply = server.request("POST", at(people), body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                     **AUTH})
    assert reply.status == 400 and "'b.ttl'" in reply.text
    assert count(server, people) == 3


def test_post_to_the_store_creates_a_graph_where_location_says(server):
    reply = server.request("POST", "/store", ALICE, {**TURTLE, **AUTH})
    assert reply.status == 201
    location = reply.headers["location"]
    assert location.startswith(f"http://{server.host}:{server.port}/store/")
    try:
        path = urllib.parse.urlsplit(location).path
        assert len(turtle(server.request("GET", path))) == 3  # by its own URL
        assert len(turtle(server.request("GET", at(location)))) == 3  # and by ?graph=
    finally:
        server.request("DELETE", at(location), headers=AUTH)


def test_the_default_graph_is_the_stores_own_and_queries_see_it(server):
    assert server.request("PUT", "/store?default", ALICE, {**TURTLE, **AUTH}).status == 204
    try:
        assert len(turtle(server.request("GET", "/store?default"))) == 3
        reply = server.request("GET", "/sparql?" + urllib.parse.urlencode(
            {"query": 'ASK { ?s <http://example.org/name> "Alice" }'}))
        assert json.loads(reply.body)["boolean"] is True
    finally:
        assert server.request("DELETE", "/store?default", headers=AUTH).status == 204
    assert len(turtle(server.request("GET", "/store?default"))) == 0


def test_an_article_graph_is_readable_through_the_store(server):
    from diplograph.loader import read_article
    from support import MINI

    article = read_article(MINI)
    reply = server.request("GET", at(article.graph), headers={"Accept": "application/n-triples"})
    assert reply.media_type == "application/n-triples"
    assert len(turtle(reply)) == len(article.quads)
    head = server.request("HEAD", at(article.graph), headers={"Accept": "text/turtle"})
    assert head.status == 200 and head.body == b"" and head.media_type == "text/turtle"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_a_write_without_the_token_is_refused_and_changes_nothing(server, people, method):
    missing = server.request(method, at(people), ALICE, TURTLE)
    assert missing.status == 401 and "Authorization: Bearer" in missing.text
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = server.request(method, at(people), ALICE, {**TURTLE, "Authorization": "Bearer nope"})
    assert wrong.status == 403 and "token is wrong" in wrong.text
    assert count(server, people) == 3


def test_writes_are_refused_when_the_server_has_no_token(read_only):
    reply = read_only.request("PUT", at(GRAPH), ALICE, {**TURTLE, **AUTH})
    assert reply.status == 403 and "--update-token" in reply.text
    assert read_only.request("GET", at(GRAPH)).status == 404


@pytest.mark.parametrize("method, target, body, headers, status, message", [
    ("PUT", at(GRAPH), "<a> <b> .", TURTLE, 400, "not valid Turtle"),
    ("PUT", at(GRAPH), "x", {"Content-Type": "image/png"}, 415, "not RDF"),
    ("PUT", at(GRAPH), ALICE, {"Content-Type": "text/turtle; charset=latin-1"}, 415, "UTF-8"),
    ("PUT", at(GRAPH), "<http://a/s> <http://a/p> <http://a/o> <http://a/g> .", {"Content-Type": "application/n-quads"},
     400, "names graphs of its own"),
    ("PUT", "/store?graph=not-an-iri", ALICE, TURTLE, 400, "not an absolute IRI"),
    ("PUT", "/store?graph=http%3A%2F%2Fa%2F&default", ALICE, TURTLE, 400, "either"),
    ("PUT", "/store?graph=http%3A%2F%2Fa%2F&graph=http%3A%2F%2Fb%2F", ALICE, TURTLE, 400, "2 times"),
    ("PUT", "/store", ALICE, TURTLE, 400, "name the graph"),
    ("POST", "/store/some/graph?default", ALICE, TURTLE, 400, "takes no parameters"),
])
def test_a_bad_write_is_a_clear_4xx(server, method, target, body, headers, status, message):
    reply = server.request(method, target, body, {**headers, **AUTH})
    assert reply.status == status, reply.text
    assert message in reply.text and len(reply.text.splitlines()) == 1


def test_a_graph_in_no_acceptable_format_is_406(server, people):
    assert server.request("GET", at(people), headers={"Accept": "image/png"}).status == 406
