"""The embedded default store: pyoxigraph, on disk or in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    serialize,
)

from diplograph.errors import QueryError, StoreError
from diplograph.ontology.vocab import PREFIXES

from .base import Boolean, QueryResult, Solutions, Triples

RDF_FORMATS = {
    "nquads": RdfFormat.N_QUADS,
    "ntriples": RdfFormat.N_TRIPLES,
    "trig": RdfFormat.TRIG,
    "turtle": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "xml": QueryResultsFormat.XML,
}
# Formats without named graphs get the union of all graphs.
QUAD_FORMATS = {"nquads", "trig", "jsonld"}


class EmbeddedStore:
    """A pyoxigraph store; `path=None` keeps everything in memory (tests)."""

    def __init__(self, path: Path | None = None):
        self.path = path
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
        parts = []
        for graph, quads in graphs.items():
            body = serialize((Quad(q.subject, q.predicate, q.object) for q in quads), format=RdfFormat.N_TRIPLES)
            parts.append(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{(body or b'').decode()}}} }}")
        try:
            self._store.update(" ;\n".join(parts))
        except OSError as err:
            raise StoreError(f"writing to the store failed, nothing was changed: {err}") from None

    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        self.replace_graphs({graph: quads})

    def query(self, sparql: str) -> QueryResult:
        try:
            result = self._store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except OSError as err:
            raise StoreError(f"the store could not answer: {err}") from None
        if isinstance(result, QueryBoolean):
            value = bool(result)
            return Boolean(value, lambda fmt: _result_bytes(result, fmt))
        if isinstance(result, QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = ([solution[v] for v in variables] for solution in result)
            return Solutions(variables, rows, lambda fmt: _result_bytes(result, fmt))
        triples = list(result)
        return Triples(triples, lambda fmt: serialize(triples, format=_rdf_format(fmt), prefixes=PREFIXES) or b"")

    def export(self, format: str, graph: str | None = None) -> bytes:
        fmt = _rdf_format(format)
        if graph is not None:
            if not self._store.contains_named_graph(NamedNode(graph)):
                raise StoreError(f"no graph <{graph}> in the store; `diplograph query` with "
                                 "'SELECT DISTINCT ?g {GRAPH ?g {}}' lists them")
            quads = self._store.quads_for_pattern(None, None, None, NamedNode(graph))
            if format in QUAD_FORMATS:
                return serialize(quads, format=fmt, prefixes=PREFIXES) or b""
            return serialize((Quad(q.subject, q.predicate, q.object) for q in quads), format=fmt,
                             prefixes=PREFIXES) or b""
        if format in QUAD_FORMATS:
            return self._store.dump(format=fmt, prefixes=PREFIXES) or b""
        union = {Quad(q.subject, q.predicate, q.object) for q in self._store}
        return serialize(sorted(union, key=str), format=fmt, prefixes=PREFIXES) or b""

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


def _rdf_format(name: str) -> RdfFormat:
    try:
        return RDF_FORMATS[name]
    except KeyError:
        raise StoreError(f"unknown RDF format '{name}'; use one of: {', '.join(RDF_FORMATS)}") from None


def _result_bytes(result, fmt: str) -> bytes:
    try:
        return result.serialize(format=RESULT_FORMATS[fmt]) or b""
    except KeyError:
        raise StoreError(f"unknown results format '{fmt}'; use one of: {', '.join(RESULT_FORMATS)}") from None
