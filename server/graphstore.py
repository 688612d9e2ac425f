"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: a graph named by `?graph=IRI` (or the
store's own default graph by `?default`), or by its URL under /store/… (direct identification).

GET and HEAD read a graph (404 when there is none); PUT replaces it, POST adds to it (also several
RDF files at once as multipart/form-data; POST to /store itself makes a new graph and says where
in Location), DELETE removes it. Reads are open to all; writes need the update token, as SPARQL
updates do. Every write is one transaction followed by a checkpoint, so a query sent after the
answer sees it. Data are only ever read from the request: no IRI in them is fetched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, quote

from flask import Blueprint, Response, request
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Triple, parse

from .auth import authorize
from .context import public_base, served
from .http import HttpError, negotiate
from .results import GRAPH_TYPES, content_type, triples_bytes

bp = Blueprint("graphstore", __name__)

STORE_PATH = "/store"
METHODS = ["GET", "PUT", "POST", "DELETE"]  # Flask adds HEAD (as GET without the body) and OPTIONS
MULTIPART = "multipart/form-data"
# Media types that say nothing about a file's format: its extension is read instead.
UNTYPED = {"", "application/octet-stream", "text/plain"}


@dataclass(frozen=True)
class Target:
    """The graph a request is about: a named graph, or the default graph (graph=None)."""

    graph: str | None

    def __str__(self) -> str:
        return f"<{self.graph}>" if self.graph is not None else "the default graph"


@bp.route(STORE_PATH, methods=METHODS)
def indirect() -> Response:
    """A graph named in the query string; a POST naming none creates a new graph."""
    return handle(_named_by_parameters())


@bp.route(STORE_PATH + "/<path:_rest>", methods=METHODS)
def direct(_rest: str) -> Response:
    """A graph named by the request's own URL."""
    if request.query_string:
        raise HttpError(400, "a graph named by its URL (/store/…) takes no parameters; "
                             "use /store?graph=IRI to name a graph by its IRI")
    graph = public_base() + quote(request.path, safe="/:@!$&'()*+,;=-._~")
    try:
        NamedNode(graph)
    except ValueError:
        raise HttpError(400, f"{graph!r} is not an IRI that can name a graph") from None
    return handle(Target(graph))


def handle(target: Target | None) -> Response:
    """Answer a Graph Store request about `target` (None: none named, a new graph for a POST)."""
    method = request.method
    if target is None and method != "POST":
        raise HttpError(400, "name the graph: ?graph=IRI, or ?default for the default graph (only a POST may "
                             "leave it out, to create a new graph)")
    if method in ("GET", "HEAD"):
        return read(target)
    authorize(served().config.update_token)
    store = served().store
    if method == "DELETE":
        if not store.drop_graph(target.graph):
            raise HttpError(404, f"there is no graph {target} in this store")
        return _no_content()
    if target is None:
        target = Target(f"{public_base()}{STORE_PATH}/{uuid.uuid4().hex}")
        store.write_graph(target.graph, payload(target.graph), replace=False)
        return Response(status=201, headers={"Location": target.graph})
    created = store.write_graph(target.graph, payload(target.graph or public_base() + STORE_PATH),
                                replace=method == "PUT")
    return Response(status=201) if created else _no_content()


def read(target: Target) -> Response:
    """The graph's triples in the RDF format the client prefers."""
    accept = request.headers.get("Accept")
    media_type = negotiate(accept, list(GRAPH_TYPES))
    if media_type is None:
        raise HttpError(406, f"a graph is sent as one of: {', '.join(GRAPH_TYPES)}; "
                             f"the Accept header ({accept}) allows none")
    quads = served().store.read_graph(target.graph)
    if quads is None:
        raise HttpError(404, f"there is no graph {target} in this store")
    triples = [Triple(q.subject, q.predicate, q.object) for q in quads]
    return Response(triples_bytes(GRAPH_TYPES[media_type], triples),
                    headers={"Content-Type": content_type(media_type), "Vary": "Accept"})


def payload(base_iri: str) -> list[Quad]:
    """The triples a PUT or POST carries: its body, or each file of a multipart/form-data body.
    Relative IRIs in them are resolved against `base_iri`."""
    if request.mimetype == MULTIPART:
        if request.form:
            raise HttpError(400, f"the form fields {', '.join(sorted(request.form))} are not files; send each "
                                 "RDF document as a file part (with a filename and its Content-Type)")
        files = [f for name in request.files for f in request.files.getlist(name)]
        if not files:
            raise HttpError(400, "the multipart/form-data body holds no file")
        quads = []
        for part in files:
            media_type = part.mimetype
            if media_type in UNTYPED:
                media_type = _by_extension(part.filename or "")
            quads += _parse(part.read(), media_type, part.mimetype_params, base_iri,
                            f"the file {part.filename or part.name!r}")
        return quads
    body = request.get_data(cache=False)
    if not body and not request.mimetype:
        return []  # an empty graph
    return _parse(body, request.mimetype, request.mimetype_params, base_iri, "the body")


def _parse(data: bytes, media_type: str, params: dict[str, str], base_iri: str, what: str) -> list[Quad]:
    if not media_type:
        raise HttpError(415, f"{what} needs a Content-Type: one of {', '.join(GRAPH_TYPES)}")
    fmt = RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise HttpError(415, f"{what} is {media_type}, not RDF this server reads: one of {', '.join(GRAPH_TYPES)}")
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HttpError(415, f"{what} is in {charset}: send UTF-8")
    try:
        quads = list(parse(data, format=fmt, base_iri=base_iri))
    except (SyntaxError, ValueError) as err:
        raise HttpError(400, f"{what} is not valid {fmt.name}: {err}") from None
    if any(not isinstance(q.graph_name, DefaultGraph) for q in quads):
        raise HttpError(400, f"{what} names graphs of its own; a Graph Store request puts triples in the one "
                             "graph its URL names")
    return quads


def _by_extension(filename: str) -> str:
    fmt = RdfFormat.from_extension(PurePosixPath(filename).suffix.lstrip(".")) if "." in filename else None
    return fmt.media_type if fmt is not None else ""


def _named_by_parameters() -> Target | None:
    try:
        pairs = parse_qsl(request.query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise HttpError(400, "the URL's query string is not UTF-8") from None
    names = {name for name, _ in pairs}
    graphs = [value for name, value in pairs if name == "graph"]
    if "graph" in names and "default" in names:
        raise HttpError(400, "send either ?graph=IRI or ?default, not both")
    if len(graphs) > 1:
        raise HttpError(400, f"graph= is given {len(graphs)} times; a request is about one graph")
    if names - {"graph", "default"}:
        raise HttpError(400, f"unknown parameters: {', '.join(sorted(names - {'graph', 'default'}))}; "
                             "the Graph Store takes ?graph=IRI or ?default")
    if "default" in names:
        return Target(None)
    if not graphs:
        return None
    try:
        NamedNode(graphs[0])
    except ValueError:
        raise HttpError(400, f"graph={graphs[0]!r} is not an absolute IRI") from None
    return Target(graphs[0])


def _no_content() -> Response:
    done = Response(status=204)
    del done.headers["Content-Type"]  # a 204 has no body, so no body type
    return done
