"""The SPARQL 1.1 Protocol at /sparql: queries by GET, form POST or direct POST; updates by POST.

Safer than the protocol requires: SERVICE and LOAD are refused (the server never fetches anything
from elsewhere), the dataset only ever names graphs already in the store, updates need a bearer
token, and every query runs in a worker process that is stopped when its time is up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Blueprint, Response, g, redirect, request
from pyoxigraph import NamedNode

from diplograph.errors import QueryError
from diplograph.store.lexer import keywords, nesting

from .auth import authorize
from .context import endpoint_url, served, site_path
from .http import HttpError, negotiate
from .results import BOOLEAN_TYPES, GRAPH_TYPES, SOLUTION_TYPES, content_type
from .service import DESCRIPTION_TYPES, describe_service
from .syntax import CheckTimeout
from .workers import Answer, QueryCrashed, QueryJob, QueryTimeout, WorkerFailed, WorkersBusy

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = {"application/sparql-query": "query", "application/sparql-update": "update"}
DATASET = {"query": ("default-graph-uri", "named-graph-uri"), "update": ("using-graph-uri", "using-named-graph-uri")}
REFUSED = {
    "SERVICE": "SERVICE is refused: this server never sends requests to other servers. "
               "Query each endpoint yourself and combine the answers",
    "LOAD": "LOAD is refused: this server never fetches or reads data from elsewhere. "
            "Send the data in INSERT DATA, or load files with `diplograph load`",
}
# Brackets nested deeper than this are refused: the engine's parser would overflow its stack and
# kill the process (a query worker, or for an update the server itself) somewhere past a thousand.
MAX_NESTING = 128


@dataclass
class Operation:
    """A query or an update as the request carried it, with its dataset parameters."""

    kind: str  # "query" or "update"
    text: str
    params: dict[str, list[str]] = field(default_factory=dict)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query or an update; a GET without one gets the service description."""
    operation = read_operation()
    if operation is None:
        # A browser (it prefers HTML to every RDF format) gets the query page instead.
        if negotiate(request.headers.get("Accept"), [*DESCRIPTION_TYPES, "text/html"]) == "text/html":
            return redirect(site_path("/query"), 303)
        return describe_service()
    if operation.kind == "query":
        return run_query(operation)
    return run_update(operation)


def read_operation() -> Operation | None:
    """The operation in the request, checked against the protocol; None for a bare GET."""
    pairs = _decode_params(request.query_string, "the URL's query string")
    direct = None
    if request.method == "POST":
        media_type = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if not media_type:
            raise HttpError(415, "a POST needs a Content-Type: application/sparql-query, "
                                 f"application/sparql-update or {FORM}")
        if media_type != FORM and media_type not in DIRECT:
            raise HttpError(415, f"Content-Type {media_type} is not one of application/sparql-query, "
                                 f"application/sparql-update or {FORM}")
        if charset not in ("utf-8", "utf8"):
            raise HttpError(415, f"charset {charset} is not supported: send UTF-8")
        body = request.get_data(cache=False)
        if media_type == FORM:
            pairs += _decode_params(body, "the form")
        else:
            if any(name in ("query", "update") for name, _ in pairs):
                raise HttpError(400, f"a {media_type} body is the operation: the URL must not carry "
                                     "query= or update= as well")
            direct = Operation(DIRECT[media_type], _utf8(body, "the body"))
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    if direct is not None:
        direct.params = params
        return _checked(direct)
    queries, updates = params.pop("query", []), params.pop("update", [])
    if queries and updates:
        raise HttpError(400, "send either query= or update=, not both")
    for name, values in (("query", queries), ("update", updates)):
        if len(values) > 1:
            raise HttpError(400, f"{name}= is given {len(values)} times; send one {name} per request")
    if updates and request.method == "GET":
        raise HttpError(400, "an update must be sent with POST, never GET")
    if not queries and not updates:
        if request.method == "GET" and not params:
            return None
        raise HttpError(400, "no operation: send query=… (GET or POST) or update=… (POST)")
    kind = "query" if queries else "update"
    return _checked(Operation(kind, (queries or updates)[0], params))


def _checked(operation: Operation) -> Operation:
    """Reject dataset parameters that belong to the other kind of operation, and non-IRIs."""
    other = DATASET["update" if operation.kind == "query" else "query"]
    for name in other:
        if name in operation.params:
            raise HttpError(400, f"{name} applies to {'updates' if operation.kind == 'query' else 'queries'}; "
                                 f"a {operation.kind} takes {' and '.join(DATASET[operation.kind])}")
    for name in DATASET[operation.kind]:
        for value in operation.params.get(name, []):
            try:
                NamedNode(value)
            except ValueError:
                raise HttpError(400, f"{name}={value!r} is not an absolute IRI") from None
    return operation


def run_query(operation: Operation) -> Response:
    """Evaluate a query in a worker and answer in the format the client prefers."""
    config = served().config
    _refuse(operation.text)
    accept = request.headers.get("Accept")
    offers = {"boolean": BOOLEAN_TYPES, "solutions": SOLUTION_TYPES, "triples": GRAPH_TYPES}
    chosen = {kind: negotiate(accept, list(types)) for kind, types in offers.items()}
    if not any(chosen.values()):
        raise HttpError(406, f"the Accept header ({accept}) allows none of the formats this endpoint sends: "
                             f"{', '.join(dict.fromkeys([*SOLUTION_TYPES, *GRAPH_TYPES]))}")
    default, named = (operation.params.get(name) for name in DATASET["query"])
    given = default is not None or named is not None
    job = QueryJob(operation.text, endpoint_url(), (default or []) if given else None,
                   (named or []) if given else None,
                   {kind: offers[kind][t] if t else None for kind, t in chosen.items()}, config.max_rows)
    answer = evaluate(job)
    if answer.body is None:
        raise HttpError(406, f"the answer to this query is {answer.kind}, sent as one of: "
                             f"{', '.join(offers[answer.kind])}; the Accept header ({accept}) allows none")
    media_type = chosen[answer.kind]
    return Response(answer.body, headers={
        "Content-Type": content_type(media_type),
        "Vary": "Accept",
        "X-Diplograph-Truncated": "true" if answer.truncated else "false",
        "X-Diplograph-Max-Rows": str(config.max_rows),
    })


def evaluate(job: QueryJob) -> Answer:
    """Evaluate a query in a worker within the time left to this request; failures become HTTP
    errors (400 for a query the store rejects, 503 when time runs out)."""
    config, store = served().config, served().store
    try:
        return store.query(job, g.started + config.query_timeout)
    except QueryError as err:
        raise HttpError(400, str(err)) from None
    except CheckTimeout:
        raise _too_slow_to_check("query", config.query_timeout) from None
    except QueryTimeout:
        raise HttpError(503, f"the query took longer than {config.query_timeout:g} s and was stopped; make it "
                             "more selective (or ask whoever runs the server for a longer --query-timeout)") from None
    except WorkersBusy:
        raise HttpError(503, f"every query worker stayed busy for {config.query_timeout:g} s; try again shortly",
                        {"Retry-After": "5"}) from None
    except QueryCrashed:
        raise HttpError(400, "the query engine stopped while evaluating this query (it is probably nested "
                             "too deeply or needs too much memory); simplify it") from None
    except WorkerFailed as err:
        raise RuntimeError(f"query worker failed: {err}") from None


def run_update(operation: Operation) -> Response:
    """Run an update for a client that holds the update token; 204 when done."""
    config, store = served().config, served().store
    authorize(config.update_token)
    _refuse(operation.text)
    using, using_named = (operation.params.get(name, []) for name in DATASET["update"])
    try:
        store.update(operation.text, endpoint_url(), using, using_named, g.started + config.query_timeout)
    except QueryError as err:
        raise HttpError(400, str(err)) from None
    except CheckTimeout:
        raise _too_slow_to_check("update", config.query_timeout) from None
    done = Response(status=204)
    del done.headers["Content-Type"]  # a 204 has no body, so no body type
    return done


def _too_slow_to_check(kind: str, seconds: float) -> HttpError:
    """For a remote store, whose operations are first checked by evaluating them on an empty dataset."""
    return HttpError(503, f"checking the {kind}'s syntax took longer than {seconds:g} s and was stopped: it is "
                          "checked by evaluating it on an empty dataset, and it is slow even there (VALUES that "
                          "multiply?); simplify it")


def _refuse(text: str) -> None:
    found = sorted(REFUSED.keys() & keywords(text))
    if found:
        raise HttpError(400, REFUSED[found[0]])
    if nesting(text) > MAX_NESTING:
        raise HttpError(400, f"brackets ({{ }}, ( ), [ ]) are nested more than {MAX_NESTING} deep; "
                             "write the operation with less nesting")


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, f"{what} is not UTF-8; SPARQL requests must be UTF-8") from None


def _decode_params(data: bytes, what: str) -> list[tuple[str, str]]:
    """URL-encoded parameters, strictly UTF-8 (werkzeug would silently replace bad bytes)."""
    try:
        return parse_qsl(_utf8(data, what), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HttpError(400, f"{what} has percent-encoded bytes that are not UTF-8") from None
