"""The store: atomic replacement of an article's graph, union querying, lossless export.

Every behaviour is checked on the embedded store and on a real Oxigraph server reached by URL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from live_servers import oxigraph_server, virtuoso_server
from support import MINI

from diplograph.loader import read_article, to_nquads
from diplograph.ontology import iris, ontology_quads
from diplograph.ontology.vocab import ONTOLOGY_GRAPH
from diplograph.store import open_store

EVENTS = "SELECT ?e WHERE { ?e a sem:Event }"


@pytest.fixture(params=["embedded", "oxigraph-server", "virtuoso"])
def store(request, tmp_path):
    """The same behaviour, whichever store is behind the interface."""
    if request.param == "embedded":
        s = open_store(":memory:")
        yield s
        s.close()
    elif request.param == "oxigraph-server":
        with oxigraph_server() as base:
            yield open_store(f"{base}/query {base}/update")
    else:
        with virtuoso_server(tmp_path) as (query_url, update_url):
            yield open_store(f"{query_url} {update_url}")


def ours(store) -> list[str]:
    """The store's graphs that diplograph wrote (Virtuoso keeps system graphs of its own)."""
    return [g for g in store.graphs() if g.startswith("https://w3id.org/diplograph/")]


def count_in(store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(result.rows)[0].value)


def test_reloading_an_article_replaces_its_graph(store, mini_copy: Path):
    article = read_article(MINI)
    store.replace_graph(article.graph, article.quads)
    store.replace_graph(article.graph, article.quads)
    assert store.count(article.graph) == len(article.quads)

    text = mini_copy.read_text(encoding="utf-8")
    mini_copy.write_text(text[: text.index("  cease-fire:")] + text[text.index("claims:"):], encoding="utf-8")
    smaller = read_article(mini_copy)
    store.replace_graph(smaller.graph, smaller.quads)
    assert store.count(smaller.graph) == len(smaller.quads)
    assert len(list(store.query(EVENTS).rows)) == 2


def test_two_loads_give_identical_nquads(tmp_path: Path):
    article = read_article(MINI)
    exports = []
    for name in ("a", "b"):
        store = open_store(tmp_path / name)
        store.replace_graph(article.graph, article.quads)
        store.replace_graph(article.graph, article.quads)
        exports.append(store.export("nquads"))
        store.close()
    assert exports[0] == exports[1]


def test_queries_see_the_union_of_all_graphs_and_the_ontology_has_its_own(store):
    article = read_article(MINI)
    store.replace_graphs({article.graph: article.quads, ONTOLOGY_GRAPH: ontology_quads()})
    assert ours(store) == sorted([article.graph, ONTOLOGY_GRAPH])
    assert len(list(store.query(EVENTS).rows)) == 3
    ask = store.query("ASK { dg:Meeting rdfs:subClassOf+ sem:Event }")
    assert ask.value is True


def loaded_reference(seed) -> rdflib.Dataset:
    """What was loaded, as rdflib sees it: the seed's graph and the ontology's."""
    reference = rdflib.Dataset()
    reference.parse(data=to_nquads(seed.quads + ontology_quads()), format="nquads")
    return reference


@pytest.mark.parametrize("fmt, rdflib_format", [("nquads", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_export_then_reimport_gives_back_every_graph(store, seed, fmt, rdflib_format):
    store.replace_graphs({seed.graph: seed.quads, ONTOLOGY_GRAPH: ontology_quads()})
    exported = rdflib.Dataset()
    exported.parse(data=store.export(fmt), format=rdflib_format)
    reference = loaded_reference(seed)
    names = {str(g.identifier) for g in exported.graphs() if len(g)}
    assert {seed.graph, ONTOLOGY_GRAPH} <= names
    assert not [n for n in names if n.startswith("https://w3id.org/diplograph/")
                and n not in (seed.graph, ONTOLOGY_GRAPH)]
    for name in (seed.graph, ONTOLOGY_GRAPH):
        one = rdflib.Dataset()
        one.parse(data=store.export(fmt, graph=name), format=rdflib_format)
        assert isomorphic(exported.graph(rdflib.URIRef(name)), reference.graph(rdflib.URIRef(name))), name
        assert isomorphic(one.graph(rdflib.URIRef(name)), reference.graph(rdflib.URIRef(name))), name


def test_turtle_export_of_a_graph_is_that_graph(store, seed):
    store.replace_graphs({seed.graph: seed.quads, ONTOLOGY_GRAPH: ontology_quads()})
    reference = loaded_reference(seed)
    exported = rdflib.Graph().parse(data=store.export("turtle", graph=seed.graph), format="turtle")
    assert isomorphic(exported, reference.graph(rdflib.URIRef(seed.graph)))


def test_turtle_export_of_the_store_is_the_union_of_its_graphs():
    store = open_store(":memory:")
    article = read_article(MINI)
    store.replace_graphs({article.graph: article.quads, ONTOLOGY_GRAPH: ontology_quads()})
    union = rdflib.Graph()
    for quad in loaded_reference(article).quads():
        union.add(quad[:3])
    assert isomorphic(rdflib.Graph().parse(data=store.export("turtle"), format="turtle"), union)


def test_exporting_a_graph_that_does_not_exist_says_how_to_list_them(store):
    from diplograph.errors import StoreError

    with pytest.raises(StoreError, match="no graph <http://example.org/nothing>"):
        store.export("nquads", graph="http://example.org/nothing")


def test_readers_never_see_half_an_article_while_it_is_replaced(store, mini_copy: Path):
    full = read_article(MINI)
    text = mini_copy.read_text(encoding="utf-8")
    mini_copy.write_text(text[: text.index("  cease-fire:")] + text[text.index("claims:"):], encoding="utf-8")
    smaller = read_article(mini_copy)
    graph = iris.graph("mini")
    store.replace_graph(graph, full.quads)
    seen: set[int] = set()
    done = threading.Event()

    def read():
        while not done.is_set():
            seen.add(count_in(store, graph))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    for i in range(60):
        store.replace_graph(graph, smaller.quads if i % 2 == 0 else full.quads)
    done.set()
    for r in readers:
        r.join()
    assert seen <= {len(full.quads), len(smaller.quads)}
    assert seen, "the readers ran"
