"""The dataset as a whole: its VoID description at /.well-known/void and its dumps under /dumps/.

VoID names the SPARQL endpoint and the dumps, the store's size, each article's graph as a subset
with its size and dump, and the vocabularies the data use. Each answer links to the others (Link
headers), as the service description at GET /sparql links here.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from pyoxigraph import Literal, NamedNode, Triple, serialize
from werkzeug.wsgi import wrap_file

from diplograph.ontology import iris
from diplograph.ontology.vocab import DCTERMS, DG, ID_BASE, ONTOLOGY_IRI, PREFIXES, RDF
from diplograph.store.results import rdf_format

from .context import public_base, served
from .http import HttpError, negotiate
from .links import article_of_graph
from .results import GRAPH_TYPES, content_type

bp = Blueprint("dataset", __name__)

VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RDF_TYPE = NamedNode(RDF + "type")
VOID_PATH = "/.well-known/void"
ALL = "all"
# The formats of the service's and the dataset's descriptions.
DESCRIPTION_TYPES = {t: f for t, f in GRAPH_TYPES.items() if f in ("turtle", "jsonld", "rdfxml", "ntriples")}
# The formats in which the server sends data: dumps, the endpoint's answers and resources.
FEATURES = ["N-Quads", "Turtle", "N-Triples", "TriG", "JSON-LD", "RDF_XML"]


def void(name: str) -> NamedNode:
    return NamedNode(VOID + name)


def dump_url(name: str) -> str:
    """Where the dump `name` (an article id, or `all`) is downloaded."""
    return f"{public_base()}/dumps/{name}.nq.gz"


def links(*targets: tuple[str, str]) -> dict[str, str]:
    """A Link header to (path, relation) pairs on this server."""
    return {"Link": ", ".join(f'<{public_base()}{path}>; rel="{rel}"' for path, rel in targets)}


@bp.route(VOID_PATH)
def describe_dataset() -> Response:
    """The VoID description, in Turtle, JSON-LD, N-Triples or RDF/XML."""
    accept = request.headers.get("Accept")
    media_type = negotiate(accept, list(DESCRIPTION_TYPES))
    if media_type is None:
        raise HttpError(406, f"the VoID description is sent as one of: {', '.join(DESCRIPTION_TYPES)}; "
                             f"the Accept header ({accept}) allows none")
    prefixes = {"void": VOID, "formats": FORMATS, "dcterms": DCTERMS}
    body = serialize(void_triples(), format=rdf_format(DESCRIPTION_TYPES[media_type]), prefixes=prefixes)
    return Response(body or b"", headers={"Content-Type": content_type(media_type), "Vary": "Accept",
                                          **links(("/sparql", "service-desc"), ("/dumps/all.nq.gz", "alternate"))})


def void_triples() -> list[Triple]:
    """The VoID description of the store as it is now."""
    store, base = served().store, public_base()
    dataset = NamedNode(f"{base}{VOID_PATH}#dataset")
    triples = [
        Triple(dataset, RDF_TYPE, void("Dataset")),
        Triple(dataset, NamedNode(DCTERMS + "title"), Literal("diplograph", language="en")),
        Triple(dataset, NamedNode(DCTERMS + "description"),
               Literal("News reporting on diplomacy and conflict as a knowledge graph: events grounded in the "
                       "articles' words, attributed to their sources", language="en")),
        Triple(dataset, void("sparqlEndpoint"), NamedNode(f"{base}/sparql")),
        Triple(dataset, void("dataDump"), NamedNode(dump_url(ALL))),
        Triple(dataset, void("uriSpace"), Literal(ID_BASE)),
        Triple(dataset, void("triples"), Literal(str(store.size()), datatype=XSD_INTEGER)),
    ]
    triples += [Triple(dataset, void("feature"), NamedNode(FORMATS + name)) for name in FEATURES]
    triples += [Triple(dataset, void("vocabulary"), NamedNode(v)) for v in vocabularies(store.terms_used())]
    for graph, size in store.graph_sizes().items():
        if article_of_graph(graph) is not None:
            triples.append(Triple(dataset, void("subset"), NamedNode(graph)))
            triples += subset_triples(graph, size)
    return triples


def subset_triples(graph: str, size: int) -> list[Triple]:
    """What VoID says of an article's graph: its size, its dump and the article it holds."""
    subset, article_id = NamedNode(graph), article_of_graph(graph)
    return [
        Triple(subset, RDF_TYPE, void("Dataset")),
        Triple(subset, void("triples"), Literal(str(size), datatype=XSD_INTEGER)),
        Triple(subset, void("dataDump"), NamedNode(dump_url(article_id))),
        Triple(subset, void("rootResource"), NamedNode(iris.article(article_id))),
    ]


def vocabularies(terms: set[str]) -> list[str]:
    """The vocabularies of `terms` (properties and classes): our ontology, the namespaces we know,
    and for any other term its IRI up to the last '#' or '/'."""
    found = set()
    known = sorted(PREFIXES.values(), key=len, reverse=True)
    for term in terms:
        if term.startswith(DG):
            found.add(ONTOLOGY_IRI)
            continue
        namespace = next((ns for ns in known if term.startswith(ns)), None)
        if namespace is None:
            cut = max(term.rfind("#"), term.rfind("/"))
            namespace = term[: cut + 1] if cut > 0 else None
        if namespace:
            found.add(namespace)
    return sorted(found)


@bp.route("/dumps/<name>.nq.gz")
def dump(name: str) -> Response:
    """The whole store (`all`) or one article's graph as gzipped N-Quads, with an ETag and
    Last-Modified; 304 when the client's copy is current."""
    graph = None
    if name != ALL:
        graph = iris.graph(name)
        if graph not in served().store.graph_sizes():
            raise HttpError(404, f"there is no article '{name}' in this store; /.well-known/void lists the dumps")
    found = served().store.dump(name, graph)
    response = Response(wrap_file(request.environ, found.file), mimetype="application/gzip",
                        direct_passthrough=True)
    response.content_length = found.size
    response.set_etag(found.etag)
    response.last_modified = found.modified
    # Clients may keep a copy but must ask again each time: the store may have changed.
    response.cache_control.no_cache = True
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.nq.gz"'
    response.headers.update(links((VOID_PATH, "describedby")))
    return response.make_conditional(request, accept_ranges=True, complete_length=found.size)
