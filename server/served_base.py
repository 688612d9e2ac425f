"""What every served store does the same way, whichever store it is (a folder, `engine.py`, or a
remote SPARQL store, `remote.py`): writes one at a time through `_writing`, a record of which graphs
each write changed (so that the timeline's index re-reads only those), and what the service
description, VoID and resource pages say of the whole store (its size, its graphs' sizes, the
terms it uses), computed once per state."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import deque
from contextlib import AbstractContextManager
from typing import Callable

from pyoxigraph import NamedNode, Quad

from diplograph.store.lexer import graphs_written
from diplograph.store.results import graph_update

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
TERMS_BY_GRAPH = "SELECT DISTINCT ?g ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } } }"
TERMS_IN_GRAPH = "SELECT DISTINCT ?t WHERE {{ GRAPH {graph} {{ {{ ?s ?t ?o }} UNION {{ ?s a ?t }} }} }}"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class ServedStoreBase(ABC):
    """A served store: `store` (an EmbeddedStore or RemoteStore), `version()` (a value that changes
    whenever the store does, ready before this class's __init__) and `_writing(graphs)` (one write
    at a time, then a new version and `record(graphs)`) come from the subclass."""

    store: object

    def __init__(self) -> None:
        self._cached: dict[str, tuple[object, object]] = {}
        self._computing = threading.Lock()
        # (version after a write, the graphs it changed: None in the set for the default graph;
        # None instead of a set when unknown). The newest 256 writes.
        self.changes: deque = deque([(self.version(), frozenset())], maxlen=256)

    def record(self, graphs: frozenset | None) -> None:
        """Note that the write that made the current version changed `graphs` (None: unknown)."""
        self.changes.append((self.version(), graphs))

    @abstractmethod
    def version(self) -> object:
        """What names the store's current state."""

    @abstractmethod
    def _writing(self, graphs: frozenset | None) -> AbstractContextManager[None]:
        """Around every write: one at a time, then a new version and `record(graphs)`."""

    def update(self, sparql: str, base_iri: str, using_graphs: list[str], using_named_graphs: list[str],
               deadline: float | None = None) -> None:
        """Run a SPARQL update. `deadline` (time.monotonic()) bounds what is done before it reaches
        the store (a remote store's syntax check); the update itself runs to its end."""
        with self._writing(graphs_written(sparql)):
            self.store.update(sparql, base_iri=base_iri, using_graphs=using_graphs,
                              using_named_graphs=using_named_graphs)

    def write_graph(self, graph: str | None, quads: list[Quad], replace: bool) -> bool:
        """Put the triples of `quads` in `graph` (None: the store's own default graph), replacing
        what it held or adding to it, in one update; True when the named graph is new."""
        with self._writing(frozenset([graph])):
            created = graph is not None and not self.store.has_graph(graph)
            update = graph_update(graph, quads, replace)
            if update:
                self.store.update(update)
        return created

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a named graph, or empty the default graph (None); False when there is no such graph."""
        with self._writing(frozenset([graph])):
            if graph is not None and not self.store.has_graph(graph):
                return False
            self.store.update(f"DROP GRAPH <{graph}>" if graph is not None else "DROP DEFAULT")
        return True

    def changes_since(self, version: object) -> tuple[set[str | None] | None, object]:
        """The graphs (None: the default graph) that the writes after `version` changed, and the
        version they lead to, which is the current one; (None, None) when that is not known: a
        write did not say, `version` is older than the record, or the store changed otherwise
        (a remote store written by someone else)."""
        log = list(self.changes)  # one copy: writers append meanwhile
        versions = [v for v, _ in log]
        if version not in versions or versions[-1] != self.version():
            return None, None
        changed: set[str | None] = set()
        for _, graphs in log[versions.index(version) + 1:]:
            if graphs is None:
                return None, None
            changed |= graphs
        return changed, versions[-1]

    def _per_graph(self, name: str, everything: Callable[[], dict], one: Callable[[str | None], object]) -> dict:
        """A value per graph, for the current version: `everything()` reads them all at once (the
        first time, and after a write that did not say what it changed); after writes that named
        their graphs, only those are read again, with `one(graph)` (None: the graph is gone).
        At millions of quads reading all takes seconds, one graph milliseconds."""
        current = self.version()
        cached = self._cached.get(name)
        if cached is not None and cached[0] == current:
            return cached[1]
        with self._computing:  # concurrent requests compute it once
            cached = self._cached.get(name)
            if cached is not None and cached[0] == current:
                return cached[1]
            changed = self.changes_since(cached[0])[0] if cached is not None else None
            if changed is None:
                values = everything()
            else:
                values = dict(cached[1])
                for graph in changed:
                    value = one(graph)
                    if value is None:
                        values.pop(graph, None)
                    else:
                        values[graph] = value
            self._cached[name] = (current, values)
            return values

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph, sorted by name."""
        return dict(sorted((g, n) for g, n in self._sizes().items() if g is not None and n))

    def size(self) -> int:
        """Quads in the whole store: its named graphs' and its default graph's."""
        return sum(self._sizes().values())

    def _sizes(self) -> dict[str | None, int]:
        """Quads in each graph, None for the default graph."""
        def everything() -> dict[str | None, int]:
            sizes = {g.value: int(n.value) for g, n in self.store.query(GRAPH_SIZES).rows if isinstance(g, NamedNode)}
            return {**sizes, None: len(self._default_graph())}

        def one(graph: str | None) -> int | None:
            if graph is None:
                return len(self._default_graph())
            return self.store.count(graph) if self.store.has_graph(graph) else None

        return self._per_graph("sizes", everything, one)

    def terms_used(self) -> set[str]:
        """Every IRI used as a predicate or as a class (the object of rdf:type)."""
        def everything() -> dict[str | None, frozenset[str]]:
            terms: dict[str | None, set[str]] = {}
            for g, t in self.store.query(TERMS_BY_GRAPH).rows:
                if isinstance(g, NamedNode) and isinstance(t, NamedNode):
                    terms.setdefault(g.value, set()).add(t.value)
            return {**{g: frozenset(t) for g, t in terms.items()}, None: _terms(self._default_graph())}

        def one(graph: str | None) -> frozenset[str] | None:
            if graph is None:
                return _terms(self._default_graph())
            if not self.store.has_graph(graph):
                return None
            rows = self.store.query(TERMS_IN_GRAPH.format(graph=NamedNode(graph))).rows
            return frozenset(t.value for (t,) in rows if isinstance(t, NamedNode))

        return set().union(*self._per_graph("terms_used", everything, one).values())

    def _default_graph(self) -> list[Quad]:
        """The quads of the store's own default graph (written by the Graph Store's ?default)."""
        return self.read_graph(None) or []


def _terms(quads: list[Quad]) -> frozenset[str]:
    """The predicates and classes of `quads`."""
    terms = {q.predicate.value for q in quads}
    terms |= {q.object.value for q in quads if q.predicate.value == RDF_TYPE and isinstance(q.object, NamedNode)}
    return frozenset(terms)
