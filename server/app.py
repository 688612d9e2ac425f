"""The app factory: configuration and store passed in, routes grouped in blueprints (the SPARQL
protocol, the service's own descriptions, the Graph Store, linked data, dumps), every error answered
in plain text (never a stack trace), CORS for any origin, one log line per request."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from diplograph.errors import StoreError

from . import dataset, graphstore, resources, service, sparql, timeline
from .auth import authorize, holds_token
from .config import ServerConfig
from .context import Served
from .engine import ServedStore
from .http import CORS_HEADERS, PREFLIGHT_HEADERS, HttpError, plain

log = logging.getLogger("diplograph.server")

# What to tell a client for the HTTP errors Flask raises itself.
MESSAGES = {
    404: "nothing here: the SPARQL endpoint is /sparql (GET it for the service description), the Graph "
         "Store /store, resources /id/…, the ontology /ontology, the dataset's description /.well-known/void, "
         "dumps /dumps/all.nq.gz, the health check /healthz",
    405: "method {method} is not allowed here; use {allowed}",
    413: "the request body is larger than the limit of {limit} bytes",
}


def create_app(config: ServerConfig, store: ServedStore) -> Flask:
    """A Flask app serving `store` as `config` says; two apps can live in one process."""
    app = Flask("diplograph.server")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    app.extensions["diplograph"] = Served(config, store)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(service.bp)
    app.register_blueprint(timeline.bp)
    app.register_blueprint(graphstore.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(dataset.bp)

    @app.before_request
    def start_clock() -> None:
        g.started = time.monotonic()
        # Writers may send more (a whole corpus is loaded in one update); nobody else may. A client
        # that means to write is told why it may not before it is told its body is too large.
        if holds_token(config.update_token):
            request.max_content_length = config.max_update_body
        elif "Authorization" in request.headers and (request.content_length or 0) > config.max_body:
            authorize(config.update_token)

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers.update(CORS_HEADERS)
        if request.method == "OPTIONS":
            response.headers.update(PREFLIGHT_HEADERS)
        _log(response)
        return response

    @app.errorhandler(HttpError)
    def http_error(err: HttpError) -> Response:
        return plain(err.status, err.message, err.headers)

    @app.errorhandler(HTTPException)
    def flask_error(err: HTTPException) -> Response:
        allow = next((value for name, value in err.get_headers() if name == "Allow"), None)
        message = MESSAGES.get(err.code, err.name).format(method=request.method, allowed=allow,
                                                          limit=request.max_content_length)
        return plain(err.code or 500, message, {"Allow": allow} if allow else None)

    @app.errorhandler(StoreError)
    def store_error(err: StoreError) -> Response:
        # The store could not be read or written (a remote one unreachable, a full disk): say so.
        log.warning("store failed on %s %s: %s", request.method, request.path, err)
        return plain(502, f"the store behind this server failed: {err}")

    @app.errorhandler(Exception)
    def internal_error(err: Exception) -> Response:
        # The details go to the server's log only: a client never sees a stack trace.
        log.exception("internal error on %s %s", request.method, request.path)
        return plain(500, "internal error: the server's log has the details")

    return app


def _log(response: Response) -> None:
    """One line per request: client, method, path (cut), status, size, time taken."""
    query = request.environ.get("QUERY_STRING")
    target = f"{request.path}?{query}" if query else request.path
    if len(target) > 200:
        target = target[:200] + f"…({len(target)} chars)"
    if not target.isprintable():
        # The path is percent-decoded: a %0A in it must not end the line (and forge the next one).
        target = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in target)
    elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
    log.info('%s "%s %s" %s %s %.1fms', request.remote_addr, request.method, target, response.status_code,
             response.calculate_content_length() or 0, elapsed)
