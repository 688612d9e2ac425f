"""Common SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) get over HTTP exactly what the
embedded store answers; and the results the server writes itself (to cut them at the row cap)
read back as the same solutions that pyoxigraph writes."""

from __future__ import annotations

import csv
import io

import pytest
import rdflib
from pyoxigraph import BaseDirection, BlankNode, Literal, NamedNode, Quad, QueryResultsFormat, Store, Triple, parse_query_results
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper
from support import MINI
from w3c_protocol import diplograph_server, mini_store

from diplograph.ontology.vocab import PREFIXES
from diplograph.server.results import solutions_bytes
from diplograph.store import EmbeddedStore

P = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
SELECTS = [
    "SELECT ?e ?label WHERE { ?e a sem:Event ; rdfs:label ?label } ORDER BY ?label",
    "SELECT ?e ?begin WHERE { ?e sem:hasEarliestBeginTimeStamp ?begin } ORDER BY ?e",
    "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
    "SELECT ?e ?p ?o WHERE { ?e a dg:Meeting ; ?p ?o FILTER(!isBlank(?o)) } ORDER BY ?p ?o",
]
CONSTRUCT = "CONSTRUCT { ?e rdfs:label ?l ; a ?c } WHERE { ?e a sem:Event, ?c ; rdfs:label ?l }"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """The served store and the same data opened directly."""
    path = mini_store(tmp_path_factory.mktemp("clients"))
    direct = EmbeddedStore(tmp_path_factory.mktemp("direct") / "store")
    with diplograph_server(path) as server:
        direct.replace_graphs(_graphs(path.parent))
        yield server, direct
    direct.close()


def _graphs(folder):
    from diplograph.loader import read_article
    from diplograph.ontology import ontology_quads
    from diplograph.ontology.vocab import ONTOLOGY_GRAPH

    article = read_article(MINI)
    return {ONTOLOGY_GRAPH: ontology_quads(), article.graph: article.quads}


def embedded_rows(store, query: str) -> list[tuple[str, ...]]:
    result = store.query(query)
    return [tuple("" if t is None else str(t) for t in row) for row in result.rows]


@pytest.mark.parametrize("query", SELECTS)
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_gets_what_the_embedded_store_answers(stores, query, fmt):
    server, direct = stores
    client = SPARQLWrapper(server.url)
    client.setQuery(P + query)
    client.setReturnFormat(fmt)
    raw = client.query().response.read()
    got = parse_query_results(raw, format=QueryResultsFormat.JSON if fmt == JSON else QueryResultsFormat.XML)
    names = [v.value for v in got.variables]
    assert [tuple("" if s[n] is None else str(s[n]) for n in names) for s in got] == embedded_rows(direct, query)


def test_sparqlwrapper_construct_gives_the_same_graph(stores):
    server, direct = stores
    client = SPARQLWrapper(server.url)
    client.setQuery(P + CONSTRUCT)
    graph = client.queryAndConvert()
    expected = rdflib.Graph().parse(data=direct.query(CONSTRUCT).serialize("ntriples"), format="nt")
    assert len(graph) > 0 and isomorphic(graph, expected)


@pytest.mark.parametrize("query", SELECTS)
def test_rdflib_sparqlstore_gets_what_the_embedded_store_answers(stores, query):
    server, direct = stores
    graph = rdflib.Graph(store=SPARQLStore(server.url, returnFormat="json"))
    got = [tuple("" if t is None else t.n3() for t in row) for row in graph.query(P + query)]
    assert got == embedded_rows(direct, query)


def test_rdflib_sparqlstore_ask_and_construct(stores):
    server, direct = stores
    graph = rdflib.Graph(store=SPARQLStore(server.url))
    assert graph.query(P + "ASK { ?e a dg:Meeting }").askAnswer is True
    constructed = rdflib.Graph()
    for triple in graph.query(P + CONSTRUCT):
        constructed.add(triple)
    expected = rdflib.Graph().parse(data=direct.query(CONSTRUCT).serialize("ntriples"), format="nt")
    assert isomorphic(constructed, expected)


TRICKY = [
    NamedNode("http://example.org/a?b=c&d=é#f"),
    BlankNode("b1"),
    Literal('quote " tab \t newline \n backslash \\ comma , done'),
    Literal("bonjour", language="fr"),
    Literal("مرحبا", language="ar", direction=BaseDirection.RTL),
    Literal("42", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    Literal("<b>x</b> & y", datatype=NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral")),
    Triple(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"), Literal("o", language="en")),
]


@pytest.mark.parametrize("fmt, results_format", [("json", QueryResultsFormat.JSON), ("xml", QueryResultsFormat.XML),
                                                 ("tsv", QueryResultsFormat.TSV)])
def test_results_written_by_the_server_read_back_as_pyoxigraphs_own(fmt, results_format):
    store = Store()
    for n, term in enumerate(TRICKY):
        store.add(Quad(NamedNode(f"http://example.org/row{n}"), NamedNode("http://example.org/v"), term))
    query = "SELECT ?row ?v ?unbound WHERE { ?row <http://example.org/v> ?v OPTIONAL { ?row <http://nothing> ?unbound } } ORDER BY ?row"
    theirs = store.query(query)
    variables = [v.value for v in theirs.variables]
    expected = [[s[v] for v in variables] for s in theirs]
    mine = solutions_bytes(fmt, variables, expected)
    read = parse_query_results(mine, format=results_format)
    assert [[s[v] for v in variables] for s in read] == expected


def test_csv_written_by_the_server_has_the_values_pyoxigraph_writes():
    store = Store()
    for n, term in enumerate(TRICKY):
        store.add(Quad(NamedNode(f"http://example.org/row{n}"), NamedNode("http://example.org/v"), term))
    query = "SELECT ?row ?v WHERE { ?row <http://example.org/v> ?v } ORDER BY ?row"
    theirs = store.query(query).serialize(format=QueryResultsFormat.CSV)
    rows = [[s[v] for v in ("row", "v")] for s in store.query(query)]
    mine = solutions_bytes("csv", ["row", "v"], rows)
    read = lambda data: list(csv.reader(io.StringIO(data.decode(), newline="")))  # noqa: E731
    assert read(mine) == read(theirs)
