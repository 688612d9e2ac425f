"""Linked data: every IRI the loader mints dereferences here, at /id/… (and the ontology at
/ontology), to an HTML page or to its description in RDF, chosen by the Accept header or by an
extension (`.ttl`, `.jsonld`, `.nt`, `.rdf`, `.html`).

A resource's description is its triples in both directions plus the rdfs:label of everything it
links to: one CONSTRUCT, evaluated by a query worker like any client's query (so the timeout and
the row cap apply). An article's graph is described by what the VoID description says of it. The
HTML page shows the description as tables, below what an entity's, an event's or an article's
page shows of it (server/pages.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, request
from pyoxigraph import NamedNode, Triple

from diplograph.ontology.vocab import ONTOLOGY_GRAPH, ONTOLOGY_IRI, PREFIXES

from . import dataset, pages
from .context import served
from .http import HttpError, negotiate
from .links import ONTOLOGY_PATH, article_of_graph, iri_for_path, twin_href
from .page_queries import constructed
from .results import GRAPH_TYPES, content_type, triples_bytes

bp = Blueprint("resources", __name__)

HTML = "text/html"
# In the server's order of preference: a client that accepts anything (curl) gets Turtle, a browser HTML.
OFFERS = ["text/turtle", HTML, "application/ld+json", "application/n-triples", "application/rdf+xml"]
EXTENSIONS = {".ttl": "text/turtle", ".html": HTML, ".jsonld": "application/ld+json",
              ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
# HTML pages run no script and load nothing from elsewhere (only this server's stylesheet), whatever
# a label holds.
PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")

# An HTML page lists at most this many statements (its twins, up to the row cap): a table of
# thousands of rows (an actor named in every article) is slow to send and no use to read.
PAGE_ROWS = 500

DESCRIBE = """CONSTRUCT {{ {iri} ?p ?o . ?o rdfs:label ?ol . ?s ?q {iri} . ?s rdfs:label ?sl }}
WHERE {{ {{ {iri} ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }} UNION {{ ?s ?q {iri} OPTIONAL {{ ?s rdfs:label ?sl }} }} }}"""
ONTOLOGY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"


@dataclass(frozen=True)
class Description:
    """What the store says about one resource."""

    iri: str
    triples: list[Triple]
    truncated: bool  # cut at the row cap


@bp.route("/id/<path:_rest>", methods=["GET"])
@bp.route(ONTOLOGY_PATH, methods=["GET"])
@bp.route(ONTOLOGY_PATH + ".<_ext>", methods=["GET"])
def resource(_rest: str | None = None, _ext: str | None = None) -> Response:
    """A minted IRI's page or description; 404 when the store says nothing about it."""
    path, media_type = request.path, None
    for extension, twin in EXTENSIONS.items():
        if path.endswith(extension):
            path, media_type = path[: -len(extension)], twin
            break
    iri = iri_for_path(path)
    if iri is None:
        raise HttpError(404, f"nothing is served at {request.path}: resources are at /id/… and the ontology "
                             "at /ontology")
    accept = request.headers.get("Accept")
    media_type = media_type or negotiate(accept, OFFERS)
    if media_type is None:
        raise HttpError(406, f"a resource is sent as one of: {', '.join(OFFERS)}; the Accept header ({accept}) "
                             "allows none")
    max_rows = served().config.max_rows
    if media_type == HTML and iri != ONTOLOGY_IRI:  # the ontology's document holds every term
        max_rows = min(max_rows, PAGE_ROWS)
    found = describe(iri, max_rows)
    if not found.triples:
        raise HttpError(404, f"there is no resource <{iri}> in this store")
    headers = {
        "Link": ", ".join(f'<{twin_href(iri, ext)}>; rel="alternate"; type="{twin}"'
                          for ext, twin in EXTENSIONS.items() if twin != media_type),
        "X-Diplograph-Truncated": "true" if found.truncated else "false",
        "X-Diplograph-Max-Rows": str(max_rows),
    }
    if len(request.path) == len(path):
        headers["Vary"] = "Accept"  # negotiated; a twin's type is fixed by its extension
    if media_type == HTML:
        body = pages.resource_page(found.iri, found.triples, found.truncated, max_rows, EXTENSIONS)
        return Response(body, headers={**headers, "Content-Type": "text/html; charset=utf-8",
                                       "Content-Security-Policy": PAGE_POLICY, "X-Content-Type-Options": "nosniff",
                                       "Referrer-Policy": "same-origin"})
    return Response(triples_bytes(GRAPH_TYPES[media_type], found.triples, {**PREFIXES, "void": dataset.VOID}),
                    headers={**headers, "Content-Type": content_type(media_type)})


def describe(iri: str, max_rows: int) -> Description:
    """The description of `iri`: the ontology's whole graph for the ontology; else the triples in
    both directions with the labels of what they link to, plus the VoID of an article's graph; cut
    after `max_rows` statements (the resource's own come first, then those pointing to it)."""
    query = ONTOLOGY if iri == ONTOLOGY_IRI else DESCRIBE.format(iri=NamedNode(iri))
    statements, truncated = constructed(query, max_rows)
    # A statement in two graphs comes once per graph (the default graph is their union).
    triples = list(dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in statements))
    if article_of_graph(iri) is not None:
        size = served().store.graph_sizes().get(iri)
        if size is not None:
            triples += dataset.subset_triples(iri, size)
    # Sorted by subject, the resource first, so that Turtle writes each subject once.
    subject = NamedNode(iri)
    triples.sort(key=lambda t: (t.subject != subject, str(t.subject), str(t.predicate), str(t.object)))
    return Description(iri, triples, truncated)
