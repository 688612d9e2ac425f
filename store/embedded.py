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

    Writes are all or nothing. `replace_graphs` picks the fastest way that keeps this: into an
    empty store, pyoxigraph's bulk loader (not transactional: on a failure the store is emptied
    again, and a folder left by a process that died during such a load is emptied when it is next
    opened, see `_finish_interrupted_load`); new graphs into a store that has others, one
    transaction of quads; graphs that already exist, one SPARQL update that drops and inserts.
    """

    def __init__(self, path: Path | None = None, read_only: bool = False):
        # The real folder (symlinks and `..` resolved), so what is kept beside it (the bulk-load
        # marker, the server's scratch folders) is found whichever way the folder is named;
        # messages name it as the user did.
        self.path, self.read_only = (path.resolve() if path is not None else None), read_only
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
        if path is not None and not read_only:
            self._finish_interrupted_load()

    @property
    def _loading_marker(self) -> Path:
        """A file beside the store's real folder while a bulk load into it runs (RocksDB owns the
        folder): one marker however the folder is reached (a symlink, a path with `..`)."""
        return self.path.parent / f".{self.path.name}-bulk-loading"

    def _finish_interrupted_load(self) -> None:
        """Empty the store if a process died while bulk loading into it: it was empty before that
        load, and the load never finished, so empty is how the load leaves it."""
        if self._loading_marker.exists():
            self._store.clear()
            self._store.flush()
            self._loading_marker.unlink()

    def _is_empty(self) -> bool:
        return (next(iter(self._store.named_graphs()), None) is None
                and next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None)

    def replace_graphs(self, graphs: dict[str, Iterable[Quad]]) -> None:
        """Make each graph hold exactly its quads, all or nothing; see the class's docstring for how."""
        if not graphs:
            return
        try:
            if self._is_empty():
                self._bulk_load(graphs)
            elif not any(self._store.contains_named_graph(NamedNode(g)) for g in graphs):
                # pyoxigraph's `extend` is one transaction: all the quads are added, or none.
                self._store.extend(_in_graphs(graphs))
            else:
                # One SPARQL update is one transaction in Oxigraph: readers see all the old graphs
                # or all the new ones, and a failure changes nothing.
                self._store.update(replace_graphs_update(graphs))
        except OSError as err:
            raise StoreError(f"writing to the store failed, nothing was changed: {err}") from None

    def _bulk_load(self, graphs: dict[str, Iterable[Quad]]) -> None:
        """Load into the empty store with pyoxigraph's bulk loader, 3-5 times faster than a
        transaction and without holding every quad in memory, but not atomic: on any failure
        (or if the process dies, see `_finish_interrupted_load`) the store is emptied again."""
        marker = self._loading_marker if self.path is not None else None
        if marker is not None:
            marker.touch()
        try:
            self._store.bulk_extend(_in_graphs(graphs))
            if self.path is not None:
                self._store.flush()
        except BaseException:
            self._store.clear()
            if self.path is not None:
                self._store.flush()
            if marker is not None:
                marker.unlink(missing_ok=True)
            raise
        if marker is not None:
            marker.unlink()

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
        sparql = lexer.with_using(sparql, using_graphs, using_named_graphs)
        try:
            self._store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except RuntimeError as err:  # the engine refused an operation: DROP GRAPH of a graph not there…
            raise QueryError(f"the update failed, nothing was changed: {err} (SILENT ignores that)") from None
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


def _in_graphs(graphs: dict[str, Iterable[Quad]]) -> Iterator[Quad]:
    """The quads of each graph, placed in that graph (the key, whatever graph a quad names)."""
    for graph, quads in graphs.items():
        node = NamedNode(graph)
        for quad in quads:
            yield quad if quad.graph_name == node else Quad(quad.subject, quad.predicate, quad.object, node)
