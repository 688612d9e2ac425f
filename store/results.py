"""pyoxigraph results and serialisations, shared by every store: a remote store parses what its
server sends into the same pyoxigraph objects, so both answer through this one module."""

from __future__ import annotations

from typing import Iterable

from pyoxigraph import Quad, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, serialize

from diplograph.errors import StoreError
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
# Formats that keep graph names; the others get the union of all graphs.
QUAD_FORMATS = {"nquads", "trig", "jsonld"}


def rdf_format(name: str) -> RdfFormat:
    try:
        return RDF_FORMATS[name]
    except KeyError:
        raise StoreError(f"unknown RDF format '{name}'; use one of: {', '.join(RDF_FORMATS)}") from None


def wrap(result) -> QueryResult:
    """Our result type for a pyoxigraph query result (solutions, boolean or triples)."""
    if isinstance(result, QueryBoolean):
        return Boolean(bool(result), lambda fmt: _result_bytes(result, fmt))
    if isinstance(result, QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = ([solution[v] for v in variables] for solution in result)
        return Solutions(variables, rows, lambda fmt: _result_bytes(result, fmt))
    triples = list(result)
    return Triples(triples, lambda fmt: serialize(triples, format=rdf_format(fmt), prefixes=PREFIXES) or b"")


def serialize_quads(quads: Iterable[Quad], format: str) -> bytes:
    """Quads in an export format; formats without graph names get the (deduplicated) union."""
    fmt = rdf_format(format)
    if format in QUAD_FORMATS:
        return serialize(sorted(quads, key=str), format=fmt, prefixes=PREFIXES) or b""
    union = {Quad(q.subject, q.predicate, q.object) for q in quads}
    return serialize(sorted(union, key=str), format=fmt, prefixes=PREFIXES) or b""


def ntriples_body(quads: Iterable[Quad]) -> str:
    """The triples of `quads` as N-Triples lines, ready to go inside `INSERT DATA { GRAPH … { } }`."""
    data = serialize((Quad(q.subject, q.predicate, q.object) for q in quads), format=RdfFormat.N_TRIPLES)
    return (data or b"").decode()


def replace_graphs_update(graphs: dict[str, Iterable[Quad]]) -> str:
    """One SPARQL update that replaces each graph with its quads; one request, so one transaction
    on stores that run an update request atomically (Oxigraph does)."""
    return " ;\n".join(f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{\n{ntriples_body(q)}}} }}"
                       for g, q in graphs.items())


def _result_bytes(result, fmt: str) -> bytes:
    try:
        return result.serialize(format=RESULT_FORMATS[fmt]) or b""
    except KeyError:
        raise StoreError(f"unknown results format '{fmt}'; use one of: {', '.join(RESULT_FORMATS)}") from None
