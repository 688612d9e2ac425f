"""A real `diplograph serve` for tests, and the W3C SPARQL 1.1 Protocol tests run against it.

`diplograph_server` starts the installed command as a subprocess on an ephemeral loopback port and
waits for /healthz. `read_manifest` reads the W3C protocol manifest (kept in the folder `shared/`
beside the repository checkout) into plain requests and expectations, and `run_protocol_test`
sends them with http.client, which adds no Content-Type of its own: two tests send none.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit
from urllib.request import url2pathname

import rdflib
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from rdflib.collection import Collection

REPO = Path(__file__).resolve().parents[1]
W3C_DIR = REPO.parent / "shared" / "w3c-protocol"
PROTOCOL_MANIFEST = W3C_DIR / "protocol-manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

RESULTS_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values", "application/json", "application/xml"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/n-quads", "application/trig",
             "application/ld+json", "application/rdf+xml"}


# ---- a real server ----------------------------------------------------------------------------

@dataclass
class Server:
    """A running `diplograph serve`: where it listens and where it logs."""

    host: str
    port: int
    log: Path
    process: subprocess.Popen
    token: str | None = None

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 60) -> "Reply":
        """Send one request on a new connection; nothing is added but Host, Content-Length and
        Accept-Encoding (http.client's own)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body.encode() if isinstance(body, str) else body,
                         headers=headers or {})
            response = conn.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def update(self, sparql: str) -> "Reply":
        """Send an update with the server's token (direct POST)."""
        return self.request("POST", "/sparql", sparql, {"Content-Type": "application/sparql-update",
                                                        "Authorization": f"Bearer {self.token}"})

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/sparql"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def diplograph_command() -> str:
    return shutil.which("diplograph") or str(Path(sys.executable).with_name("diplograph"))


@contextmanager
def diplograph_server(store: Path | str, *options: str, token: str | None = None,
                      env: dict[str, str] | None = None, seconds: float = 60,
                      log: Path | None = None) -> Iterator[Server]:
    """Run `diplograph serve --store STORE --port 0 OPTIONS…` until the block ends.

    The token goes in DIPLOGRAPH_UPDATE_TOKEN, as an operator would pass it; `env` adds other
    variables. The server's log (one line per request) is written to `log`, by default beside
    the store (a store URL needs `log`).
    """
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DIPLOGRAPH_")}, **(env or {})}
    if token:
        env["DIPLOGRAPH_UPDATE_TOKEN"] = token
    log = log or store.parent / f"{store.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([diplograph_command(), "serve", "--store", str(store), "--port", "0", *options],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        server = _wait_for(process, log, seconds)
        server.token = token
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(process: subprocess.Popen, log: Path, seconds: float) -> Server:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"diplograph serve exited with {process.returncode}:\n{log.read_text()}")
        found = re.search(r"at http://([\d.]+):(\d+)/sparql", log.read_text(errors="replace"))
        if found:
            server = Server(found.group(1), int(found.group(2)), log, process)
            try:
                if server.request("GET", "/healthz", timeout=5).status == 200:
                    return server
            except OSError:
                pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"diplograph serve did not answer within {seconds} s:\n{log.read_text()}")


# ---- the W3C manifest -------------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    statuses: frozenset[str]  # first digits of acceptable status codes
    format: str | None  # "boolean", "tabular" or "RDF"
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass(frozen=True)
class ProtocolTest:
    iri: str
    name: str
    requests: list[ProtocolRequest]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)  # (N-Triples file, graph IRI)

    @property
    def local_name(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def read_manifest(path: Path = PROTOCOL_MANIFEST) -> list[ProtocolTest]:
    """Every test of a protocol manifest, in the manifest's order."""
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    (manifest,) = graph.subjects(MF.entries, None)
    return [_read_test(graph, entry) for entry in Collection(graph, graph.value(manifest, MF.entries))]


def _read_test(graph: rdflib.Graph, entry) -> ProtocolTest:
    action = graph.value(entry, MF.action)
    requests = [_read_request(graph, node) for node in Collection(graph, graph.value(action, HT.requests))]
    data = [(Path(url2pathname(urlsplit(str(graph.value(d, UT.graph))).path)), str(graph.value(d, rdflib.RDFS.label)))
            for d in graph.objects(entry, UT.graphData)]
    return ProtocolTest(str(entry), str(graph.value(entry, MF.name)), requests, sorted(data))


def _read_request(graph: rdflib.Graph, node) -> ProtocolRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = frozenset(str(s).rsplit("StatusCode", 1)[-1][0] for s in graph.objects(response, MF.expectedStatus))
    fmt = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    expected = Expected(statuses, str(fmt) if fmt is not None else None,
                        boolean.toPython() if boolean is not None else None)
    return ProtocolRequest(str(graph.value(node, HT.methodName)), str(graph.value(node, HT.absolutePath)),
                           headers, body, expected)


def load_graph_data(server: Server, test: ProtocolTest) -> None:
    """Put each data file the test names into its named graph, replacing what was there."""
    for data, graph in test.graph_data:
        reply = server.update(f"DROP SILENT GRAPH <{graph}> ;\n"
                              f"INSERT DATA {{ GRAPH <{graph}> {{\n{data.read_text(encoding='utf-8')}}} }}")
        assert reply.status == 204, reply.text


def run_protocol_test(server: Server, test: ProtocolTest) -> list[str]:
    """Run a test's requests in order against `server`; returns what went wrong (empty: passed).

    The manifest's /sparql/ is the server's /sparql. Every request carries the update token, so
    the update tests exercise the protocol, not the refusal of anonymous updates.
    """
    load_graph_data(server, test)
    problems = []
    for number, step in enumerate(test.requests, 1):
        path = step.path.replace("/sparql/", "/sparql", 1)
        headers = dict(step.headers, Authorization=f"Bearer {server.token}")
        reply = server.request(step.method, path, step.body, headers)
        problem = check_reply(step.expected, reply)
        if problem:
            problems.append(f"request {number} ({step.method} {path}): {problem}")
    return problems


def check_reply(expected: Expected, reply: Reply) -> str | None:
    """What is wrong with `reply` given `expected`, or None."""
    if str(reply.status)[0] not in expected.statuses:
        return f"status {reply.status}, expected {'/'.join(sorted(s + 'xx' for s in expected.statuses))}: {reply.body[:300]!r}"
    if expected.format == "boolean":
        value = _boolean(reply)
        if value is None:
            return f"no boolean in a {reply.media_type} answer: {reply.body[:300]!r}"
        if expected.boolean is not None and value != expected.boolean:
            return f"the answer is {value}, expected {expected.boolean}"
    elif expected.format == "tabular":
        if reply.media_type not in RESULTS_TYPES:
            return f"a tabular answer came as {reply.media_type}"
        if reply.media_type == "text/csv":  # lossy, so pyoxigraph does not read it
            if not list(csv.reader(io.StringIO(reply.text))):
                return "an empty CSV answer: it has no header"
        else:
            list(parse_query_results(reply.body, format=QueryResultsFormat.from_media_type(reply.media_type)))
    elif expected.format == "RDF":
        if reply.media_type not in RDF_TYPES:
            return f"an RDF answer came as {reply.media_type}"
        list(parse(reply.body, format=RdfFormat.from_media_type(reply.media_type)))
    return None


def _boolean(reply: Reply) -> bool | None:
    if reply.media_type in ("application/sparql-results+json", "application/json"):
        return json.loads(reply.body).get("boolean")
    if reply.media_type in ("application/sparql-results+xml", "application/xml"):
        node = ET.fromstring(reply.body).find("{http://www.w3.org/2005/sparql-results#}boolean")
        return None if node is None else node.text.strip() == "true"
    return None


def mini_store(folder: Path) -> Path:
    """A store holding the ontology and the small `mini` test article, in `folder`/store."""
    from support import MINI

    from diplograph.loader import read_article
    from diplograph.ontology import ontology_quads
    from diplograph.ontology.vocab import ONTOLOGY_GRAPH
    from diplograph.store import EmbeddedStore

    path = folder / "store"
    article = read_article(MINI)
    store = EmbeddedStore(path)
    store.replace_graphs({ONTOLOGY_GRAPH: ontology_quads(), article.graph: article.quads})
    store.close()
    return path
