"""`diplograph serve` speaks the SPARQL 1.1 Protocol as clients expect: every way of sending a
query, every results and RDF format by negotiation, the dataset parameters, errors with the
right status in plain text, CORS, limits, the service description and one log line per request."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import uuid
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from support import MINI, run_cli
from w3c_protocol import diplograph_server, mini_store

from diplograph.corpus import bundled_annotations
from diplograph.loader import read_article
from diplograph.ontology import ontology_quads
from diplograph.ontology.vocab import ONTOLOGY_GRAPH

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
MINI_GRAPH = read_article(MINI).graph
LABELS = "SELECT ?e ?label WHERE { ?e a sem:Event ; rdfs:label ?label } ORDER BY ?label"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with diplograph_server(mini_store(tmp_path_factory.mktemp("protocol")), token="t0ken") as running:
        yield running


def get(server, query: str, accept: str | None = None, **params):
    """GET /sparql?query=… with extra parameters (lists repeat the parameter)."""
    pairs = [("query", query)] + [(k.replace("_", "-"), v) for k, vs in params.items()
                                  for v in (vs if isinstance(vs, list) else [vs])]
    return server.request("GET", "/sparql?" + urllib.parse.urlencode(pairs), headers={"Accept": accept} if accept else {})


def rows(reply) -> list[tuple[str, ...]]:
    """The solutions of a results document, as N-Triples strings (CSV: plain values), in order."""
    if reply.media_type == "text/csv":
        return [tuple(row) for row in csv.reader(io.StringIO(reply.text))][1:]
    results = parse_query_results(reply.body, format=QueryResultsFormat.from_media_type(reply.media_type))
    names = [v.value for v in results.variables]
    return [tuple(str(s[n]) if s[n] is not None else "" for n in names) for s in results]


def test_get_form_post_and_direct_post_give_the_same_answer(server):
    by_get = get(server, LABELS)
    by_form = server.request("POST", "/sparql", urllib.parse.urlencode({"query": LABELS}), FORM)
    direct = server.request("POST", "/sparql", LABELS, {"Content-Type": "application/sparql-query"})
    assert by_get.status == by_form.status == direct.status == 200
    assert by_get.media_type == "application/sparql-results+json"
    assert rows(by_get) == rows(by_form) == rows(direct)
    assert len(rows(by_get)) == 3


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_select_answers_in_every_results_format(server, accept):
    reply = get(server, LABELS, accept)
    assert reply.status == 200 and reply.media_type == accept
    assert reply.headers["vary"] == "Accept"
    expected = rows(get(server, LABELS))
    if accept == "text/csv":  # plain values: IRIs without <>, literals without quotes
        expected = [(e[1:-1], label.split('"')[1]) for e, label in expected]
    assert rows(reply) == expected


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/n-quads",
                                    "application/trig", "application/ld+json", "application/rdf+xml"])
def test_construct_answers_in_every_rdf_format(server, accept):
    reply = get(server, "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a sem:Event ; rdfs:label ?l }", accept)
    assert reply.status == 200 and reply.media_type == accept
    triples = {str(q.triple) if hasattr(q, "triple") else str(q)
               for q in parse(reply.body, format=RdfFormat.from_media_type(accept))}
    assert len(triples) == 3


@pytest.mark.parametrize("accept, expected", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
    ("text/tab-separated-values;q=1.0, text/*;q=0.2", "text/tab-separated-values"),
])
def test_content_negotiation_follows_q_values_and_wildcards(server, accept, expected):
    reply = get(server, LABELS, accept)
    assert reply.status == 200
    assert reply.media_type == expected


def test_a_format_nobody_accepts_gets_406(server):
    assert get(server, LABELS, "image/png").status == 406
    construct = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert construct.status == 406 and "text/turtle" in construct.text
    assert get(server, "ASK {}", "text/turtle").status == 406


def test_ask_answers_true_or_false(server):
    assert json.loads(get(server, "ASK { ?e a dg:Meeting }").body)["boolean"] is True
    assert json.loads(get(server, "ASK { ?e a <http://example.org/Nothing> }").body)["boolean"] is False
    assert b"<boolean>true</boolean>" in get(server, "ASK {}", "application/sparql-results+xml").body
    assert get(server, "ASK {}", "text/csv").body == b"true"  # as Oxigraph: CSV defines no boolean


def test_bad_syntax_gets_400_with_the_parser_message(server):
    reply = get(server, "SELECT ?x WHERE { ?x ?y }")
    assert reply.status == 400
    assert reply.media_type == "text/plain"
    assert "syntax error" in reply.text and "1:" in reply.text


def test_a_post_of_the_wrong_media_type_gets_415(server):
    assert server.request("POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"}).status == 415
    assert server.request("POST", "/sparql", "ASK {}").status == 415
    reply = server.request("POST", "/sparql", "ASK {}", {"Content-Type": "application/json"})
    assert reply.status == 415 and "application/sparql-query" in reply.text


def test_a_method_other_than_get_or_post_gets_405_with_allow(server):
    for method in ("PUT", "DELETE", "PATCH"):
        reply = server.request(method, "/sparql?query=ASK%7B%7D")
        assert reply.status == 405
        assert {"GET", "POST"} <= {m.strip() for m in reply.headers["allow"].split(",")}


def test_repeated_query_or_update_parameters_get_400(server):
    assert server.request("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status == 400
    form = server.request("POST", "/sparql", "query=ASK%7B%7D&update=CLEAR%20ALL", FORM)
    assert form.status == 400 and "not both" in form.text


def test_bodies_that_are_not_utf8_are_rejected(server):
    latin1 = "ASK { ?s rdfs:label \"Zürich\" }".encode("latin-1")
    assert server.request("POST", "/sparql", latin1, {"Content-Type": "application/sparql-query"}).status == 400
    assert server.request("POST", "/sparql", b"query=ASK%20%7B%22%E9%22%7D", FORM).status == 400
    utf16 = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    assert server.request("POST", "/sparql", "ASK {}".encode("utf-16"), utf16).status == 415


def test_without_dataset_parameters_the_default_graph_is_the_union_of_all_graphs(server):
    everything = rows(get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    expected = len(read_article(MINI).quads) + len(ontology_quads())
    assert int(everything[0][0].split('"')[1]) == expected


def test_default_graph_uri_and_named_graph_uri_choose_the_dataset(server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_mini = rows(get(server, count, default_graph_uri=MINI_GRAPH))
    assert int(only_mini[0][0].split('"')[1]) == len(read_article(MINI).quads)
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert rows(get(server, graphs, named_graph_uri=ONTOLOGY_GRAPH)) == [(f"<{ONTOLOGY_GRAPH}>",)]
    # Naming only named graphs leaves the default graph empty, as the protocol says.
    assert rows(get(server, count, named_graph_uri=ONTOLOGY_GRAPH)) == [('"0"^^<http://www.w3.org/2001/XMLSchema#integer>',)]
    assert get(server, count, default_graph_uri="not an iri").status == 400


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/rdf+xml", "xml")])
def test_the_service_description_lists_languages_formats_and_graphs_with_their_sizes(server, accept, fmt):
    reply = server.request("GET", "/sparql", headers={"Accept": accept})
    assert reply.status == 200 and reply.media_type == accept
    sd = rdflib.Graph().parse(data=reply.body, format=fmt)
    (service,) = sd.subjects(rdflib.RDF.type, SD.Service)
    assert sd.value(service, SD.endpoint) == rdflib.URIRef(server.url)
    assert set(sd.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query, SD.SPARQL11Update}
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(sd.objects(service, SD.resultFormat))
    sizes = {str(sd.value(named, SD.name)): int(sd.value(sd.value(named, SD.graph), VOID.triples))
             for named in sd.subjects(rdflib.RDF.type, SD.NamedGraph)}
    assert sizes == {MINI_GRAPH: len(read_article(MINI).quads), ONTOLOGY_GRAPH: len(ontology_quads())}


def test_healthz_says_the_server_and_its_workers_are_up(server):
    reply = server.request("GET", "/healthz")
    assert reply.status == 200
    assert json.loads(reply.body) == {"status": "ok", "query_workers": 2}


def test_any_origin_may_query_without_credentials_and_preflight_is_answered(server):
    reply = get(server, "ASK {}")
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in reply.headers
    assert "X-Diplograph-Truncated" in reply.headers["access-control-expose-headers"]
    preflight = server.request("OPTIONS", "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert preflight.status in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()


def test_a_body_over_one_mebibyte_gets_413(server):
    query = "ASK { FILTER(\"" + "x" * (1024 * 1024) + "\" != \"\") }"
    reply = server.request("POST", "/sparql", query, {"Content-Type": "application/sparql-query"})
    assert reply.status == 413


def test_every_error_is_plain_text_and_never_a_stack_trace(server):
    replies = [
        server.request("GET", "/nothing-here"),
        server.request("PUT", "/sparql"),
        server.request("POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"}),
        get(server, "SELECT WHERE"),
        get(server, "ASK {}", "image/png"),
        server.request("POST", "/sparql", b"\xff\xfe", {"Content-Type": "application/sparql-query"}),
        server.request("POST", "/sparql", "update=CLEAR%20ALL", FORM),
        server.request("GET", "/sparql?default-graph-uri=http%3A%2F%2Fexample.org%2F"),
    ]
    for reply in replies:
        assert 400 <= reply.status < 500, reply
        assert reply.media_type == "text/plain"
        assert "Traceback" not in reply.text and "File \"" not in reply.text
        assert reply.text.strip()


def test_each_request_is_logged_on_one_line(server):
    marker = uuid.uuid4().hex
    for _ in range(3):
        server.request("GET", f"/healthz?{marker}")
    lines = [line for line in server.log.read_text().splitlines() if marker in line]
    assert len(lines) == 3
    assert all('"GET /healthz?' in line and " 200 " in line for line in lines)


def test_serve_help_documents_every_option_and_its_environment_variable():
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    for option, variable in [("--host", "DIPLOGRAPH_HOST"), ("--port", "DIPLOGRAPH_PORT"),
                             ("--store", "DIPLOGRAPH_STORE"), ("--base-url", "DIPLOGRAPH_BASE_URL"),
                             ("--query-timeout", "DIPLOGRAPH_QUERY_TIMEOUT"),
                             ("--update-token", "DIPLOGRAPH_UPDATE_TOKEN"), ("--threads", "DIPLOGRAPH_THREADS"),
                             ("--workers", "DIPLOGRAPH_WORKERS"), ("--max-rows", "DIPLOGRAPH_MAX_ROWS")]:
        assert option in result.stdout and variable in result.stdout, option


def test_options_can_come_from_environment_variables(tmp_path: Path):
    env = {"DIPLOGRAPH_MAX_ROWS": "2", "DIPLOGRAPH_BASE_URL": "https://example.org/kg"}
    with diplograph_server(mini_store(tmp_path), env=env) as running:
        reply = get(running, "SELECT ?s WHERE { ?s ?p ?o }")
        assert reply.headers["x-diplograph-max-rows"] == "2"
        sd = rdflib.Graph().parse(data=running.request("GET", "/sparql").body, format="turtle")
        assert set(sd.objects(None, SD.endpoint)) == {rdflib.URIRef("https://example.org/kg/sparql")}
        # Without an update token the service does not claim to take updates.
        assert set(sd.objects(None, SD.supportedLanguage)) == {SD.SPARQL11Query}


def test_an_empty_store_gets_the_bundled_corpus_first(tmp_path: Path):
    with diplograph_server(tmp_path / "empty") as running:
        sd = rdflib.Graph().parse(data=running.request("GET", "/sparql").body, format="turtle")
        names = {str(n) for n in sd.objects(None, SD.name)}
    assert names == {ONTOLOGY_GRAPH} | {read_article(p).graph for p in bundled_annotations()}
