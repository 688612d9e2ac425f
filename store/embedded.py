"""The embedded default store: pyoxigraph, on disk or in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pyoxigraph import NamedNode, Quad, Store

from diplograph.errors import QueryError, StoreError
from diplograph.ontology.vocab import PREFIXES

from .base import QueryResult
from .results import QUAD_FORMATS, rdf_format, replace_graphs_update, serialize_quads, wrap


class EmbeddedStore:
    """A pyoxigraph store; `path=None` keeps everything in memory (tests)."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.location = str(path) if path else ":memory:"
        try:
            if path is None:
                self._store = Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = Store(str(path))
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {err}. If another diplograph process "
                             "(a running `diplograph serve`?) has it open, stop it or use another --store")

    def replace_graphs(self, graphs: dict[str, Iterable[Quad]]) -> None:
        # One SPARQL update is one transaction in Oxigraph: readers see all the old graphs or all
        # the new ones, and a failure changes nothing.
        try:
            self._store.update(replace_graphs_update(graphs))
        except OSError as err:
            raise StoreError(f"writing to the store failed, nothing was changed: {err}") from None

    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        self.replace_graphs({graph: quads})

    def query(self, sparql: str) -> QueryResult:
        try:
            return wrap(self._store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES))
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except OSError as err:
            raise StoreError(f"the store could not answer: {err}") from None

    def export(self, format: str, graph: str | None = None) -> bytes:
        rdf_format(format)  # an unknown format fails before any work
        if graph is None:
            if format in QUAD_FORMATS:
                return self._store.dump(format=rdf_format(format), prefixes=PREFIXES) or b""
            return serialize_quads(self._store, format)
        if not self._store.contains_named_graph(NamedNode(graph)):
            raise StoreError(f"no graph <{graph}> in the store; `diplograph query` with "
                             "'SELECT DISTINCT ?g {GRAPH ?g {}}' lists them")
        return serialize_quads(self._store.quads_for_pattern(None, None, None, NamedNode(graph)), format)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, NamedNode(graph)))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
        del self._store
