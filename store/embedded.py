"""The embedded default store: pyoxigraph, on disk or in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from diplograph.errors import QueryError, StoreError
from diplograph.ontology.vocab import PREFIXES

from . import lexer
from .base import QueryResult
from .results import rdf_format, replace_graphs_update, restore_datatype, serialize_quads, wrap


class EmbeddedStore:
    """A pyoxigraph store; `path=None` keeps everything in memory (tests).

    `read_only=True` opens a checkpoint (see `checkpoint`) for reading: many processes may do so
    at once, which is how the server evaluates queries in processes it can stop.
    """

    def __init__(self, path: Path | None = None, read_only: bool = False):
        self.path, self.read_only = path, read_only
        self.location = str(path) if path else ":memory:"
        try:
            if path is None:
                self._store = Store()
            elif read_only:
                self._store = Store.read_only(str(path))
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

    def query(self, sparql: str, *, base_iri: str | None = None, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None) -> QueryResult:
        """Evaluate a query. Its dataset is, in order of precedence: the graphs given here (as the
        SPARQL protocol's default-graph-uri and named-graph-uri; either one alone leaves the other
        part empty), the query's own FROM / FROM NAMED, else the union of all graphs as the default
        graph. Graphs are only ever looked up in the store: one that is not there is empty."""
        options: dict = {}
        if default_graph is not None or named_graphs is not None:
            options["default_graph"] = [NamedNode(g) for g in default_graph or []]
            options["named_graphs"] = [NamedNode(g) for g in named_graphs or []]
        elif not lexer.declares_dataset(sparql):
            # pyoxigraph's union flag would override a FROM clause, so it is only set without one.
            options["use_default_graph_as_union"] = True
        try:
            return wrap(self._store.query(sparql, prefixes=PREFIXES, base_iri=base_iri, **options))
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except OSError as err:
            raise StoreError(f"the store could not answer: {err}") from None

    def update(self, sparql: str, *, base_iri: str | None = None, using_graphs: list[str] | None = None,
               using_named_graphs: list[str] | None = None) -> None:
        """Run a SPARQL update in one transaction. `using_graphs` / `using_named_graphs` (the
        protocol's using-graph-uri and using-named-graph-uri) become USING clauses of every
        DELETE/INSERT operation. Without them a WHERE clause sees the store's default graph, which
        holds nothing in diplograph (every article has its own graph): use GRAPH or USING."""
        if using_graphs or using_named_graphs:
            if {"USING", "WITH"} & lexer.keywords(sparql):
                raise QueryError("the update names its dataset with USING or WITH and the request with "
                                 "using-graph-uri or using-named-graph-uri; give it in one place only")
            if lexer.deletes_where(sparql):
                raise QueryError("using-graph-uri and using-named-graph-uri cannot apply to DELETE WHERE; "
                                 "write it as DELETE { … } WHERE { … }")
            sparql = lexer.add_using(sparql, using_graphs or [], using_named_graphs or [])
        try:
            self._store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except OSError as err:
            raise StoreError(f"writing to the store failed, nothing was changed: {err}") from None

    def checkpoint(self, target: Path) -> None:
        """A consistent copy of the store in the new folder `target`, cheap (hard links) on the same
        file system; open it with `EmbeddedStore(target, read_only=True)`. It does not see later writes."""
        if self.path is None:
            raise StoreError("an in-memory store has no checkpoints; give the store a folder")
        try:
            self._store.backup(str(target))
        except OSError as err:
            raise StoreError(f"cannot write a checkpoint of the store to {target}: {err}") from None

    def export(self, format: str, graph: str | None = None) -> bytes:
        rdf_format(format)  # an unknown format fails before any work
        if graph is None:
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

    def has_graph(self, graph: str) -> bool:
        """Whether the store has a named graph `graph`, even an empty one (made by CREATE GRAPH)."""
        return self._store.contains_named_graph(NamedNode(graph))

    def quads(self, graph: str | DefaultGraph | None = None) -> Iterator[Quad]:
        """The quads of one named graph, of the store's own default graph (`DefaultGraph()`) or of
        the whole store (None), with their declared numeric types. The iterator reads a snapshot
        taken when it is made: later writes do not show in it."""
        if isinstance(graph, str):
            graph = NamedNode(graph)
        return (restore_datatype(q) for q in self._store.quads_for_pattern(None, None, None, graph))

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()
        del self._store
