"""Any SPARQL 1.1 store reached over HTTP (Oxigraph server, Virtuoso, Fuseki, QLever…).

SPARQLWrapper sends the requests; the answers are parsed into pyoxigraph objects so that results,
exports and errors look exactly as they do with the embedded store. The server must treat its
default graph as the union of its named graphs (Oxigraph: `--union-default-graph`; Virtuoso does
by default; Fuseki: `tdb2:unionDefaultGraph true`), as the embedded store does.
"""

from __future__ import annotations

from typing import Iterable
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit, urlunsplit

from pyoxigraph import NamedNode, Quad, QueryResultsFormat, RdfFormat, parse, parse_query_results
from SPARQLWrapper import DIGEST, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from diplograph.errors import QueryError, StoreError
from diplograph.ontology.vocab import sparql_prefixes

from .base import QueryResult
from .results import replace_graphs_update, serialize_quads, wrap

QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


class RemoteStore:
    """A store behind a SPARQL query endpoint and an update endpoint (the same URL by default).

    Credentials may be given in either URL (`http://user:password@host/sparql-auth`): basic
    authentication first, digest (as Virtuoso asks) when the server answers 401 to basic.
    """

    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 300.0):
        self.location = query_url if update_url in (None, query_url) else f"{query_url} {update_url}"
        self.query_url, user, password = _credentials(query_url)
        self.update_url, update_user, update_password = _credentials(update_url or query_url)
        self.user = user if user is not None else update_user
        self.password = password if user is not None else update_password
        self.digest, self.timeout = False, timeout

    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        if self.user is not None:
            if self.digest:
                client.setHTTPAuth(DIGEST)
            client.setCredentials(self.user, self.password)
        return client

    def _send(self, client: SPARQLWrapper) -> bytes:
        try:
            return client.query().response.read()
        except HTTPError as err:
            if err.code == 401 and self.user is not None and not self.digest:
                self.digest = True
                client.setHTTPAuth(DIGEST)
                return self._send(client)
            detail = err.read().decode("utf-8", "replace").strip()[:500]
            if err.code in (400, 422):
                raise QueryError(f"the store rejected the request: {detail}") from None
            raise StoreError(f"the store at {client.endpoint} answered {err.code}: {detail}") from None
        except SPARQLWrapperException as err:
            message = str(err).strip()
            if "QueryBadFormed" in type(err).__name__ or "bad formed" in message.lower():
                raise QueryError(f"the store rejected the query: {message}") from None
            raise StoreError(f"the store at {client.endpoint} failed: {message}") from None
        except (URLError, OSError) as err:
            raise StoreError(f"cannot reach the store at {client.endpoint}: "
                             f"{getattr(err, 'reason', err)}; is the server running?") from None

    def _select(self, sparql: str):
        client = self._client(self.query_url)
        client.setQuery(sparql)
        client.setReturnFormat(JSON)
        return parse_query_results(self._send(client), format=QueryResultsFormat.JSON)

    def replace_graphs(self, graphs: dict[str, Iterable[Quad]]) -> None:
        client = self._client(self.update_url)
        client.setRequestMethod(URLENCODED)
        client.setQuery(replace_graphs_update(graphs))
        self._send(client)

    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        self.replace_graphs({graph: quads})

    def query(self, sparql: str) -> QueryResult:
        client = self._client(self.query_url)
        # The same predeclared prefixes as the embedded store; a query's own PREFIX wins.
        client.setQuery(sparql_prefixes() + sparql)
        client.setRequestMethod(POSTDIRECTLY)
        if client.queryType in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat(TURTLE)
            data = self._send(client)
            return wrap(list(parse(data, format=RdfFormat.TURTLE)))
        client.setReturnFormat(JSON)
        return wrap(parse_query_results(self._send(client), format=QueryResultsFormat.JSON))

    def _quads(self, graph: str | None) -> list[Quad]:
        query = QUADS if graph is None else QUADS.replace("GRAPH ?g", f"VALUES ?g {{ <{graph}> }} GRAPH ?g")
        return [Quad(s["s"], s["p"], s["o"], s["g"]) for s in self._select(query)]

    def export(self, format: str, graph: str | None = None) -> bytes:
        if graph is not None and graph not in self.graphs():
            raise StoreError(f"no graph <{graph}> in the store; `diplograph query` with "
                             "'SELECT DISTINCT ?g {GRAPH ?g {}}' lists them")
        return serialize_quads(self._quads(graph), format)

    def count(self, graph: str | None = None) -> int:
        where = "GRAPH ?g { ?s ?p ?o }" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        (solution,) = list(self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
        return int(solution["n"].value)

    def graphs(self) -> list[str]:
        found = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(s["g"].value for s in found if isinstance(s["g"], NamedNode))

    def close(self) -> None:
        """Nothing to release: every request is its own connection."""


def _credentials(url: str) -> tuple[str, str | None, str | None]:
    """Split `http://user:password@host/path` into the bare URL, user and password."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None, None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return bare, unquote(parts.username), unquote(parts.password or "")
