"""The data behind the endpoint: the store (written here, in the server process) and the pool of
query workers that read its checkpoints. The app factory receives one of these as its `store`."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from pyoxigraph import DefaultGraph, Quad

from diplograph.store import EmbeddedStore

from .dumps import Dump, Dumps
from .served_base import ServedStoreBase
from .workers import Answer, Checkpoints, QueryJob, QueryPool


class ServedStore(ServedStoreBase):
    """An on-disk `EmbeddedStore` served over HTTP: queries in killable worker processes,
    writes one at a time, each followed by a checkpoint before it is answered."""

    def __init__(self, store: EmbeddedStore, workers: int):
        self.store = store
        self.checkpoints = Checkpoints(store)
        super().__init__()
        self.pool = QueryPool(workers, self.checkpoints)
        self.dumps = Dumps(store)
        self._write = threading.Lock()

    def version(self) -> object:
        return self.checkpoints.current

    def query(self, job: QueryJob, deadline: float) -> Answer:
        """Evaluate a query in a worker before `deadline` (time.monotonic()); see `QueryPool.run`."""
        return self.pool.run(job, deadline)

    @contextmanager
    def _writing(self, graphs: frozenset | None = None) -> Iterator[None]:
        """One write at a time; after it, a checkpoint, so that any query sent after the answer
        sees it, and a record of the `graphs` it changed (None: unknown). A write that fails
        changed nothing, so it needs neither."""
        with self._write:
            yield
            self.checkpoints.renew()
            self.record(graphs)
        self.pool.prune()

    def read_graph(self, graph: str | None) -> list[Quad] | None:
        """The quads of a named graph, or of the default graph (None); None when there is no such graph."""
        if graph is not None and not self.store.has_graph(graph):
            return None
        return list(self.store.quads(graph if graph is not None else DefaultGraph()))

    def dump(self, name: str, graph: str | None) -> Dump:
        """The gzipped N-Quads dump of one graph, or of the whole store (None), as it is now."""
        return self.dumps.open(name, graph, self.checkpoints.current)

    def health(self) -> dict:
        """What /healthz reports."""
        return {"status": "ok", "query_workers": self.pool.alive()}

    def close(self) -> None:
        self.pool.close()
        self.checkpoints.close()
        self.dumps.close()
        self.store.close()
