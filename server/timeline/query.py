"""The query page's work: example queries, running a query in a worker, and turning the answer
into rows of cells for the HTML table."""

from __future__ import annotations

import json
import time

from pyoxigraph import RdfFormat, parse

from diplograph.errors import QueryError
from diplograph.ontology.vocab import ID_BASE
from diplograph.store.lexer import keywords

from ..context import endpoint_url, served, site_path
from ..results import GRAPH_TYPES
from ..sparql import REFUSED
from ..workers import QueryJob, QueryTimeout, WorkerFailed, WorkersBusy

# Downloads: short name -> media type, as /sparql answers them.
RESULT_DOWNLOADS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                    "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_DOWNLOADS = {name: media for media, name in GRAPH_TYPES.items()}
SHOWN_ROWS = 1000

EXAMPLES = [
    ("Meetings in November 2024", """SELECT ?date ?meeting ?label WHERE {
  ?meeting a dg:Meeting ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?date .
  FILTER(?date >= "2024-11-01"^^xsd:date && ?date <= "2024-11-30"^^xsd:date)
} ORDER BY ?date"""),
    ("Ron Dermer's contacts", """SELECT DISTINCT ?contact ?name WHERE {
  ?event sem:hasActor <https://w3id.org/diplograph/id/entity/ron-dermer>, ?contact .
  ?contact rdfs:label ?name .
  FILTER(?contact != <https://w3id.org/diplograph/id/entity/ron-dermer>)
} ORDER BY ?name"""),
    ("Claims by anonymous officials", """SELECT ?claim ?label ?source WHERE {
  ?claim a dg:Claim ; rdfs:label ?label ; dg:accordingTo ?who .
  ?who rdfs:label ?source . FILTER(CONTAINS(LCASE(?source), "official"))
} ORDER BY ?source"""),
    ("Proposed but not happened", """SELECT ?event ?label ?sentence WHERE {
  ?event a sem:Event ; dg:modality dg:Proposed ; rdfs:label ?label ;
         gaf:denotedBy/nif:sentence/nif:anchorOf ?sentence .
}"""),
    ("Contested claims", """SELECT ?a ?whoA ?b ?whoB WHERE {
  ?x dg:contradicts ?y . ?x rdfs:label ?a ; dg:accordingTo/rdfs:label ?whoA .
  ?y rdfs:label ?b ; dg:accordingTo/rdfs:label ?whoB . FILTER(STR(?x) < STR(?y))
}"""),
    ("Figures by source", """SELECT ?source ?label ?value ?unit WHERE {
  ?figure a dg:Figure ; rdfs:label ?label ; dg:value ?value ; dg:accordingTo/rdfs:label ?source .
  OPTIONAL { ?figure dg:unit ?unit }
} ORDER BY ?source"""),
]


class QueryProblem(Exception):
    """What to tell the user about a query that could not be answered, with the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def run(text: str, fmt: str | None) -> tuple[str, str, str, bytes, bool]:
    """Evaluate `text` in a worker, answered in `fmt` (a download's short name) or, for the table,
    JSON results / N-Triples. Returns (kind, format, media type, body, truncated)."""
    config, store = served().config, served().store
    refused = sorted(REFUSED.keys() & keywords(text))
    if refused:
        raise QueryProblem(400, REFUSED[refused[0]])
    # A download asks for one format; the other kinds of answer (and the table) get the default.
    results = fmt if fmt in RESULT_DOWNLOADS else "json"
    graph = fmt if fmt in GRAPH_DOWNLOADS else "ntriples"
    formats = {"boolean": results, "solutions": results, "triples": graph}
    job = QueryJob(text, endpoint_url(), None, None, formats, config.max_rows)
    try:
        answer = store.query(job, time.monotonic() + config.query_timeout)
    except QueryError as err:
        raise QueryProblem(400, str(err)) from None
    except (QueryTimeout, WorkersBusy):
        raise QueryProblem(503, f"The query did not finish within {config.query_timeout:g} s and was "
                                "stopped; make it more selective.") from None
    except WorkerFailed as err:
        raise RuntimeError(f"query worker failed: {err}") from None
    media = (GRAPH_DOWNLOADS if answer.kind == "triples" else RESULT_DOWNLOADS)[answer.format]
    return answer.kind, answer.format, media, answer.body or b"", answer.truncated


def table(kind: str, body: bytes) -> tuple[list[str], list[list[dict]]]:
    """The answer as column names and rows of cells ({"text", "href"}) for the HTML table."""
    if kind == "triples":
        rows = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)]
                for t in parse(body, format=RdfFormat.N_TRIPLES)]
        return ["subject", "predicate", "object"], rows[:SHOWN_ROWS]
    data = json.loads(body)
    if kind == "boolean":
        return ["answer"], [[{"text": "yes" if data["boolean"] else "no", "href": None}]]
    names = data["head"]["vars"]
    rows = [[_json_cell(binding.get(name)) for name in names] for binding in data["results"]["bindings"]]
    return names, rows[:SHOWN_ROWS]


def local_path(iri: str, path_prefix: str | None = None) -> str | None:
    """Where an IRI is served: a path on this server for the IRIs it mints (under --base-url's
    path: `path_prefix`, looked up when not given), else the IRI itself when it is a web address;
    None for other schemes (a `javascript:` IRI must never be a link)."""
    if iri.startswith(ID_BASE):
        return (site_path("") if path_prefix is None else path_prefix) + "/id/" + iri[len(ID_BASE):]
    return iri if iri.startswith(("http://", "https://")) else None


def _json_cell(value: dict | None) -> dict:
    if value is None:
        return {"text": "", "href": None}
    if value["type"] == "uri":
        return {"text": value["value"], "href": local_path(value["value"])}
    if value["type"] == "bnode":
        return {"text": "_:" + value["value"], "href": None}
    return {"text": value["value"], "href": None}


def _cell(term) -> dict:
    kind = type(term).__name__
    if kind == "NamedNode":
        return {"text": term.value, "href": local_path(term.value)}
    if kind == "BlankNode":
        return {"text": "_:" + term.value, "href": None}
    return {"text": term.value, "href": None}
