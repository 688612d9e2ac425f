"""Any SPARQL 1.1 store reached over HTTP (Oxigraph server, Virtuoso, Fuseki, QLever…).

SPARQLWrapper sends the requests; the answers are parsed into pyoxigraph objects so that results,
exports and errors look exactly as they do with the embedded store. The server must treat its
default graph as the union of its named graphs (Oxigraph: `--union-default-graph`; Virtuoso does
by default; Fuseki: `tdb2:unionDefaultGraph true`), as the embedded store does.
"""

from __future__ import annotations

import json
import math
import re
from typing import Iterable
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit, urlunsplit

from pyoxigraph import NamedNode, Quad, QueryResultsFormat, RdfFormat, parse, parse_query_results
from SPARQLWrapper import DIGEST, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from diplograph.errors import QueryError, StoreError, StoreTimeout, StoreUnreachable
from diplograph.ontology.vocab import sparql_prefixes

from . import lexer

from .base import QueryResult
from .results import CHUNK, insert_data, replace_graphs_update, restore_datatype, serialize_quads, wrap

PAGE = 5000  # rows per request when reading many, below every server's cap we know


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
        self.chunked = False  # learnt: the server takes no large update requests

    def _client(self, url: str, timeout: float | None = None) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        # SPARQLWrapper takes whole seconds; 0 would mean none at all.
        client.setTimeout(max(1, math.ceil(self.timeout if timeout is None else timeout)))
        if self.user is not None:
            if self.digest:
                client.setHTTPAuth(DIGEST)
            client.setCredentials(self.user, self.password)
        return client

    def _send(self, client: SPARQLWrapper) -> bytes:
        try:
            return client.query().response.read()
        except Unauthorized:
            if self.user is None or self.digest:
                raise StoreError(f"the store at {client.endpoint} refused the credentials; give them "
                                 "in the URL as http://USER:PASSWORD@host/…") from None
            self.digest = True
            client.setHTTPAuth(DIGEST)
            return self._send(client)
        except TimeoutError:
            raise StoreTimeout(f"the store at {client.endpoint} did not answer in time") from None
        except HTTPError as err:
            detail = _first_line(err.read().decode("utf-8", "replace"))
            if err.code in (400, 422):
                raise QueryError(f"the store rejected the request: {detail}") from None
            raise StoreError(f"the store at {client.endpoint} answered {err.code}: {detail}") from None
        except SPARQLWrapperException as err:
            message = _first_line(str(err).replace("Response:", "").replace("\\n", "\n"))
            if "QueryBadFormed" in type(err).__name__ or "bad formed" in message.lower():
                raise QueryError(f"the store rejected the query: {message}") from None
            raise StoreError(f"the store at {client.endpoint} failed: {message}") from None
        except (URLError, OSError) as err:
            if isinstance(getattr(err, "reason", None), TimeoutError):
                raise StoreTimeout(f"the store at {client.endpoint} did not answer in time") from None
            raise StoreUnreachable(f"cannot reach the store at {client.endpoint}: "
                             f"{getattr(err, 'reason', err)}; is the server running?") from None

    def _select(self, sparql: str):
        client = self._client(self.query_url)
        client.setQuery(sparql)
        client.setReturnFormat(JSON)
        return _parse_json_results(self._send(client))

    def _update(self, update: str) -> None:
        client = self._client(self.update_url)
        client.setRequestMethod(URLENCODED)
        client.setQuery(update)
        self._send(client)

    def replace_graphs(self, graphs: dict[str, Iterable[Quad]]) -> None:
        """One request, so one transaction where the server runs a request atomically (Oxigraph
        does). A server that refuses a request that large (Virtuoso caps a request's compiled
        size) gets the graphs in requests of CHUNK triples instead: then a reader may see a graph
        half written while the load runs."""
        graphs = {g: list(q) for g, q in graphs.items()}
        if not self.chunked:
            try:
                self._update(replace_graphs_update(graphs))
                return
            except StoreUnreachable:
                raise  # no answer says nothing about the request's size
            except StoreError:
                if sum(len(q) for q in graphs.values()) <= CHUNK:
                    raise
                self.chunked = True
        for graph, quads in graphs.items():
            self._update(f"DROP SILENT GRAPH <{graph}>")
            for start in range(0, len(quads), CHUNK):
                self._update(insert_data(graph, quads[start:start + CHUNK]))

    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        self.replace_graphs({graph: quads})

    def query(self, sparql: str, *, base_iri: str | None = None, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, timeout: float | None = None) -> QueryResult:
        """Evaluate a query on the store. `default_graph` / `named_graphs` are sent as the
        protocol's default-graph-uri / named-graph-uri; `timeout` (seconds) bounds the wait for
        the answer (StoreTimeout), not the store's own work."""
        client = self._client(self.query_url, timeout)
        # The same predeclared prefixes as the embedded store; a query's own PREFIX (or BASE) wins.
        prologue = (f"BASE <{base_iri}>\n" if base_iri else "") + sparql_prefixes()
        client.setQuery(prologue + sparql)
        client.setRequestMethod(URLENCODED)  # the one form every server accepts (Virtuoso: no direct POST)
        if default_graph is not None or named_graphs is not None:
            for graph in default_graph or []:
                client.addDefaultGraph(graph)
            for graph in named_graphs or []:
                client.addNamedGraph(graph)
        if client.queryType in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat(TURTLE)
            data = self._send(client)
            return wrap(list(parse(data, format=RdfFormat.TURTLE)))
        client.setReturnFormat(JSON)
        return wrap(_parse_json_results(self._send(client)))

    def update(self, sparql: str, *, base_iri: str | None = None, using_graphs: list[str] | None = None,
               using_named_graphs: list[str] | None = None) -> None:
        """Run a SPARQL update on the store; the USING rules are the embedded store's."""
        sparql = lexer.with_using(sparql, using_graphs, using_named_graphs)
        self._update((f"BASE <{base_iri}>\n" if base_iri else "") + sparql_prefixes() + sparql)

    def quads(self, graph: str | None = None) -> list[Quad]:
        """The quads of one named graph, or of every named graph (None), with their declared
        numeric types. Read a graph at a time and in pages: servers cap a result silently (Virtuoso:
        10,000 rows) and refuse to sort past their cap, so pages are unordered and the total is
        checked against the graph's count, never cut short unnoticed."""
        quads: list[Quad] = []
        for name in self.graphs() if graph is None else [graph]:
            got: set[Quad] = set()
            while True:
                page = list(self._select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} "
                                         f"LIMIT {PAGE} OFFSET {len(got)}"))
                got.update(Quad(s["s"], s["p"], s["o"], NamedNode(name)) for s in page)
                if len(page) < PAGE:
                    break
            expected = self.count(name)
            if len(got) != expected:
                raise StoreError(f"reading graph <{name}> from {self.query_url} gave {len(got)} of its "
                                 f"{expected} triples (the server's paging is not stable); nothing was exported")
            quads.extend(got)
        return [restore_datatype(q) for q in quads]

    def export(self, format: str, graph: str | None = None) -> bytes:
        if graph is not None and graph not in self.graphs():
            raise StoreError(f"no graph <{graph}> in the store; `diplograph query` with "
                             "'SELECT DISTINCT ?g {GRAPH ?g {}}' lists them")
        return serialize_quads(self.quads(graph), format)

    def count(self, graph: str | None = None) -> int:
        where = "GRAPH ?g { ?s ?p ?o }" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        (solution,) = list(self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
        return int(solution["n"].value)

    def graphs(self) -> list[str]:
        found = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(s["g"].value for s in found if isinstance(s["g"], NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Whether the store has a graph `graph` with something in it (an empty one is not seen over SPARQL)."""
        return bool(self._select(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))

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


def _parse_json_results(data: bytes):
    """SPARQL JSON results as pyoxigraph solutions. Blank node ids are made safe first: Virtuoso
    names them like `nodeID://b10006`, which is no valid blank node label."""
    if b'"bnode"' in data:
        results = json.loads(data)
        for binding in results.get("results", {}).get("bindings", []):
            for term in binding.values():
                if term.get("type") == "bnode":
                    term["value"] = re.sub(r"[^A-Za-z0-9_]", "_", term["value"])
        data = json.dumps(results).encode()
    return parse_query_results(data, format=QueryResultsFormat.JSON)


def _first_line(text: str) -> str:
    """The gist of a server's error: servers echo whole queries back, which helps nobody."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    gist = " ".join(lines[:3])
    return gist if len(gist) <= 300 else gist[:297] + "…"
