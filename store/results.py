"""pyoxigraph results and serialisations, shared by every store: a remote store parses what its
server sends into the same pyoxigraph objects, so both answer through this one module."""

from __future__ import annotations

from typing import Iterable

from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)

from diplograph.errors import StoreError
from diplograph.ontology.vocab import DECLARED_NUMERIC_TYPES, PREFIXES, XSD

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


# What stores turn those types into: Oxigraph xsd:integer, Virtuoso its nearest own type.
_NUMERIC_TYPES = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long", "decimal")}


def restore_datatype(statement: Quad | Triple) -> Quad | Triple:
    """Give an offset, paragraph number, count or duration back the numeric type the data model
    declares (the store kept another); any other statement is returned as it is."""
    wanted = DECLARED_NUMERIC_TYPES.get(statement.predicate.value)
    obj = statement.object
    if wanted is None or not isinstance(obj, Literal) or obj.datatype.value not in _NUMERIC_TYPES:
        return statement
    typed = Literal(obj.value, datatype=NamedNode(wanted))
    if isinstance(statement, Quad):
        return Quad(statement.subject, statement.predicate, typed, statement.graph_name)
    return Triple(statement.subject, statement.predicate, typed)


def wrap(result) -> QueryResult:
    """Our result type for a pyoxigraph query result (solutions, boolean or triples)."""
    if isinstance(result, QueryBoolean):
        return Boolean(bool(result), lambda fmt: _result_bytes(result, fmt))
    if isinstance(result, QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = ([solution[v] for v in variables] for solution in result)
        return Solutions(variables, rows, lambda fmt: _result_bytes(result, fmt))
    triples = [restore_datatype(t) for t in result]
    return Triples(triples, lambda fmt: serialize(triples, format=rdf_format(fmt), prefixes=PREFIXES) or b"")


def serialize_quads(quads: Iterable[Quad], format: str) -> bytes:
    """Quads in an export format; formats without graph names get the (deduplicated) union."""
    fmt = rdf_format(format)
    quads = [restore_datatype(q) for q in quads]
    if format in QUAD_FORMATS:
        return serialize(sorted(quads, key=str), format=fmt, prefixes=PREFIXES) or b""
    union = {Quad(q.subject, q.predicate, q.object) for q in quads}
    return serialize(sorted(union, key=str), format=fmt, prefixes=PREFIXES) or b""


def ntriples_body(quads: Iterable[Quad]) -> str:
    """The triples of `quads` as N-Triples lines, ready to go inside `INSERT DATA { GRAPH … { } }`."""
    data = serialize((Quad(q.subject, q.predicate, q.object) for q in quads), format=RdfFormat.N_TRIPLES)
    return (data or b"").decode()


# Triples per INSERT DATA operation: Virtuoso's SPARQL parser runs out of stack on thousands.
CHUNK = 500


def insert_data(graph: str, quads: list[Quad]) -> str:
    """INSERT DATA operations that add `quads` to `graph`, CHUNK triples each."""
    return " ;\n".join(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples_body(quads[i:i + CHUNK])}}} }}"
                       for i in range(0, len(quads), CHUNK))


def replace_graphs_update(graphs: dict[str, Iterable[Quad]]) -> str:
    """One SPARQL update that replaces each graph with its quads; one request, so one transaction
    on stores that run an update request atomically (Oxigraph does)."""
    operations = []
    for graph, quads in graphs.items():
        operations.append(f"DROP SILENT GRAPH <{graph}>")
        quads = list(quads)
        if quads:
            operations.append(insert_data(graph, quads))
    return " ;\n".join(operations)


def graph_update(graph: str | None, quads: list[Quad], replace: bool) -> str:
    """One SPARQL update that puts the triples of `quads` in `graph` (None: the store's own default
    graph), after emptying it if `replace`. A named graph exists afterwards even when `quads` is
    empty; the update is empty when there is nothing to do. The triples go in one INSERT DATA
    block, unchunked, because a blank node may not be shared between two blocks: this is for
    stores that take large requests (the embedded one)."""
    target = f"GRAPH <{graph}>" if graph is not None else "DEFAULT"
    operations = [f"DROP SILENT {target}"] if replace else []
    if graph is not None:
        operations.append(f"CREATE SILENT GRAPH <{graph}>")
    if quads:
        triples = ntriples_body(quads)
        operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{triples}}} }}" if graph is not None
                          else f"INSERT DATA {{\n{triples}}}")
    return " ;\n".join(operations)


def _result_bytes(result, fmt: str) -> bytes:
    try:
        return result.serialize(format=RESULT_FORMATS[fmt]) or b""
    except KeyError:
        raise StoreError(f"unknown results format '{fmt}'; use one of: {', '.join(RESULT_FORMATS)}") from None
