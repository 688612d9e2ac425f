"""Serving a store that lives elsewhere: `diplograph serve --store URL` in front of any SPARQL 1.1
store (Oxigraph server, Virtuoso, Fuseki…), with the same endpoint, pages and safety rules as for
a store folder.

What differs from a store folder (server/engine.py):
- Queries are sent to the store by the HTTP thread that received them, and a query that runs out
  of time is answered 503 at its deadline; the store may go on working on it (it is the store's
  own timeout that stops it there: configure one).
- Every query and update is first parsed by diplograph's own SPARQL engine, on an empty dataset,
  so that only standard SPARQL 1.1 reaches the store: a store's own extensions (Virtuoso's
  DEFINE pragmas, some of which fetch URLs) are refused like SERVICE and LOAD. Parsing means
  evaluating, which can be slow even there: it is done in a process stopped at the request's
  deadline (server/syntax.py).
- The store may change behind the server's back (another `diplograph load --store URL`): what the
  server computes from it (the timeline's index, graph sizes, dumps) is renewed after each write
  through this server, and when the store's size is seen to change (checked every REFRESH seconds).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pyoxigraph import DefaultGraph, Quad

from diplograph.errors import StoreError, StoreTimeout
from diplograph.store import RemoteStore

from .config import MEBIBYTE, ServerConfig
from .dumps import Dump, Dumps
from .served_base import ServedStoreBase
from .syntax import SyntaxChecker
from .workers import Answer, QueryJob, QueryTimeout, evaluate

REFRESH = 30.0  # seconds between two looks at whether the store changed behind the server's back
_DEFAULT_GRAPH_ONLY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"


class Versions:
    """Names the state of the remote store, as `Checkpoints.current` does for a store folder: a
    new value after every write through this server, and when the store's size changes otherwise."""

    def __init__(self, store: RemoteStore, refresh: float = REFRESH):
        self.store, self.refresh = store, refresh
        self._writes, self._others = itertools.count(), itertools.count()
        self._written, self._other = next(self._writes), next(self._others)
        self._size = store.count()
        self._looked = time.monotonic()
        self._looking = threading.Lock()

    @property
    def current(self) -> tuple[int, int]:
        if time.monotonic() - self._looked > self.refresh and self._looking.acquire(blocking=False):
            threading.Thread(target=self._look, daemon=True, name="diplograph-remote-size").start()
        return self._written, self._other

    def _look(self) -> None:
        try:
            size = self.store.count()
            if size != self._size:
                self._size, self._other = size, next(self._others)
        except StoreError:
            pass  # unreachable for now: queries will say so; look again later
        finally:
            self._looked = time.monotonic()
            self._looking.release()

    def renew(self) -> None:
        """After a write through this server: a new version, and the size it left the store at,
        so that only a change by others moves `current` again."""
        try:
            self._size = self.store.count()
        except StoreError:
            pass  # the next look takes the size as changed: everything is computed again
        self._written = next(self._writes)


class _Bounded:
    """The remote store as `workers.evaluate` sees it, its queries bounded by a deadline."""

    def __init__(self, store: RemoteStore, deadline: float):
        self.store, self.deadline = store, deadline

    def query(self, sparql: str, **dataset) -> object:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise StoreTimeout("no time left")
        return self.store.query(sparql, timeout=remaining, **dataset)


class _DumpSource:
    """What `Dumps` reads: quads of a graph, and a folder to write beside (here a private temporary one)."""

    def __init__(self, store: RemoteStore):
        self.store = store
        self.path = Path(tempfile.mkdtemp(prefix="diplograph-remote-")) / "store"

    def quads(self, graph: str | None) -> list[Quad]:
        return self.store.quads(graph)


class RemoteServedStore(ServedStoreBase):
    """A `RemoteStore` served over HTTP; the same interface as `engine.ServedStore`."""

    def __init__(self, store: RemoteStore, refresh: float = REFRESH):
        self.store = store
        self.checkpoints = Versions(store, refresh)
        super().__init__()
        self._source = _DumpSource(store)
        self.dumps = Dumps(self._source)
        self._write = threading.Lock()
        self.syntax = SyntaxChecker()

    def version(self) -> object:
        return self.checkpoints.current

    def query(self, job: QueryJob, deadline: float) -> Answer:
        """Evaluate a query on the store before `deadline` (time.monotonic()); QueryTimeout after it."""
        self.syntax.check("query", job.sparql, job.base_iri, deadline)
        try:
            return evaluate(_Bounded(self.store, deadline), job)
        except StoreTimeout:
            raise QueryTimeout("the store did not answer in time") from None

    def update(self, sparql: str, base_iri: str, using_graphs: list[str], using_named_graphs: list[str],
               deadline: float | None = None) -> None:
        # An update's check gets its request's time plus a second per MiB of text: checking a large
        # INSERT DATA takes time (~0.05 s per MiB here), and it is the writer's own load.
        deadline = (deadline or time.monotonic() + ServerConfig.query_timeout) + len(sparql) / MEBIBYTE
        self.syntax.check("update", sparql, base_iri, deadline)
        super().update(sparql, base_iri, using_graphs, using_named_graphs)

    def read_graph(self, graph: str | None) -> list[Quad] | None:
        """The quads of a named graph, or of the store's own default graph (None: the triples in
        no named graph, since the store's default graph is the union); None when there is no such graph."""
        if graph is None:
            rows = self.store.query(_DEFAULT_GRAPH_ONLY).rows
            return [Quad(s, p, o, DefaultGraph()) for s, p, o in rows]
        if not self.store.has_graph(graph):
            return None
        return self.store.quads(graph)

    def _default_graph(self) -> list[Quad]:
        """Nothing: a remote store's default graph is the union of its named graphs (what
        `read_graph(None)` finds outside them costs a pass over the whole store)."""
        return []

    def dump(self, name: str, graph: str | None) -> Dump:
        return self.dumps.open(name, graph, self.checkpoints.current)

    def health(self) -> dict:
        """What /healthz reports: whether the store answers."""
        try:
            self.store.query("ASK {}", timeout=5)
        except StoreError as err:
            return {"status": "store unreachable", "store": self.store.query_url, "error": str(err)}
        return {"status": "ok", "store": self.store.query_url}

    @contextmanager
    def _writing(self, graphs: frozenset | None) -> Iterator[None]:
        """One write at a time; afterwards (even after a failure: a remote store may have applied
        part of it) a new version and a record of the `graphs` it changed (None: unknown), so that
        nothing computed from the old state is shown as current."""
        with self._write:
            try:
                yield
            finally:
                self.checkpoints.renew()
                self.record(graphs)

    def close(self) -> None:
        self.syntax.close()
        self.dumps.close()
        shutil.rmtree(self._source.path.parent, ignore_errors=True)
        self.store.close()
