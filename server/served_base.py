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
TERMS_USED = "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }"


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

    def update(self, sparql: str, base_iri: str, using_graphs: list[str], using_named_graphs: list[str]) -> None:
        """Run a SPARQL update."""
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

    def _per_version(self, name: str, compute: Callable[[], object]):
        """`compute()`, again only after the store changed."""
        current = self.version()
        cached = self._cached.get(name)
        if cached is None or cached[0] != current:
            with self._computing:  # concurrent requests compute it once
                cached = self._cached.get(name)
                if cached is None or cached[0] != current:
                    cached = (current, compute())
                    self._cached[name] = cached
        return cached[1]

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph, sorted by name."""
        def count() -> dict[str, int]:
            rows = self.store.query(GRAPH_SIZES).rows
            return dict(sorted((g.value, int(n.value)) for g, n in rows if isinstance(g, NamedNode)))
        return self._per_version("graph_sizes", count)

    def size(self) -> int:
        """Quads in the whole store."""
        return self._per_version("size", self.store.count)

    def terms_used(self) -> set[str]:
        """Every IRI used as a predicate or as a class (the object of rdf:type)."""
        def terms() -> set[str]:
            return {t.value for (t,) in self.store.query(TERMS_USED).rows if isinstance(t, NamedNode)}
        return self._per_version("terms_used", terms)
