"""The data behind the endpoint: the store (written here, in the server process) and the pool of
query workers that read its checkpoints. The app factory receives one of these as its `store`."""

from __future__ import annotations

import threading

from pyoxigraph import NamedNode

from diplograph.store import EmbeddedStore

from .workers import Answer, Checkpoints, QueryJob, QueryPool


class ServedStore:
    """An on-disk `EmbeddedStore` served over HTTP: queries in killable worker processes,
    updates one at a time, each followed by a checkpoint before it is answered."""

    def __init__(self, store: EmbeddedStore, workers: int):
        self.store = store
        self.checkpoints = Checkpoints(store)
        self.pool = QueryPool(workers, self.checkpoints)
        self._write = threading.Lock()
        self._sizes: tuple[object, dict[str, int]] | None = None

    def query(self, job: QueryJob, deadline: float) -> Answer:
        """Evaluate a query in a worker before `deadline` (time.monotonic()); see `QueryPool.run`."""
        return self.pool.run(job, deadline)

    def update(self, sparql: str, base_iri: str, using_graphs: list[str], using_named_graphs: list[str]) -> None:
        """Run an update, then checkpoint, so that any query sent after the answer sees it."""
        with self._write:
            self.store.update(sparql, base_iri=base_iri, using_graphs=using_graphs,
                              using_named_graphs=using_named_graphs)
            self.checkpoints.renew()
        self.pool.prune()

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph, counted once per checkpoint (the store changes only there)."""
        current = self.checkpoints.current
        if self._sizes is None or self._sizes[0] != current:
            result = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            sizes = {g.value: int(n.value) for g, n in result.rows if isinstance(g, NamedNode)}
            self._sizes = (current, dict(sorted(sizes.items())))
        return self._sizes[1]

    def health(self) -> dict:
        """What /healthz reports."""
        return {"status": "ok", "query_workers": self.pool.alive()}

    def close(self) -> None:
        self.pool.close()
        self.checkpoints.close()
        self.store.close()
