"""The store: atomic replacement of an article's graph, union querying, lossless export.

Every behaviour is checked on the embedded store and on a real Oxigraph server reached by URL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from servers import oxigraph_server
from support import MINI

from diplograph.loader import read_article
from diplograph.ontology import iris, ontology_quads
from diplograph.ontology.vocab import ONTOLOGY_GRAPH
from diplograph.store import open_store

EVENTS = "SELECT ?e WHERE { ?e a sem:Event }"


@pytest.fixture(params=["embedded", "oxigraph-server"])
def store(request):
    """The same behaviour, whichever store is behind the interface."""
    if request.param == "embedded":
        s = open_store(":memory:")
        yield s
        s.close()
    else:
        with oxigraph_server() as base:
            yield open_store(f"{base}/query {base}/update")


def count_in(store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(result.rows)[0].value)


def test_reloading_an_article_replaces_its_graph(store, mini_copy: Path):
    article = read_article(MINI)
    store.replace_graph(article.graph, article.quads)
    store.replace_graph(article.graph, article.quads)
    assert store.count() == len(article.quads)

    text = mini_copy.read_text(encoding="utf-8")
    mini_copy.write_text(text[: text.index("  cease-fire:")] + text[text.index("claims:"):], encoding="utf-8")
    smaller = read_article(mini_copy)
    store.replace_graph(smaller.graph, smaller.quads)
    assert store.count() == len(smaller.quads)
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
    assert store.graphs() == sorted([article.graph, ONTOLOGY_GRAPH])
    assert len(list(store.query(EVENTS).rows)) == 3
    ask = store.query("ASK { dg:Meeting rdfs:subClassOf+ sem:Event }")
    assert ask.value is True


@pytest.mark.parametrize("fmt, rdflib_format", [("nquads", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_export_then_reimport_keeps_every_graph(store, seed, fmt, rdflib_format):
    store.replace_graphs({seed.graph: seed.quads, ONTOLOGY_GRAPH: ontology_quads()})
    dataset = rdflib.Dataset()
    dataset.parse(data=store.export(fmt), format=rdflib_format)
    reference = rdflib.Dataset()
    reference.parse(data=store.export("nquads"), format="nquads")
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert names == {rdflib.URIRef(seed.graph), rdflib.URIRef(ONTOLOGY_GRAPH)}
    for name in names:
        assert isomorphic(dataset.graph(name), reference.graph(name)), name


def test_turtle_export_is_the_union_graph(store, seed):
    store.replace_graphs({seed.graph: seed.quads, ONTOLOGY_GRAPH: ontology_quads()})
    dataset = rdflib.Dataset()
    dataset.parse(data=store.export("nquads"), format="nquads")
    merged = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        merged.add((s, p, o))
    exported = rdflib.Graph().parse(data=store.export("turtle"), format="turtle")
    assert isomorphic(exported, merged)
    one = rdflib.Graph().parse(data=store.export("turtle", graph=seed.graph), format="turtle")
    assert len(one) == len(seed.quads)


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
