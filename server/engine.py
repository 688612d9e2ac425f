"""The data behind the endpoint: the store (written here, in the server process) and the pool of
query workers that read its checkpoints. The app factory receives one of these as its `store`."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from pyoxigraph import DefaultGraph, NamedNode, Quad

from diplograph.store import EmbeddedStore
from diplograph.store.results import graph_update

from .dumps import Dump, Dumps
from .workers import Answer, Checkpoints, QueryJob, QueryPool


class ServedStore:
    """An on-disk `EmbeddedStore` served over HTTP: queries in killable worker processes,
    writes one at a time, each followed by a checkpoint before it is answered."""

    def __init__(self, store: EmbeddedStore, workers: int):
        self.store = store
        self.checkpoints = Checkpoints(store)
        self.pool = QueryPool(workers, self.checkpoints)
        self.dumps = Dumps(store)
        self._write = threading.Lock()
        self._cached: dict[str, tuple[object, object]] = {}

    def query(self, job: QueryJob, deadline: float) -> Answer:
        """Evaluate a query in a worker before `deadline` (time.monotonic()); see `QueryPool.run`."""
        return self.pool.run(job, deadline)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write at a time; after it, a checkpoint, so that any query sent after the answer
        sees it. A write that fails changed nothing, so it needs none."""
        with self._write:
            yield
            self.checkpoints.renew()
        self.pool.prune()

    def update(self, sparql: str, base_iri: str, using_graphs: list[str], using_named_graphs: list[str]) -> None:
        """Run a SPARQL update."""
        with self._writing():
            self.store.update(sparql, base_iri=base_iri, using_graphs=using_graphs,
                              using_named_graphs=using_named_graphs)

    def write_graph(self, graph: str | None, quads: list[Quad], replace: bool) -> bool:
        """Put the triples of `quads` in `graph` (None: the store's own default graph), replacing
        what it held or adding to it, in one transaction; True when the named graph is new."""
        with self._writing():
            created = graph is not None and not self.store.has_graph(graph)
            update = graph_update(graph, quads, replace)
            if update:
                self.store.update(update)
        return created

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a named graph, or empty the default graph (None); False when there is no such graph."""
        with self._writing():
            if graph is not None and not self.store.has_graph(graph):
                return False
            self.store.update(f"DROP GRAPH <{graph}>" if graph is not None else "DROP DEFAULT")
        return True

    def read_graph(self, graph: str | None) -> list[Quad] | None:
        """The quads of a named graph, or of the default graph (None); None when there is no such graph."""
        if graph is not None and not self.store.has_graph(graph):
            return None
        return list(self.store.quads(graph if graph is not None else DefaultGraph()))

    def dump(self, name: str, graph: str | None) -> Dump:
        """The gzipped N-Quads dump of one graph, or of the whole store (None), as it is now."""
        return self.dumps.open(name, graph, self.checkpoints.current)

    def _per_checkpoint(self, name: str, compute: Callable[[], object]):
        """`compute()`, again only after the store changed (it changes only at a checkpoint)."""
        current = self.checkpoints.current
        cached = self._cached.get(name)
        if cached is None or cached[0] != current:
            cached = (current, compute())
            self._cached[name] = cached
        return cached[1]

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph, sorted by name."""
        def count() -> dict[str, int]:
            result = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            sizes = {g.value: int(n.value) for g, n in result.rows if isinstance(g, NamedNode)}
            return dict(sorted(sizes.items()))
        return self._per_checkpoint("graph_sizes", count)

    def size(self) -> int:
        """Quads in the whole store."""
        return self._per_checkpoint("size", self.store.count)

    def terms_used(self) -> set[str]:
        """Every IRI used as a predicate or as a class (the object of rdf:type)."""
        def terms() -> set[str]:
            result = self.store.query("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")
            return {t.value for (t,) in result.rows if isinstance(t, NamedNode)}
        return self._per_checkpoint("terms_used", terms)

    def health(self) -> dict:
        """What /healthz reports."""
        return {"status": "ok", "query_workers": self.pool.alive()}

    def close(self) -> None:
        self.pool.close()
        self.checkpoints.close()
        self.dumps.close()
        self.store.close()
