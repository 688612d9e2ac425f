"""Answers in the media types the endpoint offers, written row by row so that an answer can be
cut at the row cap: pyoxigraph can only serialise a whole result, so the four SPARQL results
formats are written here (W3C SPARQL 1.1 Query Results JSON, XML, CSV and TSV)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, NamedNode, Triple, serialize

from diplograph.ontology.vocab import PREFIXES
from diplograph.store.results import rdf_format

# Offers in the server's order of preference: the first is what a client without Accept gets.
SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
# CSV and TSV define no form for an ASK answer; like Oxigraph, the server sends the bare word.
BOOLEAN_TYPES = SOLUTION_TYPES
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
# Content-Type values: text types say their charset, the others are UTF-8 by definition.
CHARSET_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle"}

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
ITS_NS = "http://www.w3.org/2005/11/its"  # base directions (RDF 1.2), as pyoxigraph writes them


def content_type(media_type: str) -> str:
    """The Content-Type header for one of the offered media types."""
    return f"{media_type}; charset=utf-8" if media_type in CHARSET_TYPES else media_type


def boolean_bytes(fmt: str, value: bool) -> bytes:
    """An ASK answer in `json`, `xml`, `csv` or `tsv`."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt in ("csv", "tsv"):
        return b"true" if value else b"false"
    return (f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()


def solutions_bytes(fmt: str, variables: list[str], rows: Iterable[list]) -> bytes:
    """SELECT solutions in `json`, `xml`, `csv` or `tsv`; a row holds a term or None per variable."""
    return {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt](variables, rows)


def triples_bytes(fmt: str, triples: Iterable[Triple], prefixes: dict[str, str] = PREFIXES) -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF format by its short name (turtle, jsonld…)."""
    return serialize(triples, format=rdf_format(fmt), prefixes=prefixes) or b""


def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        if term.direction is not None:
            out["its:dir"] = str(term.direction)
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json(variables, rows) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        attribute = f" xml:lang={quoteattr(term.language)}"
        if term.direction is not None:
            attribute += f' its:dir="{term.direction}" xmlns:its="{ITS_NS}" its:version="2.0"'
    elif term.datatype.value != XSD_STRING:
        attribute = f" datatype={quoteattr(term.datatype.value)}"
    else:
        attribute = ""
    return f"<literal{attribute}>{escape(term.value)}</literal>"


def _xml(variables, rows) -> bytes:
    out = io.StringIO()
    out.write(f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}"><head>')
    out.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables))
    out.write("</head><results>")
    for row in rows:
        out.write("<result>")
        out.write("".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                          for v, t in zip(variables, row) if t is not None))
        out.write("</result>")
    out.write("</results></sparql>\n")
    return out.getvalue().encode()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):  # plain values, space-separated, as pyoxigraph writes them
        return " ".join(_csv_value(t) for t in (term.subject, term.predicate, term.object))
    return term.value


def _csv(variables, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(t) for t in row])
    return out.getvalue().encode()


def _tsv_string(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _tsv_value(term) -> str:
    """A term as in N-Triples (RDF 1.2 for triple terms and base directions)."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return f"<<( {_tsv_value(term.subject)} {_tsv_value(term.predicate)} {_tsv_value(term.object)} )>>"
    if term.language:
        suffix = f"--{term.direction}" if term.direction is not None else ""
        return f"{_tsv_string(term.value)}@{term.language}{suffix}"
    if term.datatype.value == XSD_STRING:
        return _tsv_string(term.value)
    return f"{_tsv_string(term.value)}^^<{term.datatype.value}>"


def _tsv(variables, rows) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_value(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()
