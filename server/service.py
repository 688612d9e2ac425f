"""What the service says about itself: the SPARQL service description (which points to the
dataset's VoID description) and /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from pyoxigraph import BlankNode, Literal, NamedNode, Triple, serialize

from diplograph.store.results import rdf_format

from .context import endpoint_url, public_base, served
from .dataset import DESCRIPTION_TYPES, FORMATS, VOID, VOID_PATH, links
from .http import HttpError, negotiate
from .results import content_type

bp = Blueprint("service", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PREFIXES = {"sd": SD, "formats": FORMATS, "void": VOID, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
# The W3C names of the formats /sparql answers in.
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"]


@bp.route("/healthz")
def healthz() -> Response:
    """200 while the server can answer (with how many query workers are alive), 503 when the
    store behind it cannot (a remote store that does not answer)."""
    health = served().store.health()
    return jsonify(health), 200 if health["status"] == "ok" else 503


def describe_service() -> Response:
    """The service description (W3C SPARQL 1.1 Service Description) in Turtle, JSON-LD, RDF/XML
    or N-Triples, with the named graphs of the default dataset and their sizes."""
    accept = request.headers.get("Accept")
    media_type = negotiate(accept, list(DESCRIPTION_TYPES))
    if media_type is None:
        raise HttpError(406, f"the service description is sent as one of: {', '.join(DESCRIPTION_TYPES)}; "
                             f"the Accept header ({accept}) allows none")
    body = serialize(description_triples(), format=rdf_format(DESCRIPTION_TYPES[media_type]), prefixes=PREFIXES)
    return Response(body or b"", headers={"Content-Type": content_type(media_type), "Vary": "Accept",
                                          **links((VOID_PATH, "describedby"))})


def description_triples() -> list[Triple]:
    """The description of this endpoint as triples."""
    config, store = served().config, served().store
    sd = lambda name: NamedNode(SD + name)  # noqa: E731
    service, dataset, default = BlankNode(), BlankNode(), BlankNode()
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), NamedNode(endpoint_url())),
        Triple(service, RDFS_SEE_ALSO, NamedNode(public_base() + VOID_PATH)),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default),
        Triple(default, RDF_TYPE, sd("Graph")),
    ]
    if config.updates_enabled:
        triples.append(Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [Triple(service, sd("resultFormat"), NamedNode(FORMATS + name)) for name in RESULT_FORMATS]
    for name, size in store.graph_sizes().items():
        named, graph = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, sd("namedGraph"), named),
            Triple(named, RDF_TYPE, sd("NamedGraph")),
            Triple(named, sd("name"), NamedNode(name)),
            Triple(named, sd("graph"), graph),
            Triple(graph, RDF_TYPE, sd("Graph")),
            Triple(graph, NamedNode(VOID + "triples"), Literal(str(size), datatype=XSD_INTEGER)),
        ]
    # Grouped by subject, in order of first appearance, so that Turtle writes each node once.
    first = {}
    for triple in triples:
        first.setdefault(triple.subject, len(first))
    return sorted(triples, key=lambda t: first[t.subject])
